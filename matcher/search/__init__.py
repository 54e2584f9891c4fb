"""The store-following search index: product and demand vectors kept in step with the registry.

:class:`SearchIndex` holds two retrievers (one vector per enterprise product, one per demand) and the
fingerprints of the texts behind them, saved atomically under ``settings.index_dir``; ``plan`` finds the
drift from the store and ``apply`` mends it incrementally.
"""

from matcher.search.drift import Drift, KindDrift, kind_drift
from matcher.search.index import Applied, ProductHits, ProgressFn, SearchIndex
from matcher.search.texts import SLOTS, StoreTexts, product_texts, store_texts

__all__ = [
    "SLOTS",
    "Applied",
    "Drift",
    "KindDrift",
    "ProductHits",
    "ProgressFn",
    "SearchIndex",
    "StoreTexts",
    "kind_drift",
    "product_texts",
    "store_texts",
]
