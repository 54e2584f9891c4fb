"""Graph evidence on a tiny hand-built graph: direct, sub-type, similar-product and industry-level paths.

钢板 → 螺母 (upstream), 钢板 ⊃ 不锈钢板 (sub-type), 钢管 → 阀门. S makes 钢板 and sits in 板材; C1 makes
螺母, C2 makes 阀门, C3 sits in 通用设备, which industry_up lists downstream of 板材 (count 3).
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np
import pytest

from matcher.graph import (
    ProductSpace,
    downstream_candidates,
    graph_buyer_scores,
    upstream_affinity,
    without_pairs,
)


class FakeEncoder:
    """Deterministic bag-of-characters encoder."""

    model_id, dim = "fake-chars", 128

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for ch in text:
                out[i, ord(ch) % self.dim] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


@pytest.fixture
def G() -> nx.DiGraph:
    g = nx.DiGraph()
    for p in ["钢板", "螺母", "不锈钢板", "钢管", "阀门"]:
        g.add_node(f"product:{p}", kind="product", name=p, sold=0)
    for c, name in [("S", "供方"), ("C1", "螺母厂"), ("C2", "阀门厂"), ("C3", "设备厂")]:
        g.add_node(f"company:{c}", kind="company", code=c, name=name)
    for code, name in [("1", "板材"), ("2", "通用设备")]:
        g.add_node(f"industry:{code}", kind="industry", name=name, code=code)
    g.add_edge("product:钢板", "product:螺母", kind="upstream")
    g.add_edge("product:钢管", "product:阀门", kind="upstream")
    g.add_edge("product:钢板", "product:不锈钢板", kind="subtype")
    for c, p in [("S", "钢板"), ("C1", "螺母"), ("C2", "阀门")]:
        g.add_edge(f"company:{c}", f"product:{p}", kind="produces", weight=0.5)
        g.nodes[f"product:{p}"]["sold"] = 1
    g.add_edge("company:S", "industry:1", kind="in_industry")
    g.add_edge("company:C3", "industry:2", kind="in_industry")
    g.add_edge("industry:1", "industry:2", kind="industry_up", weight=3.0)
    return g


def test_buyer_scores_direct_and_industry(G: nx.DiGraph) -> None:
    scores = graph_buyer_scores(G, "本企业专业生产钢板，希望对接下游企业。")
    assert scores["C1"].score == 1.0
    assert "「钢板」是「螺母」的上游材料" in scores["C1"].reasons[0]
    assert scores["C3"].score == pytest.approx(0.3)  # industry level: 0.3 × 3/3
    assert "C2" not in scores


def test_buyer_scores_through_subtype(G: nx.DiGraph) -> None:
    scores = graph_buyer_scores(G, "供应能力：不锈钢板，寻找长期采购方。")
    assert scores["C1"].score == pytest.approx(0.6)  # parent step
    assert "属于「钢板」" in scores["C1"].reasons[0]


def test_leave_pair_out_removes_direct_path(G: nx.DiGraph) -> None:
    H = without_pairs(G, [("螺母", "钢板")])
    assert "C1" not in graph_buyer_scores(H, "本企业专业生产钢板")
    assert G.has_edge("product:钢板", "product:螺母")  # G untouched


def test_restrict_companies(G: nx.DiGraph) -> None:
    assert set(graph_buyer_scores(G, "生产钢板", ["C3"])) == {"C3"}


def test_upstream_affinity(G: nx.DiGraph) -> None:
    assert upstream_affinity(G, ["钢板"], ["螺母"]).score == 1.0
    assert upstream_affinity(G, ["不锈钢板"], ["螺母"]).score == pytest.approx(0.6)
    assert upstream_affinity(G, ["钢管"], ["螺母"]).score == 0.0
    assert upstream_affinity(G, ["螺母"], ["钢板"]).score == 0.0  # direction matters


def test_similar_products_need_a_space(G: nx.DiGraph) -> None:
    assert upstream_affinity(G, ["钢板材"], ["螺母"]).score == 0.0
    space = ProductSpace.build(G, FakeEncoder(), threshold=0.8)
    cos = 2 / (np.sqrt(3) * np.sqrt(2))  # 钢板材 vs 钢板: two shared characters
    ev = upstream_affinity(G, ["钢板材"], ["螺母"], space=space)
    assert ev.score == pytest.approx(0.8 * cos, abs=1e-5)


def test_downstream_candidates(G: nx.DiGraph) -> None:
    products, companies = downstream_candidates(G, "钢板")
    assert [p for p, _ in products][:1] == ["螺母"]
    assert [c for c, _ in companies] == ["C1"]
