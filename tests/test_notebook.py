"""The analyst's walkthrough notebook runs from top to bottom without an error, so it never rots."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO

NOTEBOOK = REPO / "notebooks" / "park_walkthrough.ipynb"


def test_park_walkthrough_runs_and_shows_the_map() -> None:
    nbformat = pytest.importorskip("nbformat", reason="需要 nbformat 与 nbclient 才能执行笔记本")
    nbclient = pytest.importorskip("nbclient", reason="需要 nbformat 与 nbclient 才能执行笔记本")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": REPO}}
    )
    client.execute()  # CellExecutionError on the first failing cell, with its traceback
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    svgs = [o for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert len(svgs) == 1 and "新能源汽车产业链图谱" in svgs[0]["data"]["image/svg+xml"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "新能源汽车：缺失 16、薄弱 21，与示例构造一致" in text
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "即所需" in html and "产业链上游 +" in html, "the matching section found a supplier of what a demand asks"
    out = Path(REPO / "artifacts" / NOTEBOOK.name)
    out.parent.mkdir(exist_ok=True)
    nbformat.write(nb, out)  # the executed notebook, for a human to look at
