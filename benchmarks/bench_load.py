"""Load test of the matching API: ``matcher serve`` on the 100k-enterprise sample, driven open-loop.

Run from the repository root (the first run builds the store, ~2 minutes; later runs reuse it)::

    python benchmarks/bench_load.py                                   # 100k, 4 workers, 200 req/s, 60 s
    python benchmarks/bench_load.py --rate 200 --duration 60 --check  # exit 1 when the target is missed
    MATCHER_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench python benchmarks/bench_load.py

1. The store: ``--vocabulary realistic`` (default) is the sample with each enterprise's products taken from
   a real listed company and renamed per copy (``registry.py``: ~10.5 distinct product names per enterprise,
   405,200 at 38,320), ``--vocabulary sample`` is ``generate_sample(seed, n)`` as it is (~720 names at any
   size); imported into a SQLite file under ``--dir`` (or the database of ``MATCHER_DATABASE_URL``), rebuilt
   only when its enterprise count differs; a platform-admin API key is issued for the run.
2. In process, before the server starts (``--profile N``, 0 skips): where one supplier query's time goes,
   stage by stage, over N fresh demand texts, and the same queries through the whole-pool reference path
   (every company scored on every channel, eligibility tested per record, the pool sorted): the engine's
   former way of answering, on today's channel code. This also fills the embedding cache the workers read.
3. ``matcher serve`` on 127.0.0.1 (a free port) with ``--workers`` processes; warm-up until every worker
   has fitted its pool; a baseline of ``--baseline`` queries sent one at a time (fresh texts, so no cache
   can answer them): the service time of one query with nothing else running.
4. The load: requests at a constant arrival rate (open loop: each is sent at its scheduled time whatever
   the earlier ones are doing, and its latency counts from that time, so queueing anywhere is included)
   for ``--duration`` seconds, then the in-flight ones get ``--timeout`` seconds to finish.

5. With ``--edit-every S`` (seconds, 0: none), during the load one enterprise's profile is edited every S
   seconds over the API (PATCH /api/enterprises/{id}: its products plus one new product whose name no
   other enterprise has), and a probe (POST /api/match with that name, every 100 ms) measures how long
   until the edited enterprise is among the answers: the time to visible, printed per edit beside the
   load's latency with edits (the issue's target: visible within 2 s, no query slower than 1 s because of
   an edit). Run it once without edits for the baseline.

The mix (seeded): ``--stored-share`` of requests are GET /api/demands/{id}/suppliers for stored demands
drawn uniformly; the rest are POST /api/match with demand texts generated from the sample's chain
vocabulary (the templates' products and technology problems, phrased as the sample's demands are), of
which ``--repeat-share`` are drawn from ``--popular`` popular texts with Zipf weights 1/rank^1.1 and the
others are each sent once; 30% of them restrict regions and 10% require a certification.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from procmem import rollup  # noqa: E402
from registry import realistic_sample  # noqa: E402
from registry import vocabulary as distinct_names  # noqa: E402

from matcher.sample.chains import load_templates  # noqa: E402
from matcher.sample.demands import REASONS, REQUIREMENTS, SPECS  # noqa: E402
from matcher.sample.problems import PROBLEMS  # noqa: E402
from matcher.store import Store  # noqa: E402

TARGET_P95_MS = 200.0
CERTIFICATIONS = ("ISO 9001", "IATF 16949", "ISO 14001", "ISO 13485")
REGIONS = ("江苏省", "浙江省", "上海市", "湖南省", "广东省", "安徽省", "湖北省", "四川省")


# -- the store ------------------------------------------------------------------------------------------


def database_url(directory: Path) -> str:
    return os.environ.get("MATCHER_DATABASE_URL") or f"sqlite:///{directory / 'matcher.db'}"


def prepare_store(url: str, n: int, seed: int, vocabulary: str = "realistic") -> Store:
    """The store holding ``n`` enterprises, built when its enterprise count is not ``n``: the generated sample
    (~720 distinct product names) or, by default, the sample with realistic products (``registry.py``)."""
    from sqlalchemy import func, select

    from matcher.io import import_records
    from matcher.sample import generate_sample
    from matcher.store.tables import EnterpriseRow

    store = Store(url)
    with store.session() as s:
        count = s.scalar(select(func.count()).select_from(EnterpriseRow))
    if count == n:
        return store
    if count:
        raise SystemExit(f"{store.safe_url} 已有 {count} 家企业（需要 {n}）：请换一个 --dir 或清空该数据库")
    start = time.perf_counter()
    if vocabulary == "realistic":
        sample = realistic_sample(n, seed=seed)
    else:
        sample = generate_sample(seed=seed, n_enterprises=n)
    import_records(store, parks=sample.parks)
    for i in range(0, n, 10_000):
        import_records(store, enterprises=sample.enterprises[i : i + 10_000])
    import_records(store, demands=sample.demands)
    print(
        f"built the store: {n:,} enterprises ({distinct_names(sample.enterprises):,} distinct product names, "
        f"{vocabulary} vocabulary), {len(sample.demands):,} demands in {time.perf_counter() - start:.0f} s"
    )
    return store


def api_key(store: Store) -> str:
    """A fresh API key of the platform-admin account ``loadtest`` (created on first use)."""
    from matcher.auth import accounts
    from matcher.auth.principal import AccountRole

    if "loadtest" not in {a.username for a in accounts.list_accounts(store)}:
        accounts.create_account(store, username="loadtest", role=AccountRole.PLATFORM_ADMIN, password=None)
    from matcher.auth.tokens import KeyScope

    # read-write: the run edits profiles with --edit-every
    return accounts.issue_api_key(store, username="loadtest", name="bench_load", scope=KeyScope.WRITE).plain


def enterprise_ids(store: Store, n: int = 2000) -> list[int]:
    """The ids of ``n`` enterprises, for profile edits during the load."""
    from sqlalchemy import select

    from matcher.store.tables import EnterpriseRow

    with store.session() as s:
        return list(s.scalars(select(EnterpriseRow.id).order_by(EnterpriseRow.id).limit(n)))


def stored_demand_ids(store: Store) -> list[int]:
    from sqlalchemy import select

    from matcher.store.tables import DemandRow

    with store.session() as s:
        return list(s.scalars(select(DemandRow.id).order_by(DemandRow.id)))


# -- the query mix --------------------------------------------------------------------------------------


def demand_texts(seed: int, n: int) -> list[str]:
    """``n`` distinct demand texts from the chain templates' vocabulary, phrased as the sample's demands."""
    rng = random.Random(seed)
    templates = list(load_templates().values())
    seen: dict[str, None] = {}
    while len(seen) < n:
        t = rng.choice(templates)
        link = rng.choice(t.links)
        product = rng.choice(link.keywords or (link.name,))
        if rng.random() < 0.7:
            qty = f"{rng.choice((1, 2, 5, 8, 10, 20, 50, 120, 300, 800)) * rng.randint(1, 9)}"
            text = rng.choice(
                (
                    f"采购{product}{qty}{rng.choice(('吨', '套', '件', '台', '批'))}，{rng.choice(SPECS[t.industry])}",
                    f"因{rng.choice(REASONS)}，我司计划采购{product}约{qty}吨，要求供应商{rng.choice(REQUIREMENTS)}",
                    f"征集{product}合格供应商，年需求约{qty}套，{rng.choice(REQUIREMENTS)}",
                    f"寻找{product}供应商，{rng.choice(SPECS[t.industry])}，{rng.choice(REQUIREMENTS)}",
                )
            )
        else:
            _, topic, problem, targets = rng.choice(PROBLEMS[t.industry])
            text = rng.choice(
                (
                    f"寻求{topic}解决方案，需求：{problem}，{targets}",
                    f"{topic}技术攻关：{problem}。希望与{product}相关企业合作",
                    f"关于{topic}的技术合作需求，目标：{targets}；第{rng.randint(1, 99)}期",
                )
            )
        seen.setdefault(text, None)
    return list(seen)


@dataclass(frozen=True)
class Call:
    kind: str  # "text" (POST /api/match) or "stored" (GET /api/demands/{id}/suppliers)
    method: str
    path: str
    body: dict[str, Any] | None = None


@dataclass
class Mix:
    """The seeded request stream described in the module docstring."""

    fresh: Iterator[str]
    popular: list[str]
    demand_ids: list[int]
    stored_share: float
    repeat_share: float
    rng: random.Random = field(default_factory=lambda: random.Random(1))

    def __post_init__(self) -> None:
        weights = 1 / np.arange(1, len(self.popular) + 1) ** 1.1
        self.weights = list(weights / weights.sum())

    def text(self, fresh: bool = False) -> dict[str, Any]:
        if not fresh and self.popular and self.rng.random() < self.repeat_share:
            text = self.rng.choices(self.popular, weights=self.weights)[0]
        else:
            text = next(self.fresh)
        body: dict[str, Any] = {"text": text, "top": 10}
        if self.rng.random() < 0.3:
            body["regions"] = self.rng.sample(REGIONS, self.rng.randint(1, 2))
        if self.rng.random() < 0.1:
            body["certifications"] = [self.rng.choice(CERTIFICATIONS)]
        return body

    def next(self) -> Call:
        if self.demand_ids and self.rng.random() < self.stored_share:
            return Call("stored", "GET", f"/api/demands/{self.rng.choice(self.demand_ids)}/suppliers")
        return Call("text", "POST", "/api/match", self.text())


def make_mix(args: argparse.Namespace, demand_ids: list[int], total: int) -> Mix:
    fresh = iter(demand_texts(args.seed + 1, total + 1000))
    popular = demand_texts(args.seed + 2, args.popular)
    return Mix(fresh, popular, demand_ids, args.stored_share, args.repeat_share, random.Random(args.seed))


# -- in process: where a query's time goes ----------------------------------------------------------------


def profile_stages(url: str, home: Path, encoder: str, texts: Sequence[str]) -> None:
    """Time each stage of ``suppliers_for`` on fresh texts, and the whole-pool reference path."""
    from api.routes.matching import _suppliers
    from matcher.engine import Engine
    from matcher.engine.matching import SupplierSearch
    from matcher.ranking.constraints import Constraints, eligible
    from matcher.settings import Settings
    from matcher.text.demand import search_queries, understand_demand

    engine = Engine(Store(url), Settings(home=home, encoder=encoder))
    start = time.perf_counter()
    pool = engine.matching.match_pool()
    print(f"pool fitted in process: {len(pool.ids):,} enterprises in {time.perf_counter() - start:.1f} s")
    core, times = pool.core.main, {}  # the fitted core (a fresh pool has no changes beside it)

    def lap(name: str, t0: float) -> float:
        now = time.perf_counter()
        times.setdefault(name, []).append((now - t0) * 1000)
        return now

    c = Constraints(regions=("江苏省",), certifications=("ISO 9001",))
    for text in texts:
        t0 = time.perf_counter()
        engine.matching.match_pool()
        t0 = lap("registry check (count, newest id)", t0)
        understood = understand_demand(text)
        searches = search_queries(understood)
        t0 = lap("understand the demand (line items, roles, requirements)", t0)
        foci = core.foci([q.text for q in searches])
        core._items_vectors(list(understood.items))
        t0 = lap(f"encode focus texts and items ({engine.settings.encoder}, 1 thread, memory cache)", t0)
        per = [core._search_channels(q, focus) for q, focus in zip(searches, foci, strict=True)]
        t0 = lap("channels: item names per product, focus vs names/profiles, words, char TF-IDF", t0)
        for channels in per:
            core._fuse_search(channels)
        t0 = lap("fusion (RRF over each channel's best 200)", t0)
        mask = pool.eligibility.mask(c)
        t0 = lap("eligibility mask (coded)", t0)
        engine.matching._boost_terms(pool, 0)
        t0 = lap("boost terms (coded)", t0)
        top = core.top_suppliers(text, 10, eligible=mask)
        t0 = lap("top_suppliers (all of the above but the mask and boosts)", t0)
        result = SupplierSearch([], top.items, top.eligible, len(pool.ids), c)
        _suppliers(result).model_dump_json()
        lap("response model + JSON", t0)
    records = list(pool.records)  # the former pool held the records as objects: decoded once, untimed
    for text in texts[:10]:  # the reference: the former whole-pool way, on today's channel code
        t0 = time.perf_counter()
        ranking = core.rank_suppliers(text)
        scores = ranking.scores.copy()
        scores[
            ~np.fromiter((eligible(i, r, c) for i, r in zip(pool.ids, records, strict=True)), bool)
        ] = -np.inf
        np.argsort(-scores, kind="stable")[:10]
        lap("reference: whole pool, per-record eligibility, full sort", t0)
    print(
        f"\nstages of one supplier query on {len(pool.ids):,} enterprises (medians over {len(texts)} fresh texts)\n"
    )
    print("| stage | p50 ms | p95 ms |\n|---|---:|---:|")
    for name, values in times.items():
        p50, p95 = np.percentile(values, [50, 95])
        fmt = "{:,.0f}" if name.startswith("companies") else "{:.2f}"
        print(f"| {name} | {fmt.format(p50)} | {fmt.format(p95)} |")
    del engine, pool, core
    gc.collect()


# -- the server -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(url: str, home: Path, encoder: str, workers: int, log: Path) -> Iterator[tuple[str, int]]:
    """``matcher serve`` on a free loopback port, stopped (by its own process id) when the block ends."""
    port = free_port()
    env = {**os.environ, "MATCHER_DATABASE_URL": url, "MATCHER_HOME": str(home), "MATCHER_ENCODER": encoder}
    cmd = [sys.executable, "-m", "matcher.cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--workers", str(workers), "--log-level", "warning"]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        # workers fit their pool before they accept: minutes when the registry changed since the pool files
        # and indexes were written (an earlier run's edits), seconds when they are mapped
        deadline = time.monotonic() + 1200
        while not _accepts(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"服务未能启动（见 {log}）")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", proc.pid
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the session this benchmark started for the server
            proc.wait(10)


def _accepts(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def process_cpu(pid: int) -> dict[int, float]:
    """CPU seconds of the server process and each of its children (the uvicorn workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[int, float] = {}
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    for p in [pid, *map(int, children)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[p] = (int(fields[11]) + int(fields[12])) / tick
    return out


# -- the client -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    kind: str
    latency_ms: float  # from the scheduled send time to the end of the response
    done: float  # ``perf_counter`` time of the end of the response
    status: int  # 0: no response (timeout or connection error)
    cache: str  # the X-Matcher-Cache header: hit / miss / ""
    error: str = ""  # why there was no response


class Connection:
    """One keep-alive HTTP/1.1 connection: a load generator's own few lines, so that the client's CPU
    (which shares the machine with the server) stays small; httpx costs ~6 ms of CPU a request."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def request(self, head: bytes, body: bytes) -> tuple[int, dict[str, str], bytes]:
        self.writer.write(head + body)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("连接已被服务端关闭")
        status = int(status_line.split(b" ", 2)[1])
        headers: dict[str, str] = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        content = b""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            while size := int((await self.reader.readline()).split(b";")[0], 16):
                content += (await self.reader.readexactly(size + 2))[:-2]
            await self.reader.readline()
        else:
            content = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            raise ConnectionResetError("服务端要求关闭连接")
        return status, headers, content

    def close(self) -> None:
        self.writer.close()


class Clients:
    """Up to ``limit`` keep-alive connections, used in turn (first idle first), so the load spreads over
    the server's workers; a request waits for a connection when all are busy (counted in its latency)."""

    def __init__(self, base: str, key: str, limit: int, timeout: float) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.host, self.port, self.key, self.timeout = host, int(port), key, timeout
        self.idle: collections.deque[Connection] = collections.deque()
        self.slots = asyncio.Semaphore(limit)

    def _head(self, call: Call, body: bytes) -> bytes:
        lines = [
            f"{call.method} {call.path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            f"X-API-Key: {self.key}",
        ]
        if call.body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    async def send(self, call: Call, scheduled: float, timeout: float | None = None) -> Result:
        return (await self.exchange(call, scheduled, timeout))[0]

    async def exchange(
        self, call: Call, scheduled: float, timeout: float | None = None
    ) -> tuple[Result, bytes]:
        """``send``, with the response's body."""
        body = b"" if call.body is None else json.dumps(call.body, ensure_ascii=False).encode()
        status, cache, error, content = 0, "", "", b""
        async with self.slots:
            conn = self.idle.popleft() if self.idle else None
            try:
                if conn is None:
                    conn = Connection(*await asyncio.open_connection(self.host, self.port))
                status, headers, content = await asyncio.wait_for(
                    conn.request(self._head(call, body), body), timeout or self.timeout
                )
                cache = headers.get("x-matcher-cache", "")
                self.idle.append(conn)
            except (TimeoutError, OSError, EOFError, ValueError, asyncio.IncompleteReadError) as exc:
                error = f"{type(exc).__name__}: {exc}"
                if conn is not None:  # timeouts and broken connections count as errors (status 0)
                    conn.close()
        now = time.perf_counter()
        return Result(call.kind, (now - scheduled) * 1000, now, status, cache, error), content

    async def close(self) -> None:
        while self.idle:
            self.idle.popleft().close()


async def warm_up(clients: Clients, mix: Mix, workers: int, limit_s: float = 600) -> float:
    """Concurrent requests in rounds until three rounds in a row answer fast: every worker has its pool."""
    start, fast = time.perf_counter(), 0
    while fast < 3:
        if time.perf_counter() - start > limit_s:
            raise SystemExit(f"预热超过 {limit_s:.0f} 秒仍未完成")
        now = time.perf_counter()
        calls = [Call("text", "POST", "/api/match", mix.text(fresh=True)) for _ in range(4 * workers)]
        results = await asyncio.gather(*(clients.send(c, now, timeout=limit_s) for c in calls))
        bad = [r for r in results if r.status != 200]
        if bad:
            raise SystemExit(f"预热请求失败：HTTP {bad[0].status} {bad[0].error}")
        fast = fast + 1 if max(r.latency_ms for r in results) < 1000 else 0
    return time.perf_counter() - start


async def settle(pid: int, limit_s: float = 600, window_s: float = 2.0) -> float:
    """Wait until the server is idle (under 10% of a core over ``window_s``): workers that came up after
    the warm-up fit their pools at start-up, and that must not be counted as load."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit_s:
        before = sum(process_cpu(pid).values())
        await asyncio.sleep(window_s)
        if sum(process_cpu(pid).values()) - before < 0.1 * window_s:
            break
    return time.perf_counter() - start


async def baseline(clients: Clients, mix: Mix, n: int) -> list[Result]:
    """``n`` fresh-text queries one at a time: the service time of a query on an idle server."""
    out = []
    for _ in range(n):
        call = Call("text", "POST", "/api/match", mix.text(fresh=True))
        out.append(await clients.send(call, time.perf_counter()))
    return out


async def open_loop(clients: Clients, mix: Mix, rate: float, duration: float) -> tuple[list[Result], float]:
    """Requests at ``rate`` per second for ``duration`` seconds; returns the results and the start time."""
    calls = [mix.next() for _ in range(int(rate * duration))]
    tasks = []
    start = time.perf_counter()
    for i, call in enumerate(calls):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(clients.send(call, scheduled)))
    return list(await asyncio.gather(*tasks)), start


@dataclass(frozen=True)
class Edit:
    enterprise_id: int
    product: str
    status: int  # of the PATCH
    visible_s: float | None  # from the PATCH's answer to the first probe listing the enterprise; None: never
    detail: str = ""  # the answer of a failed PATCH


# Characters no product name of the corpus or the sample strings together: an edited product's name is
# found by the enterprise it was added to and by no other.
MARKS = "巽坎艮兑震离乾坤"


def edit_name(k: int) -> str:
    """A product name unique to edit ``k`` (module doc, item 5)."""
    digits = "".join(MARKS[int(d)] for d in f"{k:04o}")  # octal: one mark per digit
    return f"{digits}型校验件"


async def edit_stream(
    clients: Clients, enterprise_ids: list[int], every: float, duration: float, limit_s: float = 10.0
) -> list[Edit]:
    """One profile edit every ``every`` seconds for ``duration`` seconds, each probed until visible."""
    rng, tasks = random.Random(7), []
    start = time.perf_counter()
    for k in range(int(duration / every)):
        delay = start + k * every - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(
            asyncio.create_task(edit_one(clients, rng.choice(enterprise_ids), edit_name(k), limit_s))
        )
    return list(await asyncio.gather(*tasks))


async def edit_one(clients: Clients, enterprise_id: int, product: str, limit_s: float) -> Edit:
    got, content = await clients.exchange(Call("edit", "GET", f"/api/enterprises/{enterprise_id}"), 0.0)
    products = json.loads(content)["record"]["products"] if got.status == 200 else []
    products = [{"name": p["name"], "share": p.get("share")} for p in products][:49] + [{"name": product}]
    call = Call("edit", "PATCH", f"/api/enterprises/{enterprise_id}", {"products": products})
    patched, content = await clients.exchange(call, time.perf_counter())
    if patched.status != 200:
        return Edit(enterprise_id, product, patched.status, None, content.decode(errors="replace")[:300])
    probe = Call("probe", "POST", "/api/match", {"text": f"采购{product}", "top": 10})
    while time.perf_counter() - patched.done < limit_s:
        answer, content = await clients.exchange(probe, time.perf_counter())
        if answer.status == 200 and any(
            m["enterprise_id"] == enterprise_id for m in json.loads(content)["data"]
        ):
            return Edit(enterprise_id, product, 200, answer.done - patched.done)
        await asyncio.sleep(0.1)
    return Edit(enterprise_id, product, 200, None)


def report_edits(edits: Sequence[Edit], every: float) -> None:
    seen = [e.visible_s for e in edits if e.visible_s is not None]
    failed = collections.Counter(e.status for e in edits if e.status != 200)
    never = sum(e.status == 200 and e.visible_s is None for e in edits)
    statuses = f" (HTTP {dict(failed)})" if failed else ""
    print(f"\nprofile edits: one every {every:g} s, {len(edits)} in all; {sum(failed.values())} failed{statuses}; "
          f"{never} not visible within 10 s")  # fmt: skip
    if failed:
        print("first failed edit:", next(e.detail for e in edits if e.status != 200))
    if seen:
        p50, p95 = np.percentile(np.array(seen) * 1000, [50, 95])
        print(f"time to visible (PATCH answered -> first probe listing the enterprise): p50 {p50:.0f} ms, "
              f"p95 {p95:.0f} ms, max {max(seen) * 1000:.0f} ms")  # fmt: skip


# -- the report -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    name: str
    count: int
    rate: float
    errors: int
    p50: float
    p95: float
    p99: float
    max: float
    hits: float | None


def row(name: str, results: Sequence[Result], start: float, seconds: float) -> Row:
    """Latency percentiles, errors, cache hits; the rate of answered requests over the sending time, or
    until the last answer when answers trail behind."""
    lat = np.array([r.latency_ms for r in results]) if results else np.zeros(1)
    p50, p95, p99 = np.percentile(lat, [50, 95, 99])
    cached = [r.cache for r in results if r.cache]
    hits = cached.count("hit") / len(cached) if cached else None
    errors = sum(r.status != 200 for r in results)
    span = max([seconds, *(r.done - start for r in results)])
    rate = (len(results) - errors) / span
    return Row(name, len(results), rate, errors, p50, p95, p99, float(lat.max()), hits)


def print_rows(rows: Sequence[Row]) -> None:
    print("| requests | count | achieved req/s | errors | p50 ms | p95 ms | p99 ms | max ms | cache hits |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        hits = "–" if r.hits is None else f"{r.hits:.0%}"
        print(
            f"| {r.name} | {r.count:,} | {r.rate:.1f} | {r.errors} | {r.p50:.1f} | {r.p95:.1f} | {r.p99:.1f} | "
            f"{r.max:.0f} | {hits} |"
        )


@dataclass
class Run:
    warm_s: float = 0.0
    baseline: list[Result] = field(default_factory=list)
    baseline_start: float = 0.0
    results: list[Result] = field(default_factory=list)
    start: float = 0.0
    client_cpu_s: float = 0.0
    server_cpu_s: dict[int, float] = field(default_factory=dict)
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average before and after the load
    edits: list[Edit] = field(default_factory=list)
    memory: dict[int, dict[str, float]] = field(default_factory=dict)  # each worker's, after the load


def drive(args: argparse.Namespace, base: str, key: str, mix: Mix, pid: int, editable: list[int]) -> Run:
    """Warm-up, baseline and the open-loop load against the running server (with edits of ``editable``
    enterprises when ``--edit-every``)."""
    out = Run()

    async def run() -> None:
        clients = Clients(base, key, args.connections, args.timeout)
        try:
            out.warm_s = await warm_up(clients, mix, args.workers)
            out.warm_s += await settle(pid)
            out.baseline_start = time.perf_counter()
            out.baseline = await baseline(clients, mix, args.baseline)
            before, cpu0, load0 = process_cpu(pid), time.process_time(), os.getloadavg()[0]
            load = open_loop(clients, mix, args.rate, args.duration)
            if args.edit_every > 0:
                (out.results, out.start), out.edits = await asyncio.gather(
                    load, edit_stream(clients, editable, args.edit_every, args.duration)
                )
            else:
                out.results, out.start = await load
            out.client_cpu_s, after = time.process_time() - cpu0, process_cpu(pid)
            out.load = (load0, os.getloadavg()[0])
            spent = {p: after[p] - before.get(p, 0.0) for p in after}
            workers = {p: v for p, v in spent.items() if p != pid}
            out.server_cpu_s = workers if len(workers) >= args.workers else spent
            out.memory = {p: rollup(p) for p in out.server_cpu_s if Path(f"/proc/{p}").exists()}
        finally:
            await clients.close()

    asyncio.run(run())
    return out


def timeline(results: Sequence[Result], start: float, window: float = 5.0) -> None:
    """p50 / p95 / max per window of sending time: shows whether slow answers come in bursts."""
    if not results:
        return
    sent = np.array([r.done - r.latency_ms / 1000 - start for r in results])
    lat = np.array([r.latency_ms for r in results])
    print(f"\nlatency by {window:.0f}-second window of sending time (ms)\n")
    print("| window | count | p50 | p95 | max |")
    print("|---|---:|---:|---:|---:|")
    for w in range(int(np.ceil(sent.max() / window)) if sent.max() > 0 else 1):
        part = lat[(sent >= w * window) & (sent < (w + 1) * window)]
        if len(part):
            p50, p95 = np.percentile(part, [50, 95])
            print(
                f"| {w * window:.0f}–{(w + 1) * window:.0f} s | {len(part)} | {p50:.0f} | {p95:.0f} | {part.max():.0f} |"
            )


def report(args: argparse.Namespace, run: Run) -> Row:
    print(f"\nwarm-up (every worker fits its pool, then the server idles): {run.warm_s:.0f} s")
    print(f"\nbaseline: {len(run.baseline)} fresh-text queries one at a time on the idle server\n")
    print_rows([row("POST /api/match, one at a time", run.baseline, run.baseline_start, 1e-9)])
    results, start, seconds = run.results, run.start, args.duration
    rows = [
        row("all", results, start, seconds),
        row("POST /api/match (text)", [r for r in results if r.kind == "text"], start, seconds),
        row("GET /api/demands/{id}/suppliers", [r for r in results if r.kind == "stored"], start, seconds),
    ]
    print(f"\nopen loop: {args.rate:g} req/s scheduled for {args.duration:g} s\n")
    print_rows(rows)
    cpu = " + ".join(f"{v:.0f}" for v in sorted(run.server_cpu_s.values(), reverse=True) if v > 0.05)
    print(
        f"\nworkers: {args.workers}; server CPU during the load: {cpu or '0'} s over {seconds:g} s; "
        f"client CPU: {run.client_cpu_s:.0f} s; load average {run.load[0]:.2f} before the load, "
        f"{run.load[1]:.2f} after ({os.cpu_count()} cores)"
    )
    for i, m in enumerate(run.memory.values(), 1):
        print(
            f"worker {i} memory after the load: resident {m['rss']:.0f} MB (private {m['private']:.0f}, "
            f"shared {m['shared']:.0f}, proportional {m['pss']:.0f})"
        )
    timeline(results, start)
    if args.edit_every > 0:
        report_edits(run.edits, args.edit_every)
    return rows[0]


def start_time(
    args: argparse.Namespace, url: str, home: Path, encoder: str, key: str, mix: Mix, label: str
) -> float:
    """Seconds from ``matcher serve`` to every worker answering fast (``warm_up``)."""
    started = time.perf_counter()
    with server(url, home, encoder, args.workers, home / f"server-{label}.log") as (base, _):

        async def answered() -> None:
            clients = Clients(base, key, args.connections, args.timeout)
            try:
                await warm_up(clients, mix, args.workers, limit_s=3600)
            finally:
                await clients.close()

        asyncio.run(answered())
        return time.perf_counter() - started


def restarts(args: argparse.Namespace, url: str, home: Path, encoder: str, key: str, mix: Mix) -> None:
    """The server started again after the run's edits: as it starts (the workers resume from the last full
    fit's snapshot and apply the change log), then without the snapshot (a full fit: the edits changed the
    registry's content, so its pool files and indexes are built again), the way every start went before."""
    from matcher.engine.snapshot import snapshot_dir
    from matcher.settings import Settings

    resumed = start_time(args, url, home, encoder, key, mix, "resume")
    shutil.rmtree(snapshot_dir(Settings(home=home).cache_dir, Store(url, migrate=False).safe_url), True)
    whole = start_time(args, url, home, encoder, key, mix, "full")
    print(
        f"\nrestart after the run's edits, until every worker answers: {resumed:.0f} s resuming from the "
        f"snapshot; {whole:.0f} s fitting whole (the snapshot removed); load average {os.getloadavg()[0]:.2f}"
    )


# -- main -----------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="matcher 匹配接口负载测试（本机回环，开环定速）")
    parser.add_argument("--n", type=int, default=100_000, help="示例企业数")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--vocabulary",
        choices=("realistic", "sample"),
        default="realistic",
        help="产品词表：realistic（由真实语料扩展，约每家 10 个不同产品名）或 sample（示例的约 720 个）",
    )
    parser.add_argument("--dir", type=Path, default=Path("/tmp/matcher-bench-load"), help="数据库与缓存目录")
    parser.add_argument("--encoder", default=None, help="编码器（默认取设置，即 use-m3）")
    parser.add_argument(
        "--workers",
        type=int,
        default=4,
        help="服务进程数（多于核数：保持连接固定在某个进程上，进程多些负载更均衡）",
    )
    parser.add_argument("--rate", type=float, default=200.0, help="每秒请求数（开环）")
    parser.add_argument("--duration", type=float, default=60.0, help="施压秒数")
    parser.add_argument("--timeout", type=float, default=10.0, help="单个请求超时秒数")
    parser.add_argument("--connections", type=int, default=256, help="客户端最多连接数（保持连接，轮流使用）")
    parser.add_argument("--stored-share", type=float, default=0.25, help="按已登记需求查询的比例")
    parser.add_argument("--repeat-share", type=float, default=0.2, help="文本查询中热门重复文本的比例")
    parser.add_argument("--popular", type=int, default=200, help="热门文本个数（Zipf 1.1）")
    parser.add_argument("--profile", type=int, default=30, help="进程内分阶段计时的查询数（0 跳过）")
    parser.add_argument("--profile-only", action="store_true", help="只做进程内分阶段计时，不启动服务施压")
    parser.add_argument(
        "--restart",
        action="store_true",
        help="施压后重启服务两次：从快照恢复，与删除快照后完整建池，各计启动秒数",
    )
    parser.add_argument("--baseline", type=int, default=40, help="逐条发送的基线查询数")
    parser.add_argument("--p95-ms", type=float, default=TARGET_P95_MS, help="--check 的 p95 上限（毫秒）")
    parser.add_argument(
        "--edit-every", type=float, default=0.0, help="施压期间每隔几秒修改一家企业的产品（0 不修改）"
    )
    parser.add_argument("--check", action="store_true", help="未达标（速率、p95、零错误）时以非零状态退出")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    from matcher.settings import get_settings

    encoder = args.encoder or get_settings().encoder
    home = args.dir / f"n{args.n}-s{args.seed}-{args.vocabulary}"
    home.mkdir(parents=True, exist_ok=True)
    url = database_url(home)
    print(
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; store {Store(url, migrate=False).safe_url}"
    )
    store = prepare_store(url, args.n, args.seed, args.vocabulary)
    key, demand_ids, editable = api_key(store), stored_demand_ids(store), enterprise_ids(store)
    store.dispose()
    total = int(args.rate * args.duration) + 8 * args.workers * 50 + args.baseline
    mix = make_mix(args, demand_ids, total)
    if args.profile:
        profile_stages(url, home, encoder, demand_texts(args.seed + 3, args.profile))
    if args.profile_only:
        return 0
    print(f"\nserver: matcher serve --workers {args.workers}, encoder {encoder}, {args.n:,} enterprises")
    with server(url, home, encoder, args.workers, home / "server.log") as (base, pid):
        run = drive(args, base, key, mix, pid, editable)
    total_row = report(args, run)
    if args.restart:
        restarts(args, url, home, encoder, key, mix)
    missed = []
    if total_row.rate < 0.98 * args.rate:
        missed.append(f"速率 {total_row.rate:.1f} < {args.rate:g}")
    if total_row.p95 >= args.p95_ms:
        missed.append(f"p95 {total_row.p95:.1f} ms ≥ {args.p95_ms:g} ms")
    if total_row.errors:
        missed.append(f"{total_row.errors} 个错误")
    if args.edit_every > 0:
        late = [e for e in run.edits if e.status != 200 or e.visible_s is None or e.visible_s > 2.0]
        if late:
            missed.append(f"{len(late)}/{len(run.edits)} 次修改未在 2 秒内可见")
        if total_row.max >= 1000:
            missed.append(f"最慢请求 {total_row.max:.0f} ms ≥ 1 秒")
    verdict = (
        "未达标：" + "；".join(missed)
        if missed
        else f"达标：{args.rate:g} req/s，p95 < {args.p95_ms:g} ms，零错误"
    )
    print(f"\n{verdict}")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
