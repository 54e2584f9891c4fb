"""Chain maps: one picture per leading industry, links coloured by coverage (covered, weak, gap).

Links are laid out left to right by topological depth (upstream first) and top to bottom by stage and
template order. :func:`chain_map_svg` gives a static SVG (tooltips via ``<title>``);
:func:`chain_map_html` wraps it in a self-contained page (inline CSS and JS, no CDN) where hovering a
link highlights its neighbours and lists its producers. Labels use CJK fonts (Noto Sans CJK SC first).
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

import networkx as nx

from matcher.graph.analysis import ChainCoverage, LinkCoverage, LinkStatus

COLOURS = {LinkStatus.COVERED: "#2e7d32", LinkStatus.WEAK: "#f9a825", LinkStatus.GAP: "#c62828"}
FONT = (
    "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei',sans-serif"
)
BOX_W, BOX_H, COL_GAP, ROW_GAP, MARGIN, TOP = 168, 40, 84, 14, 32, 96
MAX_LABEL = 9


def _layout(coverage: ChainCoverage) -> dict[str, tuple[float, float]]:
    columns: dict[int, list[LinkCoverage]] = {}
    for lc in coverage.links:
        columns.setdefault(lc.depth, []).append(lc)
    return {
        lc.node: (MARGIN + col * (BOX_W + COL_GAP), TOP + row * (BOX_H + ROW_GAP))
        for col, links in sorted(columns.items())
        for row, lc in enumerate(links)
    }


def _label(name: str) -> str:
    return name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1] + "…"


def _tooltip(lc: LinkCoverage) -> str:
    local = "、".join(p.firm.name for p in lc.local[:8]) or "无"
    lines = [f"{lc.name}（{lc.stage}，{lc.status.label}）", lc.note, f"本地生产企业：{local}"]
    if lc.exposed:
        lines.append("受影响龙头：" + "、".join(e.firm.name for e in lc.exposed[:5]))
    if lc.adopted:
        lines.append("先试首用已采用：" + "；".join(s.label for s in lc.adopted[:5]))
    return "\n".join(lines)


def _adopted_mark(lc: LinkCoverage, x: float, y: float) -> str:
    """A small 采用 count just above the link's box when adopted trials supply it."""
    if not lc.adopted:
        return ""
    return (
        f'<text class="adopted" x="{x + BOX_W:.0f}" y="{y - 2:.0f}" font-size="11" fill="#067647" '
        f'text-anchor="end">先试首用采用 {len(lc.adopted)}</text>'
    )


def chain_map_svg(G: nx.DiGraph, coverage: ChainCoverage) -> str:
    """A static SVG of the chain whose coverage was computed on ``G``."""
    pos = _layout(coverage)
    edges = list(G.subgraph(pos).edges())
    width = max((x for x, _ in pos.values()), default=0) + BOX_W + 2 * MARGIN
    height = max(max((y for _, y in pos.values()), default=0) + BOX_H + MARGIN + 40, 260)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{FONT}">',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        f'<text x="{MARGIN}" y="36" font-size="22" font-weight="bold" fill="#212121">'
        f"{escape(coverage.industry)}产业链图谱　本地覆盖率 {coverage.coverage:.0%}</text>",
        _legend(coverage),
    ]
    for up, down in edges:
        if up in pos and down in pos:
            (x1, y1), (x2, y2) = pos[up], pos[down]
            a, b, mid = (x1 + BOX_W, y1 + BOX_H / 2), (x2, y2 + BOX_H / 2), (x1 + BOX_W + x2) / 2
            parts.append(
                f'<path class="edge" data-from="{escape(up)}" data-to="{escape(down)}" '
                f'd="M{a[0]:.0f},{a[1]:.0f} C{mid:.0f},{a[1]:.0f} {mid:.0f},{b[1]:.0f} {b[0]:.0f},{b[1]:.0f}" '
                'fill="none" stroke="#9e9e9e" stroke-width="1.4" marker-end="url(#arrow)"/>'
            )
    parts.insert(
        1,
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#9e9e9e"/></marker></defs>',
    )
    for lc in coverage.links:
        x, y = pos[lc.node]
        parts.append(
            f'<g class="link" data-node="{escape(lc.node)}" tabindex="0"><title>{escape(_tooltip(lc))}</title>'
            f'<rect x="{x:.0f}" y="{y:.0f}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="{COLOURS[lc.status]}"/>'
            f'<text x="{x + 10:.0f}" y="{y + 26:.0f}" font-size="15" fill="#ffffff">{escape(_label(lc.name))}</text>'
            f'<text x="{x + BOX_W - 8:.0f}" y="{y + 26:.0f}" font-size="13" fill="#ffffff" '
            f'text-anchor="end">{len(lc.local)}家</text>{_adopted_mark(lc, x, y)}</g>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _legend(coverage: ChainCoverage) -> str:
    counts = {s: sum(lc.status is s for lc in coverage.links) for s in LinkStatus}
    items = []
    for i, status in enumerate(LinkStatus):
        x = MARGIN + i * 150
        items.append(
            f'<rect x="{x}" y="54" width="18" height="18" rx="3" fill="{COLOURS[status]}"/>'
            f'<text x="{x + 24}" y="68" font-size="14" fill="#424242">{status.label}（{counts[status]}）</text>'
        )
    items.append(
        f'<text x="{MARGIN + 460}" y="68" font-size="13" fill="#757575">'
        "从左到右：上游 → 下游；框内数字为本地生产企业数</text>"
    )
    return "".join(items)


def _panel_data(coverage: ChainCoverage) -> dict[str, dict[str, object]]:
    return {
        lc.node: {
            "name": lc.name,
            "stage": lc.stage,
            "status": lc.status.label,
            "note": lc.note,
            "local": [p.firm.name + "（" + p.link.item + "）" for p in lc.local[:30]],
            "outside": [p.firm.name for p in lc.outside[:15]],
            "exposed": [e.firm.name for e in lc.exposed[:10]],
            "adopted": [s.label for s in lc.adopted[:10]],
        }
        for lc in coverage.links
    }


PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ margin: 0; font-family: {font}; background: #fafafa; color: #212121; display: flex; }}
#map {{ flex: 1; min-width: 0; overflow: auto; padding: 8px; }}
#map svg {{ width: 100%; height: auto; display: block; }}
#panel {{ flex: 0 0 300px; padding: 16px; border-left: 1px solid #e0e0e0; background: #fff; font-size: 14px;
          height: 100vh; overflow: auto; box-sizing: border-box; }}
@media (max-width: 720px) {{ body {{ flex-direction: column; }}
  #panel {{ flex: none; height: auto; border-left: 0; border-top: 1px solid #e0e0e0; }} }}
#panel h2 {{ font-size: 18px; margin: 0 0 8px; }}
.link {{ cursor: pointer; }} .dim {{ opacity: 0.25; }}
.edge.hot {{ stroke: #1565c0; stroke-width: 2.6; }}
</style></head><body>
<div id="map">{svg}</div>
<div id="panel"><h2>{industry}</h2><p>将鼠标移到环节上查看生产企业、缺口影响的龙头企业。</p>
<p>覆盖率 {share}；缺失 {gaps} 个，薄弱 {weak} 个。</p></div>
<script type="application/json" id="chain-data">{data}</script>
<script>
const DATA = JSON.parse(document.getElementById('chain-data').textContent);
const panel = document.getElementById('panel');
const esc = s => String(s).replace(/[&<>"]/g, c => ({{'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}})[c]);
const list = (t, xs) => '<h3>' + t + '</h3>' + (xs.length ? '<ul>' + xs.map(x => '<li>' + esc(x) + '</li>').join('') + '</ul>' : '<p>无</p>');
function show(node) {{
  const d = DATA[node];
  panel.innerHTML = '<h2>' + esc(d.name) + '</h2><p>' + esc(d.stage) + ' · ' + esc(d.status) + '</p><p>' + esc(d.note) + '</p>'
    + list('本地生产企业', d.local) + list('园区外生产企业', d.outside) + list('受影响的龙头企业', d.exposed)
    + list('先试首用已采用', d.adopted);
  const near = new Set([node]);
  document.querySelectorAll('.edge').forEach(e => {{
    const hot = e.dataset.from === node || e.dataset.to === node;
    e.classList.toggle('hot', hot);
    if (hot) {{ near.add(e.dataset.from); near.add(e.dataset.to); }}
  }});
  document.querySelectorAll('.link').forEach(g => g.classList.toggle('dim', !near.has(g.dataset.node)));
}}
document.querySelectorAll('.link').forEach(g => {{
  g.addEventListener('mouseenter', () => show(g.dataset.node));
  g.addEventListener('focus', () => show(g.dataset.node));
}});
</script></body></html>
"""


def script_json(value: object) -> str:
    """``value`` as JSON that is inert inside an HTML ``<script>`` block: ``<``, ``>`` and ``&`` written as
    ``\\u003c``… so no text (``<!--<script>``, ``</script>``) can end or re-enter the block."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def chain_map_html(G: nx.DiGraph, coverage: ChainCoverage) -> str:
    """A self-contained interactive page: the SVG map plus a side panel filled on hover."""
    return PAGE.format(
        title=escape(f"{coverage.industry}产业链图谱"),
        font=FONT,
        svg=chain_map_svg(G, coverage),
        industry=escape(coverage.industry),
        share=f"{coverage.coverage:.0%}",
        gaps=len(coverage.gaps),
        weak=len(coverage.weak),
        data=script_json(_panel_data(coverage)),
    )


def save_chain_map(G: nx.DiGraph, coverage: ChainCoverage, directory: str | Path) -> tuple[Path, Path]:
    """Write ``<industry>.html`` and ``<industry>.svg`` into ``directory``; returns both paths."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    html, svg = out / f"{coverage.industry}.html", out / f"{coverage.industry}.svg"
    html.write_text(chain_map_html(G, coverage), encoding="utf-8")
    svg.write_text(chain_map_svg(G, coverage), encoding="utf-8")
    return html, svg
