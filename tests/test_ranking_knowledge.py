"""The chain knowledge a setting names: the engine and the evaluation harness build the same core from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from matcher.engine import Engine
from matcher.evaluation.harness import leave_pair_out_core
from matcher.ranking.knowledge import chain_knowledge, template_knowledge
from matcher.settings import Settings
from matcher.store import Store
from matcher.text.profiles import ProfileDoc
from tests.test_matching_engine import engine as engine  # noqa: F401  (the hand-built registry fixture)

PAIR = ("挖掘机", "锂电池电解液")  # a hand-built graph's one link; the built-in templates do not have it


def write_graph(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    row = {"from_entity": PAIR[0], "to_entity": PAIR[1], "rel": "上游材料"}
    (directory / "product_product.json").write_text(
        json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    ups = {"industry": "工程机械", "ups": {"电池化学品": 3}}
    (directory / "industry_up.json").write_text(json.dumps(ups, ensure_ascii=False) + "\n", encoding="utf-8")
    return directory


def test_a_directory_without_a_graph_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="MATCHER_CHAIN_GRAPH_DIR 不是产业链知识图谱目录"):
        Settings(home=tmp_path, chain_graph_dir=tmp_path)


def test_the_setting_picks_the_graph_and_templates_stay_the_default(tmp_path: Path) -> None:
    assert PAIR not in template_knowledge().upstream.pairs
    assert chain_knowledge(Settings(home=tmp_path)).source == "templates"
    graph = write_graph(tmp_path / "graph")
    known = chain_knowledge(Settings(home=tmp_path, chain_graph_dir=graph))
    assert known.upstream.pairs == frozenset({PAIR}) and known.industry_up == {
        "工程机械": {"电池化学品": 3.0}
    }


def test_engine_and_eval_build_the_same_core_from_the_same_settings(engine: Engine, tmp_path: Path) -> None:  # noqa: F811
    settings = Settings(home=tmp_path, encoder="fake", chain_graph_dir=write_graph(tmp_path / "graph"))
    live = Engine(Store(engine.store.url), settings)
    core = live.matching.match_pool().core.main  # the fitted part (changes by id sit beside it)
    docs = [ProfileDoc.from_enterprise(e.record) for e in live.registry.enterprises(limit=100)]
    evaluated = leave_pair_out_core(docs, [], None, settings, encoder=None)
    assert core.upstream == evaluated.upstream and core.upstream is not None
    assert core.upstream.pairs == frozenset({PAIR})
    assert core.industry_up == evaluated.industry_up


def test_recommendation_reads_the_named_graph(engine: Engine, tmp_path: Path) -> None:  # noqa: F811
    settings = Settings(home=tmp_path, encoder="fake", chain_graph_dir=write_graph(tmp_path / "graph"))
    with_graph = Engine(Store(engine.store.url), settings).matching.buyers_for(text="主营锂电池电解液", k=3)
    assert with_graph.buyers[0].name == "L2公司"  # its product 挖掘机 takes 锂电池电解液, by the graph
    default = engine.matching.buyers_for(text="主营锂电池电解液", k=3)
    assert not default.buyers or default.buyers[0].name != "L2公司"
