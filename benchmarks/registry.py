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
import os
import random
from collections.abc import Iterable, Sequence
from pathlib import Path

from matcher.domain import Enterprise, Product
from matcher.domain.clean import strip_controls
from matcher.sample import Sample, generate_sample
from matcher.text.normalize import clean_products

SHARED = Path(os.environ.get("MATCHER_SHARED_DIR", Path(__file__).resolve().parent.parent.parent / "shared"))
CORPUS = SHARED / "eval" / "corpus.jsonl"

# Qualifiers as product catalogues write them (grade, material, application, process, form).
QUALIFIERS: tuple[str, ...] = (
    "车规级", "工业级", "医用", "食品级", "电子级", "高纯", "精密", "超薄", "大尺寸", "微型", "重型", "轻量化",
    "耐高温", "耐腐蚀", "阻燃", "低功耗", "高强度", "高导热", "环保型", "改性", "复合", "特种", "智能",
    "数字化", "定制", "模块化", "一体化", "光伏用", "风电用", "半导体用", "新能源汽车用", "储能用", "5G",
    "船用", "军工级", "出口型", "国产化", "无铅", "水性", "纳米", "高精度", "低温", "高压", "柔性",
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
            raw = [(strip_controls(str(p["name"])), float(p.get("weight") or 0.0)) for p in record.get("products", [])]
            products = clean_products(raw)[:MAX_PRODUCTS]
            if products:
                companies.append(products)
    return companies


def renamed(name: str, rng: random.Random) -> str:
    """``name`` with one qualifier before it and sometimes a form after it, within the 200-character limit."""
    qualifier, form = rng.choice(QUALIFIERS), rng.choice(FORMS)
    return f"{qualifier}{name}{form if not name.endswith(form) else ''}"[:200]


def products_for(copy: int, company: Sequence[tuple[str, float]], seed: int) -> list[Product]:
    """Copy ``copy`` of one corpus company's products as registry products (copy 0 keeps the real names)."""
    total = sum(w for _, w in company) or 1.0
    rng = random.Random(f"{seed}:{copy}")
    products, seen = [], set()
    for name, weight in company:
        shown = name if copy == 0 else renamed(name, rng)
        if shown not in seen:
            seen.add(shown)
            products.append(Product(name=shown, share=round(min(weight / total, 1.0), 4)))
    return products


def realistic_sample(n: int, *, seed: int = 2025, corpus: Path = CORPUS) -> Sample:
    """``generate_sample(seed, n)`` with each enterprise's products replaced by a realistic copy (module doc)."""
    sample = generate_sample(seed=seed, n_enterprises=n)
    companies = corpus_products(corpus)
    sample.enterprises = [
        e.model_copy(update={"products": products_for(i // len(companies), companies[i % len(companies)], seed)})
        for i, e in enumerate(sample.enterprises)
    ]
    return sample


def vocabulary(enterprises: Iterable[Enterprise]) -> int:
    """How many distinct product names ``enterprises`` hold."""
    return len({p.name for e in enterprises for p in e.products})
