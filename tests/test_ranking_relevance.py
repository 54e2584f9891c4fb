"""The 0-100 relevance scale and the reasons built on it: properties over random channel values, and
over many random demands through the engine with the fake encoder (a reason never claims similarity its
numbers do not show)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.cli.demo import load_sample
from matcher.encoders.fake import FakeEncoder
from matcher.engine import Engine
from matcher.ranking.relevance import (
    BUYER_EVIDENCE,
    CLOSE,
    RELATED,
    SAME,
    SUPPLIER_EVIDENCE,
    calibrated,
    dense_baseline,
    evidence,
    points,
    relevance,
)
from matcher.settings import Settings
from matcher.store import Store
from matcher.text.demand import understand_demand

unit = st.floats(0.0, 1.0, allow_nan=False)
cosine = st.floats(-1.0, 1.0, allow_nan=False)
supplier_channels = st.fixed_dictionaries(
    {"exact": st.sampled_from([0.0, 1.0]), "lexical": unit, "dense": cosine, "text": unit}
)


@given(channels=supplier_channels, baseline=st.floats(0.0, 0.99))
def test_relevance_is_bounded_and_certain_for_an_exact_name(
    channels: dict[str, float], baseline: float
) -> None:
    value = relevance(channels, baseline, SUPPLIER_EVIDENCE)
    assert 0.0 <= value <= 100.0
    if channels["exact"] == 1.0:
        assert value == 100.0


@given(
    channels=supplier_channels,
    name=st.sampled_from(["lexical", "dense", "text"]),
    more=st.floats(0.0, 1.0),
    baseline=st.floats(0.0, 0.99),
)
def test_relevance_never_falls_when_a_channel_rises(
    channels: dict[str, float], name: str, more: float, baseline: float
) -> None:
    higher = {**channels, name: min(channels[name] + more, 1.0)}
    assert relevance(higher, baseline) >= relevance(channels, baseline)


@given(channels=supplier_channels, low=st.floats(0.0, 0.99), high=st.floats(0.0, 0.99))
def test_a_higher_encoder_baseline_never_raises_relevance(
    channels: dict[str, float], low: float, high: float
) -> None:
    low, high = sorted((low, high))
    assert relevance(channels, high) <= relevance(channels, low)


def test_no_evidence_is_zero_and_dense_counts_only_above_the_baseline() -> None:
    assert relevance({"exact": 0.0, "lexical": 0.0, "dense": 0.0, "text": 0.0}) == 0.0
    assert relevance({"dense": 0.8}, dense_baseline=0.85) == 0.0  # e5-like: 0.8 is what unrelated names get
    assert relevance({"dense": 0.8}, dense_baseline=0.2) > 50.0
    assert calibrated(0.6, 0.2) == pytest.approx(0.5)
    # the buyer channels mix lexical and dense half and half: half the baseline applies
    assert evidence({"inputs": 0.6}, 0.4)["inputs"] == pytest.approx(0.5)
    assert relevance({"industry": 1.0}, 0.0, BUYER_EVIDENCE) < relevance({"inputs": 1.0}, 0.0, BUYER_EVIDENCE)


@given(value=st.floats(-5.0, 5.0, allow_nan=False))
def test_points_put_unit_scores_on_the_same_scale(value: float) -> None:
    assert 0.0 <= points(value) <= 100.0
    if 0.0 <= value <= 1.0:
        assert points(value) == pytest.approx(100 * value, abs=0.05)


def test_dense_baseline_is_what_unrelated_names_score() -> None:
    names = ["硫酸", "钢材", "液压油缸", "锂电池隔膜", "三元正极材料", "挖掘机", "铜箔", "石墨电极", "聚丙烯"]
    encoder = FakeEncoder()
    vectors = encoder.encode(names)
    sims = vectors @ vectors.T
    off_diagonal = sims[~np.eye(len(names), dtype=bool)]
    found = dense_baseline(names, vectors, encoder)
    assert np.median(off_diagonal) <= found <= off_diagonal.max() + 1e-6
    assert dense_baseline(names, None, None) == 0.0


# -- reasons over many random demands ------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    home: Path = tmp_path_factory.mktemp("relevance")
    store = Store(f"sqlite:///{home / 'm.db'}")
    load_sample(store)
    return Engine(store, Settings(home=home, encoder="fake", relevance_floor=0))


def _products(engine: Engine) -> list[str]:
    return sorted({p.name for e in engine.registry.enterprises(limit=500) for p in e.record.products})


WORDS = [
    "采购",
    "寻找",
    "供应商",
    "我们需要",
    "年度",
    "用于",
    "改进方案",
    "合作伙伴",
    "吨",
    "技术攻关",
    "低温脆裂",
]


def _claims_hold(reason: str, channels: dict[str, float], baseline: float) -> list[str]:
    """What the sentence claims that its own channel numbers do not show (empty when honest)."""
    e = evidence(channels, baseline)
    similar = max(e.get("lexical", 0.0), e.get("dense", 0.0))
    wrong = []
    if "即所需" in reason and channels.get("exact", 0.0) < 1.0 and similar < SAME:
        wrong.append(f"即所需 at evidence {similar:.2f} without an exact product name")
    if "相近" in reason and "用词相近" not in reason and similar < CLOSE and channels.get("exact", 0.0) < 1.0:
        wrong.append(f"相近 at evidence {similar:.2f}")
    if "有一定关联" in reason and similar < RELATED:
        wrong.append(f"有一定关联 at evidence {similar:.2f}")
    if "前列的供应商所供产品同类" in reason and e.get("feedback", 0.0) < CLOSE:
        wrong.append(f"同类 at feedback {e.get('feedback', 0.0):.2f}")
    return wrong


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_reason_never_claims_similarity_its_numbers_do_not_show(
    sample_engine: Engine, data: st.DataObject
) -> None:
    products = _products(sample_engine)
    parts = data.draw(
        st.lists(
            st.one_of(
                st.sampled_from(products),
                st.sampled_from(products).map(lambda p: p[: max(1, len(p) // 2)]),
                st.sampled_from(WORDS),
                st.text(alphabet="材料件电池钢铝铜膜塑胶外壳温度高低压", min_size=1, max_size=6),
            ),
            min_size=1,
            max_size=4,
        )
    )
    result = sample_engine.matching.suppliers_for(text="".join(parts), k=10)
    baseline = sample_engine.matching.match_pool().baseline
    for m in result.matches:
        assert not _claims_hold(m.explanation, m.channels, baseline), (m.explanation, m.channels)
        assert m.score == pytest.approx(min(100.0, m.relevance + sum(m.boosts.values())), abs=0.11)
    # the list keeps the fusion's order (measured better than sorting by relevance: bench_relevance.py)
    ranked = sample_engine.matching.match_pool().core.top_suppliers("".join(parts), 10)
    ids = sample_engine.matching.match_pool().ids
    assert [m.enterprise_id for m in result.matches] == [
        ids[int(i)] for i in ranked.order if any(m.enterprise_id == ids[int(i)] for m in result.matches)
    ]


def test_an_exact_product_reads_as_the_wanted_item(sample_engine: Engine) -> None:
    product = next(p for p in _products(sample_engine) if understand_demand(f"采购{p}").items == (p,))
    top = sample_engine.matching.suppliers_for(text=f"采购{product}", k=3).matches[0]
    assert top.product == product and top.relevance == 100.0
    assert top.reason.startswith(f"对方主营“{product}”，即所需的") and "相似度" not in top.reason
    assert "相似度" in top.details  # the numbers are kept for the 详情 toggle
