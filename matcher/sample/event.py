"""The sample 供需对接会: one park's leading firms meet 50 of its SMEs, one day, two sessions.

>>> definition = sample_event(generate_sample())
>>> len(definition["participants"])
59

Drawn deterministically from the sample: the first park's leading firms bring their open demands; the SMEs
are first those making a product some leading firm asks for (by the chain link the generator recorded),
then others of the park. Preferences come from the same truth: a few 必须见 and 想见 on real matches, a few
不见 across industries. Written to ``data/sample/event.yaml`` by ``data/generate_sample.py``;
``matcher event create data/sample/event.yaml`` reads it after the sample is imported.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import yaml

from matcher.domain import DemandStatus, Enterprise, Role
from matcher.sample.chains import LinkRef
from matcher.sample.generator import Sample
from matcher.sample.places import PARKS

N_SMES = 50
HEADER = """\
# 示例对接会定义（由 data/generate_sample.py 生成，勿手工修改）。格式见 docs/events.md：
# participants 以统一社会信用代码（enterprise_id）引用企业库中的企业；tables: 12 表示 1..12 号桌；
# available_slots 为可参会时段编号（0 起，跨场次连续编号），省略表示全天可参会。
"""


def _smes(rng: random.Random, sample: Sample, park: str, wanted: set[LinkRef]) -> list[Enterprise]:
    pool = [e for e in sample.enterprises if e.park == park and e.role == Role.SME]
    matching = [e for e in pool if wanted & set(sample.enterprise_links.get(e.uscc, []))]
    others = [e for e in pool if e not in matching]
    chosen = matching[:N_SMES] + rng.sample(others, max(0, min(len(others), N_SMES - len(matching))))
    return sorted(chosen, key=lambda e: e.uscc)


def _participant(pid: str, e: Enterprise, **extra: Any) -> dict[str, Any]:
    return {"id": pid, "enterprise_id": e.uscc, "name": e.name, "role": e.role.label, **extra}


def _preferences(
    rng: random.Random, buyers: dict[str, set[LinkRef]], smes: dict[str, set[LinkRef]]
) -> list[dict[str, str]]:
    """必须见 from up to four buyers to their first real match, 想见 from SMEs to real matches, 不见 across industries."""
    prefs: list[dict[str, str]] = []
    matches = [(b, s) for b, links in buyers.items() for s, made in smes.items() if links & made]
    for b in sorted(buyers):
        mine = [s for bb, s in matches if bb == b]
        if mine and len(prefs) < 4:
            prefs.append({"participant_id": b, "target_id": mine[0], "level": "must"})
    for b, s in rng.sample(matches, min(8, len(matches))):
        if not any(p["target_id"] == s and p["participant_id"] == b for p in prefs):
            prefs.append({"participant_id": s, "target_id": b, "level": "want"})
    industries = {b: {i for i, _ in links} for b, links in buyers.items()}
    for s in rng.sample(sorted(smes), 6):
        other = [b for b in sorted(buyers) if not industries[b] & {i for i, _ in smes[s]}]
        if other and len([p for p in prefs if p["level"] == "no"]) < 3:
            prefs.append({"participant_id": s, "target_id": rng.choice(other), "level": "no"})
    return prefs


def _partial_days(people: list[dict[str, Any]], keep: set[str]) -> None:
    """Two leading firms and every fifth SME attend half the day (never a party to a 必须见)."""
    half = [list(range(6)), list(range(6, 12))]
    buyers = [p for p in people if p["id"].startswith("B") and p["id"] not in keep]
    smes = [p for p in people if p["id"].startswith("S") and p["id"] not in keep]
    for i, p in enumerate([*buyers[1:3], *smes[3::5]]):
        p["available_slots"] = half[i % 2]


def sample_event(sample: Sample, *, seed: int = 7) -> dict[str, Any]:
    """The event definition (a plain dict in the ``matcher event create`` format) for the sample's first park."""
    rng = random.Random(seed)
    park = PARKS[0].name
    leaders = sorted(
        (e for e in sample.enterprises if e.park == park and e.role == Role.LEADING), key=lambda e: e.uscc
    )
    open_demands = {
        e.uscc: [d for d in sample.demands if d.publisher_uscc == e.uscc and d.status == DemandStatus.OPEN]
        for e in leaders
    }
    wanted = {
        sample.demand_links[d.code]
        for ds in open_demands.values()
        for d in ds
        if d.code in sample.demand_links
    }
    smes = _smes(rng, sample, park, wanted)
    people = [
        _participant(f"B{i + 1:02d}", e, demands=[d.code for d in open_demands[e.uscc]], max_meetings=10)
        for i, e in enumerate(leaders)
    ] + [_participant(f"S{i + 1:02d}", e, max_meetings=3) for i, e in enumerate(smes)]
    buyer_links = {
        p["id"]: {sample.demand_links[c] for c in p["demands"] if c in sample.demand_links}
        for p in people
        if p["id"].startswith("B")
    }
    sme_links = {
        p["id"]: set(sample.enterprise_links.get(p["enterprise_id"], []))
        for p in people
        if p["id"].startswith("S")
    }
    prefs = _preferences(rng, buyer_links, sme_links)
    _partial_days(
        people, {q for p in prefs if p["level"] == "must" for q in (p["participant_id"], p["target_id"])}
    )
    day = sample.reference_date + dt.timedelta(days=16)
    return {
        "id": f"{PARKS[0].short}-{day:%Y%m%d}",
        "name": f"{park} {day.year} 年产业链供需对接会",
        "park": park,
        "venue": f"{park}会展中心",
        "slot_minutes": 20,
        "gap_minutes": 5,
        "min_meetings_per_sme": 1,
        "sessions": [
            {"day": day.isoformat(), "start": "09:00", "slot_count": 6, "label": "上午场"},
            {"day": day.isoformat(), "start": "14:00", "slot_count": 6, "label": "下午场"},
        ],
        "tables": 12,
        "participants": people,
        "preferences": prefs,
    }


class _Dumper(yaml.SafeDumper):
    """Block style, except short lists of numbers and codes on one line."""


def _list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(isinstance(x, int | str) for x in data) and len(data) > 0
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _list)


def render_event_yaml(definition: dict[str, Any]) -> str:
    """The definition as commented YAML, byte-for-byte the same for the same definition."""
    body = yaml.dump(definition, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110)
    return HEADER + body
