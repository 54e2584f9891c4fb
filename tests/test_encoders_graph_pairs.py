"""``matcher.encoders.graph_pairs``: pairs mined from a tiny hand-built chain graph, worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from matcher.encoders.graph_pairs import (
    MATERIAL_QUERIES,
    MinedPair,
    bounded,
    mine_pairs,
    pairs_from_graph,
    split_pairs,
)


def _product(G: nx.DiGraph, name: str, sold: int) -> str:
    G.add_node(f"product:{name}", kind="product", name=name, sold=sold)
    return f"product:{name}"


@pytest.fixture
def graph() -> nx.DiGraph:
    """Two firms in one industry; a hypernym edge, an upstream edge, and two all-unsold (noise) edges."""
    G = nx.DiGraph()
    G.add_node("industry:630701", kind="industry", name="锂电池Ⅲ", code="630701", level=3)
    for code, name in [("A", "甲电池"), ("B", "乙材料")]:
        G.add_node(f"company:{code}", kind="company", code=code, name=name)
        G.add_edge(f"company:{code}", "industry:630701", kind="in_industry")
    battery, cathode = _product(G, "锂电池", 2), _product(G, "正极材料", 1)
    power, foil = _product(G, "动力锂电池", 0), _product(G, "铝箔", 0)
    soup, sugar, tale = _product(G, "红豆汤", 0), _product(G, "冰糖", 0), _product(G, "红豆汤故事", 0)
    G.add_edge("company:A", battery, kind="produces", weight=0.7)
    G.add_edge("company:A", foil, kind="produces", weight=0.2)
    G.add_edge("company:B", cathode, kind="produces", weight=0.9)
    G.add_edge(battery, power, kind="subtype")
    G.add_edge(cathode, battery, kind="upstream")
    G.add_edge(sugar, soup, kind="upstream")  # neither end sold: not mined
    G.add_edge(soup, tale, kind="subtype")  # neither end sold: not mined
    return G


def test_each_kind_is_mined_by_hand_from_the_tiny_graph(graph: nx.DiGraph) -> None:
    before = nx.to_dict_of_dicts(graph)
    pairs = mine_pairs(graph, per_anchor=2, seed=0)
    assert nx.to_dict_of_dicts(graph) == before  # the graph is not changed
    by_kind = {
        kind: [p for p in pairs if p.kind == kind] for kind in ("subtype", "upstream", "industry", "company")
    }
    # 产品小类: 锂电池 ↔ 动力锂电池, in one direction or the other; the unsold 红豆汤 edge is not mined
    (sub,) = by_kind["subtype"]
    assert sub.anchor == "product:锂电池" and {sub.query, sub.positive} == {"锂电池", "动力锂电池"}
    # 上游材料: "what 锂电池 is made from" → 正极材料
    (up,) = by_kind["upstream"]
    assert up.anchor == "product:锂电池" and up.positive == "正极材料"
    assert up.query in {template.format("锂电池") for template in MATERIAL_QUERIES}
    # industry: each firm's main lines → the L3 name without its level mark Ⅲ
    assert sorted((p.query, p.positive) for p in by_kind["industry"]) == [
        ("正极材料", "锂电池"),
        ("铝箔", "锂电池"),
    ]  # 锂电池 itself equals the industry name and is skipped
    # company: one product → the firm's other products (甲 has two; 乙 has one product, so no pair)
    assert sorted((p.query, p.positive) for p in by_kind["company"]) == [
        ("铝箔", "锂电池"),
        ("锂电池", "铝箔"),
    ]
    assert len(pairs) == 1 + 1 + 2 + 2


def test_mining_is_seeded_and_capped_per_anchor(graph: nx.DiGraph) -> None:
    for n in range(3):
        graph.add_edge("product:锂电池", _product(graph, f"锂电池型号{n}", 0), kind="subtype")
    pairs = mine_pairs(graph, per_anchor=2, seed=7)
    assert sum(p.kind == "subtype" for p in pairs) == 2  # 4 sub-types of 锂电池, at most 2 kept
    assert pairs == mine_pairs(graph, per_anchor=2, seed=7)


def test_split_holds_out_whole_anchors_and_bounded_balances_kinds() -> None:
    pairs = [
        MinedPair(kind, f"{kind}:{i % 40}", f"q{kind}{i}", f"p{kind}{i}") for kind in "ab" for i in range(200)
    ]
    pairs += [MinedPair("c", f"c:{i}", f"qc{i}", f"pc{i}") for i in range(10)]
    train, held = split_pairs(pairs, holdout=0.25)
    assert {p.anchor for p in train}.isdisjoint({p.anchor for p in held})
    assert 0.1 < len(held) / len(pairs) < 0.4
    assert split_pairs(pairs, 0.0) == (pairs, [])
    chosen = bounded(pairs, 100)
    counts = {kind: sum(p.kind == kind for p in chosen) for kind in "abc"}
    assert counts == {"c": 10, "a": 45, "b": 45}  # c has only 10: its spare share goes to a and b
    with pytest.raises(ValueError, match="holdout"):
        split_pairs(pairs, 1.0)


def _write(path: Path, rows: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def write_tiny_graph(root: Path, firms: int = 12) -> Path:
    """A ChainKnowledgeGraph directory: ``firms`` battery firms, each with two products and a hypernym edge."""
    root.mkdir(parents=True, exist_ok=True)
    _write(root / "industry.json", [{"code": "630701", "name": "锂电池Ⅲ"}])
    _write(root / "industry_industry.json", [])
    _write(root / "industry_up.json", [])
    codes = [f"{600000 + i}.SH" for i in range(firms)]
    _write(
        root / "company.json",
        [{"code": c, "name": f"企业{i}", "fullname": f"企业{i}股份有限公司"} for i, c in enumerate(codes)],
    )
    _write(
        root / "company_industry.json",
        [
            {"company_code": c, "industry_code": "630701", "industry_name": "锂电池Ⅲ", "company_name": "x"}
            for c in codes
        ],
    )
    products = []
    relations = []
    for i, code in enumerate(codes):
        for j, name in enumerate((f"电池型号{i}", f"隔膜型号{i}")):
            products.append(
                {"company_code": code, "product_name": name, "rel_weight": 0.6 - j * 0.2, "rel": "主营产品"}
            )
        relations.append({"from_entity": f"电池型号{i}", "rel": "产品小类", "to_entity": f"电池型号{i}A"})
        relations.append({"from_entity": f"电池型号{i}", "rel": "上游材料", "to_entity": f"隔膜型号{i}"})
    _write(root / "company_product.json", products)
    _write(root / "product_product.json", relations)
    return root


def test_pairs_from_a_graph_directory(tmp_path: Path) -> None:
    mined = pairs_from_graph(write_tiny_graph(tmp_path / "kg"), max_pairs=20, holdout=0.2)
    # per firm: 1 subtype, 1 upstream, 2 company pairs; the one industry: min(8, 24 main lines) = 8 pairs
    assert mined.mined == 12 * 4 + 8
    assert len(mined.train) == 20 and mined.held
    assert {p.anchor for p in mined.train}.isdisjoint({p.anchor for p in mined.held})


def test_train_encoder_cli_needs_a_source_and_an_existing_graph(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from matcher.cli.main import app

    runner = CliRunner()
    none = runner.invoke(app, ["train-encoder", "--base", "minilm"])
    assert none.exit_code == 2 and "--from-graph" in none.output
    missing = runner.invoke(
        app, ["train-encoder", "--base", "minilm", "--from-graph", str(tmp_path / "nope")]
    )
    assert missing.exit_code == 1 and "缺少文件" in missing.output


@pytest.mark.slow
def test_train_encoder_cli_from_a_tiny_graph(tmp_path: Path) -> None:
    """The whole command on the bundled MiniLM: mines, trains, saves, and scores the held-out pairs."""
    from typer.testing import CliRunner

    from matcher.cli.main import app

    graph_dir, output = write_tiny_graph(tmp_path / "kg", firms=16), tmp_path / "tuned"
    args = ["train-encoder", "--base", "minilm", "--from-graph", str(graph_dir), "--output", str(output)]
    result = CliRunner().invoke(app, [*args, "--max-pairs", "24", "--batch-size", "8", "--holdout", "0.25"])
    assert result.exit_code == 0, result.output
    assert (output / "modules.json").exists()
    assert "取训练对 24 条" in result.output and "留出图谱训练对上的 MRR" in result.output
