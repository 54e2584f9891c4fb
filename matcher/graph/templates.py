"""Curated chain templates (``data/chains/*.yaml``): validate them and turn them into link nodes.

A template lists the links (环节) of one leading industry's chain with their stage, optional GB/T 4754
code, keywords used for linking, and the ids of the links that feed each one. Validation collects every
problem in Chinese before refusing a file, so an editor can fix them all at once.

Example::

    templates = load_templates("data/chains")
    G = chain_graph(templates)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx
import yaml

from matcher.domain.industry import industry_problem
from matcher.graph.errors import NodeNotFound, TemplateError
from matcher.graph.schema import STAGES, EdgeKind, NodeKind, chain_id, link_id

LINK_ID = re.compile(r"^[A-Za-z0-9_\-]+$")


@dataclass(frozen=True)
class ChainLink:
    """One link (环节) of a chain."""

    id: str
    name: str
    stage: str
    gbt: str = ""
    keywords: tuple[str, ...] = ()
    upstream: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChainTemplate:
    """One leading industry's chain: its links in file order."""

    industry: str
    version: int
    description: str
    links: tuple[ChainLink, ...]
    source: str = ""


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    return tuple(str(v).strip() for v in value if str(v).strip())


def _parse_link(raw: Any, where: str, problems: list[str]) -> ChainLink | None:
    if not isinstance(raw, Mapping):
        problems.append(f"{where}：环节应为键值表，实为 {raw!r}")
        return None
    link_key, name, stage = str(raw.get("id", "")).strip(), str(raw.get("name", "")).strip(), raw.get("stage")
    gbt = str(raw.get("gbt") or "").strip()
    if not LINK_ID.match(link_key):
        problems.append(f"{where}：id {link_key!r} 须为字母、数字、下划线或连字符")
    if not name:
        problems.append(f"{where}（{link_key}）：缺少 name")
    if stage not in STAGES:
        problems.append(f"{where}（{link_key}）：stage {stage!r} 须为 {'/'.join(STAGES)} 之一")
    if gbt and (problem := industry_problem(gbt)):
        problems.append(f"{where}（{link_key}）：gbt {gbt!r} 无效：{problem}")
    return ChainLink(
        link_key, name, str(stage), gbt, _strings(raw.get("keywords")), _strings(raw.get("upstream"))
    )


def _check_links(links: list[ChainLink], problems: list[str]) -> None:
    seen: set[str] = set()
    for link in links:
        if link.id in seen:
            problems.append(f"环节 id {link.id!r} 重复")
        seen.add(link.id)
    for link in links:
        for up in link.upstream:
            if up not in seen:
                problems.append(f"环节 {link.id} 的上游 {up!r} 不存在")
            elif up == link.id:
                problems.append(f"环节 {link.id} 不能以自身为上游")
    if not problems:
        flow = nx.DiGraph([(up, link.id) for link in links for up in link.upstream])
        if not nx.is_directed_acyclic_graph(flow):
            cycle = " → ".join(u for u, _ in nx.find_cycle(flow))
            problems.append(f"上下游关系有环：{cycle}")


def parse_template(data: Any, source: str = "") -> ChainTemplate:
    """Validate a template's parsed YAML; raise :class:`TemplateError` listing every problem."""
    prefix = f"{source}：" if source else ""
    if not isinstance(data, Mapping):
        raise TemplateError([f"{prefix}模板应为键值表"])
    problems: list[str] = []
    industry = str(data.get("industry") or "").strip()
    if not industry:
        problems.append("缺少 industry（主导产业名称）")
    version = data.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool):
        problems.append(f"version 须为整数，实为 {version!r}")
        version = 0
    raw_links = data.get("links")
    if not isinstance(raw_links, list) or not raw_links:
        problems.append("links 须为非空列表")
        raw_links = []
    parsed = [_parse_link(raw, f"第 {i + 1} 个环节", problems) for i, raw in enumerate(raw_links)]
    links = [link for link in parsed if link is not None]
    if not problems:
        _check_links(links, problems)
    if problems:
        raise TemplateError([prefix + p for p in problems])
    return ChainTemplate(industry, version, str(data.get("description") or "").strip(), tuple(links), source)


def load_template(path: str | Path) -> ChainTemplate:
    """Read and validate one YAML template."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TemplateError([f"{path.name}：无法读取：{exc}"]) from exc
    return parse_template(data, source=path.name)


def load_templates(directory: str | Path) -> list[ChainTemplate]:
    """Every ``*.yaml``/``*.yml`` template of a directory, in file-name order; industries must be unique."""
    paths = sorted(p for p in Path(directory).glob("*.y*ml") if p.suffix in {".yaml", ".yml"})
    templates = [load_template(p) for p in paths]
    seen: dict[str, str] = {}
    for t in templates:
        if t.industry in seen:
            raise TemplateError([f"{t.source}：主导产业 {t.industry} 已在 {seen[t.industry]} 中定义"])
        seen[t.industry] = t.source
    return templates


@lru_cache(maxsize=4)
def templates_graph(directory: str) -> nx.DiGraph:
    """Every template of ``directory`` as one graph, read once per process (shared: never mutate it);
    validation errors list each problem."""
    return chain_graph(load_templates(directory))


def chain_graph(templates: Iterable[ChainTemplate], G: nx.DiGraph | None = None) -> nx.DiGraph:
    """A new graph holding ``G`` (if given, not mutated) plus a chain node and link nodes per template."""
    H = nx.DiGraph() if G is None else G.copy()
    for t in templates:
        chain = chain_id(t.industry)
        H.add_node(
            chain,
            kind=NodeKind.CHAIN.value,
            name=t.industry,
            version=t.version,
            description=t.description,
            links=tuple(link_id(t.industry, lk.id) for lk in t.links),
        )
        for order, lk in enumerate(t.links):
            node = link_id(t.industry, lk.id)
            H.add_node(
                node,
                kind=NodeKind.LINK.value,
                chain=t.industry,
                link=lk.id,
                name=lk.name,
                stage=lk.stage,
                gbt=lk.gbt,
                keywords=lk.keywords,
                order=order,
            )
            H.add_edge(node, chain, kind=EdgeKind.IN_CHAIN.value)
        for lk in t.links:
            for up in lk.upstream:
                H.add_edge(link_id(t.industry, up), link_id(t.industry, lk.id), kind=EdgeKind.UPSTREAM.value)
    return H


def chain_links(G: nx.DiGraph, industry: str) -> list[str]:
    """The link node ids of a chain, in template order; :class:`NodeNotFound` for an unknown chain."""
    chain = chain_id(industry)
    if chain not in G:
        known = "、".join(G.nodes[n]["name"] for n in G if n.startswith("chain:")) or "无"
        raise NodeNotFound(f"产业链 {industry!r} 不在图中（已有：{known}）")
    return list(G.nodes[chain]["links"])
