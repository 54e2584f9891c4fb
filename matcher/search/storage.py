"""The search index's fingerprint table; its versioned directories are ``matcher.retrieval.storage``'s.

Layout under ``settings.index_dir``::

    CURRENT                  # the name of the committed version directory, nothing else
    v-<time>-<token>/
        products/            # a retriever bundle (matcher.retrieval.storage: data files + manifest)
        demands/
        fingerprints.json    # {model_id, created, products: {id: sha1}, demands: {id: sha1}}

Why versions rather than saving each retriever in place: the two retrievers and the fingerprint table must
change together, and each retriever's own manifest commits only itself. A save writes a complete new
version directory (a kind that did not change is hard-linked from the previous version, not rewritten),
then replaces ``CURRENT`` with :func:`matcher.retrieval.storage.atomic_write`: a process killed before that
leaves the previous version current and whole; one killed after leaves only an unreferenced directory,
which the next save deletes. Writers take an exclusive lock on ``.lock`` (:func:`locked`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from matcher.errors import IndexError_
from matcher.retrieval.storage import Writer, atomic_write
from matcher.search.texts import KINDS, KindName

FINGERPRINTS = "fingerprints.json"
FORMAT = 1


@dataclass(frozen=True, slots=True)
class FingerprintTable:
    """The fingerprints saved with one version: which texts each indexed record's vectors came from."""

    model_id: str
    products: dict[int, str] = field(default_factory=dict)
    demands: dict[int, str] = field(default_factory=dict)
    created: str = ""

    def of(self, kind: KindName) -> dict[int, str]:
        return self.products if kind == "products" else self.demands


def write_fingerprints(version: Path, table: FingerprintTable) -> None:
    body = {
        "format": FORMAT,
        "model_id": table.model_id,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    body |= {kind: {str(i): fp for i, fp in sorted(table.of(kind).items())} for kind in KINDS}
    data = json.dumps(body, ensure_ascii=False, indent=0).encode("utf-8")
    atomic_write(version / FINGERPRINTS, _bytes(data))


def read_fingerprints(version: Path) -> FingerprintTable:
    path = version / FINGERPRINTS
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        tables = {kind: {int(i): str(fp) for i, fp in body[kind].items()} for kind in KINDS}
        if body.get("format") != FORMAT:
            raise ValueError(f"格式版本 {body.get('format')!r} 不受支持（当前为 {FORMAT}）")
        return FingerprintTable(str(body["model_id"]), created=str(body.get("created", "")), **tables)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IndexError_(f"索引指纹表 {path} 缺失或已损坏：{exc}；请运行 matcher index --rebuild") from exc


def _bytes(data: bytes) -> Writer:
    def write(handle: BinaryIO) -> None:
        handle.write(data)

    return write
