"""Pick a retriever backend by name (``Settings.retriever``) and reopen saved indexes by their manifest.

Names: ``numpy`` (plain NumPy, exact), ``faiss-flat`` (FAISS, exact), ``faiss-hnsw`` and ``faiss-ivf``
(approximate), ``exact`` (FAISS flat, or NumPy when faiss is not installed) and ``auto`` (exact below
``Settings.exact_threshold`` vectors, HNSW above).

Example::

    retriever = make_retriever("auto", dim=encoder.dim, settings=get_settings(), expected_size=len(ids))
    retriever.index(ids, encoder.encode(texts)).save(settings.index_dir, model_id=encoder.model_id)
    retriever = load_retriever(settings.index_dir, model_id=encoder.model_id)
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from matcher.errors import IndexError_
from matcher.retrieval.base import Retriever
from matcher.retrieval.numpy import NumpyRetriever
from matcher.retrieval.storage import read_manifest
from matcher.settings import Settings, get_settings

KINDS = ("auto", "exact", "numpy", "faiss-flat", "faiss-hnsw", "faiss-ivf")


def faiss_available() -> bool:
    """Whether the faiss package can be imported (checked without importing it)."""
    return importlib.util.find_spec("faiss") is not None


def resolve_kind(kind: str, *, expected_size: int = 0, settings: Settings | None = None) -> str:
    """The concrete backend name that ``kind`` stands for at this index size."""
    settings = settings or get_settings()
    if kind not in KINDS:
        raise ValueError(f"未知的检索后端 {kind!r}；可选：{', '.join(KINDS)}")
    if kind == "auto":
        kind = "exact" if expected_size < settings.exact_threshold else "faiss-hnsw"
    if kind == "exact":
        kind = "faiss-flat" if faiss_available() else "numpy"
    return kind


def make_retriever(
    kind: str, dim: int, settings: Settings | None = None, *, expected_size: int = 0
) -> Retriever:
    """An empty retriever of the named backend, tuned by ``settings`` (HNSW M/efSearch, IVF nprobe)."""
    settings = settings or get_settings()
    concrete = resolve_kind(kind, expected_size=expected_size, settings=settings)
    if concrete == "numpy":
        return NumpyRetriever(dim)
    from matcher.retrieval import faiss as backends

    if concrete == "faiss-hnsw":
        return backends.HNSWRetriever(
            dim,
            m=settings.hnsw_m,
            ef_search=settings.hnsw_ef_search,
            ef_construction=settings.hnsw_ef_construction,
        )
    if concrete == "faiss-ivf":
        return backends.IVFRetriever(dim, nprobe=settings.ivf_nprobe)
    return backends.FlatRetriever(dim)


def retriever_class(kind: str) -> type[Retriever]:
    """The class that saved indexes of ``kind`` (a concrete name from a manifest)."""
    if kind == NumpyRetriever.kind:
        return NumpyRetriever
    from matcher.retrieval import faiss as backends

    classes: dict[str, type[Retriever]] = {
        cls.kind: cls for cls in (backends.FlatRetriever, backends.HNSWRetriever, backends.IVFRetriever)
    }
    if kind not in classes:
        raise IndexError_(f"索引清单中的类型 {kind!r} 未知；请重建索引")
    return classes[kind]


def load_retriever(path: str | Path, *, model_id: str | None = None, mmap: bool = False) -> Retriever:
    """Reopen the index saved in directory ``path``; refuses one built by another encoder than ``model_id``.
    ``mmap``: data files mapped read-only (shared between processes), for an index that is only searched."""
    manifest = read_manifest(path)
    if model_id is not None and manifest.model_id != model_id:
        raise IndexError_(
            f"索引由编码器 {manifest.model_id!r} 生成，当前编码器为 {model_id!r}；请用当前编码器重建索引"
        )
    return retriever_class(manifest.kind).load(path, mmap=mmap)
