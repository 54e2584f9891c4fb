"""Benchmarks of the chain graph: loading the public graph, and gap analysis of a 50,000-enterprise park.

Run: ``PYTHONPATH=. OMP_NUM_THREADS=2 python benchmarks/bench_graph.py [--only load|park]``
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from pathlib import Path

from matcher.graph.analysis import chain_coverage
from matcher.graph.firms import Firm
from matcher.graph.kg import load_kg
from matcher.graph.recruitment import recruitment_candidates
from matcher.graph.templates import ChainLink, ChainTemplate, chain_graph

SHARED = Path(__file__).resolve().parents[2] / "shared"
KG = SHARED / "data" / "ChainKnowledgeGraph"


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
    parser.add_argument("--only", choices=["load", "park"], default=None)
    args = parser.parse_args()
    if args.only in (None, "load"):
        bench_load()
    if args.only in (None, "park"):
        bench_park()
