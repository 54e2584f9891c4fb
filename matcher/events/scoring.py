"""A simple, honest pair scorer from the registry alone, until the matching engine plugs in.

It answers the shortlists' seam ``score_pair(buyer_id, sme_id) -> (score, reasons)`` from two signals:

* 产品相近: the best match between a product the buyer asks for in a demand and a product the SME makes,
  1 when one name contains the other, else the overlap coefficient of their character bigrams
  ("先进封装" vs "系统级封装SiP" share 封装: 1/3);
* 文本相近: character-bigram Jaccard between the buyer's demands and products and the SME's products and
  capabilities, after dropping bigrams most SMEs share (boilerplate such as "研发与生产").

``score = 0.6 * product + 0.4 * min(1, jaccard / 0.25)``. No embeddings, no learning: the matching engine
replaces it through the same callable.

Example::

    buyer = Profile("B01", wanted=("高压连接器",), text="征集高压连接器合格供应商 电动客车")
    sme = Profile("S01", wanted=(), offered=("高压连接器", "高压线束"), text="线束与连接器配套企业")
    registry_score(buyer, sme)   # (0.6 + ..., ["需求产品“高压连接器”与其产品“高压连接器”对口", ...])
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import NamedTuple

from matcher.events.shortlists import ScorePair

HIT_WEIGHT = 0.6
JACCARD_FULL = 0.25  # a Jaccard this high counts as fully similar text
PRODUCT_REASON = 0.3  # product similarity worth naming in the reasons
COMMON_SHARE = 0.5  # bigrams found in more than this share of the SMEs are ignored
_RUNS = re.compile(r"[0-9a-z\u4e00-\u9fff]+")


class Profile(NamedTuple):
    """What the registry says about one participant: products it asks for / makes, and free text."""

    id: str
    wanted: tuple[str, ...] = ()
    offered: tuple[str, ...] = ()
    text: str = ""

    def words(self) -> str:
        return " ".join((*self.wanted, *self.offered, self.text))


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams within runs of Chinese characters, digits and lower-cased Latin letters."""
    return frozenset(run[i : i + 2] for run in _RUNS.findall(text.lower()) for i in range(len(run) - 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _norm(name: str) -> str:
    return "".join(_RUNS.findall(name.lower()))


def product_match(wanted: tuple[str, ...], offered: tuple[str, ...]) -> tuple[float, str, str]:
    """(similarity, wanted name, offered name) of the closest pair of product names, (0, "", "") if none.

    1.0 when one normalized name contains the other (both at least 2 characters), else the overlap
    coefficient |A ∩ B| / min(|A|, |B|) of the names' bigram sets.
    """
    best = (0.0, "", "")
    for w in wanted:
        for o in offered:
            nw, no = _norm(w), _norm(o)
            if min(len(nw), len(no)) < 2:
                continue
            a, b = bigrams(nw), bigrams(no)
            sim = 1.0 if nw in no or no in nw else len(a & b) / min(len(a), len(b))
            if sim > best[0]:
                best = (sim, w, o)
    return best


def registry_score(
    buyer: Profile, sme: Profile, *, common: frozenset[str] = frozenset()
) -> tuple[float, list[str]]:
    """Score in [0, 1] and Chinese reasons for a buyer-SME pair; ``common`` bigrams are ignored."""
    product, w, o = product_match(buyer.wanted, sme.offered)
    sim = jaccard(bigrams(buyer.words()) - common, bigrams(sme.words()) - common)
    score = HIT_WEIGHT * product + (1 - HIT_WEIGHT) * min(1.0, sim / JACCARD_FULL)
    reasons = []
    if product >= PRODUCT_REASON:
        reasons.append(f"需求产品“{w}”与其产品“{o}”{'对口' if product == 1.0 else '相近'}")
    if sim > 0:
        reasons.append(f"需求与产品、能力描述相近（字二元组重合度 {sim:.2f}）")
    return round(score, 4), reasons or ["登记信息中未见对口产品"]


def common_bigrams(profiles: Mapping[str, Profile], share: float = COMMON_SHARE) -> frozenset[str]:
    """Bigrams found in more than ``share`` of the profiles (none when there are fewer than 4)."""
    if len(profiles) < 4:
        return frozenset()
    counts = Counter(g for p in profiles.values() for g in bigrams(p.words()))
    return frozenset(g for g, n in counts.items() if n > share * len(profiles))


def registry_scorer(buyers: Mapping[str, Profile], smes: Mapping[str, Profile]) -> ScorePair:
    """The seam callable over the event's profiles; unknown ids score 0 with a reason."""
    common = common_bigrams(smes)

    def score_pair(buyer_id: str, sme_id: str) -> tuple[float, list[str]]:
        if buyer_id not in buyers or sme_id not in smes:
            return 0.0, ["企业库中无该企业的登记信息"]
        return registry_score(buyers[buyer_id], smes[sme_id], common=common)

    return score_pair
