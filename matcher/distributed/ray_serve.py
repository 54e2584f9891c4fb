"""Index shards on Ray Serve: a deployment per shard (replicated), and a router that fans out and merges.

``IndexShard`` replica ``s`` loads shard ``s`` of every role of a build (memory-mapped by the OS page cache
when replicas share a node). ``ShardRouter`` sends a query to every shard at once, retries a shard call that
failed because its replica died (Serve sends the retry to a live replica), and merges the shards' top-k
(``shards.merge``; the index scores are exact inner products, IVF-Flat). The engine's candidate search then
reranks the companies these name with the exact matching features (``matcher.retrieval.candidates``).

Deploy with ``matcher index serve``; query with ``RayShards`` from any process connected to the cluster::

    deploy(Path("~/.local/share/matcher/shards"), replicas=2)   # 2 shards x 2 replicas + a router
    RayShards().search("names", vectors, k=300)
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import numpy as np

from matcher.distributed.base import ShardSearch
from matcher.distributed.shards import merge, read_shard_manifest
from matcher.errors import IndexError_
from matcher.retrieval.base import Retriever, SearchResults

try:
    import ray
    from ray import serve
    from ray.exceptions import ActorUnavailableError, RayActorError
    from ray.serve.handle import DeploymentHandle
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("Ray Serve 分片服务需要安装 ray：pip install 'matcher[distributed]'") from exc

APP = "matcher-shards"
RETRIES = 3  # attempts per shard call; a replica killed mid-call costs one
TIMEOUT_S = 30.0


@serve.deployment(ray_actor_options={"num_cpus": 0})
class IndexShard:
    """Shard ``shard`` of every role of the build in ``directory``."""

    def __init__(self, directory: str, shard: int) -> None:
        from matcher.retrieval.factory import load_retriever

        manifest = read_shard_manifest(directory)
        self.retrievers: dict[str, Retriever] = {
            role: load_retriever(Path(directory) / info.shards[shard])
            for role, info in manifest.roles.items()
        }

    def search(self, role: str, queries: np.ndarray, k: int) -> SearchResults:
        return self.retrievers[role].search(queries, k)

    def count(self, role: str) -> int:
        return len(self.retrievers[role]) if role in self.retrievers else 0


@serve.deployment(ray_actor_options={"num_cpus": 0})
class ShardRouter:
    """Fans a query out to every shard deployment and merges their top-k."""

    def __init__(self, *shards: DeploymentHandle) -> None:
        self.shards = shards

    async def _ask(self, shard: DeploymentHandle, method: str, *args: Any) -> Any:
        for attempt in range(RETRIES):
            try:
                return await getattr(shard, method).remote(*args)
            except (RayActorError, ActorUnavailableError):
                if attempt == RETRIES - 1:
                    raise
                await asyncio.sleep(0.05 * 2**attempt)  # the controller is replacing the dead replica
        raise AssertionError("unreachable")  # pragma: no cover

    async def search(self, role: str, queries: np.ndarray, k: int) -> SearchResults:
        found = await asyncio.gather(*(self._ask(s, "search", role, queries, k) for s in self.shards))
        return merge(found, k)

    async def count(self, role: str) -> int:
        return sum(await asyncio.gather(*(self._ask(s, "count", role) for s in self.shards)))


def deploy(directory: Path, *, replicas: int = 2, name: str = APP) -> DeploymentHandle:
    """Deploy the build in ``directory`` on the connected Ray: one deployment per shard with ``replicas``
    replicas, behind a router (no HTTP route: callers use handles, inside the cluster)."""
    manifest = read_shard_manifest(directory)
    shard: Any = IndexShard  # serve.deployment's typing hides the Deployment methods (options, bind)
    router: Any = ShardRouter
    shards = [
        shard.options(name=f"shard-{s}", num_replicas=replicas).bind(str(directory), s)
        for s in range(manifest.n_shards)
    ]
    serve.start(proxy_location="Disabled")
    return serve.run(router.bind(*shards), name=name, route_prefix=None)


class RayShards(ShardSearch):
    """The router of a deployed shard application, called from this process (connected to the cluster)."""

    def __init__(self, name: str = APP, *, address: str | None = None, timeout_s: float = TIMEOUT_S) -> None:
        if not ray.is_initialized():
            ray.init(address=address or "auto", include_dashboard=False, log_to_driver=False)
        try:
            self.router = serve.get_app_handle(name)
        except Exception as exc:  # Serve raises RayServeException, or ValueError when nothing is deployed
            raise IndexError_(
                f"Ray 集群上没有分片服务 {name!r}：请先运行 matcher index serve（{exc}）"
            ) from exc
        self.timeout_s = timeout_s

    def search(self, role: str, queries: np.ndarray, k: int) -> SearchResults:
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        result = self.router.search.remote(role, queries, int(k)).result(timeout_s=self.timeout_s)
        return SearchResults(*result)

    def count(self, role: str) -> int:
        return int(self.router.count.remote(role).result(timeout_s=self.timeout_s))
