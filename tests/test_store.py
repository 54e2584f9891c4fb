"""The repository on SQLite and PostgreSQL alike: upserts, lookups, counts, deletes, migrations."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from matcher.domain import Demand, Enterprise, Park
from matcher.errors import NotFoundError
from matcher.store import Store
from matcher.store import repository as repo
from matcher.store.tables import Base


def test_schema_is_at_head_and_matches_the_tables(store: Store) -> None:
    assert store.current_revision() == Store.head_revision()
    inspector = inspect(store.engine)
    for table in Base.metadata.sorted_tables:
        migrated = {c["name"] for c in inspector.get_columns(table.name)}
        assert migrated == {c.name for c in table.columns}, table.name
        indexes = {i["name"] for i in inspector.get_indexes(table.name)}
        assert {i.name for i in table.indexes} <= indexes, table.name


def test_migrate_is_idempotent(store: Store) -> None:
    store.migrate()
    assert store.current_revision() == Store.head_revision()


def test_upsert_by_natural_keys(
    store: Store, park: Park, leader: Enterprise, sme: Enterprise, demand: Demand
) -> None:
    with store.session() as s:
        assert repo.upsert_parks(s, parks=[park]) == (1, 0)
        assert repo.upsert_enterprises(s, enterprises=[leader, sme]) == (2, 0)
        assert repo.upsert_demands(s, demands=[demand]) == (1, 0)
    renamed = sme.model_copy(update={"name": "新名称有限公司"})
    with store.session() as s:
        assert repo.upsert_enterprises(s, enterprises=[renamed]) == (0, 1)
        assert repo.upsert_demands(s, demands=[demand]) == (0, 1)
    with store.session() as s:
        stored = repo.get_enterprise(s, uscc=sme.uscc)
        assert stored.record == renamed
        assert repo.get_demand(s, code=demand.code).record == demand
        assert repo.count_enterprises_by(s, "role") == [("leading", 1), ("sme", 1)]
        assert repo.count_enterprises_by(s, "park") == [(park.name, 2)]
        assert stored.record.size_class == "小型"


def test_a_failed_transaction_writes_nothing(store: Store, park: Park, leader: Enterprise) -> None:
    with pytest.raises(NotFoundError), store.session() as s:
        repo.upsert_parks(s, parks=[park])
        repo.upsert_enterprises(s, enterprises=[leader.model_copy(update={"park": "不存在的园区"})])
    with store.session() as s:
        assert repo.list_parks(s) == []


def test_filters_and_deletes(
    store: Store, park: Park, leader: Enterprise, sme: Enterprise, demand: Demand
) -> None:
    with store.session() as s:
        repo.upsert_parks(s, parks=[park])
        repo.upsert_enterprises(s, enterprises=[leader, sme])
        repo.upsert_demands(s, demands=[demand])
    with store.session() as s:
        smes = repo.list_enterprises(s, role="sme")
        assert [e.record.uscc for e in smes] == [sme.uscc]
        assert len(repo.list_enterprises(s, park=park.name)) == 2
        assert repo.list_demands(s, status="closed") == []
        leader_id = repo.get_enterprise(s, uscc=leader.uscc).id
        repo.delete_enterprise(s, id=leader_id)
    with store.session() as s:
        assert repo.list_demands(s) == []  # a publisher's demands go with it
        with pytest.raises(NotFoundError):
            repo.get_enterprise(s, id=leader_id)


def test_the_fast_path_revision_is_the_scripts_head() -> None:
    from matcher.store.database import HEAD_REVISION

    assert Store.head_revision() == HEAD_REVISION
