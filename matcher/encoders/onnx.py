"""A transformer sentence encoder exported to ONNX, run by ONNX Runtime: no PyTorch in the serving process.

The folder holds ``model.onnx`` (token ids and attention mask in, mean-pooled L2-normalized sentence vectors
out: pooling is part of the graph), its weights in ``model.onnx.data`` (ONNX Runtime maps them into memory,
so worker processes share one copy in the page cache) and the ``tokenizer.json`` of the model it was
exported from, read with the ``tokenizers`` library. ``models/recipes/onnx_export.py`` writes such a folder
from a sentence-transformers model (the e5-graph build does). Loading e5-graph this way adds ~0.25 GB private memory to a process and no
torch import, where the same model under sentence-transformers adds ~0.7 GB (``docs/benchmarks-encoders.md``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

MODEL_FILE = "model.onnx"
WEIGHTS_FILE = "model.onnx.data"  # the weights beside the graph: memory-mapped, shared by every process
TOKENIZER_FILE = "tokenizer.json"
PAD_ID = 1  # XLM-R's <pad>, the e5 family's tokenizer


class OnnxEncoder:
    """An exported sentence encoder; ``query_prefix`` / ``document_prefix`` as for e5 (``query: ``/``passage: ``)."""

    def __init__(
        self,
        folder: str | Path,
        *,
        model_id: str,
        dim: int,
        query_prefix: str = "",
        document_prefix: str = "",
        max_length: int = 512,
        threads: int | None = None,
        batch_size: int = 32,
    ) -> None:
        self.folder = Path(folder)
        self.model_id = model_id
        self.dim = dim
        self.query_prefix = query_prefix
        self.document_prefix = document_prefix
        self.max_length = max_length
        # OMP_NUM_THREADS when set (as the USE encoder: Ray sets it to each worker's CPUs), else both cores
        self.threads = threads or int(os.environ.get("OMP_NUM_THREADS") or 2)
        self.batch_size = batch_size
        self._session: Any = None
        self._tokenizer: Any = None

    def _tokens(self) -> Any:
        if self._tokenizer is None:
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(self.folder / TOKENIZER_FILE))
            tokenizer.enable_truncation(self.max_length)
            tokenizer.enable_padding(pad_id=PAD_ID)
            self._tokenizer = tokenizer
        return self._tokenizer

    def _load(self) -> tuple[Any, Any]:
        tokenizer = self._tokens()
        if self._session is None:
            import onnxruntime as ort

            options = ort.SessionOptions()
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            options.log_severity_level = 3  # errors only: no warnings about unused initializers in a CLI
            self._session = ort.InferenceSession(
                str(self.folder / MODEL_FILE), options, providers=["CPUExecutionProvider"]
            )
        return self._session, tokenizer

    def on_threads(self, threads: int) -> OnnxEncoder:
        """The same model in a session of its own with ``threads`` threads, sharing this one's tokenizer (the
        weights are mapped from one file, so the second session adds little memory).

        For demands in a server: two demands encoded side by side on two cores, one thread each, served 41-54
        per second against 29-39 with two threads each; alone, one thread takes p50 29-31 ms against 17-27 ms
        (``benchmarks/bench_encoders.py``, e5-graph, 140 dev demands, three runs).
        """
        twin = OnnxEncoder(
            self.folder, model_id=self.model_id, dim=self.dim, query_prefix=self.query_prefix,
            document_prefix=self.document_prefix, max_length=self.max_length, threads=threads,
            batch_size=self.batch_size,
        )  # fmt: skip
        twin._tokenizer = self._tokens()
        return twin

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        session, tokenizer = self._load()
        order = np.argsort([len(t) for t in texts], kind="stable")  # similar lengths per batch: less padding
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            rows = order[start : start + self.batch_size]
            encoded = tokenizer.encode_batch([prefix + texts[i] for i in rows])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            out[rows] = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return out  # unit rows: the graph normalizes

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed documents (with ``document_prefix``)."""
        return self._encode(texts, self.document_prefix)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed queries (with ``query_prefix``)."""
        return self._encode(texts, self.query_prefix)
