"""A refusal in the demand (贸易商勿扰, 不接受OEM贴牌) keeps the refused business's products from matching.

The pool is built by hand: 甲 lists its zinc as a trading line (锌锭贸易) beside a real product, 乙 makes
zinc ingot and 丙 only trades it. Without the refusal the trading lines match the wanted item; with it
they do not, on the exhaustive and on the candidate path alike.
"""

from __future__ import annotations

import pytest

from matcher.encoders.fake import FakeEncoder
from matcher.ranking.core import MatchCore
from matcher.text.demand import refused_terms, search_queries, understand_demand
from matcher.text.profiles import ProfileDoc

POOL = [
    ProfileDoc("a", "甲", (("锌锭贸易", 0.6), ("热镀锌加工", 0.4))),
    ProfileDoc("b", "乙", (("锌锭", 0.7), ("硫酸", 0.3))),
    ProfileDoc("c", "丙", (("锌锭贸易", 1.0),)),
    ProfileDoc("d", "丁", (("钢材", 1.0),)),
]
PLAIN = "采购0#锌锭，每月200吨。"
REFUSING = "采购0#锌锭，每月200吨，贸易商勿扰。"


def test_refusals_reach_every_search_as_terms() -> None:
    assert refused_terms(("贸易商", "oem贴牌代工", "epc总包方")) == ("贸易", "oem贴牌", "epc总包")
    assert [q.refused for q in search_queries(understand_demand(REFUSING))] == [("贸易",)]
    assert [q.refused for q in search_queries(understand_demand(PLAIN))] == [()]


@pytest.mark.parametrize("search", ["exhaustive", "candidates"])
def test_a_refused_business_does_not_match(search: str) -> None:
    core = MatchCore(FakeEncoder(), search=search, candidate_depth=300).fit(POOL)
    plain, refusing = core.rank_suppliers(PLAIN), core.rank_suppliers(REFUSING)
    c = 2
    assert plain.channels["exact"][c] == 0.0 and plain.scores[c] > 0.0  # 锌锭贸易 is near 锌锭 unrefused
    assert refusing.scores[c] < plain.scores[c]
    assert max(refusing.channels[n][c] for n in ("item", "dense_product")) == 0.0
    assert refusing.scores[1] == refusing.scores.max()  # the maker of 锌锭 stays first
    product, _, _ = core.supplier_match(0, refusing)
    assert product != "锌锭贸易"  # 甲 is matched on what it makes, if at all
