"""Load a ChainKnowledgeGraph directory (companies, products, Shenwan industries) into the chain graph.

The layout is that of liuhuanyong/ChainKnowledgeGraph: JSON Lines files ``company.json``, ``industry.json``,
``industry_industry.json``, ``company_industry.json``, ``industry_up.json``, ``company_product.json`` and
``product_product.json``. The data is noisy; every row the loader refuses is counted by file and reason
in the :class:`LoadReport`, with a few examples, so nothing disappears silently.

Example::

    G, report = load_kg("../shared/data/ChainKnowledgeGraph")
    print(report.summary())
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from matcher.graph.errors import GraphSourceError
from matcher.graph.noise import is_accounting, is_generic, recipe_products
from matcher.graph.schema import EdgeKind, NodeKind, company_id, industry_id, kind_of, product_id

FILES = (
    "company.json",
    "industry.json",
    "industry_industry.json",
    "company_industry.json",
    "industry_up.json",
    "company_product.json",
    "product_product.json",
)
NOT_A_NAME = re.compile(r"[，。；：！？,;:!?\n\r\t]")
MAX_NAME = 30

REASONS = {
    "bad_json": "无法解析的行",
    "missing_field": "缺少字段",
    "duplicate_code": "重复的企业代码",
    "unknown_industry": "未知行业",
    "accounting": "会计项目（抵销、调整、合计等）",
    "generic_segment": "笼统业务分部",
    "duplicate_pair": "重复关系",
    "self_loop": "自环",
    "not_a_name": "不像产品名称的文本",
    "recipe": "菜谱式原料关系",
    "unknown_relation": "未知关系类型",
}


@dataclass
class LoadReport:
    """What the loader built and what it refused: counts by node kind, edge kind, and (file, reason)."""

    nodes: Counter[str] = field(default_factory=Counter)
    edges: Counter[str] = field(default_factory=Counter)
    dropped: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    seconds: float = 0.0

    def drop(self, file: str, reason: str, example: str) -> None:
        self.dropped[(file, reason)] += 1
        if len(self.examples[(file, reason)]) < 5:
            self.examples[(file, reason)].append(example)

    def summary(self) -> str:
        """A Chinese, human-readable account of the load."""
        lines = [
            f"载入用时 {self.seconds:.1f} 秒；节点 {sum(self.nodes.values())} 个，边 {sum(self.edges.values())} 条"
        ]
        lines.append("节点：" + "，".join(f"{k} {v}" for k, v in sorted(self.nodes.items())))
        lines.append("边：" + "，".join(f"{k} {v}" for k, v in sorted(self.edges.items())))
        lines.append(f"丢弃 {sum(self.dropped.values())} 行：")
        for (file, reason), n in sorted(self.dropped.items()):
            ex = "、".join(self.examples.get((file, reason), [])[:3])
            lines.append(f"  {file} · {REASONS.get(reason, reason)}：{n}（例：{ex}）")
        return "\n".join(lines)


def read_jsonl(path: Path, report: LoadReport) -> Iterator[dict[str, Any]]:
    """Rows of a JSON Lines file; unparsable lines are reported, not raised."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                report.drop(path.name, "bad_json", line[:40])


def normalize_code(code: str) -> str:
    """Stock codes with their exchange suffix: ``600000`` → ``600000.SH``, ``000001`` → ``000001.SZ``."""
    code = str(code).strip().upper()
    if "." in code or not code.isdigit():
        return code
    suffix = {"6": "SH", "9": "SH", "0": "SZ", "2": "SZ", "3": "SZ", "4": "BJ", "8": "BJ"}.get(code[0], "")
    return f"{code}.{suffix}" if suffix else code


def clean_name(name: Any) -> str:
    return " ".join(str(name or "").split())


def load_kg(
    directory: str | Path,
    *,
    keep_recipes: bool = False,
) -> tuple[nx.DiGraph, LoadReport]:
    """Build the chain graph from a ChainKnowledgeGraph directory.

    Recipe-like 上游材料 rows are dropped unless ``keep_recipes``.
    """
    root = Path(directory)
    missing = [f for f in FILES if not (root / f).is_file()]
    if missing:
        raise GraphSourceError(f"知识图谱目录 {root} 缺少文件：{'、'.join(missing)}")
    start = time.perf_counter()
    G = nx.DiGraph(source=str(root))
    report = LoadReport()
    names = _load_industries(G, root, report)
    _load_companies(G, root, report)
    _load_company_industries(G, root, report)
    _load_industry_up(G, root, names, report)
    sold = _load_company_products(G, root, report)
    _load_product_relations(G, root, sold, keep_recipes, report)
    report.nodes = Counter(kind_of(n).value for n in G)
    report.edges = Counter(kind for _, _, kind in G.edges(data="kind"))
    report.seconds = time.perf_counter() - start
    return G, report


def _load_industries(G: nx.DiGraph, root: Path, report: LoadReport) -> dict[str, str]:
    names: dict[str, str] = {}
    for row in read_jsonl(root / "industry.json", report):
        code, name = str(row.get("code", "")).strip(), clean_name(row.get("name"))
        if not code or not name:
            report.drop("industry.json", "missing_field", str(row)[:40])
            continue
        level = 1 if code.endswith("0000") else 2 if code.endswith("00") else 3
        G.add_node(industry_id(code), kind=NodeKind.INDUSTRY.value, name=name, code=code, level=level)
        names.setdefault(name, code)
    for row in read_jsonl(root / "industry_industry.json", report):
        child, parent = industry_id(str(row.get("from_code"))), industry_id(str(row.get("to_code")))
        if child not in G or parent not in G:
            report.drop(
                "industry_industry.json", "unknown_industry", f"{row.get('from_code')}→{row.get('to_code')}"
            )
            continue
        G.add_edge(child, parent, kind=EdgeKind.PARENT.value)
    return names


def _load_companies(G: nx.DiGraph, root: Path, report: LoadReport) -> None:
    for row in read_jsonl(root / "company.json", report):
        code = normalize_code(row.get("code", ""))
        if not code:
            report.drop("company.json", "missing_field", str(row)[:40])
            continue
        node = company_id(code)
        if node in G:
            report.drop("company.json", "duplicate_code", f"{code} {row.get('fullname', '')}")
            continue
        G.add_node(
            node,
            kind=NodeKind.COMPANY.value,
            code=code,
            name=clean_name(row.get("name")),
            fullname=clean_name(row.get("fullname")),
            exchange=clean_name(row.get("location")),
        )


def _load_company_industries(G: nx.DiGraph, root: Path, report: LoadReport) -> None:
    for row in read_jsonl(root / "company_industry.json", report):
        code = normalize_code(row.get("company_code", ""))
        industry = industry_id(str(row.get("industry_code", "")))
        if industry not in G:
            report.drop("company_industry.json", "unknown_industry", f"{code} {row.get('industry_name')}")
            continue
        node = company_id(code)
        if node not in G:
            G.add_node(node, kind=NodeKind.COMPANY.value, code=code, name=clean_name(row.get("company_name")))
        G.add_edge(node, industry, kind=EdgeKind.IN_INDUSTRY.value)


def industry_ups(directory: str | Path, report: LoadReport | None = None) -> dict[str, dict[str, float]]:
    """Industry name -> {upstream industry name: count} of ``industry_up.json``, names cleaned."""
    out: dict[str, dict[str, float]] = {}
    for row in read_jsonl(Path(directory) / "industry_up.json", report or LoadReport()):
        ups = out.setdefault(clean_name(row.get("industry")), {})
        ups.update({clean_name(k): float(v) for k, v in (row.get("ups") or {}).items()})
    return out


def _load_industry_up(G: nx.DiGraph, root: Path, names: dict[str, str], report: LoadReport) -> None:
    for industry, ups in industry_ups(root, report).items():
        target = names.get(industry)
        for up_name, count in ups.items():
            source = names.get(up_name)
            if target is None or source is None:
                report.drop("industry_up.json", "unknown_industry", f"{up_name}→{industry}")
                continue
            if source != target:
                G.add_edge(
                    industry_id(source), industry_id(target), kind=EdgeKind.INDUSTRY_UP.value, weight=count
                )


def _load_company_products(G: nx.DiGraph, root: Path, report: LoadReport) -> set[str]:
    sold: set[str] = set()
    file = "company_product.json"
    for row in read_jsonl(root / file, report):
        code, name = normalize_code(row.get("company_code", "")), clean_name(row.get("product_name"))
        reason = (
            "missing_field"
            if not code or not name
            else "accounting"
            if is_accounting(name)
            else "generic_segment"
            if is_generic(name)
            else "not_a_name"
            if _not_a_name(name)
            else ""
        )
        if reason:
            report.drop(file, reason, f"{code} {name}")
            continue
        company, product = company_id(code), product_id(name)
        if company not in G:
            G.add_node(
                company, kind=NodeKind.COMPANY.value, code=code, name=clean_name(row.get("company_name"))
            )
        weight = max(0.0, float(row.get("rel_weight") or 0.0))
        if G.has_edge(company, product):
            report.drop(file, "duplicate_pair", f"{code} {name}")
            G[company][product]["weight"] = max(G[company][product]["weight"], weight)
            continue
        _add_product(G, name)
        G.add_edge(company, product, kind=EdgeKind.PRODUCES.value, weight=weight)
        sold.add(name)
    for name in sold:
        G.nodes[product_id(name)]["sold"] = G.in_degree(product_id(name))
    return sold


def _not_a_name(name: str) -> bool:
    return len(name) > MAX_NAME or bool(NOT_A_NAME.search(name))


def _add_product(G: nx.DiGraph, name: str) -> str:
    node = product_id(name)
    if node not in G:
        G.add_node(node, kind=NodeKind.PRODUCT.value, name=name, sold=0)
    return node


def product_relations(directory: str | Path, report: LoadReport) -> Iterator[tuple[str, str, str]]:
    """The rows of ``product_product.json`` as (product, 上游材料, material) or (general, 产品小类, specific),
    names cleaned; a 下游产品 row is turned round into 上游材料. Rows without both names, self-loops and
    unknown relations are reported, not yielded."""
    file = "product_product.json"
    for row in read_jsonl(Path(directory) / file, report):
        a, rel, b = clean_name(row.get("from_entity")), row.get("rel"), clean_name(row.get("to_entity"))
        if not a or not b:
            report.drop(file, "missing_field", str(row)[:40])
        elif a == b:
            report.drop(file, "self_loop", a)
        elif rel in ("上游材料", "产品小类"):
            yield a, rel, b
        elif rel == "下游产品":
            yield b, "上游材料", a
        else:
            report.drop(file, "unknown_relation", f"{a} {rel} {b}")


def upstream_pairs(directory: str | Path) -> Iterator[tuple[str, str]]:
    """Every (product, material) pair of ``product_product.json`` (上游材料 rows and reversed 下游产品 rows),
    without the graph's noise filters: the raw pairs that matching's chain features read."""
    for a, rel, b in product_relations(directory, LoadReport()):
        if rel == "上游材料":
            yield a, b


def _load_product_relations(
    G: nx.DiGraph,
    root: Path,
    sold: set[str],
    keep_recipes: bool,
    report: LoadReport,
) -> None:
    file = "product_product.json"
    upstream: list[tuple[str, str]] = []  # (product, material)
    subtypes: list[tuple[str, str]] = []  # (general, specific)
    for a, rel, b in product_relations(root, report):
        if _not_a_name(a) or _not_a_name(b):
            report.drop(file, "not_a_name", f"{a}→{b}")
        elif rel == "产品小类":
            subtypes.append((a, b))
        else:
            upstream.append((a, b))
    materials: dict[str, set[str]] = defaultdict(set)
    for product, material in upstream:
        materials[product].add(material)
    dishes = set() if keep_recipes else recipe_products(materials, sold)
    for product, material in upstream:
        reason = "recipe" if product in dishes else ""
        _add_relation(G, file, material, product, EdgeKind.UPSTREAM, reason, report)
    for general, specific in subtypes:
        _add_relation(
            G, file, general, specific, EdgeKind.SUBTYPE, "recipe" if specific in dishes else "", report
        )


def _add_relation(
    G: nx.DiGraph, file: str, source: str, target: str, kind: EdgeKind, reason: str, report: LoadReport
) -> None:
    s, t = product_id(source), product_id(target)
    if not reason and (G.has_edge(s, t) or (kind is EdgeKind.SUBTYPE and G.has_edge(t, s))):
        reason = "duplicate_pair"
    if reason:
        report.drop(file, reason, f"{source}→{target}")
        return
    _add_product(G, source)
    _add_product(G, target)
    G.add_edge(s, t, kind=kind.value)

