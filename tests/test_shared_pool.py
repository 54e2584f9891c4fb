"""A pool's lexical indexes and product table written once, then mapped by every other fit of the same pool
(``matcher.ranking.shared``): the second fit, in this process or another, reads instead of rebuilding and
ranks exactly as a core built in memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from matcher.encoders.fake import FakeEncoder
from matcher.ranking import shared
from matcher.ranking.core import MatchCore
from matcher.ranking.knowledge import template_knowledge
from matcher.ranking.lexical import CharTfidf
from matcher.ranking.scoring import top_k
from matcher.ranking.table import StringIndex
from matcher.sample import generate_sample
from matcher.text.tokenize import words

N = 300
DEMANDS = [
    "寻找三元正极材料供应商",
    "采购锂电池隔膜，要求通过IATF 16949认证",
    "需要一种耐高温、轻质的结构件材料",
]
OFFERS = ["锂电池电解液", "高强度钢板"]


def _core(search: str = "exhaustive", pool_dir: Path | None = None) -> MatchCore:
    """A core with the built-in chain templates, so the buyer side's chain index is saved and mapped too."""
    known = template_knowledge()
    return MatchCore(
        FakeEncoder(),
        search=search,
        pool_dir=pool_dir,
        upstream=known.upstream,
        industry_up=known.industry_up,
    )


def _rankings(core: MatchCore) -> dict[str, list[object]]:
    out: dict[str, list[object]] = {}
    for text in DEMANDS:
        top = core.top_suppliers(text, 10)
        out[text] = [top.order.tolist(), np.round(top.scores, 6).tolist()]
    for text in OFFERS:
        scores = core.rank_buyers(text).scores
        out[text] = [top_k(scores, 10).tolist(), np.round(np.sort(scores)[-10:], 6).tolist()]
    return out


def _mapped(array: np.ndarray) -> bool:
    """Whether ``array`` reads a memory-mapped file (itself or an array it views)."""
    while array is not None:
        if isinstance(array, np.memmap):
            return True
        array = array.base  # type: ignore[assignment]
    return False


@pytest.fixture
def share_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared, "SHARE_FROM", 0)  # the test pools are small


@pytest.mark.parametrize("search", ["exhaustive", "candidates"])
def test_a_second_fit_maps_the_saved_pool_and_ranks_as_one_built_in_memory(
    tmp_path: Path, share_all: None, monkeypatch: pytest.MonkeyPatch, search: str
) -> None:
    enterprises = generate_sample(7, N).enterprises
    in_memory = _core(search).fit(enterprises)
    first = _core(search, tmp_path).fit(enterprises)
    assert len(list(tmp_path.glob("pool-*/manifest.json"))) == 1

    def no_rebuild(*args: object) -> None:
        raise AssertionError("the saved pool was rebuilt")

    monkeypatch.setattr(shared, "_build", no_rebuild)
    second = _core(search, tmp_path).fit(enterprises)
    postings = second.supplier_.names_lex.by_term.data
    assert _mapped(postings) and _mapped(second.supplier_.table.product_name)
    assert second.buyer_.names_lex is not None and _mapped(second.buyer_.names_lex.rows.indices)
    assert _mapped(second.supplier_.table.name_rows.hashes) and _mapped(second.supplier_.table.key_codes[1])
    assert not postings.flags.writeable
    assert second.supplier_.table.product_names == in_memory.supplier_.table.product_names
    expected = _rankings(in_memory)
    assert _rankings(first) == expected
    assert _rankings(second) == expected


def test_a_changed_pool_is_built_again(tmp_path: Path, share_all: None) -> None:
    enterprises = generate_sample(7, N).enterprises
    _core(pool_dir=tmp_path).fit(enterprises)
    _core(pool_dir=tmp_path).fit(enterprises[:-1])
    MatchCore(FakeEncoder(), pool_dir=tmp_path).fit(enterprises)  # no chain pairs
    assert len(list(tmp_path.glob("pool-*/manifest.json"))) == 3


def test_small_pools_stay_in_memory(tmp_path: Path) -> None:
    MatchCore(FakeEncoder(), pool_dir=tmp_path).fit(generate_sample(7, 50).enterprises)
    assert not list(tmp_path.glob("pool-*"))


SECOND_PROCESS = """
import json, sys
import numpy as np
from pathlib import Path
from matcher.encoders.fake import FakeEncoder
from matcher.ranking import shared
from matcher.ranking.core import MatchCore
from matcher.ranking.knowledge import template_knowledge
from matcher.sample import generate_sample
shared.SHARE_FROM = 0
core = MatchCore(FakeEncoder(), search="candidates", pool_dir=Path(sys.argv[1]))
built = []
original = shared._build
shared._build = lambda docs: built.append(1) or original(docs)
core.fit(generate_sample(7, int(sys.argv[2])).enterprises)
top = core.top_suppliers(sys.argv[3], 10)
print(json.dumps({"built": len(built), "order": top.order.tolist(), "scores": np.round(top.scores, 6).tolist()}))
"""


def test_another_process_maps_what_the_first_wrote(tmp_path: Path, share_all: None) -> None:
    enterprises = generate_sample(7, N).enterprises
    MatchCore(FakeEncoder(), search="candidates", pool_dir=tmp_path).fit(enterprises)
    reference = MatchCore(FakeEncoder(), search="candidates").fit(enterprises).top_suppliers(DEMANDS[0], 10)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(
        [sys.executable, "-c", SECOND_PROCESS, str(tmp_path), str(N), DEMANDS[0]],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["built"] == 0
    assert answer["order"] == reference.order.tolist()
    assert answer["scores"] == np.round(reference.scores, 6).tolist()


@pytest.mark.parametrize("analyzer", ["char", words])
def test_a_restored_tfidf_transforms_as_the_fitted_one(analyzer: object) -> None:
    texts = ["硫酸铵生产销售", "钢材 贸易", "硫酸", "锂电池电解液"]
    fitted = CharTfidf(analyzer=analyzer).fit(texts)  # type: ignore[arg-type]
    restored = CharTfidf(analyzer=analyzer).restore(fitted.terms(), fitted.vectorizer_.idf_)  # type: ignore[arg-type]
    for queries in (["硫酸钢材"], texts * 5):  # the fast path for a few texts and scikit-learn's for many
        assert (fitted.transform(queries) != restored.transform(queries)).nnz == 0


@given(
    st.lists(st.sampled_from(["硫酸", "硫酸铵", "钢材", "", "锌锭贸易", "锌锭"]), max_size=12),
    st.text(max_size=4),
)
def test_a_string_index_answers_as_a_dict_of_first_positions(texts: list[str], other: str) -> None:
    first: dict[str, int] = {}
    for i, t in enumerate(texts):
        first.setdefault(t, i)
    index = StringIndex.build(tuple(texts))
    assert len(index) == len(first)
    for t in [*texts, other]:
        assert (t in index) == (t in first)
        assert index.get(t) == first.get(t)
