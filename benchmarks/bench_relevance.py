"""Relevance floor on the dev sets: how many irrelevant firms each floor hides, how many relevant ones it loses.

For every supplier query of the dev files the live matching core (the settings' encoders, their embedding
cache, built as the engine builds it) takes its top ``--k`` over the whole corpus; each candidate gets the 0-100 relevance the product
shows (``matcher.ranking.relevance``) and is labelled by the file's ``relevant`` ids. Per floor the run
prints, beside floor 0 (no floor, today's behaviour) in the same table:

- hidden irrelevant: share of the irrelevant candidates of the top k that the floor hides;
- lost relevant: share of the relevant candidates of the top k that it hides;
- empty: queries left with no candidate at all although the top k held a relevant firm;
- MRR@k of the list as the product shows it (the fusion's order, the floor applied) beside the same list
  sorted by relevance, so the cost of each choice is measured, not assumed.

Usage (from the repository root; ../shared must exist)::

    OMP_NUM_THREADS=1 python benchmarks/bench_relevance.py [--k 10] [--limit N] [--encoder use-m3]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matcher.encoders.factory import get_encoder  # noqa: E402
from matcher.evaluation.harness import leave_pair_out_core  # noqa: E402
from matcher.ranking.core import MatchCore  # noqa: E402
from matcher.ranking.relevance import SUPPLIER_EVIDENCE, dense_baseline, relevance  # noqa: E402
from matcher.settings import get_settings  # noqa: E402
from matcher.text.profiles import ProfileDoc  # noqa: E402

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
FILES = ("dev_supplier_queries.jsonl", "dev_semantic_queries.jsonl", "dev_document_queries.jsonl")
FLOORS = (0, 10, 15, 20, 25, 30, 40, 50)


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def candidates(
    core: MatchCore, baseline: float, queries: list[dict], k: int
) -> list[list[tuple[float, bool]]]:
    """Per query: (relevance, is relevant) of each of its top ``k`` candidates."""
    ids = core.supplier_.table.ids
    out = []
    for q in queries:
        top = core.top_suppliers(q["text"], k)
        wanted = set(q["relevant"])
        out.append(
            [
                (relevance(channels, baseline, SUPPLIER_EVIDENCE), ids[int(i)] in wanted)
                for i, (_, _, channels) in zip(top.order, top.described, strict=True)
            ]
        )
    return out


def mrr(lists: list[list[tuple[float, bool]]]) -> float:
    """Mean reciprocal rank of the first relevant firm of each list (0 when it holds none)."""
    return sum(next((1 / r for r, (_, hit) in enumerate(q, 1) if hit), 0.0) for q in lists) / max(
        len(lists), 1
    )


def shown(
    found: list[list[tuple[float, bool]]], floor: float, by_relevance: bool = False
) -> list[list[tuple[float, bool]]]:
    """The lists with the firms below ``floor`` hidden, in the fusion's order (as the product shows them)
    or sorted by relevance (stable)."""
    kept = [[c for c in q if c[0] >= floor] for q in found]
    return [sorted(q, key=lambda c: -c[0]) for q in kept] if by_relevance else kept


def table(name: str, found: list[list[tuple[float, bool]]]) -> None:
    relevant = sum(hit for q in found for _, hit in q)
    irrelevant = sum(not hit for q in found for _, hit in q)
    print(
        f"\n{name}: {len(found)} queries, top-k holds {relevant} relevant and {irrelevant} irrelevant firms"
    )
    print(f"MRR@k in fused order {mrr(found):.3f}")
    print(
        f"{'floor':>6} {'hidden irrelevant':>18} {'lost relevant':>14} {'empty':>6} {'MRR@k shown':>12} {'by relevance':>13}"
    )
    for floor in FLOORS:
        hid = sum(r < floor and not hit for q in found for r, hit in q)
        lost = sum(r < floor and hit for q in found for r, hit in q)
        empty = sum(any(hit for _, hit in q) and all(r < floor for r, _ in q) for q in found)
        label = f"{floor}" + (" (none)" if floor == 0 else "")
        print(
            f"{label:>6} {hid / max(irrelevant, 1):>17.1%} {lost / max(relevant, 1):>14.1%} {empty:>6}"
            f" {mrr(shown(found, floor)):>12.3f} {mrr(shown(found, floor, True)):>13.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--limit", type=int, default=None, help="only the first N queries of each file")
    parser.add_argument("--encoder", default=get_settings().encoder)
    args = parser.parse_args()
    started = time.perf_counter()
    docs = [ProfileDoc.from_corpus_record(r) for r in _read(EVAL / "corpus.jsonl")]
    encoder = get_encoder(args.encoder, cache_dir=get_settings().cache_dir)
    core = leave_pair_out_core(docs, [], None, get_settings(), encoder=encoder)  # as the engine builds it
    baseline = dense_baseline(core.supplier_.table.distinct_names, core.supplier_.names_vec, encoder)
    profiles = core.profile_encoder.model_id if core.profile_encoder is not None else args.encoder
    print(
        f"encoder {args.encoder}, profiles {profiles}, {len(docs)} companies, dense baseline {baseline:.3f}, "
        f"top {args.k}"
    )
    everything: list[list[tuple[float, bool]]] = []
    for name in FILES:
        queries = [q for q in _read(EVAL / name) if q.get("type") == "supplier_search"][: args.limit]
        found = candidates(core, baseline, queries, args.k)
        table(name, found)
        everything += found
    table("all files", everything)
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
