"""The park report: an XLSX with Chinese headers (tier, points, gaps, pipeline, pyramid) and a pyramid chart.

The chart needs a CJK font; :func:`cjk_font` looks for one (Noto Sans CJK, WenQuanYi…, Debian packages
``fonts-noto-cjk`` or ``fonts-wqy-zenhei``). Without one the chart still renders, with the tiers'
English codes as labels and a warning, instead of boxes.
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from matcher.domain.models import Tier
from matcher.io.sheets import safe_row
from matcher.tiers.assess import Assessment
from matcher.tiers.gaps import fmt
from matcher.tiers.history import PyramidYear
from matcher.tiers.support import pipeline, support_plan

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Noto Serif CJK SC",
    "SimHei",
    "Microsoft YaHei",
)
PYRAMID_TIERS = (Tier.NONE, Tier.INNOVATIVE, Tier.SPECIALIZED, Tier.LITTLE_GIANT, Tier.CHAMPION, Tier.PILOT)


@functools.cache  # the font list does not change while the process runs; a miss scans the system once
def cjk_font() -> str | None:
    """The name of an installed font that draws Chinese, or None.

    Matplotlib keeps its font list in a cache file written on first use, so a font installed afterwards
    (``apt-get install fonts-noto-cjk`` after the first chart) is missing from it: system fonts the list
    does not know are then added to this process's list before giving up.
    """
    from matplotlib import font_manager

    manager = font_manager.fontManager
    found = _first_cjk(manager)
    if found is None:
        known = {f.fname for f in manager.ttflist}
        for path in font_manager.findSystemFonts():
            if path not in known:
                with contextlib.suppress(Exception):  # an unreadable font file is skipped, as matplotlib does
                    manager.addfont(path)
        found = _first_cjk(manager)
    return found


def _first_cjk(manager: Any) -> str | None:
    names = {f.name for f in manager.ttflist}
    return next((n for n in CJK_FONTS if n in names), None)


def draw_pyramid(ax: Any, labels: Sequence[str], values: Sequence[int]) -> list[tuple[Any, Any]]:
    """Centred bars, lowest tier at the bottom; each label inside its bar (white) when it fits, else just
    beside the bar's right end (black) — never half across a bar's edge. Returns (bar, label) artists."""
    bars = ax.barh(range(len(values)), values, left=[-v / 2 for v in values], color="#3b7dd8")
    widest = max(values, default=0) or 1
    ax.set_xlim(-widest * 0.85, widest * 0.85)  # room beside the narrow top bars for their labels
    renderer = ax.figure.canvas.get_renderer()
    out = []
    for k, (text_, v, bar) in enumerate(zip(labels, values, bars, strict=True)):
        text = ax.text(0, k, text_, ha="center", va="center", fontsize=9, color="white")
        if text.get_window_extent(renderer).width + 8 > bar.get_window_extent(renderer).width:
            text.set_position((v / 2 + widest * 0.02, k))
            text.set_horizontalalignment("left")
            text.set_color("black")
        out.append((bar, text))
    return out


def pyramid_chart(counts: dict[Tier, int], path: str | Path, title: str = "梯度培育金字塔") -> Path:
    """Draw the pyramid (lowest tier widest, at the bottom) to PNG or SVG, by the suffix of ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = cjk_font()
    if font is None:
        warnings.warn("未找到中文字体（可安装 fonts-noto-cjk），图中以英文代码标注", stacklevel=2)
    label = (lambda t: t.label) if font else (lambda t: t.value)
    tiers = list(PYRAMID_TIERS)
    values = [counts.get(t, 0) for t in tiers]
    with plt.rc_context({"font.family": font} if font else {}):
        fig, ax = plt.subplots(figsize=(7, 4.5))
        draw_pyramid(ax, [f"{label(t)}  {v}" for t, v in zip(tiers, values, strict=True)], values)
        ax.set_yticks([])
        ax.set_xticks([])
        ax.set_title(title if font else "tier pyramid")
        for side in ax.spines.values():
            side.set_visible(False)
        fig.tight_layout()
        out = Path(path)
        fig.savefig(out)
        plt.close(fig)
    return out


def _sheet(wb: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    ws = wb.create_sheet(title)
    ws.append(safe_row(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(safe_row(row))
    ws.freeze_panes = "A2"


def _points(a: Assessment, tier: Tier) -> str:
    r = a.results.get(tier)
    if r is None or r.points_lo is None or r.points_hi is None:
        return ""
    return fmt(r.points_lo) if r.points is not None else f"缺失（{fmt(r.points_lo)}–{fmt(r.points_hi)}）"


def _assessment_rows(items: Sequence[Assessment]) -> Iterable[list[object]]:
    for a in items:
        plan = support_plan(a)
        yield [
            a.name,
            a.uscc,
            a.tier.label,
            a.possible_tier.label,
            _points(a, Tier.INNOVATIVE),
            _points(a, Tier.SPECIALIZED),
            a.next_tier.label if a.next_tier else "",
            "\n".join(g.message for g in a.gaps_to_next),
            plan.cheapest.message if plan.cheapest else "",
            "、".join(a.missing),
            a.as_of.isoformat(),
        ]


def _indicator_rows(items: Sequence[Assessment]) -> Iterable[list[object]]:
    for a in items:
        for r in a.results.values():
            for ind in r.indicators:
                values = "；".join(f"{v.title} {v.display}" for v in ind.values)
                yield [a.name, r.tier.label, ind.title, ind.display, fmt(ind.max), values, ind.article]


def write_park_report(
    path: str | Path,
    assessments: Sequence[Assessment],
    years: Sequence[PyramidYear] = (),
    chart: str | Path | None = None,
) -> Path:
    """Write the park report XLSX (and the pyramid chart beside it when ``chart`` is given)."""
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(
        wb,
        "企业评估",
        [
            "企业名称",
            "统一社会信用代码",
            "评估层级",
            "数据补齐后可能层级",
            "创新型评价得分",
            "专精特新评价得分",
            "下一层级",
            "差距",
            "最易补齐的差距",
            "缺失数据",
            "评估日期",
        ],
        _assessment_rows(assessments),
    )
    _sheet(
        wb,
        "指标得分",
        ["企业名称", "层级", "指标", "得分", "满分", "所用数值", "出处"],
        _indicator_rows(assessments),
    )
    _sheet(
        wb,
        "培育梯队",
        ["目标层级", "企业名称", "统一社会信用代码", "当前层级", "补齐代价（万元等值）", "主要差距"],
        (
            [t.label, e.name, e.uscc, e.tier.label, "" if e.cost is None else fmt(e.cost), e.summary]
            for t, entries in pipeline(assessments).items()
            for e in entries
        ),
    )
    _sheet(
        wb,
        "梯度金字塔",
        ["年度", *[t.label for t in PYRAMID_TIERS], "晋级", "降级", "新入库", "退出"],
        (
            [y.year, *[y.counts.get(t, 0) for t in PYRAMID_TIERS], y.up, y.down, y.entered, y.left]
            for y in years
        ),
    )
    if chart is not None:
        counts = dict(years[-1].counts) if years else _counts(assessments)
        _embed(wb, pyramid_chart(counts, chart))
    out = Path(path)
    wb.save(out)
    return out


def _counts(assessments: Iterable[Assessment]) -> dict[Tier, int]:
    counts = {t: 0 for t in Tier}
    for a in assessments:
        counts[a.tier] += 1
    return counts


def _embed(wb: Workbook, png: Path) -> None:
    """Put a PNG chart on the pyramid sheet (needs Pillow; skipped with a warning otherwise)."""
    if png.suffix.lower() != ".png":
        return
    from openpyxl.drawing.image import Image

    try:
        image = Image(str(png))
    except ImportError:  # pragma: no cover - Pillow missing
        warnings.warn("未安装 Pillow，金字塔图未嵌入 XLSX（图片文件已单独保存）", stacklevel=2)
        return
    wb["梯度金字塔"].add_image(image, "A10")
