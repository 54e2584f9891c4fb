"""One 0-100 relevance scale for every match the product shows, computed from the channels' evidence.

The ranking score of a fusion (a weighted sum reaching 2.1 and more, reciprocal-rank sums near 0.03,
event pair scores in [0, 1]) orders candidates but means nothing to a reader and changes whenever the
channels or their weights do. ``relevance`` reads the similarities the channels expose instead: an
exact product name, a character similarity in [0, 1], a dense cosine measured against what unrelated
product names get from the same encoder (``dense_baseline``), and combines them as a noisy-OR: each
channel is independent evidence, any one strong channel makes a strong match, none makes 0.

>>> relevance({"exact": 1.0, "lexical": 0.2})
100.0
>>> relevance({"exact": 0.0, "lexical": 0.0, "dense": 0.47}, dense_baseline=0.47)
0.0
>>> relevance({"lexical": 0.5}) > relevance({"lexical": 0.3})
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from matcher.encoders.base import Encoder, encode_queries

# How much a channel's evidence counts (the most its noisy-OR term can reach). An industry link says
# only that two industries trade, so alone it makes at most 50. (Counting the whole-text channel half instead of fully
# hid fewer irrelevant and more relevant firms on the dev sets: benchmarks/bench_relevance.py.)
# ``profile`` (the whole demand against the company's profile, above what the demand scores against most firms)
# says the business as a whole is near the demand, not that a product is the item: at most 50, as an industry link
SUPPLIER_EVIDENCE: dict[str, float] = {
    "exact": 1.0,
    "lexical": 1.0,
    "dense": 1.0,
    "text": 1.0,
    "profile": 0.5,
}
BUYER_EVIDENCE: dict[str, float] = {"inputs": 1.0, "uses": 1.0, "direct": 1.0, "industry": 0.5}
DENSE_SHARE: dict[str, float] = {"dense": 1.0, "inputs": 0.5, "uses": 0.5, "direct": 0.5}
"""The share of each channel's value that is a dense cosine (the buyer channels mix lexical and dense
half and half, ``Weights.mix``); that share is measured against the encoder's baseline."""

SAME = 0.85  # evidence from which a reason may call a product the wanted item itself (即所需)
CLOSE = 0.5  # evidence from which a reason may call a product 相近 to the wanted item
RELATED = 0.25  # evidence from which a reason may call it related at all


def calibrated(similarity: float, baseline: float = 0.0) -> float:
    """How far ``similarity`` lies above ``baseline`` (what unrelated texts get), on 0-1.

    >>> calibrated(0.85, 0.7)
    0.5
    >>> calibrated(0.6, 0.7)
    0.0
    """
    if baseline >= 1.0:
        return 0.0
    return float(np.clip((similarity - baseline) / (1.0 - baseline), 0.0, 1.0))


def evidence(channels: Mapping[str, float], dense_baseline: float = 0.0) -> dict[str, float]:
    """Each channel's value as 0-1 evidence: dense cosines measured from the encoder's baseline."""
    out = {}
    for name, value in channels.items():
        share = DENSE_SHARE.get(name, 0.0)
        out[name] = calibrated(float(value), share * dense_baseline)
    return out


def relevance(
    channels: Mapping[str, float],
    dense_baseline: float = 0.0,
    weights: Mapping[str, float] | None = None,
) -> float:
    """0-100: ``100 * (1 - prod(1 - w_c * e_c))`` over the channels' evidence ``e_c`` (one decimal).

    Monotone in every channel, 0 when no channel shows anything, 100 when one shows a certain match
    (an exact product name). Channels without a weight (supplier and buyer defaults together) count
    nothing, so a new channel changes no score until it is given a weight here.
    """
    w = weights if weights is not None else {**SUPPLIER_EVIDENCE, **BUYER_EVIDENCE}
    doubt = 1.0
    for name, e in evidence(channels, dense_baseline).items():
        doubt *= 1.0 - w.get(name, 0.0) * e
    return round(100.0 * (1.0 - doubt), 1)


def points(unit: float) -> float:
    """A 0-1 score (event pair scores, soft boosts) on the same 0-100 scale, one decimal.

    >>> points(0.583)
    58.3
    """
    return round(100.0 * float(np.clip(unit, 0.0, 1.0)), 1)


def dense_baseline(
    names: Sequence[str],
    vectors: np.ndarray | None,
    encoder: Encoder | None,
    *,
    sample: int = 256,
    documents: int = 8192,
    q: float = 99.0,
) -> float:
    """What a query about one product of the pool scores against the others: the ``q``-th percentile.

    Unrelated texts are far from orthogonal under sentence encoders, and how far differs by model
    (USE puts 99% of product-name pairs of the dev corpus below 0.47, e5-small below 0.94), so a dense
    cosine is evidence only above this level. A fixed sample of names is embedded as queries (as
    demands are, with the model's query prefix) and compared with a fixed sample of the names' document
    vectors (so the cost stays bounded at 400k distinct names), the pair of a name with itself left out;
    0 without an encoder.
    """
    if vectors is None or encoder is None or len(names) < 2:
        return 0.0
    rows = np.arange(0, len(names), max(len(names) // sample, 1))[:sample]
    docs = np.arange(0, len(names), max(len(names) // documents, 1))[:documents]
    queries = encode_queries(encoder, [names[i] for i in rows])
    sims = np.asarray(queries @ vectors[docs].T, dtype=np.float64)
    sims[rows[:, None] == docs[None, :]] = np.nan
    return float(np.clip(np.nanpercentile(sims, q), 0.0, 0.99))
