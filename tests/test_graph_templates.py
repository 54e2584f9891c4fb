"""Chain templates: validation problems are all reported; the graph gets chain and link nodes."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from matcher.graph import NodeNotFound, TemplateError, chain_graph, chain_links, load_templates
from matcher.graph.templates import load_template, parse_template

CHAINS = Path(__file__).resolve().parents[1] / "data" / "chains"

GOOD = {
    "industry": "新能源汽车",
    "version": 1,
    "links": [
        {"id": "lithium", "name": "锂盐", "stage": "上游", "keywords": ["碳酸锂"]},
        {"id": "cathode", "name": "正极材料", "stage": "中游", "gbt": "3985", "upstream": ["lithium"]},
        {"id": "cell", "name": "动力电池", "stage": "中游", "upstream": ["cathode"]},
        {"id": "vehicle", "name": "整车", "stage": "下游", "upstream": ["cell"]},
    ],
}


def test_parse_good_template() -> None:
    t = parse_template(GOOD)
    assert [lk.id for lk in t.links] == ["lithium", "cathode", "cell", "vehicle"]
    assert t.links[0].keywords == ("碳酸锂",)
    assert t.links[1].upstream == ("lithium",)


def test_every_problem_is_listed() -> None:
    bad = {"industry": "", "links": [
        {"id": "a", "name": "甲", "stage": "源头"},
        {"id": "a", "name": "乙", "stage": "中游", "upstream": ["zzz"]},
    ]}
    with pytest.raises(TemplateError) as err:
        parse_template(bad)
    text = "\n".join(err.value.problems)
    assert "industry" in text and "源头" in text


def test_unknown_upstream_and_duplicates() -> None:
    bad = {"industry": "x", "links": [
        {"id": "a", "name": "甲", "stage": "上游"},
        {"id": "a", "name": "乙", "stage": "中游", "upstream": ["zzz"]},
    ]}
    with pytest.raises(TemplateError) as err:
        parse_template(bad)
    assert any("重复" in p for p in err.value.problems)
    assert any("zzz" in p for p in err.value.problems)


def test_cycle_refused() -> None:
    bad = {"industry": "x", "links": [
        {"id": "a", "name": "甲", "stage": "上游", "upstream": ["b"]},
        {"id": "b", "name": "乙", "stage": "中游", "upstream": ["a"]},
    ]}
    with pytest.raises(TemplateError, match="环"):
        parse_template(bad)


def test_chain_graph_does_not_mutate_input() -> None:
    base = nx.DiGraph()
    base.add_node("product:x", kind="product")
    G = chain_graph([parse_template(GOOD)], base)
    assert base.number_of_nodes() == 1
    assert chain_links(G, "新能源汽车")[1] == "link:新能源汽车/cathode"
    assert G.has_edge("link:新能源汽车/lithium", "link:新能源汽车/cathode")
    with pytest.raises(NodeNotFound):
        chain_links(G, "光伏")


def test_load_file(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("industry: 光伏\nlinks:\n  - {id: si, name: 多晶硅, stage: 上游}\n", "utf-8")
    assert load_template(tmp_path / "a.yaml").industry == "光伏"
    (tmp_path / "b.yaml").write_text("industry: 光伏\nlinks:\n  - {id: w, name: 硅片, stage: 中游}\n", "utf-8")
    with pytest.raises(TemplateError, match="已在"):
        load_templates(tmp_path)


@pytest.mark.skipif(not any(CHAINS.glob("*.yaml")), reason="data/chains/*.yaml not written yet")
def test_curated_templates_load() -> None:
    templates = load_templates(CHAINS)
    G = chain_graph(templates)
    for t in templates:
        assert len(chain_links(G, t.industry)) == len(t.links) > 0
        assert nx.is_directed_acyclic_graph(G.subgraph(chain_links(G, t.industry)))
