"""``build_shards``: texts of the registry -> vector shards -> trained quantizer -> N index shards + manifest.

The same steps for every engine; the engine only decides where encoding and shard filling run. Everything
is written into a scratch directory beside ``out`` and swapped in at the end (``shards.publish``), so a
failed or interrupted build leaves the previous one in place.

Example::

    engine = make_engine("ray", encoder="use-m3", workers=2)
    manifest = build_shards(docs, settings.home / "shards", engine, n_shards=2, model_id="use-m3", dim=512)
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from matcher.distributed.base import BuildEngine
from matcher.distributed.shards import (
    RoleInfo,
    ShardManifest,
    created_now,
    nlist_for,
    publish,
    role_texts,
    scratch_dir,
    shard_dir,
    training_ids,
    vectors_dir,
)
from matcher.distributed.vectors import train_quantizer
from matcher.retrieval.storage import read_manifest
from matcher.text.profiles import ProfileDoc

Report = Callable[[str], None]


def build_shards(
    docs: Iterable[ProfileDoc],
    out: Path,
    engine: BuildEngine,
    *,
    n_shards: int,
    model_id: str,
    nprobe: int = 0,
    report: Report = lambda _: None,
) -> ShardManifest:
    """Encode the names and profiles of ``docs`` with ``engine`` and build ``n_shards`` IVF index shards."""
    if n_shards < 1:
        raise ValueError(f"分片数必须为正整数，实际为 {n_shards!r}")
    texts = {role: part for role, part in role_texts(docs).items() if part.texts}
    tmp, seconds, roles, dim = scratch_dir(out), {}, {}, 0
    try:
        start = time.perf_counter()
        engine.encode(texts, tmp / "vectors", n_shards)
        seconds["encode"] = round(time.perf_counter() - start, 3)
        counts = "，".join(f"{role} {len(part.texts)}" for role, part in texts.items())
        report(
            f"编码 {counts} 条（{engine.name}，{engine.workers} 个编码进程），用时 {seconds['encode']:.1f} 秒"
        )
        for role, part in texts.items():
            start = time.perf_counter()
            nlist = nlist_for(len(part.ids))
            quantizer = tmp / "quantizer" / role
            train_quantizer(
                tmp / vectors_dir(role), training_ids(part.ids, nlist), quantizer,
                nlist=nlist, nprobe=nprobe, model_id=model_id,
            )  # fmt: skip
            outs = [tmp / shard_dir(role, s) for s in range(n_shards)]
            filled = engine.fill_shards(tmp / vectors_dir(role), quantizer, outs, model_id)
            seconds[f"index_{role}"] = round(time.perf_counter() - start, 3)
            report(f"{role}：{n_shards} 个分片 {filled}，建索引用时 {seconds[f'index_{role}']:.1f} 秒")
            shards = [shard_dir(role, s) for s in range(n_shards)]
            roles[role] = RoleInfo(sum(filled), nlist, shards, vectors_dir(role))
            dim = read_manifest(quantizer).dim
        manifest = ShardManifest(
            model_id=model_id, dim=dim, n_shards=n_shards, nprobe=nprobe, engine=engine.name, workers=engine.workers, roles=roles,
            seconds=seconds, created=created_now(),
        )  # fmt: skip
        manifest.write(tmp)
        publish(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest
