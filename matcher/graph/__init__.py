"""The industrial chain graph: templates and knowledge-graph loading, entity linking, park chain analysis
(coverage, gaps, recruitment, supply-chain integration), graph evidence for matching, and chain maps.

Everything is a function of a ``networkx.DiGraph`` (see :mod:`matcher.graph.schema` for node and edge
kinds) that never mutates it.
"""

from matcher.graph.analysis import (
    ChainCoverage,
    LinkCoverage,
    LinkStatus,
    Supply,
    chain_coverage,
    link_firms,
)
from matcher.graph.errors import GraphError, GraphSourceError, NodeNotFound, TemplateError
from matcher.graph.evidence import (
    Evidence,
    ProductSpace,
    downstream_candidates,
    graph_buyer_scores,
    graph_index,
    upstream_affinity,
)
from matcher.graph.firms import Firm, as_firm
from matcher.graph.kg import LoadReport, label_pairs, load_kg, without_pairs
from matcher.graph.linking import Link, LinkIndex, LinkResult, normalize
from matcher.graph.recruitment import (
    Candidate,
    IndustryCheck,
    Integration,
    Location,
    kg_firms,
    leading_industry_check,
    recruitment_candidates,
    supply_integration,
)
from matcher.graph.render import chain_map_html, chain_map_svg, save_chain_map
from matcher.graph.templates import (
    ChainLink,
    ChainTemplate,
    chain_graph,
    chain_links,
    load_template,
    load_templates,
)

__all__ = [
    "Candidate",
    "ChainCoverage",
    "ChainLink",
    "ChainTemplate",
    "Evidence",
    "Firm",
    "GraphError",
    "GraphSourceError",
    "IndustryCheck",
    "Integration",
    "Link",
    "LinkCoverage",
    "Supply",
    "LinkIndex",
    "LinkResult",
    "LinkStatus",
    "LoadReport",
    "Location",
    "NodeNotFound",
    "ProductSpace",
    "TemplateError",
    "as_firm",
    "chain_coverage",
    "chain_graph",
    "chain_links",
    "chain_map_html",
    "chain_map_svg",
    "downstream_candidates",
    "graph_buyer_scores",
    "graph_index",
    "kg_firms",
    "label_pairs",
    "leading_industry_check",
    "link_firms",
    "load_kg",
    "load_template",
    "load_templates",
    "normalize",
    "recruitment_candidates",
    "save_chain_map",
    "supply_integration",
    "upstream_affinity",
    "without_pairs",
]
