"""Evaluation: ranking metrics and the ``matcher eval`` harness."""

from matcher.evaluation.harness import evaluate_rankings, read_jsonl, run_eval
from matcher.evaluation.metrics import ndcg_at_k, recall_at_k, reciprocal_rank

__all__ = ["evaluate_rankings", "ndcg_at_k", "read_jsonl", "recall_at_k", "reciprocal_rank", "run_eval"]
