"""Export writes the import format back, and the round trip is exact in every format and header language."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from matcher.domain import Demand, Enterprise, Park
from matcher.io import export, import_file, import_records
from matcher.io.exporter import load_records
from matcher.store import Store


@pytest.fixture
def filled(store: Store, park: Park, leader: Enterprise, sme: Enterprise, demand: Demand) -> Store:
    import_records(store, parks=[park], enterprises=[leader, sme], demands=[demand])
    return store


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx"])
@pytest.mark.parametrize("headers", ["zh", "en"])
@pytest.mark.parametrize("kind", ["parks", "enterprises", "demands"])
def test_round_trip_is_exact(filled: Store, tmp_path: Path, fmt: str, headers: str, kind: str) -> None:
    first = tmp_path / f"first.{fmt}"
    export(filled, first, kinds=[kind], fmt=fmt, headers=headers)  # type: ignore[list-item, arg-type]
    target = Store(f"sqlite:///{tmp_path / 'target.db'}")
    # what the exported kind refers to must exist first
    prerequisites = {"parks": [], "enterprises": ["parks"], "demands": ["parks", "enterprises"]}[kind]
    import_records(target, **{k: load_records(filled, k) for k in prerequisites})  # type: ignore[arg-type]
    import_file(target, first)
    assert load_records(target, kind) == load_records(filled, kind)  # type: ignore[arg-type]
    second = tmp_path / f"second.{fmt}"
    export(target, second, kinds=[kind], fmt=fmt, headers=headers)  # type: ignore[list-item, arg-type]
    if fmt != "xlsx":  # XLSX zips carry timestamps; their cells are compared below
        assert second.read_bytes() == first.read_bytes()
    else:
        cells = [[c.value for c in row] for row in load_workbook(first).active.iter_rows()]  # type: ignore[union-attr]
        again = [[c.value for c in row] for row in load_workbook(second).active.iter_rows()]  # type: ignore[union-attr]
        assert cells == again


def test_private_fields_and_indicators_survive(filled: Store, tmp_path: Path) -> None:
    out = tmp_path / "all.xlsx"
    export(filled, out, kinds=["parks", "enterprises", "demands"], fmt="xlsx")
    book = load_workbook(out)
    assert book.sheetnames == ["园区", "企业", "需求"]
    header = [c.value for c in book["企业"][1]]
    assert "统一社会信用代码" in header and "营业收入（万元）" in header and "发明专利" in header


def test_csv_export_refuses_two_kinds(filled: Store, tmp_path: Path) -> None:
    from matcher.errors import MatcherError

    with pytest.raises(MatcherError, match="只能容纳一类数据"):
        export(filled, tmp_path / "x.csv", kinds=["parks", "enterprises"], fmt="csv")
    assert not (tmp_path / "x.csv").exists()


def test_templates_and_format_doc_are_current() -> None:
    """The committed templates and docs/data-formats.md match the domain models (rerun make_templates)."""
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "data" / "make_templates.py"
    spec = importlib.util.spec_from_file_location("make_templates", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from matcher.io import render

    for kind, records in {"parks": module.PARKS, "enterprises": module.ENTERPRISES, "demands": module.DEMANDS}.items():
        assert (module.TEMPLATES / f"{kind}.csv").read_bytes() == render({kind: records}, "csv"), kind
    assert module.DOCS.read_text(encoding="utf-8") == module.format_doc()
