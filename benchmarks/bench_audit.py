"""What auditing a sensitive read costs: GET /api/demands/{id}/suppliers in process (TestClient) on the
sample store, read by a park admin (a staff read of a candidate list: one audit row per request) and by
the demand's own leading-firm user (the same query, not audited), interleaved, same demands.

    MATCHER_ENCODER=fake python benchmarks/bench_audit.py --rounds 200

Prints p50 / p95 per reader and the audit rows written; the publisher's reads are the baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=200, help="每种读者的请求数")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-audit-"))
    os.environ.setdefault("MATCHER_HOME", str(home))

    from api.deps import get_engine
    from api.main import create_app
    from matcher.auth import accounts
    from matcher.auth.principal import AccountRole
    from matcher.engine import Engine
    from matcher.io import import_file
    from matcher.store import Store
    from matcher.store.tables import AuditRow, DemandRow, EnterpriseRow, ParkRow

    store = Store(f"sqlite:///{home / 'matcher.db'}")
    for name in ("parks", "enterprises", "demands"):
        import_file(store, REPO / "data" / "sample" / f"{name}.csv")
    with store.session() as s:
        demand = s.scalars(select(DemandRow).where(DemandRow.status == "open").order_by(DemandRow.id)).first()
        assert demand is not None
        publisher = s.get(EnterpriseRow, demand.publisher_id)
        park = s.get(ParkRow, publisher.park_id)  # type: ignore[union-attr]
        demand_id, uscc, park_name = demand.id, publisher.uscc, park.name  # type: ignore[union-attr]
    password = "bench-audit-2026"
    accounts.create_account(store, username="staff", role=AccountRole.PARK_ADMIN, password=password, parks=[park_name])
    accounts.create_account(store, username="owner", role=AccountRole.LEADING_USER, password=password, enterprise=uscc)
    tokens = {u: accounts.login(store, username=u, password=password).plain for u in ("staff", "owner")}

    app = create_app()
    engine = Engine(store)
    app.dependency_overrides[get_engine] = lambda: engine
    times: dict[str, list[float]] = {"staff": [], "owner": []}
    with TestClient(app) as client:
        path = f"/api/demands/{demand_id}/suppliers"
        for who in times:  # warm-up: the pool is fitted on the first query
            assert client.get(path, headers={"Authorization": f"Bearer {tokens[who]}"}).status_code == 200
        with store.session() as s:
            before = s.scalar(select(func.count()).select_from(AuditRow)) or 0
        for _ in range(args.rounds):
            for who, token in tokens.items():
                start = time.perf_counter()
                response = client.get(path, headers={"Authorization": f"Bearer {token}"})
                times[who].append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
        with store.session() as s:
            written = (s.scalar(select(func.count()).select_from(AuditRow)) or 0) - before

    def p(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100)[int(q) - 1]

    print(f"GET /api/demands/{{id}}/suppliers，样例库 300 家企业，{args.rounds} 次/读者，进程内，SQLite")
    print(f"{'读者':<28}{'p50 ms':>10}{'p95 ms':>10}")
    print(f"{'需求发布方（不记审计，基线）':<20}{p(times['owner'], 50):>10.2f}{p(times['owner'], 95):>10.2f}")
    print(f"{'园区管理员（每次写一条审计）':<20}{p(times['staff'], 50):>10.2f}{p(times['staff'], 95):>10.2f}")
    print(f"写入审计记录 {written} 条（应为 {args.rounds}）")


if __name__ == "__main__":
    main()
