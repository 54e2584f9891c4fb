"""Encoder comparison at equal footing: query latency, dense retrieval on every dev file, held-out graph pairs.

Usage (from the repository root; ../shared must exist)::

    OMP_NUM_THREADS=2 python benchmarks/bench_encoders.py --encoders use-m3 e5-small /path/to/finetuned

For each encoder, in one run beside the char TF-IDF baseline:

- load time, single-query encode latency (p50 / p95 over 40 product names and 40 whole demands, no cache) and
  the private memory a fresh process adds by loading it beside the matching core (``bench_quality.loaded_memory``),
  and the private and proportional (PSS) memory each of two such processes alive at once adds
  (``workers_memory``: pages mapped from the same file, as a memory-mapped model, count shared);
- dense retrieval with one vector per company (``enterprise_profile``, the text the pipeline's profile channel
  embeds) against the whole query text: MRR / Recall@10 on each dev file over the 3,832-company pool;
- for an ONNX-served model, one demand alone and two side by side on sessions of one and two threads;
- MRR on the held-out pairs of ``train-encoder --from-graph`` (same graph, seed and 10 % anchor hold-out,
  100 pairs per kind), the training-side check of a graph fine-tune.

Profile and query vectors go through the embedding cache under ``settings.cache_dir``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from matcher.encoders.base import Encoder, encode_queries
from matcher.encoders.factory import get_encoder
from matcher.encoders.graph_pairs import bounded, pairs_from_graph
from matcher.encoders.onnx import OnnxEncoder
from matcher.encoders.training import retrieval_mrr
from matcher.evaluation.baseline import run_baseline
from matcher.evaluation.harness import evaluate_rankings
from matcher.settings import get_settings
from matcher.text.profiles import ProfileDoc, enterprise_profile

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_quality import (  # noqa: E402  (sibling benchmark: the same dev files and latency measure)
    EVAL,
    FILES,
    GRAPH,
    LATENCY_TEXTS,
    latency,
    load_dev,
    loaded_memory,
    workers_memory,
)

HELD_PAIRS = 400  # as ``matcher train-encoder`` scores: 100 per kind


def dense_rows(
    encoder: Encoder, docs: list[ProfileDoc], queries: dict[str, list[dict[str, Any]]]
) -> dict[str, dict[str, float]]:
    """Metrics per dev file of one vector per company against the whole query text."""
    ids = [d.id for d in docs]
    profiles = encoder.encode([enterprise_profile(d) for d in docs])
    out = {}
    for side, rows in queries.items():
        vectors = encode_queries(encoder, [q["text"] for q in rows])
        by_text = dict(zip((q["text"] for q in rows), vectors, strict=True))
        out[side] = evaluate_rankings(ids, rows, lambda q, by_text=by_text: profiles @ by_text[q["text"]])
    return out


def side_by_side(encoder: Encoder, texts: list[str]) -> str:
    """Latency of one demand alone, then throughput and latency with two demands encoded at once (two
    threads of this process, as a server's requests): how many threads a model's session should have."""
    alone = latency(encoder, texts[:LATENCY_TEXTS])
    times: list[float] = []
    lock = threading.Lock()

    def work(part: list[str]) -> None:
        for text in part:
            started = time.perf_counter()
            encode_queries(encoder, [text])
            with lock:
                times.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    workers = [threading.Thread(target=work, args=(texts[i::2],)) for i in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    rate = len(texts) / (time.perf_counter() - started)
    p50, p95 = np.percentile(times, 50), np.percentile(times, 95)
    return (
        f"alone p50 {alone[0]:.1f} / p95 {alone[1]:.1f} ms; two at once {rate:.0f} per second, "
        f"p50 {p50:.1f} / p95 {p95:.1f} ms (load {os.getloadavg()[0]:.1f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoders", nargs="+", default=["use-m3", "e5-small"])
    args = parser.parse_args()
    started = time.perf_counter()
    corpus, docs, queries = load_dev()
    rng = random.Random(0)
    items = rng.sample(sorted({n for d in docs for n in d.product_names}), LATENCY_TEXTS)
    demand_texts = [q["text"] for q in queries["semantic"] + queries["document"]]
    demands = rng.sample(demand_texts, LATENCY_TEXTS)
    held = bounded(pairs_from_graph(GRAPH, max_pairs=8, holdout=0.1).held, HELD_PAIRS)
    kinds = sorted({p.kind for p in held})
    print(
        f"data: {len(docs)} companies ({corpus}); dev files {', '.join(f'{k} {len(v)}' for k, v in queries.items())}"
    )
    print(
        f"held-out graph pairs: {len(held)} ({GRAPH}, 10% of anchors); load: {os.getloadavg()[0]:.1f} (1-min)\n"
    )
    print(
        "| encoder | load s | private MB | 2 workers: private / PSS MB each | item p50/p95 ms | demand p50/p95 ms | "
        + " | ".join(FILES)
        + " | "
        + " | ".join(f"held {k}" for k in kinds)
        + " |"
    )
    print("|---" * (6 + len(FILES) + len(kinds)) + "|")
    baseline = {side: run_baseline(corpus, EVAL / name) for side, name in FILES.items()}
    cells = [f"{baseline[s]['mrr']:.3f} / {baseline[s]['recall@10']:.3f}" for s in FILES]
    print("| char TF-IDF baseline | – | – | – | – | – | " + " | ".join(cells) + " |" + " – |" * len(kinds))
    bare, (bare_private, bare_pss) = loaded_memory(None), workers_memory(None)
    sessions: dict[str, OnnxEncoder] = {}  # ONNX-served models: their threads compared after the table
    for name in args.encoders:
        grown = loaded_memory(name) - bare
        private, pss = workers_memory(name)
        load_started = time.perf_counter()
        raw = get_encoder(name)
        encode_queries(raw, ["预热"])
        loaded = time.perf_counter() - load_started
        if isinstance(raw, OnnxEncoder):
            sessions[name] = raw
        item_ms, demand_ms = latency(raw, items), latency(raw, demands)
        cached = get_encoder(name, cache_dir=get_settings().cache_dir)
        dense = dense_rows(cached, docs, queries)
        cells = [f"{dense[s]['mrr']:.3f} / {dense[s]['recall@10']:.3f}" for s in FILES]
        held_cells = [f"{retrieval_mrr(cached, [p for p in held if p.kind == k]):.3f}" for k in kinds]
        print(
            f"| {name} | {loaded:.1f} | +{grown:.0f} | +{private - bare_private:.0f} / +{pss - bare_pss:.0f} | {item_ms[0]:.1f} / {item_ms[1]:.1f} | {demand_ms[0]:.1f} / {demand_ms[1]:.1f} | "
            + " | ".join(cells + held_cells)
            + " |",
            flush=True,
        )
    for name, raw in sessions.items():
        print(
            f"\n{name}, demands on a session of 1 or 2 threads ({len(demand_texts)} semantic and document demands):"
        )
        for threads in (1, 2):
            print(f"- {threads} thread(s): " + side_by_side(raw.on_threads(threads), demand_texts))
    print(
        f"\ncells: MRR / Recall@10 (dense, one profile vector per company); held: MRR. total {time.perf_counter() - started:.0f} s; load now {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
