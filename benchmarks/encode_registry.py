"""Encode a realistic registry's texts once, into the shared embedding cache (``Settings.cache_dir``).

``--all``: every distinct product name and company profile of ``realistic_sample(size)`` (997,090 names
and 100,000 profiles at 100k), chunk by chunk with progress, resumable. About 20 minutes with ``use-m3``
on a quiet 2-core machine; under a load average of 15-19 it encoded ~70 names/s and not one chunk of
8,192 profiles in 25 minutes, so the 100k benchmarks use derived vectors instead:

default (``--parts``): the parts ``registry.DerivedEncoder`` composes vectors from: the corpus's ~36k
product names, the qualifiers and forms. Every later benchmark, worker and restart reads them from the
cache and encodes nothing twice.

    MATCHER_HOME=.matcher/bench python benchmarks/encode_registry.py            # the parts
    MATCHER_HOME=.matcher/bench python benchmarks/encode_registry.py --all --size 100000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.registry import FORMS, QUALIFIERS, corpus_products, realistic_sample  # noqa: E402
from matcher.encoders.cache import EmbeddingCache, text_key  # noqa: E402
from matcher.encoders.factory import get_encoder  # noqa: E402
from matcher.settings import get_settings  # noqa: E402
from matcher.text.profiles import ProfileDoc, enterprise_profile  # noqa: E402


def registry_texts(size: int) -> tuple[list[str], list[str]]:
    """The distinct product names and the company profile texts of ``realistic_sample(size)``."""
    docs = [ProfileDoc.from_enterprise(e) for e in realistic_sample(size).enterprises]
    names = list(dict.fromkeys(name for d in docs for name in d.product_names))
    profiles = list(dict.fromkeys(enterprise_profile(d) for d in docs))
    return names, profiles


def encode_into_cache(texts: list[str], label: str, encoder_name: str, chunk: int) -> None:
    """Encode the ``texts`` the cache lacks, ``chunk`` at a time, printing progress."""
    settings = get_settings()
    cache = EmbeddingCache(settings.cache_dir / "embeddings.sqlite")
    encoder = get_encoder(encoder_name)
    keys = [text_key(t) for t in texts]
    have = set(cache.get(encoder.model_id, "d", keys))
    missing = [t for t, k in zip(texts, keys, strict=True) if k not in have]
    print(f"{label}: {len(texts):,} texts, {len(have):,} cached, {len(missing):,} to encode", flush=True)
    start = time.perf_counter()
    for i in range(0, len(missing), chunk):
        part = missing[i : i + chunk]
        cache.put(encoder.model_id, "d", [text_key(t) for t in part], encoder.encode(part))
        done = i + len(part)
        rate = done / (time.perf_counter() - start)
        print(
            f"{label}: {done:,}/{len(missing):,} ({rate:.0f}/s, ~{(len(missing) - done) / rate / 60:.1f} min left)",
            flush=True,
        )
    cache.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=100_000, help="enterprises of the realistic registry")
    parser.add_argument("--encoder", default=get_settings().encoder)
    parser.add_argument("--chunk", type=int, default=8192)
    parser.add_argument("--all", action="store_true", help="every name and profile, not only the parts")
    args = parser.parse_args()
    if not args.all:
        names = list(dict.fromkeys(n for company in corpus_products() for n, _ in company))
        parts = [*QUALIFIERS, *(f for f in FORMS if f)]
        encode_into_cache(parts + names, "parts", args.encoder, args.chunk)
        return
    names, profiles = registry_texts(args.size)
    print(
        f"realistic registry of {args.size:,}: {len(names):,} distinct names, {len(profiles):,} profiles; "
        f"cache {get_settings().cache_dir}",
        flush=True,
    )
    encode_into_cache(profiles, "profiles", args.encoder, args.chunk)
    encode_into_cache(names, "names", args.encoder, args.chunk)


if __name__ == "__main__":
    main()
