"""Memory of the matching pool's enterprise records: pydantic objects (what a worker held) against
``matcher.ranking.records.Records`` (columns and compressed JSON), the cost of decoding one record, and of reading
a packed column whole (``Packed.__iter__``) against item by item.

Usage (from the repository root)::

    python benchmarks/bench_records.py [--n 5000]

The registry is ``benchmarks/registry.py``'s realistic one (products of real listed companies, renamed per
copy); memory is what ``tracemalloc`` counts while each form is built (objects: unpickled, as from the
store), scaled to 100,000 enterprises.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from registry import realistic_sample  # noqa: E402

from matcher.ranking.records import Records  # noqa: E402


def allocated(make: Callable[[], Any]) -> int:
    """Bytes held by what ``make`` returns (traced allocations alive after it returns)."""
    tracemalloc.start()
    try:
        kept = make()
        size = tracemalloc.get_traced_memory()[0]
        del kept
        return size
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="enterprises in the realistic registry")
    args = parser.parse_args()
    firms = realistic_sample(args.n).enterprises
    blob = pickle.dumps(firms)
    objects, compact = allocated(lambda: pickle.loads(blob)), allocated(lambda: Records.of(firms))
    shelf = Records.of(firms)
    started = time.perf_counter()
    for i in range(min(1000, len(shelf))):
        shelf[i]
    decode_us = (time.perf_counter() - started) / min(1000, len(shelf)) * 1e6
    started = time.perf_counter()
    list(shelf.names)  # a whole column, as the event scorer and name look-ups once read it
    whole_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    [shelf.names[i] for i in range(len(shelf))]  # the baseline: item by item
    by_item_ms = (time.perf_counter() - started) * 1000
    scale = 100_000 / args.n / 1e6
    print(
        f"{args.n} realistic enterprises; per 100,000: pydantic objects {objects * scale:.0f} MB, "
        f"Records {compact * scale:.0f} MB (1/{objects / compact:.1f}); one record decoded in {decode_us:.0f} µs; "
        f"the names column read whole in {whole_ms:.1f} ms, item by item in {by_item_ms:.1f} ms"
    )


if __name__ == "__main__":
    main()
