"""Printable HTML in Chinese: participants' agendas and table cards, one A4 page each.

Jinja2 with autoescaping (firm names come from users). Templates live in this module so they ship with the
package without package-data rules. Print to PDF from a browser, or headless Chromium ``--print-to-pdf``.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from jinja2 import Environment, select_autoescape

from matcher.domain.models import Role
from matcher.errors import MatcherError
from matcher.events.agenda import agenda_rows
from matcher.events.model import Event
from matcher.events.schedule import Schedule

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))

_BASE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
@page { size: A4; margin: 15mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       color: #111; margin: 0; }
.page { page-break-after: always; break-after: page; padding: 4mm 0; }
.page:last-child { page-break-after: auto; break-after: auto; }
h1 { font-size: 20pt; margin: 0 0 2mm; } h2 { font-size: 14pt; margin: 0 0 4mm; color: #333; }
table { width: 100%; border-collapse: collapse; font-size: 11pt; }
th, td { border: 1px solid #888; padding: 2mm 3mm; text-align: left; vertical-align: top; }
th { background: #e8eef7; } .must { font-weight: bold; color: #a00; } .muted { color: #666; font-size: 9pt; }
.card h1 { font-size: 48pt; text-align: center; margin: 10mm 0; }
@media screen { body { margin: 12mm; } }
</style></head><body>
{% block body %}{% endblock %}
</body></html>"""

_AGENDA = _BASE.replace(
    "{% block body %}{% endblock %}",
    """
{% for p in pages %}<section class="page">
<h1>{{ event.name }}</h1>
<h2>{{ p.name }}（{{ p.role }}）洽谈日程 · {{ event.venue }}</h2>
{% if p.rows %}<table><thead><tr><th>日期</th><th>时间</th><th>桌号</th><th>洽谈对象</th><th>匹配理由</th></tr></thead>
<tbody>{% for r in p.rows %}<tr{% if r.must %} class="must"{% endif %}>
<td>{{ r.start.strftime('%m月%d日') }}</td><td>{{ r.time }}</td><td>{{ r.table }}</td>
<td>{{ r.counterpart }}{% if r.must %}（必须见）{% endif %}</td><td>{{ r.reasons }}</td></tr>{% endfor %}
</tbody></table>{% else %}<p>本次活动暂未安排洽谈。</p>{% endif %}
<p class="muted">请提前 5 分钟到达对应桌位；如需调整请联系会务组。</p>
</section>{% endfor %}""",
)

_CARDS = _BASE.replace(
    "{% block body %}{% endblock %}",
    """
{% for c in cards %}<section class="page card">
<h1>{{ c.table }}</h1><h2>{{ event.name }}</h2>
<table><thead><tr><th>时间</th><th>龙头企业</th><th>中小企业</th></tr></thead>
<tbody>{% for r in c.rows %}<tr><td>{{ r[0] }}</td><td>{{ r[1] }}</td><td>{{ r[2] }}</td></tr>{% endfor %}
</tbody></table></section>{% endfor %}""",
)


def render_agendas_html(
    event: Event, schedule: Schedule, participant_ids: Iterable[str] | None = None
) -> str:
    """One printable page per participant (all leading firms and SMEs unless ``participant_ids``)."""
    ids = (
        list(participant_ids)
        if participant_ids is not None
        else [p.id for p in event.participants if p.role in (Role.LEADING, Role.SME)]
    )
    people = event.by_id
    pages = [
        {"name": people[i].name, "role": people[i].role.label, "rows": agenda_rows(event, schedule, i)}
        for i in ids
    ]
    return _ENV.from_string(_AGENDA).render(title=f"{event.name} 洽谈日程", event=event, pages=pages)


def render_table_cards_html(event: Event, schedule: Schedule) -> str:
    """桌卡: one page per table with its number and the meetings it hosts, in time order."""
    slots, people = event.slots(), event.by_id
    cards = []
    for t in event.tables:
        rows = [
            (slots[m.slot].label, people[m.buyer_id].name, people[m.sme_id].name)
            for m in sorted(schedule.meetings, key=lambda m: m.slot)
            if m.table_id == t.id
        ]
        cards.append({"table": t.display, "rows": rows})
    return _ENV.from_string(_CARDS).render(title=f"{event.name} 桌卡", event=event, cards=cards)


def write_html(html: str, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


def html_to_pdf(html_path: str | Path, pdf_path: str | Path, *, chromium: str = "chromium") -> Path:
    """Print an HTML file to PDF with headless Chromium (Debian package ``chromium``)."""
    exe = shutil.which(chromium)
    if exe is None:
        raise MatcherError(f"未找到 {chromium}，无法生成 PDF；请安装 chromium（apt-get install chromium）")
    pdf_path = Path(pdf_path)
    subprocess.run(
        [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf_path}",
            Path(html_path).resolve().as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return pdf_path
