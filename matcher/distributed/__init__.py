"""Past one machine: shard builds on Ray Data and index shards served by Ray Serve (``docs/scale.md``).

``make_engine(name)`` picks a build engine (``local``: this process, the reference; ``ray``: Ray Data and
encoder actors), ``build_shards`` runs a build, ``LocalShards`` / ``RayShards`` answer top-k over the shards.
Ray is imported only by ``ray_build`` and ``ray_serve``, and only when the Ray engine is asked for.
"""

from __future__ import annotations

from pathlib import Path

from matcher.distributed.base import BuildEngine, ShardSearch

ENGINES = ("local", "ray")


def make_engine(
    name: str,
    encoder: str,
    *,
    workers: int = 2,
    address: str | None = None,
    cache_dir: Path | None = None,
) -> BuildEngine:
    """The build engine called ``name`` (``local`` or ``ray``), encoding with the encoder ``encoder``."""
    if name == "local":
        from matcher.distributed.local import LocalEngine

        return LocalEngine(encoder, cache_dir=cache_dir)
    if name == "ray":
        from matcher.distributed.ray_build import RayEngine

        return RayEngine(encoder, workers=workers, address=address, cache_dir=cache_dir)
    raise ValueError(f"未知的建索引引擎 {name!r}；可选：{', '.join(ENGINES)}")


__all__ = ["ENGINES", "BuildEngine", "ShardSearch", "make_engine"]
