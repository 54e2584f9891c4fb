"""The industrial chain graph: templates and knowledge-graph loading, entity linking, park chain analysis
(coverage, gaps, recruitment, supply-chain integration) and chain maps.

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
from matcher.graph.firms import Firm, as_firm
from matcher.graph.kg import LoadReport, load_kg
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
    "TemplateError",
    "as_firm",
    "chain_coverage",
    "chain_graph",
    "chain_links",
    "chain_map_html",
    "chain_map_svg",
    "kg_firms",
    "leading_industry_check",
    "link_firms",
    "load_kg",
    "load_template",
    "load_templates",
    "normalize",
    "recruitment_candidates",
    "save_chain_map",
    "supply_integration",
]
