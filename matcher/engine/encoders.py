"""The encoders the engine's services share: one model load and one embedding cache per engine."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from matcher.settings import Settings

if TYPE_CHECKING:
    from matcher.encoders.base import Encoder


class Encoders:
    """The configured encoder (``MATCHER_ENCODER``) for registry texts and for query items, made on first use.

    Matching fits its pool with ``encoder()`` and encodes queries with ``query_encoder()``; the search index
    encodes with ``encoder()``, so both read and write the same embedding cache.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._encoder: Encoder | None = None
        self._query_encoder: Encoder | None = None
        self._profile: tuple[Encoder, Encoder] | None = None
        self._profile_checked = False

    def encoder(self) -> Encoder:
        """The encoder with the embedding cache under ``MATCHER_HOME``."""
        with self._lock:
            if self._encoder is None:
                from matcher.encoders.factory import get_encoder

                self._encoder = get_encoder(self.settings.encoder, cache_dir=self.settings.cache_dir)
            return self._encoder

    def query_encoder(self) -> Encoder:
        """The encoder of query items: the same model without the disk cache, on one thread.

        One-off demand phrases would otherwise be written to the shared disk cache on every query by
        every worker (the core remembers recent items in memory instead), and a server answers many
        small queries side by side, where a second BLAS thread per query only waits for a busy core.
        """
        with self._lock:
            if self._query_encoder is None:
                from matcher.encoders.factory import get_encoder

                encoder = get_encoder(self.settings.encoder)
                if hasattr(encoder, "threads"):  # USE: read when its model loads
                    encoder.threads = 1
                self._query_encoder = encoder
            return self._query_encoder

    def _profile_pair(self) -> tuple[Encoder, Encoder] | None:
        with self._lock:
            if not self._profile_checked:
                self._profile_checked = True
                from matcher.encoders.factory import profile_encoders

                self._profile = profile_encoders(self.settings)
            return self._profile

    def profile_encoder(self) -> Encoder | None:
        """The profile channel's encoder with the embedding cache; None when it is the main encoder."""
        pair = self._profile_pair()
        return None if pair is None else pair[0]

    def profile_query_encoder(self) -> Encoder | None:
        """The same model without the disk cache, for demands (on one thread where the backend allows:
        ``factory.profile_encoders``)."""
        pair = self._profile_pair()
        return None if pair is None else pair[1]
