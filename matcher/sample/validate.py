"""Checks for chain templates, with problems described in Chinese for park staff who edit the YAML."""

from __future__ import annotations

import re

from matcher.domain.industry import industry_problem
from matcher.sample.chains import STAGES, ChainTemplate

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def validate_template(template: ChainTemplate) -> list[str]:
    """Problems of a template: ids unique and snake_case, upstream ids known, no cycle, GB/T codes valid."""
    problems: list[str] = []
    seen: set[str] = set()
    for link in template.links:
        where = f"环节 {link.id}（{link.name}）"
        if not _ID.match(link.id):
            problems.append(f"{where}：id 须为小写英文、数字和下划线（snake_case）")
        if link.id in seen:
            problems.append(f"{where}：id 重复")
        seen.add(link.id)
        if link.stage not in STAGES:
            problems.append(f"{where}：stage 须为 上游/中游/下游，实为 {link.stage!r}")
        if not link.keywords:
            problems.append(f"{where}：keywords 为空")
        if link.gbt is not None and (problem := industry_problem(link.gbt)):
            problems.append(f"{where}：{problem}")
    for link in template.links:
        for up in link.upstream:
            if up not in seen:
                problems.append(f"环节 {link.id}（{link.name}）：upstream 中的 {up} 不存在")
            elif up == link.id:
                problems.append(f"环节 {link.id}（{link.name}）：不能以自身为上游")
    cycle = find_cycle(template)
    if cycle:
        problems.append(f"上下游关系存在环路：{' → '.join(cycle)}")
    return problems


def find_cycle(template: ChainTemplate) -> list[str]:
    """One cycle of upstream edges as a list of ids (first id repeated at the end), or [] if acyclic."""
    graph = {link.id: [u for u in link.upstream if u != link.id] for link in template.links}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt in graph and nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return []

    for start in graph:
        if start not in state and (found := visit(start)):
            return found
    return []


def keyword_clashes(*templates: ChainTemplate) -> list[str]:
    """Pairs of terms of different links where one contains the other (ambiguous for linking).

    With several templates (a park's leading industries), clashes across templates are reported too.
    """
    terms = [(t.industry, link.id, term) for t in templates for link in t.links for term in link.terms]
    clashes: list[str] = []
    for ind_a, id_a, a in terms:
        for ind_b, id_b, b in terms:
            if (ind_a, id_a) != (ind_b, id_b) and a in b and (a != b or (ind_a, id_a) < (ind_b, id_b)):
                clashes.append(f"“{a}”（{ind_a}/{id_a}）包含于“{b}”（{ind_b}/{id_b}）")
    return clashes
