"""Load the versioned criteria YAML, apply a park's overrides, and validate it into typed objects.

A park changes any threshold, band points, metric or on/off switch by rule id, replaces the
province-defined 特色化 indicators, or adjusts the cost model, all without touching code:

>>> crit = load_criteria("2022-63", {"park": "示例园区", "rules": {"specialized.rd_ratio": 4}})
>>> crit.rule("specialized.rd_ratio").value
4.0
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from matcher.domain.models import Tier
from matcher.tiers.criteria import (
    OPS,
    Band,
    CostModel,
    Criteria,
    CriteriaError,
    Group,
    Indicator,
    Leaf,
    Node,
    ScoreTable,
    TierCriteria,
)
from matcher.tiers.metrics import METRICS

CRITERIA_DIR = Path(__file__).parent / "criteria"
DEFAULT_VERSION = "2022-63"
LOCAL_GROUP = "characteristic"


def available_versions() -> list[str]:
    """Versions shipped in ``criteria/`` (file stems), newest name last."""
    return sorted(p.stem for p in CRITERIA_DIR.glob("*.yaml") if not p.stem.startswith("park"))


@lru_cache(maxsize=8)
def _read_version(version: str) -> dict[str, Any]:
    path = CRITERIA_DIR / f"{version}.yaml"
    if not path.exists():
        raise CriteriaError(f"没有版本为 {version!r} 的评价标准；可用：{'、'.join(available_versions())}")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def read_overrides(path: str | Path) -> dict[str, Any]:
    """A park override file (YAML) as a dict; see ``criteria/park-example.yaml``."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise CriteriaError(f"园区覆盖文件 {path} 应为键值映射")
    return data


def load_criteria(
    version: str = DEFAULT_VERSION, overrides: Mapping[str, Any] | str | Path | None = None
) -> Criteria:
    """The criteria of ``version`` with a park's ``overrides`` (a dict or a YAML path) merged in."""
    if isinstance(overrides, str | Path):
        overrides = read_overrides(overrides)
    doc = apply_overrides(_read_version(version), overrides or {})
    return parse(doc)


def _assign_ids(raw: dict[str, Any], prefix: str) -> None:
    """Give every unnamed node an id derived from its parent's (``x.1``, band ``x.A``) so overrides reach it."""
    raw.setdefault("id", prefix)
    for mode in ("all", "any"):
        for i, child in enumerate(raw.get(mode, []), start=1):
            _assign_ids(child, f"{raw['id']}.{i}")


def _prepare(doc: dict[str, Any]) -> None:
    for name, tier in doc.get("tiers", {}).items():
        _assign_ids(tier["conditions"], f"{name}.conditions")
        for table in tier.get("scores", {}).values():
            for ind in table.get("indicators", []):
                _prepare_indicator(ind)


def _prepare_indicator(ind: dict[str, Any]) -> None:
    for letter, band in zip("ABCDEFGHIJ", ind.get("ladder", []), strict=False):
        band.setdefault("band_id", f"{ind['id']}.{letter}")  # the band's condition shares this id
        _assign_ids(band["when"], band["band_id"])
    for i, item in enumerate(ind.get("count", {}).get("items", []), start=1):
        item.setdefault("id", f"{ind['id']}.{i}")


def _index(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}

    def visit(obj: Any) -> None:
        if isinstance(obj, dict):
            if isinstance(obj.get("id"), str):
                if obj["id"] in found:
                    raise CriteriaError(f"规则编号重复：{obj['id']}")
                found[obj["id"]] = obj
            for v in obj.values():
                visit(v)
        elif isinstance(obj, list):
            for v in obj:
                visit(v)

    visit(doc)
    return found


def _bands(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        band["band_id"]: band
        for tier in doc["tiers"].values()
        for table in (tier.get("scores") or {}).values()
        for ind in table["indicators"]
        for band in ind.get("ladder", [])
    }


def apply_overrides(doc: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the raw criteria with a park's ``rules``, ``tiers``, ``local_indicators``, ``costs`` applied."""
    out = copy.deepcopy(doc)
    _prepare(out)
    index, bands = _index(out), _bands(out)
    for rule_id, change in (overrides.get("rules") or {}).items():
        change = dict(change) if isinstance(change, dict) else {"value": change}
        if "points" in change and rule_id in bands:
            bands[rule_id]["points"] = change.pop("points")
        if not change:
            continue
        if rule_id not in index:
            raise CriteriaError(f"园区覆盖中的规则编号 {rule_id!r} 不存在；请按标准文件中的 id 填写")
        index[rule_id].update(change)
    for name, changes in (overrides.get("tiers") or {}).items():
        if name not in out["tiers"]:
            raise CriteriaError(f"园区覆盖中的层级 {name!r} 不存在")
        out["tiers"][name].update(changes)
    if overrides.get("local_indicators") is not None:
        _replace_local(out, list(overrides["local_indicators"]))
    for key in ("costs", "keywords"):
        for k, v in (overrides.get(key) or {}).items():
            target = out.setdefault(key, {})
            target[k] = {**target.get(k, {}), **v} if isinstance(v, dict) else v
    out["park"] = overrides.get("park", "")
    return out


def _replace_local(doc: dict[str, Any], local: list[dict[str, Any]]) -> None:
    table = doc["tiers"]["specialized"]["scores"]["specialized.points"]
    kept = [i for i in table["indicators"] if i.get("group") != LOCAL_GROUP]
    for ind in local:
        ind.setdefault("group", LOCAL_GROUP)
        _prepare_indicator(ind)
    total = sum(float(i.get("max", 0)) for i in local)
    if total > table["groups"][LOCAL_GROUP]["max"]:
        raise CriteriaError(f"地方特色指标满分合计 {total:g} 分，超过特色化指标满分 15 分")
    table["indicators"] = kept + local


# ---------- typed objects ----------


def parse(doc: dict[str, Any]) -> Criteria:
    """Validate a prepared criteria document into :class:`Criteria`; every problem names its rule id."""
    disabled: list[str] = []
    tiers = tuple(_tier(name, raw, disabled) for name, raw in doc["tiers"].items())
    crit = Criteria(
        version=str(doc["version"]),
        title=doc.get("title", ""),
        tiers=tiers,
        keywords={k: tuple(v) for k, v in (doc.get("keywords") or {}).items()},
        costs=_costs(doc.get("costs") or {}),
        park=doc.get("park", ""),
        disabled=tuple(disabled),
    )
    _check_scores(crit)
    return crit


def _tier(name: str, raw: dict[str, Any], disabled: list[str]) -> TierCriteria:
    try:
        tier = Tier(name)
    except ValueError:
        raise CriteriaError(f"未知层级 {name!r}；可用：{'、'.join(t.value for t in Tier)}") from None
    cond = _node(raw["conditions"], disabled)
    if cond is None:
        raise CriteriaError(f"层级 {name} 没有启用的条件")
    return TierCriteria(
        tier=tier,
        label=raw.get("label", tier.label),
        short=raw.get("short", tier.label),
        source=raw.get("source", ""),
        requires=tuple(Tier(r) for r in raw.get("requires", [])),
        conditions=cond,
        scores=tuple(_table(tid, t, disabled) for tid, t in (raw.get("scores") or {}).items()),
        note=raw.get("note", ""),
    )


def _node(raw: dict[str, Any], disabled: list[str]) -> Node | None:
    """A leaf or group; disabled rules are dropped (and listed), so they neither pass nor fail anything."""
    if raw.get("enabled", True) is False:
        disabled.append(raw["id"])
        return None
    text = {k: str(raw.get(k, "")) for k in ("title", "article", "note")}
    for mode in ("all", "any"):
        if mode in raw:
            kids = tuple(n for n in (_node(c, disabled) for c in raw[mode]) if n is not None)
            return Group(id=raw["id"], mode=mode, children=kids, **text)
    return _leaf(raw, text)


def _leaf(raw: dict[str, Any], text: dict[str, str]) -> Leaf:
    rid = raw["id"]
    if raw.get("op") not in OPS:
        raise CriteriaError(f"规则 {rid} 的比较符 {raw.get('op')!r} 无效；可用：{' '.join(OPS)}")
    if not isinstance(raw.get("value"), int | float) or isinstance(raw.get("value"), bool):
        raise CriteriaError(f"规则 {rid} 的阈值 {raw.get('value')!r} 不是数值")
    metric, score = raw.get("metric"), raw.get("score")
    if (metric is None) == (score is None):
        raise CriteriaError(f"规则 {rid} 须且只须指定 metric 或 score 之一")
    if metric is not None and metric not in METRICS:
        raise CriteriaError(f"规则 {rid} 的指标 {metric!r} 未定义；可用：{'、'.join(METRICS)}")
    return Leaf(id=rid, op=raw["op"], value=float(raw["value"]), metric=metric, score=score, **text)


def _table(tid: str, raw: dict[str, Any], disabled: list[str]) -> ScoreTable:
    groups = {g: (str(v["title"]), float(v["max"])) for g, v in raw["groups"].items()}
    inds = tuple(_indicator(i, groups, disabled) for i in raw["indicators"] if i.get("enabled", True))
    return ScoreTable(
        id=tid, title=raw.get("title", tid), groups=groups, indicators=inds, article=raw.get("article", "")
    )


def _indicator(raw: dict[str, Any], groups: dict[str, tuple[str, float]], disabled: list[str]) -> Indicator:
    iid, top = raw["id"], float(raw["max"])
    if raw.get("group") not in groups:
        raise CriteriaError(f"指标 {iid} 的分组 {raw.get('group')!r} 未定义；可用：{'、'.join(groups)}")
    common = dict(
        id=iid,
        title=raw["title"],
        group=raw["group"],
        max=top,
        article=raw.get("article", ""),
        note=raw.get("note", ""),
    )
    if "ladder" in raw:
        bands = tuple(_band(b, disabled) for b in raw["ladder"])
        bad = [b.id for b in bands if b.points > top]
        if bad:
            raise CriteriaError(f"指标 {iid} 的档位 {'、'.join(bad)} 分值超过满分 {top:g}")
        return Indicator(kind="ladder", bands=bands, default=float(raw.get("else", 0)), **common)
    if "steps" in raw:
        s = raw["steps"]
        return Indicator(
            kind="steps",
            metric=_metric(iid, s["metric"]),
            every=float(s["every"]),
            per=float(s["points"]),
            **common,
        )
    if "count" in raw:
        c = raw["count"]
        items = tuple(
            _leaf(i, {k: str(i.get(k, "")) for k in ("title", "article", "note")}) for i in c["items"]
        )
        return Indicator(kind="count", items=items, per=float(c["points"]), **common)
    if "value" in raw:
        return Indicator(kind="value", metric=_metric(iid, raw["value"]["metric"]), **common)
    raise CriteriaError(f"指标 {iid} 须为 ladder、steps、count 或 value 之一")


def _band(raw: dict[str, Any], disabled: list[str]) -> Band:
    when = _node(raw["when"], disabled)
    if when is None:
        raise CriteriaError(f"档位 {raw['band_id']} 的条件被停用；要去掉档位请把 points 改为 0")
    return Band(id=raw["band_id"], points=float(raw["points"]), when=when)


def _metric(owner: str, name: str) -> str:
    if name not in METRICS:
        raise CriteriaError(f"{owner} 的指标 {name!r} 未定义；可用：{'、'.join(METRICS)}")
    return name


def _costs(raw: dict[str, Any]) -> CostModel:
    per_unit: dict[str, float | str] = {}
    for k, v in (raw.get("per_unit") or {}).items():
        per_unit[_metric("costs.per_unit", k)] = v if isinstance(v, str) else float(v)
    return CostModel(
        per_unit=per_unit,
        missing=float(raw.get("missing", 2)),
        staff_cost=float(raw.get("staff_cost", 15)),
        note=raw.get("note", ""),
    )


def _check_scores(crit: Criteria) -> None:
    """Every ``score:`` reference names a table (``id``) or one of its groups (``id/group``)."""
    known = set()
    for t in crit.tiers:
        for table in t.scores:
            known.add(table.id)
            known.update(f"{table.id}/{g}" for g in table.groups)
    for node in crit.nodes():
        if isinstance(node, Leaf) and node.score is not None and node.score not in known:
            raise CriteriaError(
                f"规则 {node.id} 引用的得分 {node.score!r} 未定义；可用：{'、'.join(sorted(known))}"
            )
