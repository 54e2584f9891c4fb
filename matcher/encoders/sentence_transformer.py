"""Any sentence-transformers model, by local path or hub id: the only module importing sentence_transformers.

Used for the converted e5 (``models/e5-small-st``), the bundled English MiniLM, and hub models in
deployments that have a model hub (e.g. ``BAAI/bge-small-zh-v1.5``). ``query_prefix`` /
``document_prefix`` serve asymmetric models such as e5 (``"query: "`` / ``"passage: "``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from matcher.encoders.base import l2_normalize


class SentenceTransformerEncoder:
    """A sentence-transformers model on CPU; ``model_id`` is the name it was loaded by."""

    def __init__(
        self,
        name_or_path: str,
        *,
        model_id: str | None = None,
        query_prefix: str = "",
        document_prefix: str = "",
        device: str = "cpu",
        batch_size: int = 64,
    ) -> None:
        self.name_or_path = name_or_path
        self.model_id = model_id or name_or_path
        self.query_prefix = query_prefix
        self.document_prefix = document_prefix
        self.device = device
        self.batch_size = batch_size
        self._model: Any = None
        self._dim: int | None = None

    def _load(self) -> Any:
        if self._model is None:
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:  # pragma: no cover - depends on the environment
                raise ImportError(
                    "需要安装 sentence-transformers：pip install sentence-transformers"
                ) from exc
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # "Loading weights" bars do not belong in a CLI's output
            self._model = SentenceTransformer(self.name_or_path, device=self.device)
            prompts = getattr(self._model, "prompts", None) or {}
            if not self.query_prefix and not self.document_prefix:  # e.g. a model fine-tuned from e5
                self.query_prefix = prompts.get("query", "")
                self.document_prefix = prompts.get("document", prompts.get("passage", ""))
            get_dim = (
                getattr(self._model, "get_embedding_dimension", None)
                or self._model.get_sentence_embedding_dimension
            )
            dim = get_dim()
            self._dim = int(dim) if dim else None
        return self._model

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._load()
        return int(self._dim or 0)

    @dim.setter
    def dim(self, value: int) -> None:
        self._dim = value

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = model.encode(
            [prefix + t for t in texts],
            batch_size=self.batch_size,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return l2_normalize(vectors)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed documents (with ``document_prefix``, or the model's own saved prompt)."""
        self._load()
        return self._encode(texts, self.document_prefix)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed queries (with ``query_prefix``, or the model's own saved prompt)."""
        self._load()
        return self._encode(texts, self.query_prefix)
