"""A pool's lexical indexes and product table on disk, memory-mapped by every worker process.

At 100k realistic enterprises (~1M distinct product names) fitting the character and word TF-IDF and
building the product table take minutes, and the sparse postings they give are hundreds of MB that each
worker would hold privately. ``pool_features`` writes them once per pool fingerprint, as an array bundle
of ``matcher.retrieval.storage`` in ``<root>/pool-<sha1>/`` (under a file lock, committed by its manifest),
and every process fitting the same pool afterwards maps the files read-only instead of rebuilding them:
the page cache holds one copy for all workers, as for the vector files and ANN indexes beside them
(``matcher.encoders.cache``, ``matcher.retrieval.candidates``). The vectors are not part of the bundle:
they come from the encoder (its vector file) as before.

The bundle holds the supplier and semantic features and the buyer side's chain index with its own name
TF-IDF (``BuyerFeatures``); the fingerprint covers the chain pairs too. The product table's name and key lookups
are saved as sorted hashes (``table.StringIndex``), not dicts. What stays private per process: the
vocabularies as dicts (a query needs a hash lookup per n-gram), the product table's strings as Python
tuples, and the small parts ``BuyerFeatures.completed`` adds (chain vectors, industry links).
"""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from scipy import sparse

from matcher.encoders.base import Encoder
from matcher.ranking.buyer import ChainIndex
from matcher.ranking.chain import UpstreamPairs
from matcher.ranking.features import BuyerFeatures, SupplierFeatures
from matcher.ranking.lexical import CharTfidf, DocIndex
from matcher.ranking.scoring import Segments
from matcher.ranking.semantic import SemanticFeatures
from matcher.ranking.table import ProductTable
from matcher.retrieval.storage import (
    MANIFEST_NAME,
    load_arrays,
    locked,
    pack_strings,
    save_arrays,
    unpack_strings,
)
from matcher.text.profiles import ProfileDoc, enterprise_profile
from matcher.text.tokenize import words

SHARE_FROM = 20_000  # companies from which a pool's features go to disk (smaller pools fit in seconds)
KEEP = 3  # pool bundles kept under a root (a changed pool writes a new one)
FORMAT = "pool-features-3"  # in the fingerprint: a change of what is saved never reads an old bundle
TABLE_STRINGS = ("ids", "names", "industries", "distinct_names", "distinct_keys")  # rows: by name id
TABLE_ARRAYS = ("product_company", "product_weight", "product_name")
SEGMENT_ARRAYS = ("members", "starts", "owner", "of_group", "first")


def pool_fingerprint(docs: Sequence[ProfileDoc], upstream: UpstreamPairs | None = None) -> str:
    """SHA-1 of everything the saved features are computed from: each company's id, name, industry,
    products with shares and profile text, and the chain pairs."""
    digest = hashlib.sha1(FORMAT.encode())
    for d in docs:
        fields = (d.id, d.name, str(d.extra.get("industry_l3") or d.industry), enterprise_profile(d))
        digest.update("\x1f".join(fields).encode("utf-8"))
        digest.update(repr(tuple(d.products)).encode("utf-8"))
        digest.update(b"\x1e")
    pairs = sorted(upstream.pairs) if upstream is not None else []
    digest.update(repr(pairs).encode("utf-8"))
    return digest.hexdigest()


def _csr_arrays(prefix: str, m: sparse.csr_matrix) -> dict[str, np.ndarray]:
    return {
        f"{prefix}.data": m.data,
        f"{prefix}.indices": m.indices,
        f"{prefix}.indptr": m.indptr,
        f"{prefix}.shape": np.asarray(m.shape, dtype=np.int64),
    }


def _csr(arrays: Mapping[str, np.ndarray], prefix: str) -> sparse.csr_matrix:
    """The matrix over the mapped arrays themselves (SciPy keeps arrays of the right dtypes as given)."""
    parts = (arrays[f"{prefix}.data"], arrays[f"{prefix}.indices"], arrays[f"{prefix}.indptr"])
    shape = tuple(int(x) for x in arrays[f"{prefix}.shape"])
    return sparse.csr_matrix(parts, shape=shape, copy=False)


def _model_arrays(name: str, model: CharTfidf, index: DocIndex) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    out[f"{name}.terms.utf8"], out[f"{name}.terms.ends"] = pack_strings(model.terms())
    out[f"{name}.idf"] = np.asarray(model.vectorizer_.idf_)
    out.update(_csr_arrays(f"{name}.rows", index.rows))
    out.update(_csr_arrays(f"{name}.by_term", index.by_term))
    return out


def _model(arrays: Mapping[str, np.ndarray], name: str, blank: CharTfidf) -> tuple[CharTfidf, DocIndex]:
    model = blank.restore(_strings(arrays, f"{name}.terms"), arrays[f"{name}.idf"])
    return model, DocIndex(_csr(arrays, f"{name}.rows"), _csr(arrays, f"{name}.by_term"))


def _chain_arrays(features: BuyerFeatures) -> dict[str, np.ndarray]:
    chain = features.chain
    if chain is None:
        return {}
    assert features.lexical is not None and features.names_lex is not None
    assert features.mat_lex is not None and features.gp_lex is not None
    out = _model_arrays("buyer", features.lexical, features.names_lex)
    for name in ("materials", "graph_products"):
        out[f"chain.{name}.utf8"], out[f"chain.{name}.ends"] = pack_strings(getattr(chain, name))
    out.update(_csr_arrays("chain.row_inputs", chain.row_inputs))
    out.update(_csr_arrays("buyer.materials", features.mat_lex))
    out.update(_csr_arrays("buyer.graph_products", features.gp_lex))
    uses = chain.material_uses
    out["chain.uses"] = np.concatenate(uses) if uses else np.zeros(0, np.int64)
    out["chain.uses.ends"] = np.cumsum([len(u) for u in uses], dtype=np.int64)
    return out


def _chain(arrays: Mapping[str, np.ndarray], supplier: SupplierFeatures) -> BuyerFeatures:
    """The buyer features' saved part (without vectors and industry links: ``BuyerFeatures.completed``)."""
    if "buyer.idf" not in arrays:
        return BuyerFeatures(supplier)
    ends = arrays["chain.uses.ends"]
    starts = np.concatenate([[0], ends[:-1]]) if len(ends) else ends
    chain = ChainIndex(
        _strings(arrays, "chain.materials"),
        _strings(arrays, "chain.graph_products"),
        _csr(arrays, "chain.row_inputs"),
        tuple(arrays["chain.uses"][a:b] for a, b in zip(starts, ends, strict=True)),
    )
    lexical, names_lex = _model(arrays, "buyer", CharTfidf((1, 2)))
    return BuyerFeatures(
        supplier,
        chain,
        lexical,
        _csr(arrays, "buyer.materials"),
        gp_lex=_csr(arrays, "buyer.graph_products"),
        names_lex=names_lex,
    )


Features = tuple[SupplierFeatures, SemanticFeatures, BuyerFeatures]


def feature_arrays(
    supplier: SupplierFeatures, semantic: SemanticFeatures, buyer: BuyerFeatures
) -> dict[str, np.ndarray]:
    """Everything ``features_from_arrays`` needs, as named arrays."""
    table = supplier.table
    out: dict[str, np.ndarray] = {}
    for name in TABLE_STRINGS:
        out[f"table.{name}.utf8"], out[f"table.{name}.ends"] = pack_strings(getattr(table, name))
    out.update({f"table.{name}": getattr(table, name) for name in TABLE_ARRAYS})
    out.update({f"segments.{name}": getattr(table.segments, name) for name in SEGMENT_ARRAYS})
    out.update({f"lookup.{name}": a for name, a in table.lookup_arrays().items()})
    out.update(_model_arrays("names", supplier.lexical, supplier.names_lex))
    out.update(_model_arrays("profiles", supplier.profiles, supplier.profiles_lex))
    out.update(_model_arrays("words", semantic.words, semantic.words_lex))
    out.update(_chain_arrays(buyer))
    return out


def _strings(arrays: Mapping[str, np.ndarray], name: str) -> tuple[str, ...]:
    return unpack_strings(arrays[f"{name}.utf8"], arrays[f"{name}.ends"])


def _table(arrays: Mapping[str, np.ndarray]) -> ProductTable:
    segments = Segments(*(arrays[f"segments.{name}"] for name in SEGMENT_ARRAYS))
    fields: dict[str, object] = {name: _strings(arrays, f"table.{name}") for name in TABLE_STRINGS}
    fields.update({name: arrays[f"table.{name}"] for name in TABLE_ARRAYS})
    of_row = arrays["table.product_name"].tolist()
    for rows, distinct in (("product_names", "distinct_names"), ("product_keys", "distinct_keys")):
        by_name: tuple[str, ...] = fields[distinct]  # type: ignore[assignment]
        fields[rows] = tuple(by_name[j] for j in of_row)  # the same string objects, not a second copy
    lookups = {name.removeprefix("lookup."): a for name, a in arrays.items() if name.startswith("lookup.")}
    return ProductTable(**fields, segments=segments, lookups=lookups)  # type: ignore[arg-type]


def features_from_arrays(arrays: Mapping[str, np.ndarray]) -> Features:
    """The features ``feature_arrays`` saved (without vectors), their sparse postings and numeric table
    arrays reading ``arrays`` in place."""
    names, names_lex = _model(arrays, "names", CharTfidf((1, 2)))
    profiles, profiles_lex = _model(arrays, "profiles", CharTfidf((1, 2)))
    supplier = SupplierFeatures(_table(arrays), names, names_lex, None, profiles, profiles_lex)
    semantic = SemanticFeatures(None, *_model(arrays, "words", CharTfidf(analyzer=words)))
    return supplier, semantic, _chain(arrays, supplier)


def _build(docs: Sequence[ProfileDoc], upstream: UpstreamPairs | None) -> Features:
    """The features without vectors and industry links, computed from the documents."""
    supplier = SupplierFeatures.build(docs, None)
    semantic = SemanticFeatures.build([enterprise_profile(d) for d in docs], None)
    return supplier, semantic, BuyerFeatures.build(supplier, None, upstream, None)


def _prune(root: Path, keep: Path) -> None:
    """Delete all but the newest ``KEEP`` pool bundles (a process mapping a deleted file keeps reading it)."""
    bundles = sorted(root.glob("pool-*/"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in [b for b in bundles if b != keep][KEEP - 1 :]:
        shutil.rmtree(path, ignore_errors=True)


def shared_features(
    docs: Sequence[ProfileDoc], root: Path, upstream: UpstreamPairs | None
) -> tuple[Features, bool]:
    """The pool's features mapped from ``root/pool-<fingerprint>/``, written first if missing (the first
    process builds, the others wait on the lock, then map); ``True`` when they were read, not built."""
    key = pool_fingerprint(docs, upstream)
    folder = root / f"pool-{key}"
    with locked(root, f".pool-{key}.lock"):
        loaded = (folder / MANIFEST_NAME).exists()
        if not loaded:
            save_arrays(folder, feature_arrays(*_build(docs, upstream)), model_id=FORMAT)
            _prune(root, folder)
    return features_from_arrays(load_arrays(folder, model_id=FORMAT)), loaded


def pool_features(
    docs: Sequence[ProfileDoc],
    encoder: Encoder | None,
    root: Path | None,
    upstream: UpstreamPairs | None = None,
    industry_up: Mapping[str, Mapping[str, float]] | None = None,
    *,
    profile_encoder: Encoder | None = None,
    min_size: int | None = None,
    like: Features | None = None,
) -> Features:
    """The supplier, semantic and buyer features of a pool with their vectors: mapped from shared files
    under ``root`` for pools of ``min_size`` (default ``SHARE_FROM``) companies or more, else built in
    memory; with ``like`` (a fitted pool's features, whose vocabularies and IDF these reuse: the delta of
    a pool beside its main part, ``matcher.ranking.layered``), always in memory. Profiles are embedded by
    ``profile_encoder`` when given, else by ``encoder``."""
    profiler = profile_encoder if encoder is not None and profile_encoder is not None else encoder
    if like is not None or root is None or len(docs) < (SHARE_FROM if min_size is None else min_size):
        supplier_like, semantic_like, buyer_like = like or (None, None, None)
        supplier = SupplierFeatures.build(docs, encoder, supplier_like)
        semantic = SemanticFeatures.build([enterprise_profile(d) for d in docs], profiler, semantic_like)
        return supplier, semantic, BuyerFeatures.build(supplier, encoder, upstream, industry_up, buyer_like)
    (supplier, semantic, buyer), _ = shared_features(docs, root, upstream)
    if encoder is not None:
        supplier.names_vec = encoder.encode(list(supplier.table.distinct_names))
        profiles_vec = profiler.encode([enterprise_profile(d) for d in docs]) if docs and profiler else None
        semantic = dataclasses.replace(semantic, profiles_vec=profiles_vec)
    return supplier, semantic, buyer.completed(encoder, industry_up)
