"""Chain templates (``data/chains/*.yaml``): a minimal reader and the validator park staff and tests use.

The graph package owns the full loader; this module reads just enough to generate sample data and to
check a template before it is shipped: unique ids, known upstream ids, no cycles, valid GB/T codes and
(a separate check) no keyword that is part of another link's keyword, which would make linking ambiguous.

>>> t = load_templates()["新能源汽车"]
>>> from matcher.sample.validate import validate_template
>>> validate_template(t)
[]
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from matcher.settings import DATA_DIR

CHAINS_DIR = DATA_DIR / "chains"
STAGES = ("上游", "中游", "下游")


@dataclass(frozen=True, slots=True)
class ChainLink:
    """One link (环节) of an industrial chain."""

    id: str
    name: str
    stage: str
    gbt: str | None
    keywords: tuple[str, ...]
    upstream: tuple[str, ...]

    @property
    def terms(self) -> tuple[str, ...]:
        """The name and the keywords: every string that counts as this link in a product name."""
        return (self.name, *(k for k in self.keywords if k != self.name))


@dataclass(frozen=True, slots=True)
class ChainTemplate:
    industry: str
    version: int
    description: str
    links: tuple[ChainLink, ...]

    def link(self, link_id: str) -> ChainLink:
        for link in self.links:
            if link.id == link_id:
                return link
        raise KeyError(f"产业链“{self.industry}”中没有环节 {link_id}")

    def downstream_of(self, link_id: str) -> list[ChainLink]:
        """Links that list ``link_id`` among their upstream links."""
        return [link for link in self.links if link_id in link.upstream]


def _link(raw: dict[str, Any]) -> ChainLink:
    gbt = raw.get("gbt")
    return ChainLink(
        id=str(raw["id"]),
        name=str(raw["name"]),
        stage=str(raw.get("stage", "")),
        gbt=str(gbt) if gbt is not None else None,
        keywords=tuple(str(k) for k in raw.get("keywords") or ()),
        upstream=tuple(str(u) for u in raw.get("upstream") or ()),
    )


def parse_template(raw: dict[str, Any]) -> ChainTemplate:
    """A template from the parsed YAML mapping (no validation beyond required keys)."""
    return ChainTemplate(
        industry=str(raw["industry"]),
        version=int(raw.get("version", 1)),
        description=str(raw.get("description", "")).strip(),
        links=tuple(_link(item) for item in raw.get("links") or ()),
    )


def load_template(path: Path) -> ChainTemplate:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is 10x faster when present
    with path.open(encoding="utf-8") as f:
        return parse_template(yaml.load(f, Loader=loader))  # noqa: S506 - a safe loader


@lru_cache(maxsize=4)
def load_templates(directory: Path = CHAINS_DIR) -> dict[str, ChainTemplate]:
    """All templates of ``directory`` by industry name, in file-name order."""
    templates = [load_template(p) for p in sorted(directory.glob("*.yaml"))]
    return {t.industry: t for t in templates}


class LinkRef(NamedTuple):
    """A link of a template, by industry and link id (``LinkRef("新能源汽车", "cathode")``)."""

    industry: str
    link: str


def upstream_closure(template: ChainTemplate, link_id: str, depth: int = 2) -> list[str]:
    """Links feeding ``link_id`` within ``depth`` steps, nearest first, without repeats."""
    seen: list[str] = []
    frontier = [link_id]
    for _ in range(depth):
        frontier = [up for lid in frontier for up in template.link(lid).upstream if up not in seen]
        seen += list(dict.fromkeys(frontier))
    return seen
