"""Entity linking: exact, normalized, containment, embedding nearest neighbour; unlinked kept."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matcher.graph import LinkIndex, normalize


class FakeEncoder:
    """Deterministic bag-of-characters encoder: texts sharing characters are close."""

    model_id, dim = "fake-chars", 64

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for ch in text:
                out[i, ord(ch) % self.dim] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


SURFACES = {"link:c/cathode": ["正极材料", "三元正极"], "link:c/cell": ["动力电池", "电芯"]}


def test_normalize() -> None:
    assert normalize("ＡＢＣ 系列产品") == "abc"
    assert normalize("电子类产品") == "电子"
    assert normalize("类产品") == "类产品"  # too short to strip
    assert normalize("锂电池（三元）") == "锂电池三元"


def test_steps_in_order() -> None:
    index = LinkIndex(SURFACES)
    result = index.link(["正极材料", "正极材料系列", "高镍三元正极粉", "轮胎"])
    assert [(lk.item, lk.method) for lk in result.linked] == [
        ("正极材料", "exact"), ("正极材料系列", "normalized"), ("高镍三元正极粉", "contains")]
    assert result.unlinked == ["轮胎"]


def test_longest_surface_wins() -> None:
    index = LinkIndex({"a": ["电池"], "b": ["动力电池"]})
    assert index.lookup("新能源动力电池包").node == "b"  # type: ignore[union-attr]


def test_embedding_threshold() -> None:
    index = LinkIndex({"x": ["氢氧化锂"]}, encoder=FakeEncoder(), threshold=0.7, contains=False)
    result = index.link(["锂氢氧化", "轮胎"])  # same characters, different order
    assert [(lk.node, lk.method) for lk in result.linked] == [("x", "embedding")]
    assert result.linked[0].score >= 0.7
    assert result.unlinked == ["轮胎"]


def test_mentions_do_not_overlap() -> None:
    index = LinkIndex({"p1": ["不锈钢"], "p2": ["钢管"], "p3": ["阀门"]})
    assert [sub for _, sub in index.spans("供应不锈钢管和阀门")] == ["不锈钢", "阀门"]
