"""Memory of a process as Linux accounts it, for the benchmarks that report per-worker memory."""

from __future__ import annotations


def rollup(pid: int | str = "self") -> dict[str, float]:
    """Resident memory of a process from ``/proc/<pid>/smaps_rollup``, in MB: ``rss``, ``pss`` (private plus
    its share of pages several processes map), ``private`` (Private_Clean + Private_Dirty: pages only this
    process holds) and ``shared`` (Shared_Clean + Shared_Dirty: pages mapped by other processes too)."""
    kb: dict[str, int] = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                kb[parts[0].rstrip(":")] = int(parts[1])
    return {
        "rss": kb["Rss"] / 1024,
        "pss": kb["Pss"] / 1024,
        "private": (kb["Private_Clean"] + kb["Private_Dirty"]) / 1024,
        "shared": (kb["Shared_Clean"] + kb["Shared_Dirty"]) / 1024,
    }
