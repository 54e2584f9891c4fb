"""Registries with a realistic vocabulary for speed and load benchmarks, grown from the real corpus.

The generated sample (``matcher.sample``) gives valid enterprises (USCC, parks, tiers, indicators) but names
only ~720 distinct products however many enterprises it makes, so any cost that follows the vocabulary looks
free on it. ``realistic_sample(n)`` keeps the sample's records and gives enterprise ``i`` the products of
listed company ``i mod 3,832`` of ``/work/shared/eval/corpus.jsonl`` (read at run time, never copied;
accounting items dropped, revenue weights kept as shares). Copy ``k >= 1`` of a company renames each product
with one catalogue-style qualifier (grade, material, application or process: 车规级, 高纯, 光伏用…) drawn by a
seeded RNG per (copy, product), so distinct names grow with the registry as they do in a real one: about 10
per enterprise (the corpus itself has 39,266 for 3,832 firms). ``vocabulary(enterprises)`` counts them.

    >>> sample = realistic_sample(10_000)          # doctest: +SKIP
    >>> vocabulary(sample.enterprises) / 10_000    # doctest: +SKIP
    9.9
"""

from __future__ import annotations

import json
import math
import os
import random
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from matcher.domain import Enterprise, Product
from matcher.domain.clean import strip_controls
from matcher.encoders.base import l2_normalize
from matcher.sample import Sample, generate_sample
from matcher.text.normalize import clean_products

SHARED = Path(os.environ.get("MATCHER_SHARED_DIR", Path(__file__).resolve().parent.parent.parent / "shared"))
CORPUS = SHARED / "eval" / "corpus.jsonl"

# Qualifiers as product catalogues write them (grade, material, application, process, form).
QUALIFIERS: tuple[str, ...] = (
    "车规级",
    "工业级",
    "医用",
    "食品级",
    "电子级",
    "高纯",
    "精密",
    "超薄",
    "大尺寸",
    "微型",
    "重型",
    "轻量化",
    "耐高温",
    "耐腐蚀",
    "阻燃",
    "低功耗",
    "高强度",
    "高导热",
    "环保型",
    "改性",
    "复合",
    "特种",
    "智能",
    "数字化",
    "定制",
    "模块化",
    "一体化",
    "光伏用",
    "风电用",
    "半导体用",
    "新能源汽车用",
    "储能用",
    "5G",
    "船用",
    "军工级",
    "出口型",
    "国产化",
    "无铅",
    "水性",
    "纳米",
    "高精度",
    "低温",
    "高压",
    "柔性",
)
FORMS: tuple[str, ...] = ("", "", "", "系列", "组件", "套件", "总成", "材料")
MAX_PRODUCTS = 20


def corpus_products(path: Path = CORPUS) -> list[list[tuple[str, float]]]:
    """Each corpus company's products (accounting items dropped), in file order; companies without any skipped."""
    if not path.exists():
        raise FileNotFoundError(f"找不到语料 {path}：真实词表的登记库需要 ../shared/eval/corpus.jsonl")
    companies = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            # a few corpus names hold line breaks, which product names refuse: read them as spaces
            raw = [
                (strip_controls(str(p["name"])), float(p.get("weight") or 0.0))
                for p in record.get("products", [])
            ]
            products = clean_products(raw)[:MAX_PRODUCTS]
            if products:
                companies.append(products)
    return companies


Parts = tuple[str, str, str]  # (qualifier, corpus name, form) of a renamed product name


def renamed_parts(name: str, rng: random.Random) -> tuple[str, Parts]:
    """``name`` with one qualifier before it and sometimes a form after it, within the 200-character limit,
    and the parts it was made of."""
    qualifier, form = rng.choice(QUALIFIERS), rng.choice(FORMS)
    form = form if not name.endswith(form) else ""
    return f"{qualifier}{name}{form}"[:200], (qualifier, name, form)


def renamed(name: str, rng: random.Random) -> str:
    """``name`` with one qualifier before it and sometimes a form after it, within the 200-character limit."""
    return renamed_parts(name, rng)[0]


def products_for(
    copy: int, company: Sequence[tuple[str, float]], seed: int, parts: dict[str, Parts] | None = None
) -> list[Product]:
    """Copy ``copy`` of one corpus company's products as registry products (copy 0 keeps the real names);
    ``parts`` (when given) learns what each renamed name was made of."""
    total = sum(w for _, w in company) or 1.0
    rng = random.Random(f"{seed}:{copy}")
    products, seen = [], set()
    for name, weight in company:
        shown, made_of = (name, ("", name, "")) if copy == 0 else renamed_parts(name, rng)
        if parts is not None:
            parts.setdefault(shown, made_of)
        if shown not in seen:
            seen.add(shown)
            # rounded down: shares rounded to nearest could add up past 100%, which the store refuses on read
            products.append(Product(name=shown, share=math.floor(min(weight / total, 1.0) * 1e4) / 1e4))
    return products


def realistic_sample(
    n: int, *, seed: int = 2025, corpus: Path = CORPUS, parts: dict[str, Parts] | None = None
) -> Sample:
    """``generate_sample(seed, n)`` with each enterprise's products replaced by a realistic copy (module doc);
    ``parts`` (when given) learns what each product name was made of (``DerivedEncoder``)."""
    sample = generate_sample(seed=seed, n_enterprises=n)
    companies = corpus_products(corpus)
    sample.enterprises = [
        e.model_copy(
            update={"products": products_for(i // len(companies), companies[i % len(companies)], seed, parts)}
        )
        for i, e in enumerate(sample.enterprises)
    ]
    return sample


class DerivedEncoder:
    """Vectors of a realistic registry's texts composed from real vectors of their parts, where encoding
    every text is too slow for the machine (~1M distinct names at 100k enterprises: hours under load).

    A renamed product name ``qualifier + corpus name + form`` gets ``unit(v(name) + a·v(qualifier) +
    b·v(form))``; a company profile gets ``unit(sum of share·v(product) + c·v(industry))``; every part is
    encoded for real by ``encoder`` (the corpus's ~36k names, 44 qualifiers, 7 forms, the industries), and
    any other text (queries, chain materials) too. ``calibrate`` chooses a, b, c on a sample of real
    registry texts (never queries) and reports the cosine of the derived vectors to the real ones.
    """

    def __init__(
        self, encoder: Any, parts: dict[str, Parts], profiles: dict[str, tuple[list[tuple[str, float]], str]]
    ) -> None:
        self.encoder, self.parts, self.profiles = encoder, parts, profiles
        self.model_id = f"{encoder.model_id}+derived"
        self.dim = encoder.dim
        self.a, self.b, self.c = 0.5, 0.25, 0.3

    def _names(self, names: Sequence[str]) -> np.ndarray:
        made = [self.parts[n] for n in names]
        pieces = list(dict.fromkeys(p for m in made for p in m if p))
        vec = dict(zip(pieces, self.encoder.encode(pieces), strict=True))
        zero = np.zeros(self.dim, dtype=np.float32)
        out = np.stack(
            [vec[n] + self.a * (vec[q] if q else zero) + self.b * (vec[f] if f else zero) for q, n, f in made]
        )
        return l2_normalize(out)

    def _profiles(self, texts: Sequence[str]) -> np.ndarray:
        made = [self.profiles[t] for t in texts]
        names = list(dict.fromkeys(n for products, _ in made for n, _ in products))
        vec = dict(zip(names, self._names(names), strict=True)) if names else {}
        industries = list(dict.fromkeys(i for _, i in made if i))
        ind = dict(zip(industries, self.encoder.encode(industries), strict=True)) if industries else {}
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, (products, industry) in enumerate(made):
            for name, share in products:
                out[row] += max(share, 0.05) * vec[name]
            if industry:
                out[row] += self.c * ind[industry]
        return l2_normalize(out)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Derived vectors for the registry's names and profiles, real ones for anything else."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        kinds: dict[str, list[int]] = {"name": [], "profile": [], "other": []}
        for i, t in enumerate(texts):
            kinds["name" if t in self.parts else "profile" if t in self.profiles else "other"].append(i)
        for kind, rows in kinds.items():
            if rows:
                chosen = [texts[i] for i in rows]
                make = {"name": self._names, "profile": self._profiles, "other": self.encoder.encode}[kind]
                out[rows] = make(chosen)
        return out

    def calibrate(self, names: Sequence[str], profiles: Sequence[str]) -> dict[str, float]:
        """Choose a, b, c to bring derived vectors nearest the real ones of ``names`` / ``profiles``
        (registry texts); the mean cosines reached, and those of the real corpus name alone as a floor."""
        real_names, real_profiles = self.encoder.encode(list(names)), self.encoder.encode(list(profiles))
        best = (-1.0, self.a, self.b)
        for a in (0.25, 0.5, 0.75, 1.0):
            for b in (0.0, 0.25, 0.5):
                self.a, self.b = a, b
                cos = float(np.mean(np.sum(self._names(names) * real_names, axis=1)))
                best = max(best, (cos, a, b))
        _, self.a, self.b = best
        base = l2_normalize(self.encoder.encode([self.parts[n][1] for n in names]))
        best_c = (-1.0, self.c)
        for c in (0.0, 0.15, 0.3, 0.5):
            self.c = c
            best_c = max(
                best_c, (float(np.mean(np.sum(self._profiles(profiles) * real_profiles, axis=1))), c)
            )
        _, self.c = best_c
        return {
            "a": self.a,
            "b": self.b,
            "c": self.c,
            "name_cos": best[0],
            "name_cos_base_only": float(np.mean(np.sum(base * real_names, axis=1))),
            "profile_cos": best_c[0],
        }


def vocabulary(enterprises: Iterable[Enterprise]) -> int:
    """How many distinct product names ``enterprises`` hold."""
    return len({p.name for e in enterprises for p in e.products})
