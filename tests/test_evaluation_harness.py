"""The eval harness on tiny files, and a floor on the real dev sets (skipped without ../shared)."""

import json
from pathlib import Path

from matcher.encoders.fake import FakeEncoder
from matcher.evaluation.harness import run_eval

CORPUS = [
    {"id": "A", "name": "甲", "industry_l3": "化学原料", "products": [{"name": "硫酸", "weight": 0.9}]},
    {"id": "B", "name": "乙", "industry_l3": "钢铁", "products": [{"name": "钢材", "weight": 1.0}]},
    {
        "id": "C",
        "name": "丙",
        "industry_l3": "化学原料",
        "products": [{"name": "硫酸", "weight": 0.5}, {"name": "盐酸", "weight": 0.5}],
    },
    {"id": "D", "name": "丁", "industry_l3": "化肥", "products": [{"name": "复合肥", "weight": 1.0}]},
]
QUERIES = [
    {
        "id": "q1",
        "type": "supplier_search",
        "text": "寻找硫酸的长期合格供应商，产品将用于复合肥。",
        "buyer_code": "D",
        "product": "复合肥",
        "material": "硫酸",
        "relevant": ["A", "C"],
    },
    {"id": "q2", "type": "supplier_search", "text": "需要钢材供应。", "buyer_code": "A", "relevant": ["B"]},
]


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def test_run_eval_on_tiny_files(tmp_path: Path) -> None:
    result = run_eval(
        _write(tmp_path / "c.jsonl", CORPUS), _write(tmp_path / "q.jsonl", QUERIES), encoder=FakeEncoder()
    )
    assert set(result) == {"queries", "mrr", "recall@10", "recall@50", "ndcg@10", "seconds"}
    assert result["queries"] == 2
    assert result["mrr"] == 1.0 and result["recall@10"] == 1.0


def test_own_company_is_excluded(tmp_path: Path) -> None:
    # the buyer itself sells the wanted item: excluded, the other seller must come first
    query = dict(QUERIES[0], buyer_code="A", relevant=["C"])
    result = run_eval(
        _write(tmp_path / "c.jsonl", CORPUS), _write(tmp_path / "q.jsonl", [query]), encoder=None
    )
    assert result["mrr"] == 1.0
