"""The industrial-chain service (产业链): coverage, gaps, recruitment, integration, maps."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import networkx as nx

from matcher.auth import policy
from matcher.auth.principal import Principal
from matcher.domain import Park
from matcher.engine.registry import Registry
from matcher.errors import NotFoundError
from matcher.graph import (
    Candidate,
    ChainCoverage,
    Firm,
    IndustryCheck,
    Integration,
    LinkCoverage,
    Location,
    as_firm,
    chain_coverage,
    chain_map_html,
    chain_map_svg,
    kg_firms,
    leading_industry_check,
    load_kg,
    recruitment_candidates,
    save_chain_map,
    supply_integration,
)
from matcher.graph.templates import templates_graph
from matcher.settings import DATA_DIR
from matcher.store import Store, tiers_repo
from matcher.store import repository as repo
from matcher.trials import TrialDashboard, Trials, tally
from matcher.trials.service import adopted_supplies


class Chain:
    """产业链: each leading industry's template (``data/chains``) against the park's enterprises in the store;
    firms of other parks (or of none), and the companies of a loaded ChainKnowledgeGraph, are outside
    producers. Also the park's 先试首用 dashboard, which counts trials per leading industry's chain.

    ``principal`` (None = a trusted local caller): a park's chain analysis is for the platform and those
    bound to the park (its admins, organizers and leading firms) behind ``Resource.CHAIN``.
    """

    def __init__(self, store: Store, registry: Registry, trials: Trials) -> None:
        self.store = store
        self.registry = registry
        self.trials = trials
        self._firms_cache: tuple[tuple[int, int, str], list[Firm]] | None = None

    def chain_graph(self) -> nx.DiGraph:
        """The chain templates as one graph, loaded once per process (shared: never mutate it)."""
        return templates_graph(str(CHAIN_DIR))

    def park_chains(
        self,
        park: str,
        *,
        industry: str | None = None,
        graph: str | Path | None = None,
        principal: Principal | None = None,
    ) -> ParkChains:
        """Coverage of each leading industry's chain (or of ``industry`` only) by the park's enterprises,
        upstream first: gaps, weak links and the leading firms exposed to each. ``graph``: a
        ChainKnowledgeGraph directory whose companies join the outside producers."""
        found = self._chain_park(park, principal)
        return self._analyse(found, self._chain_firms(), industry, graph)

    def _chain_firms(self) -> list[Firm]:
        """Every registered enterprise as a chain firm, re-read only when the registry changed (count,
        newest id or newest edit differ): a park page reads the whole registry otherwise."""
        fingerprint = self.registry.fingerprint()
        cached = self._firms_cache
        if cached is not None and cached[0] == fingerprint:
            return cached[1]
        with self.store.session() as s:
            firms = [as_firm(e.record) for e in repo.list_enterprises(s)]
        self._firms_cache = (fingerprint, firms)
        return firms

    def _analyse(
        self, park: Park, firms: list[Firm], industry: str | None, graph: str | Path | None = None
    ) -> ParkChains:
        with self.store.session() as s:
            supplies = adopted_supplies(s)  # 先试首用 adoptions: proven supplier links (read every time)
        G, outside = self.chain_graph(), _kg_outside(str(graph)) if graph else []
        wanted, untemplated = _chain_industries(G, park, industry)
        coverages = [
            chain_coverage(G, i, firms, park=park.name, outside=outside, supplies=supplies) for i in wanted
        ]
        return ParkChains(park, coverages, untemplated, [f for f in firms if f.park == park.name])

    def chain_view(
        self, park: str, *, industry: str | None = None, top: int = 10, principal: Principal | None = None
    ) -> ChainView:
        """Everything the 产业链图谱 page shows, from one read of the registry and one analysis per chain:
        every leading industry's coverage (the tabs), and for ``industry`` (default: the first leading one;
        any templated one may be weighed) its gaps' 链式招商 candidates, 融入供应链 rows and the map (SVG)."""
        found = self._chain_park(park, principal)
        firms = self._chain_firms()
        chains = self._analyse(found, firms, None)
        cov = next((c for c in chains.coverages if c.industry == (industry or c.industry)), None)
        if industry and cov is None:  # a templated industry the park does not lead with
            cov = self._analyse(found, firms, industry).coverage(industry)
        if cov is None or not chains.local:  # the page shows an empty state instead
            return ChainView(chains, cov, [], [], "")
        one = ParkChains(found, [cov], [], chains.local)
        integration = [row for c in self._integration(one) for row in c.rows]
        svg = chain_map_svg(self.chain_graph(), cov)
        return ChainView(chains, cov, self._recruitment(one, top), integration, svg)

    def chain_recruitment(
        self,
        park: str,
        *,
        industry: str | None = None,
        top: int = 10,
        graph: str | Path | None = None,
        principal: Principal | None = None,
    ) -> list[GapCandidates]:
        """链式招商: for each gap, up to ``top`` outside firms that make it, best first, with reasons."""
        return self._recruitment(
            self.park_chains(park, industry=industry, graph=graph, principal=principal), top
        )

    @staticmethod
    def _recruitment(chains: ParkChains, top: int) -> list[GapCandidates]:
        where = Location(chains.park.province, chains.park.city)
        out = []
        for cov in chains.coverages:
            ranked = recruitment_candidates(cov, where=where, limit=top)
            out += [GapCandidates(cov.industry, lc, ranked[lc.node]) for lc in cov.gaps]
        return out

    def chain_integration(
        self, park: str, *, industry: str | None = None, principal: Principal | None = None
    ) -> list[ChainIntegration]:
        """融入供应链: per local leading firm and link just upstream of its own, the park's SMEs making it,
        each with its tier (the newest saved assessment, else the declared tier)."""
        return self._integration(self.park_chains(park, industry=industry, principal=principal))

    def _integration(self, chains: ParkChains) -> list[ChainIntegration]:
        with self.store.session() as s:
            latest = {r.uscc: r for r in tiers_repo.park_records(s, park=chains.park.name)}  # newest wins

        def tier_of(firm: Firm) -> str:
            r = latest.get(firm.id)
            return firm.tier_label if r is None else f"{r.tier.label}（{r.as_of} 评估）"

        G = self.chain_graph()
        return [
            ChainIntegration(c.industry, supply_integration(G, c, tier_of=tier_of)) for c in chains.coverages
        ]

    def chain_check(self, park: str, *, principal: Principal | None = None) -> ChainCheck:
        """The guideline's limit of 3 leading industries, and a warning when the park's enterprises
        concentrate outside them (under half on a leading chain)."""
        chains = self.park_chains(park, principal=principal)
        found = leading_industry_check(chains.park.leading_industries, chains.coverages, chains.local)
        return ChainCheck(chains.park, found, chains.untemplated)

    def chain_map(self, park: str, industry: str, *, principal: Principal | None = None) -> tuple[str, str]:
        """The chain map of one industry as (interactive HTML page, static SVG), links coloured by coverage."""
        cov = self.park_chains(park, industry=industry, principal=principal).coverage(industry)
        G = self.chain_graph()
        return chain_map_html(G, cov), chain_map_svg(G, cov)

    def save_chain_maps(
        self,
        park: str,
        directory: str | Path,
        *,
        industry: str | None = None,
        principal: Principal | None = None,
    ) -> list[tuple[Path, Path]]:
        """Write ``<industry>.html`` and ``<industry>.svg`` for ``industry`` (default: every leading one)."""
        chains = self.park_chains(park, industry=industry, principal=principal)
        return [save_chain_map(self.chain_graph(), cov, directory) for cov in chains.coverages]

    def trial_dashboard(self, park: str, *, principal: Principal | None = None) -> TrialDashboard:
        """先试首用 in a park: trials started and adoptions per leading industry (the leading firms on its
        chain) and per leading firm, the figures the guideline asks parks to report."""
        found = self._chain_park(park, principal)
        chains = self.park_chains(park)
        with self.store.session() as s:
            ids = repo.enterprise_ids(s)
            park_id = repo.park_ids(s)[park]
            leaders = repo.list_enterprises(s, park=park, role="leading")
        trials = self.trials.park_trials(park_id)
        industries = {
            c.industry: {ids[p.firm.id] for lc in c.links for p in lc.local if p.firm.id in ids}
            for c in chains.coverages
        }
        firms = {e.record.name: {e.id} for e in leaders}
        return TrialDashboard(found.name, tally(trials, industries), tally(trials, firms), trials)

    def _chain_park(self, park: str, principal: Principal | None) -> Park:
        """The park (NotFoundError: 园区“…”不存在); PermissionDenied unless ``principal`` is bound to it."""
        with self.store.session() as s:
            found = repo.get_park(s, name=park)
            park_id = repo.park_ids(s)[park]
        if principal is not None:
            allowed = principal.is_platform_admin or park_id in principal.park_ids
            policy.ensure(allowed, f"{principal.role.label}无权查看园区“{park}”的产业链分析")
        return found


# -- chain: templates, knowledge graphs and results of the service --------------------------------------------

CHAIN_DIR = DATA_DIR / "chains"


@lru_cache(maxsize=2)
def _kg_outside(directory: str) -> list[Firm]:
    """The companies of a ChainKnowledgeGraph directory as outside firms (the load takes seconds: cached)."""
    return kg_firms(load_kg(directory)[0])


def _chain_industries(G: nx.DiGraph, park: Park, industry: str | None) -> tuple[list[str], list[str]]:
    """(industries to analyse, leading industries without a template). One named ``industry`` must have a
    template (it need not be a leading one: a park may weigh a new industry)."""
    if industry is not None:
        if f"chain:{industry}" not in G:
            known = "、".join(d["name"] for n, d in G.nodes(data=True) if n.startswith("chain:"))
            raise NotFoundError(f"没有产业链“{industry}”的模板（已有：{known}）")
        return [industry], []
    have = [i for i in park.leading_industries if f"chain:{i}" in G]
    return have, [i for i in park.leading_industries if i not in have]


@dataclass(frozen=True, slots=True)
class ParkChains:
    """A park's chain coverage per leading industry (in the park's order) and its own enterprises."""

    park: Park
    coverages: list[ChainCoverage]
    untemplated: list[str]  # leading industries with no chain template: not analysed
    local: list[Firm]

    def coverage(self, industry: str) -> ChainCoverage:
        for cov in self.coverages:
            if cov.industry == industry:
                return cov
        raise NotFoundError(f"园区“{self.park.name}”没有产业链“{industry}”的分析")


@dataclass(frozen=True, slots=True)
class GapCandidates:
    """链式招商 for one gap: the link (with its exposed leading firms) and the ranked outside firms."""

    industry: str
    link: LinkCoverage
    candidates: list[Candidate]


@dataclass(frozen=True, slots=True)
class ChainIntegration:
    industry: str
    rows: list[Integration]


@dataclass(frozen=True, slots=True)
class ChainView:
    """The 产业链图谱 page's content: all chains (tabs), and the chosen one's coverage and derived blocks."""

    chains: ParkChains
    cov: ChainCoverage | None  # None: the park has no templated leading industry
    recruitment: list[GapCandidates]
    integration: list[Integration]
    svg: str  # built by matcher.graph.render, which escapes every name it writes


@dataclass(frozen=True, slots=True)
class ChainCheck:
    park: Park
    check: IndustryCheck
    untemplated: list[str]
