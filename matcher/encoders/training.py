"""Fine-tune a sentence-transformers encoder on a park's accepted matches (``matcher train-encoder``).

Training data are (query, positive) pairs: a buyer's demand text and the profile of an SME it accepted.
They come from a pairs file (JSONL or CSV with ``query`` and ``positive``) and/or the store's meeting
outcomes (意向 / 试用 / 签约). The loss is sentence-transformers' MultipleNegativesRankingLoss: every other
positive in the batch is a negative, so no negative mining is needed. The loop is plain PyTorch (AdamW,
linear warm-up and decay, gradient clipping), so neither ``datasets`` nor ``accelerate`` is required.
"""

from __future__ import annotations

import csv
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from matcher.encoders.base import Encoder, encode_queries
from matcher.errors import MatcherError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

MIN_PAIRS = 8
DEMANDS_PER_BUYER = 3


class TrainingPair(NamedTuple):
    query: str
    positive: str


@dataclass(frozen=True)
class TrainingResult:
    """Where the model went and what the run did."""

    output: Path
    pairs: int
    steps: int
    final_loss: float
    seconds: float


def read_pairs(path: Path) -> list[TrainingPair]:
    """Pairs from a JSONL file (one ``{"query": ..., "positive": ...}`` a line) or a CSV with those columns."""
    if not path.exists():
        raise MatcherError(f"找不到训练对文件：{path}")
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        rows: list[dict[str, Any]] = list(csv.DictReader(text.splitlines()))
    else:
        try:
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise MatcherError(f"训练对文件第 {exc.lineno} 行不是合法的 JSON：{path}") from None
    pairs = []
    for number, row in enumerate(rows, start=1):
        query, positive = str(row.get("query") or "").strip(), str(row.get("positive") or "").strip()
        if not query or not positive:
            raise MatcherError(f"训练对文件第 {number} 条缺少 query 或 positive：{path}")
        pairs.append(TrainingPair(query, positive))
    return pairs


def outcome_pairs(session: Session, min_grade: int = 1) -> list[TrainingPair]:
    """(buyer demand text, SME profile) for every buyer-SME pair with outcome 意向 or better.

    The buyer side is each of its first few demands; a buyer without demands is represented by its own
    profile (what it makes says what it buys).
    """
    from sqlalchemy import select

    from matcher.store.events_repo import enterprise_labels
    from matcher.store.repository import demand_from_row, enterprise_from_row
    from matcher.store.tables import DemandRow, EnterpriseRow
    from matcher.text.profiles import demand_profile, enterprise_profile

    labels = [label for label in enterprise_labels(session) if label.grade >= min_grade]
    codes = {code for label in labels for code in (label.buyer_id, label.sme_id)}
    rows = session.scalars(select(EnterpriseRow).where(EnterpriseRow.uscc.in_(codes))).all()
    profiles = {row.uscc: enterprise_profile(enterprise_from_row(row)) for row in rows}
    demands: dict[str, list[str]] = {}
    query = (
        select(DemandRow)
        .join(DemandRow.publisher)
        .where(EnterpriseRow.uscc.in_(codes))
        .order_by(DemandRow.id)
    )
    for demand_row in session.scalars(query).unique():
        texts = demands.setdefault(demand_row.publisher.uscc, [])
        if len(texts) < DEMANDS_PER_BUYER:
            texts.append(demand_profile(demand_from_row(demand_row)))
    pairs: list[TrainingPair] = []
    for label in labels:
        positive = profiles.get(label.sme_id, "")
        queries = demands.get(label.buyer_id) or [profiles.get(label.buyer_id, "")]
        pairs.extend(TrainingPair(q, positive) for q in queries if q and positive)
    return pairs


def check_enough(pairs: Sequence[TrainingPair], minimum: int = MIN_PAIRS) -> None:
    """Refuse to train on too little: a handful of pairs only teaches the model to forget."""
    if len(pairs) < minimum:
        raise MatcherError(
            f"训练对只有 {len(pairs)} 条，至少需要 {minimum} 条；请先在对接会中记录更多意向/试用/签约结果，"
            "或用 --pairs 提供训练对文件"
        )


def fine_tune(
    base: str,
    pairs: Sequence[TrainingPair],
    output: Path,
    *,
    epochs: int = 1,
    batch_size: int = 16,
    learning_rate: float = 2e-5,
    query_prefix: str = "",
    document_prefix: str = "",
    seed: int = 0,
    max_length: int | None = None,
    freeze_embeddings: bool = True,
    progress: Callable[[str], None] | None = None,
) -> TrainingResult:
    """Fine-tune the sentence-transformers model ``base`` (path or hub id) on ``pairs``; save to ``output``.

    ``max_length`` caps the tokens per text while training (speed on a CPU); the saved model keeps the
    base model's own limit. ``freeze_embeddings`` keeps the token embedding table fixed: a few thousand
    pairs cannot teach the rare tokens of a large vocabulary, and the optimizer then holds far less state.
    """
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from transformers.utils import logging as hf_logging

    check_enough(pairs)
    hf_logging.disable_progress_bar()
    started = time.perf_counter()
    say = progress or (lambda _message: None)
    random.seed(seed)
    torch.manual_seed(seed)
    model = SentenceTransformer(base, device="cpu")
    saved_length = model.max_seq_length
    if max_length:
        model.max_seq_length = min(max_length, saved_length or max_length)
    loss_fn = MultipleNegativesRankingLoss(model)
    batches = _batches(pairs, batch_size, epochs, seed)
    if freeze_embeddings:  # multilingual vocabularies are most of the weights: 96M of e5-small's 118M
        for name, parameter in model.named_parameters():
            if "word_embeddings" in name:
                parameter.requires_grad_(False)
    trainable = [parameter for parameter in model.parameters() if parameter.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=learning_rate, weight_decay=0.01)
    warmup = max(1, len(batches) // 10)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: min((step + 1) / warmup, max(0.0, (len(batches) - step) / (len(batches) - warmup + 1))),
    )
    tokenize = getattr(model, "preprocess", None) or model.tokenize  # ``tokenize`` is deprecated in 6.x
    model.train()
    loss_value = float("nan")
    for step, batch in enumerate(batches, start=1):
        features = [
            tokenize([query_prefix + p.query for p in batch]),
            tokenize([document_prefix + p.positive for p in batch]),
        ]
        loss = loss_fn(features, torch.empty(0))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        scheduler.step()
        loss_value = float(loss.detach())
        if step == 1 or step % 10 == 0 or step == len(batches):
            elapsed = time.perf_counter() - started
            say(f"第 {step}/{len(batches)} 步，损失 {loss_value:.4f}，已用 {elapsed:.0f} s")
    model.eval()
    model.max_seq_length = saved_length
    if query_prefix or document_prefix:
        model.prompts = {"query": query_prefix, "document": document_prefix}
    output.mkdir(parents=True, exist_ok=True)
    model.save(str(output))
    return TrainingResult(output, len(pairs), len(batches), loss_value, time.perf_counter() - started)


def _batches(
    pairs: Sequence[TrainingPair], batch_size: int, epochs: int, seed: int
) -> list[list[TrainingPair]]:
    """Shuffled batches for all epochs; a last batch of one is dropped (it has no in-batch negative).

    A pair whose query or positive text is already in the batch waits for a later batch: with in-batch
    negatives, a repeated text would be a positive counted as a negative.
    """
    rng = random.Random(seed)
    size = max(2, batch_size)
    batches: list[list[TrainingPair]] = []
    for _ in range(epochs):
        waiting = list(pairs)
        rng.shuffle(waiting)
        while waiting:
            batch: list[TrainingPair] = []
            seen: set[str] = set()
            later: list[TrainingPair] = []
            for pair in waiting:
                if len(batch) < size and pair.query not in seen and pair.positive not in seen:
                    batch.append(pair)
                    seen.update((pair.query, pair.positive))
                else:
                    later.append(pair)
            if len(batch) > 1:
                batches.append(batch)
            waiting = later  # a lone pair is dropped; the batch always takes the first waiting pair
    return batches


def retrieval_mrr(encoder: Encoder, pairs: Sequence[TrainingPair]) -> float:
    """MRR of each pair's positive among the distinct positives of ``pairs``, queries encoded as queries.

    The training-side check on held-out pairs: does the model rank a query's own positive first?
    """
    if not pairs:
        return float("nan")
    positives = list(dict.fromkeys(p.positive for p in pairs))
    row = {text: i for i, text in enumerate(positives)}
    scores = encode_queries(encoder, [p.query for p in pairs]) @ encoder.encode(positives).T
    own = scores[np.arange(len(pairs)), [row[p.positive] for p in pairs]]
    ranks = 1 + (scores > own[:, None]).sum(axis=1)
    return float(np.mean(1.0 / ranks))
