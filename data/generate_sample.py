"""Write the bundled sample to ``data/sample/`` as CSV in the import format (Chinese headers, UTF-8).

    python data/generate_sample.py [--seed 2025] [--n 300] [--out data/sample]

Also writes ``expected.json`` (gaps, weak links, link of every enterprise and demand) for tests and demos,
and ``event.yaml``, the sample 供需对接会 (``matcher event create data/sample/event.yaml``).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel

from matcher.io.columns import Kind
from matcher.io.exporter import render, write_atomic
from matcher.sample.event import render_event_yaml, sample_event
from matcher.sample.generator import Sample, generate_sample

DEFAULT_OUT = Path(__file__).resolve().parent / "sample"


def write_csv(path: Path, kind: Kind, records: Sequence[BaseModel]) -> int:
    """Through the same writer as ``matcher export``, so ``matcher import`` reads it back exactly."""
    write_atomic(path, render({kind: records}, "csv"))
    return len(records)


def expected(sample: Sample) -> dict[str, object]:
    return {
        "seed": sample.seed,
        "reference_date": sample.reference_date.isoformat(),
        "expected_gaps": sample.expected_gaps,
        "expected_weak_links": sample.expected_weak_links,
        "enterprise_links": {k: [list(r) for r in v] for k, v in sample.enterprise_links.items()},
        "demand_links": {k: list(v) for k, v in sample.demand_links.items()},
        "true_tiers": {k: v.value for k, v in sample.true_tiers.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="生成示例数据（园区、企业、需求）")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--n", type=int, default=300, help="企业数量")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    sample = generate_sample(seed=args.seed, n_enterprises=args.n)
    args.out.mkdir(parents=True, exist_ok=True)
    batches: tuple[tuple[Kind, Sequence[BaseModel]], ...] = (
        ("parks", sample.parks),
        ("enterprises", sample.enterprises),
        ("demands", sample.demands),
    )
    for kind, records in batches:
        print(f"{kind}.csv: {write_csv(args.out / f'{kind}.csv', kind, records)} 条")
    text = json.dumps(expected(sample), ensure_ascii=False, indent=1, sort_keys=True)
    (args.out / "expected.json").write_text(text + "\n", encoding="utf-8")
    (args.out / "event.yaml").write_text(render_event_yaml(sample_event(sample)), encoding="utf-8")
    print("event.yaml: 示例对接会")


if __name__ == "__main__":
    main()
