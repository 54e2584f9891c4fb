"""ChainKnowledgeGraph loader on a tiny hand-made directory with every kind of noise, and on the real one."""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path
from typing import Any

import pytest

from matcher.graph import GraphSourceError, load_kg
from matcher.graph.kg import industry_ups, upstream_pairs

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "ChainKnowledgeGraph"

ROWS: dict[str, list[dict[str, Any]]] = {
    "company.json": [
        {"code": "600001", "name": "甲钢", "fullname": "甲钢股份有限公司"},
        {"code": "600001.SH", "name": "甲钢", "fullname": "另一家公司"},  # duplicate code
        {"code": "000002.SZ", "name": "乙件", "fullname": "乙紧固件股份有限公司"},
    ],
    "industry.json": [{"code": c, "name": n} for c, n in [
        ("610000", "钢铁"), ("610100", "普钢"), ("610101", "板材"),
        ("640000", "机械设备"), ("640100", "通用设备"), ("640101", "其他通用设备")]],
    "industry_industry.json": [{"from_code": a, "to_code": b} for a, b in [
        ("610101", "610100"), ("610100", "610000"), ("640101", "640100"), ("640100", "640000"),
        ("999999", "610000")]],  # unknown child
    "company_industry.json": [
        {"company_code": "600001.SH", "industry_code": "610101", "company_name": "甲钢"},
        {"company_code": "000002.SZ", "industry_code": "640101", "company_name": "乙件"},
        {"company_code": "000003.SZ", "industry_code": "123456", "company_name": "丙"},  # unknown industry
    ],
    "industry_up.json": [{"industry": "其他通用设备", "ups": {"板材": 3, "不存在的行业": 1}}],
    "company_product.json": [
        {"company_code": "600001.SH", "product_name": "钢板", "rel_weight": 0.8},
        {"company_code": "600001.SH", "product_name": "平衡项目", "rel_weight": -0.1},
        {"company_code": "600001.SH", "product_name": "租赁", "rel_weight": 0.1},
        {"company_code": "000002.SZ", "product_name": "螺母", "rel_weight": 0.6},
        {"company_code": "000002.SZ", "product_name": "螺母", "rel_weight": 0.5},
        {"company_code": "000002.SZ", "product_name": "分部间抵销", "rel_weight": -0.2},
    ],
    "product_product.json": [
        {"from_entity": "螺母", "rel": "上游材料", "to_entity": "钢板"},
        {"from_entity": "钢板", "rel": "下游产品", "to_entity": "垫片"},
        {"from_entity": "钢板", "rel": "产品小类", "to_entity": "冷轧钢板"},
        {"from_entity": "红烧肉", "rel": "上游材料", "to_entity": "猪肉"},
        {"from_entity": "红烧肉", "rel": "上游材料", "to_entity": "冰糖"},
        {"from_entity": "蛋炒饭", "rel": "上游材料", "to_entity": "鸡蛋"},
        {"from_entity": "螺母", "rel": "上游材料", "to_entity": "螺母"},
        {"from_entity": "螺母", "rel": "上游材料", "to_entity": "钢板"},
        {"from_entity": "阀门", "rel": "上游材料", "to_entity": "铸铁"},
    ],
}


@pytest.fixture
def kg_dir(tmp_path: Path) -> Path:
    for name, rows in ROWS.items():
        lines = [json.dumps(r, ensure_ascii=False) for r in rows]
        if name == "product_product.json":
            lines.append("{not json")
        (tmp_path / name).write_text("\n".join(lines), encoding="utf-8")
    return tmp_path


def test_counts_and_drops(kg_dir: Path) -> None:
    G, report = load_kg(kg_dir)
    assert report.nodes == {"company": 2, "industry": 6, "product": 6}  # 钢板 螺母 垫片 冷轧钢板 阀门 铸铁
    assert report.edges == {"upstream": 3, "subtype": 1, "produces": 2, "parent": 4, "industry_up": 1,
                            "in_industry": 2}
    assert report.dropped == {
        ("company.json", "duplicate_code"): 1, ("industry_industry.json", "unknown_industry"): 1,
        ("company_industry.json", "unknown_industry"): 1, ("industry_up.json", "unknown_industry"): 1,
        ("company_product.json", "accounting"): 2, ("company_product.json", "generic_segment"): 1,
        ("company_product.json", "duplicate_pair"): 1, ("product_product.json", "recipe"): 3,
        ("product_product.json", "self_loop"): 1, ("product_product.json", "duplicate_pair"): 1,
        ("product_product.json", "bad_json"): 1,
    }
    assert G.has_edge("product:钢板", "product:螺母")  # material → product
    assert G.has_edge("product:钢板", "product:垫片")  # 下游产品 flipped to the same direction
    assert G["company:000002.SZ"]["product:螺母"]["weight"] == 0.6  # duplicate keeps the larger share
    assert G.nodes["company:600001.SH"]["fullname"] == "甲钢股份有限公司"  # first of a duplicated code
    assert "会计项目" in report.summary()


def test_raw_pairs_and_industry_links_for_matching(kg_dir: Path) -> None:
    """The chain features read the same files through the same reader, without the graph's noise filters:
    recipe rows stay, 下游产品 rows are turned round, self-loops and unknown relations are left out."""
    pairs = list(upstream_pairs(kg_dir))
    assert ("螺母", "钢板") in pairs and ("垫片", "钢板") in pairs
    assert ("红烧肉", "猪肉") in pairs  # a recipe row the graph drops
    assert all(a != b for a, b in pairs)
    G, _ = load_kg(kg_dir)
    graph_pairs = {(t.split(":", 1)[1], s.split(":", 1)[1]) for s, t, k in G.edges(data="kind") if k == "upstream"}
    assert graph_pairs <= set(pairs)
    assert industry_ups(kg_dir) == {"其他通用设备": {"板材": 3.0, "不存在的行业": 1.0}}


def test_keep_recipes(kg_dir: Path) -> None:
    G, _ = load_kg(kg_dir, keep_recipes=True)
    assert G.has_edge("product:猪肉", "product:红烧肉")


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(GraphSourceError, match="缺少文件"):
        load_kg(tmp_path)


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/data/ChainKnowledgeGraph is not present")
def test_real_graph_loads_fast() -> None:
    start = time.perf_counter()
    G, report = load_kg(REAL)
    assert time.perf_counter() - start < 60
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 2 * 1024 * 1024  # KiB on Linux
    assert report.nodes["company"] > 4000 and report.nodes["product"] > 50_000
    assert report.edges["upstream"] > 20_000 and report.edges["produces"] > 45_000
    assert report.dropped[("company_product.json", "accounting")] > 1000
    assert report.dropped[("product_product.json", "recipe")] > 20_000
    print(report.summary())
