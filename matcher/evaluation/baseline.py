"""The naive baseline of MODELS.md: character 1-2 gram TF-IDF of the whole demand against company profiles
(product names joined, accounting items dropped, first 300 characters). The floor to clear."""

from __future__ import annotations

import time
from pathlib import Path

from matcher.evaluation.harness import evaluate_rankings, read_jsonl
from matcher.ranking.lexical import CharTfidf, cosine_scores
from matcher.text.profiles import ProfileDoc


def run_baseline(corpus_path: Path | str, queries_path: Path | str, k: int = 10) -> dict[str, float]:
    """Metrics of the char TF-IDF baseline, in the same shape as ``run_eval``."""
    started = time.perf_counter()
    docs = [ProfileDoc.from_corpus_record(r) for r in read_jsonl(corpus_path)]
    texts = [" ".join(d.product_names)[:300] for d in docs]
    tfidf = CharTfidf((1, 2), sublinear_tf=False).fit(texts)
    matrix = tfidf.transform(texts)
    queries = read_jsonl(queries_path)
    result = evaluate_rankings(
        [d.id for d in docs],
        queries,
        lambda q: cosine_scores(tfidf.transform([q["text"]]), matrix).ravel(),
        k,
    )
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result
