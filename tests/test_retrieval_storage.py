"""Saving and loading: round trips, refusal of inconsistent files, and crash safety of a save.

The crash tests kill a real ``save`` half-way through writing a file (a data file, or the manifest) and then
prove the previous index still loads with exactly its previous contents.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pytest

from matcher.errors import IndexError_
from matcher.retrieval import load_retriever, make_retriever, read_manifest
from matcher.retrieval import numpy as numpy_backend
from matcher.retrieval.base import Retriever
from matcher.retrieval.faiss import FlatRetriever, set_threads
from matcher.retrieval.storage import MANIFEST_NAME, Writer, ids_checksum
from matcher.settings import REPO_ROOT, Settings

KINDS = ["numpy", "faiss-flat", "faiss-hnsw", "faiss-ivf"]


@pytest.fixture(autouse=True, scope="module")
def _one_faiss_thread() -> None:
    set_threads(1)


def sample(n: int = 300, dim: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    vectors = rng.standard_normal((n, dim)).astype(np.float32)
    return np.arange(n, dtype=np.int64) * 3 + 1, vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def built(kind: str, seed: int = 0) -> Retriever:
    ids, vectors = sample(seed=seed)
    return make_retriever(kind, 8, Settings()).index(ids, vectors)


def same_answers(a: Retriever, b: Retriever) -> bool:
    queries = sample(5, seed=9)[1]
    ha, hb = a.search(queries, 10), b.search(queries, 10)
    return (
        np.array_equal(a.ids(), b.ids())
        and np.array_equal(ha.ids, hb.ids)
        and np.allclose(ha.scores, hb.scores)
    )


@pytest.mark.parametrize("kind", KINDS)
def test_round_trip_keeps_ids_answers_and_tombstones(kind: str, tmp_path: Path) -> None:
    r = built(kind)
    r.remove([1, 4, 7])  # 3 of 300 slots dead: kept as tombstones by the FAISS backends
    manifest = r.save(tmp_path / "idx", model_id="use-m3")
    loaded = load_retriever(tmp_path / "idx", model_id="use-m3")
    assert type(loaded) is type(r) and same_answers(r, loaded)
    assert (manifest.kind, manifest.dim, manifest.count, manifest.model_id) == (r.kind, 8, 297, "use-m3")
    assert manifest.ids_sha256 == ids_checksum(r.ids()) == read_manifest(tmp_path / "idx").ids_sha256
    assert getattr(loaded, "n_tombstones", 3) == 3


def test_second_save_replaces_files_and_empty_round_trips(tmp_path: Path) -> None:
    r = built("faiss-hnsw")
    first = r.save(tmp_path)
    r.remove([1])
    second = r.save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*second.files.values(), MANIFEST_NAME])
    assert not set(first.files.values()) & set(second.files.values())
    make_retriever("faiss-ivf", 8, Settings()).save(tmp_path / "empty")
    assert len(load_retriever(tmp_path / "empty")) == 0


def test_load_refuses_inconsistent_files(tmp_path: Path) -> None:
    built("numpy").save(tmp_path, model_id="use-m3")
    with pytest.raises(IndexError_, match="use-m3"):
        load_retriever(tmp_path, model_id="e5-small")
    with pytest.raises(IndexError_, match="类型"):
        FlatRetriever.load(tmp_path)
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text(encoding="utf-8"))
    (tmp_path / MANIFEST_NAME).write_text(json.dumps(manifest | {"count": 5}), encoding="utf-8")
    with pytest.raises(IndexError_, match="不一致"):
        load_retriever(tmp_path)
    (tmp_path / manifest["files"]["ids"]).unlink()
    with pytest.raises(IndexError_, match="缺失"):
        load_retriever(tmp_path)
    with pytest.raises(IndexError_, match="请先建立索引"):
        load_retriever(tmp_path / "nowhere")


def test_writer_crash_mid_file_leaves_previous_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = built("numpy")
    before.save(tmp_path)

    def crashing_writer(array: np.ndarray) -> Writer:
        def write(handle: BinaryIO) -> None:
            handle.write(b"\x93NUMPY partial")
            raise OSError("磁盘已满")

        return write

    monkeypatch.setattr(numpy_backend, "npy_writer", crashing_writer)
    with pytest.raises(OSError, match="磁盘已满"):
        built("numpy", seed=1).save(tmp_path)
    assert same_answers(before, load_retriever(tmp_path))
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


KILLED_SAVER = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from matcher.retrieval import storage
    from matcher.retrieval.factory import make_retriever
    from matcher.settings import Settings

    kind, path, stall_on = sys.argv[1:4]
    real_open = open

    class Stalling:
        '''A file that, for the chosen file, writes half of the first chunk, syncs it and hangs.'''
        def __init__(self, name, mode):
            self.f, self.stall = real_open(name, mode), stall_on in str(name)
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            self.f.close()
        def write(self, data):
            if self.stall:
                self.f.write(bytes(data)[: max(1, len(data) // 2)])
                self.f.flush()
                print("STALLED", flush=True)
                time.sleep(120)
            return self.f.write(data)
        def flush(self):
            self.f.flush()
        def fileno(self):
            return self.f.fileno()

    storage.open = Stalling
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((500, 8)).astype(np.float32)
    make_retriever(kind, 8, Settings()).index(np.arange(500) + 10_000, vectors).save(path)
    """
)


@pytest.mark.parametrize("kind", ["numpy", "faiss-hnsw"])
@pytest.mark.parametrize("stall_on", [".bin.", ".manifest.json."])
def test_sigkill_mid_save_leaves_previous_index(kind: str, stall_on: str, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    before = built(kind)
    before.save(index_dir)
    script = tmp_path / "saver.py"
    script.write_text(KILLED_SAVER, encoding="utf-8")
    env = os.environ | {"PYTHONPATH": str(REPO_ROOT), "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, str(script), kind, str(index_dir), stall_on]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env) as saver:
        assert saver.stdout is not None and saver.stdout.readline().strip() == "STALLED"
        partial = [p for p in index_dir.iterdir() if p.suffix == ".tmp"]
        os.kill(saver.pid, signal.SIGKILL)
        saver.wait(timeout=30)
    assert len(partial) == 1 and stall_on in partial[0].name and partial[0].stat().st_size > 0
    after = load_retriever(index_dir)
    assert same_answers(before, after) and len(after) == 300
    after.save(index_dir)  # the next save clears what the killed one left behind
    assert not [p for p in index_dir.iterdir() if p.suffix == ".tmp"]
