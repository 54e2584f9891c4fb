"""One way to build the matching core from settings, for the running engine and for ``matcher eval`` alike.

Buyer recommendation reads chain knowledge: which products use which materials, and which industries buy
from which. ``settings.chain_graph_dir`` names a ChainKnowledgeGraph directory (``product_product.json``,
``industry_up.json``); without it the built-in chain templates (``data/chains``) are the knowledge, as
before. The engine and the evaluation harness both call ``build_core``, so a figure measured with
``matcher eval`` describes the configuration that serves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from matcher.encoders.base import Encoder
from matcher.ranking.chain import UpstreamPairs, load_industry_up, load_upstream_pairs
from matcher.ranking.core import MatchCore
from matcher.settings import Settings
from matcher.text.normalize import product_key
from matcher.text.profiles import ProfileDoc


class ChainKnowledge(NamedTuple):
    """The chain pairs and industry links the buyer channels use, and where they came from."""

    upstream: UpstreamPairs
    industry_up: Mapping[str, Mapping[str, float]] | None
    source: str  # "templates" or the graph directory


@lru_cache(maxsize=1)
def template_knowledge() -> ChainKnowledge:
    """The built-in chain templates' (product, material) keyword pairs; no industry links."""
    from matcher.graph.adjacency import keyword_pairs
    from matcher.graph.templates import templates_graph
    from matcher.settings import DATA_DIR

    graph = templates_graph(str(DATA_DIR / "chains"))
    pairs = frozenset((product_key(p), product_key(m)) for p, m in keyword_pairs(graph))
    return ChainKnowledge(UpstreamPairs(pairs), None, "templates")


@lru_cache(maxsize=2)
def graph_knowledge(graph_dir: Path) -> ChainKnowledge:
    """The pairs of a ChainKnowledgeGraph directory and its industry links, read once per directory."""
    return ChainKnowledge(load_upstream_pairs(graph_dir), load_industry_up(graph_dir), str(graph_dir))


def chain_knowledge(settings: Settings) -> ChainKnowledge:
    """The knowledge ``settings`` names: ``chain_graph_dir`` when set, else the templates."""
    return graph_knowledge(settings.chain_graph_dir) if settings.chain_graph_dir else template_knowledge()


def build_core(
    docs: Iterable[ProfileDoc | Any],
    settings: Settings,
    *,
    encoder: Encoder | None,
    query_encoder: Encoder | None = None,
    knowledge: ChainKnowledge | None = None,
    **options: Any,
) -> MatchCore:
    """A fitted ``MatchCore`` over ``docs`` with the chain knowledge of ``settings`` (or ``knowledge``, e.g.
    with evaluation pairs withheld); ``options`` (weights, fusion) go to ``MatchCore``. The search path is
    ``Settings.supplier_search``; ``auto``: candidates from ``Settings.candidates_from`` companies."""
    known = knowledge or chain_knowledge(settings)
    docs = list(docs)
    search = settings.supplier_search
    if search == "auto":
        search = "candidates" if len(docs) >= settings.candidates_from else "exhaustive"
    return MatchCore(
        encoder,
        upstream=known.upstream,
        industry_up=known.industry_up,
        query_encoder=query_encoder,
        **{
            "search": search,
            "candidate_depth": settings.candidate_depth,
            "pool_dir": settings.cache_dir / "vectors",
            **options,
        },
    ).fit(docs)
