"""Crash-safe index files: data files written atomically, then a JSON manifest that commits them.

A saved index is a directory holding ``manifest.json`` and the data files it names
(``<role>-<token>.bin``, a fresh token per save). Each file is written to a temporary file in the same
directory, flushed, fsynced and moved into place with ``os.replace``; the manifest is replaced last, so it
is the single commit point: a process killed at any moment of a save leaves the previous manifest pointing
at the previous, untouched data files. Superseded data files are deleted only after the new manifest is in
place. One writer per directory is assumed (the engine saves from one process).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import numpy as np

from matcher.errors import IndexError_

MANIFEST_NAME = "manifest.json"
CURRENT = "CURRENT"  # names the committed version directory of a versioned index (``commit``)
FORMAT_VERSION = 1

Writer = Callable[[BinaryIO], None]


@dataclass(frozen=True)
class Manifest:
    """What a saved index holds; ``ids_sha256`` lets a load prove the data files match it."""

    kind: str
    dim: int
    count: int
    model_id: str
    ids_sha256: str
    files: dict[str, str]
    params: dict[str, float | int | str] = field(default_factory=dict)
    created: str = ""
    format: int = FORMAT_VERSION


def ids_checksum(ids: np.ndarray) -> str:
    """SHA-256 of the sorted ids as little-endian int64: equal for equal id sets, whatever the order."""
    return hashlib.sha256(np.sort(np.asarray(ids, dtype="<i8")).tobytes()).hexdigest()


def fsync_dir(directory: Path) -> None:
    """Make a rename inside ``directory`` durable (a no-op where directories cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: Path, write: Writer) -> None:
    """Write ``path`` all-or-nothing: a temp file in the same directory, fsync, then ``os.replace``."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


@contextlib.contextmanager
def locked(root: Path, name: str = ".lock") -> Iterator[None]:
    """Hold an exclusive lock on ``root/name`` (one writer at a time across processes; no-op off POSIX)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / name, "a+b") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: single writer assumed
            yield
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def save_bundle(
    directory: str | Path,
    parts: Mapping[str, Writer],
    *,
    kind: str,
    dim: int,
    ids: np.ndarray,
    model_id: str,
    params: Mapping[str, float | int | str] | None = None,
) -> Manifest:
    """Write each part to a fresh data file, then commit them with a new manifest; returns the manifest."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex[:12]
    files = {role: f"{role}-{token}.bin" for role in parts}
    for role, writer in parts.items():
        atomic_write(directory / files[role], writer)
    manifest = Manifest(
        kind=kind,
        dim=dim,
        count=int(len(ids)),
        model_id=model_id,
        ids_sha256=ids_checksum(ids),
        files=files,
        params=dict(params or {}),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    text = json.dumps(asdict(manifest), ensure_ascii=False, indent=2).encode("utf-8")
    atomic_write(directory / MANIFEST_NAME, lambda handle: _write_all(handle, text))
    _remove_stale(directory, keep=set(files.values()))
    return manifest


def npy_writer(array: np.ndarray) -> Writer:
    """A writer storing ``array`` in NumPy's .npy format (no pickle)."""

    def write(handle: BinaryIO) -> None:
        np.save(handle, array, allow_pickle=False)

    return write


def _write_all(handle: BinaryIO, data: bytes) -> None:
    handle.write(data)


def _remove_stale(directory: Path, keep: set[str]) -> None:
    """Delete data files of earlier saves and temp files left by killed ones (single writer assumed)."""
    for path in directory.iterdir():
        stale_data = path.suffix == ".bin" and path.name not in keep
        if stale_data or (path.name.startswith(".") and path.suffix == ".tmp"):
            path.unlink(missing_ok=True)


def read_manifest(directory: str | Path) -> Manifest:
    """The manifest of a saved index, or :class:`IndexError_` in Chinese when missing or unreadable."""
    path = Path(directory) / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        manifest = Manifest(**data)
    except FileNotFoundError as exc:
        raise IndexError_(f"找不到索引清单 {path}：请先建立索引（matcher index build）") from exc
    except (ValueError, TypeError) as exc:
        raise IndexError_(f"索引清单 {path} 已损坏：{exc}；请重建索引") from exc
    if manifest.format != FORMAT_VERSION:
        raise IndexError_(f"索引格式版本 {manifest.format!r} 不受支持（当前为 {FORMAT_VERSION}）；请重建索引")
    return manifest


def data_path(directory: str | Path, manifest: Manifest, role: str) -> Path:
    """Path of one data file named by the manifest, checked to exist."""
    name = manifest.files.get(role)
    path = Path(directory) / (name or f"<{role}>")
    if name is None or not path.is_file():
        raise IndexError_(f"索引数据文件缺失：{path}；请重建索引")
    return path


def verify(manifest: Manifest, *, kind: str, dim: int, ids: np.ndarray) -> None:
    """Refuse data that disagrees with its manifest (wrong backend, dimension, count or id set)."""
    problems = []
    if manifest.kind != kind:
        problems.append(f"类型 {manifest.kind!r} ≠ {kind!r}")
    if manifest.dim != dim:
        problems.append(f"维度 {manifest.dim} ≠ {dim}")
    if manifest.count != len(ids) or manifest.ids_sha256 != ids_checksum(ids):
        problems.append(f"清单记录 {manifest.count} 个 id，数据文件中为 {len(ids)} 个或内容不同")
    if problems:
        raise IndexError_("索引文件与清单不一致：" + "；".join(problems) + "；请重建索引")


# Versioned directories: several bundles (and what else belongs with them) that must change together are
# written into a fresh ``v-<time>-<token>/`` directory, then committed by replacing the one-line ``CURRENT``
# file atomically; a process killed before the commit leaves the previous version current and whole.


def current_version(root: Path) -> Path | None:
    """The committed version directory, or None when no index was ever saved under ``root``."""
    try:
        name = (root / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    path = root / name
    if not name.startswith("v-") or not path.is_dir():
        raise IndexError_(
            f"索引指针 {root / CURRENT} 指向不存在的版本 {name!r}；请运行 matcher index --rebuild"
        )
    return path


def new_version(root: Path) -> Path:
    """A fresh, empty version directory (not yet committed)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = root / f"v-{stamp}-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True)
    return path


def commit(root: Path, version: Path) -> None:
    """Make ``version`` current (atomic), then delete every other version directory and stray temp file."""
    data = (version.name + "\n").encode("utf-8")
    atomic_write(root / CURRENT, lambda handle: _write_all(handle, data))
    for path in root.iterdir():
        if path.is_dir() and path.name.startswith("v-") and path != version:
            shutil.rmtree(path, ignore_errors=True)


def link_tree(src: Path, dst: Path) -> None:
    """Copy the files of ``src`` into new directory ``dst`` as hard links (a copy where links fail)."""
    dst.mkdir(parents=True)
    for path in src.iterdir():
        if path.is_file() and not path.name.startswith("."):
            try:
                os.link(path, dst / path.name)
            except OSError:
                shutil.copy2(path, dst / path.name)


# Array bundles: named NumPy arrays (a pool's sparse postings, its product table) saved with ``save_bundle``
# and loaded as read-only memory maps, so every worker process reading one bundle shares its pages.

ARRAYS_KIND = "arrays"


def save_arrays(directory: Path, arrays: Mapping[str, np.ndarray], *, model_id: str) -> Manifest:
    """Write ``arrays`` (one .npy data file each) and commit them with a manifest (``save_bundle``)."""
    parts = {role: npy_writer(np.ascontiguousarray(a)) for role, a in arrays.items()}
    return save_bundle(
        directory, parts, kind=ARRAYS_KIND, dim=0, ids=np.zeros(0, np.int64), model_id=model_id
    )


def load_arrays(directory: Path, *, model_id: str) -> dict[str, np.ndarray]:
    """The arrays of a saved bundle as read-only memory maps (nothing copied into the process)."""
    manifest = read_manifest(directory)
    if manifest.kind != ARRAYS_KIND or manifest.model_id != model_id:
        raise IndexError_(
            f"{directory} 不是所需的数组文件（{manifest.kind!r}/{manifest.model_id!r}，"
            f"应为 {ARRAYS_KIND!r}/{model_id!r}）；请删除该目录后重建"
        )
    return {
        role: np.load(data_path(directory, manifest, role), mmap_mode="r", allow_pickle=False)
        for role in manifest.files
    }


def pack_strings(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """``texts`` as one UTF-8 byte array and the end offset of each text, in characters."""
    ends = np.cumsum([len(t) for t in texts], dtype=np.int64)
    return np.frombuffer("".join(texts).encode("utf-8"), dtype=np.uint8), ends


def unpack_strings(blob: np.ndarray, ends: np.ndarray) -> tuple[str, ...]:
    """The texts ``pack_strings`` packed, in order."""
    joined = blob.tobytes().decode("utf-8")
    starts = np.concatenate([[0], ends[:-1]]).tolist() if len(ends) else []
    return tuple(joined[a:b] for a, b in zip(starts, ends.tolist(), strict=True))
