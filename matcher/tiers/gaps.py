"""What is missing for a tier, quantified in Chinese: one :class:`Gap` per unmet or unreported rule.

For an ``any`` group only the cheapest branch is reported (by the park's cost model), so an enterprise
hears the one route it can best take, not every alternative. A points threshold ("60 分以上") is turned
into the cheapest set of band upgrades by a small knapsack over the indicators (:func:`score_plan`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from matcher.tiers.criteria import CostModel, Criteria, Indicator, Leaf, Node, ScoreTable
from matcher.tiers.evaluate import MET, Evaluation
from matcher.tiers.metrics import METRICS, Columns

NOT_CLOSABLE = 1e9  # cost of a gap money cannot close soon (years, past years, awards, ranks)
OP_TEXT = {">=": "不低于", ">": "高于", "<=": "不高于", "<": "低于", "==": "为"}


@dataclass(frozen=True, slots=True)
class Gap:
    """One shortfall: ``amount`` in ``unit`` (None when the value is missing), money and cost in 万元."""

    tier_short: str
    rule_id: str
    title: str
    metric: str | None
    missing: bool
    current: float | None
    required: float
    op: str
    amount: float | None
    unit: str
    money: float | None
    cost: float | None
    message: str
    article: str = ""


def fmt(x: float, digits: int = 2) -> str:
    """2.4, 36, 0.6: at most ``digits`` decimals, no trailing zeros."""
    text = f"{x:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def with_unit(x: float, unit: str) -> str:
    return f"{fmt(x)}{unit}" if unit in ("%", "") else f"{fmt(x)} {unit}"


def _value(cols: Columns, name: str, i: int) -> float | None:
    v = float(cols[name][i])
    return None if math.isnan(v) else v


def leaf_gap(leaf: Leaf, cols: Columns, i: int, short: str, costs: CostModel) -> Gap:
    """The gap of one unmet or missing metric leaf for enterprise ``i``."""
    metric = METRICS[str(leaf.metric)]
    title = leaf.title or metric.title
    x = _value(cols, metric.name, i)
    base: dict[str, Any] = dict(
        tier_short=short,
        rule_id=leaf.id,
        title=title,
        metric=metric.name,
        current=x,
        required=leaf.value,
        op=leaf.op,
        unit=metric.gap_unit,
        article=leaf.article,
    )
    if x is None:
        need = "" if metric.kind == "flag" else f"（{OP_TEXT[leaf.op]} {with_unit(leaf.value, metric.unit)}）"
        msg = f"{title} 缺失，无法判断是否达到{short}要求{need}，请补报"
        return Gap(missing=True, amount=None, money=None, cost=costs.missing, message=msg, **base)
    amount = abs(leaf.value - x) if leaf.op != "==" else 1.0
    money, extra = _money(metric.name, amount, cols, i, costs)
    shrink = leaf.op in ("<", "<=") and not metric.can_decrease  # nobody shrinks revenue to fit a band
    cost = None if shrink else _cost(metric.name, amount, money, costs)
    return Gap(
        missing=False,
        amount=amount,
        money=money,
        cost=cost,
        message=_message(leaf, title, x, amount, short) + extra,
        **base,
    )


def _message(leaf: Leaf, title: str, x: float, amount: float, short: str) -> str:
    m = METRICS[str(leaf.metric)]
    if m.kind == "flag":
        return f"未满足{short}要求：{title}"
    shown = m.zero_label if (m.kind == "rank" and x == 0 and m.zero_label) else with_unit(x, m.unit)
    req = with_unit(leaf.value, m.unit)
    if shown == req:  # 5.9999% must not read as the 6% it misses
        shown = f"{fmt(x, 4)}{m.unit}" if m.unit == "%" else f"{fmt(x, 4)} {m.unit}"
    if m.kind == "rank":
        return f"{title} {shown}，{short}要求{OP_TEXT[leaf.op]} {req}"
    if leaf.op in (">=", ">"):
        return (
            f"{title} {shown}，距{short}要求的 {req} 差 {fmt(amount, 4 if amount < 0.01 else 2)} {m.gap_unit}"
        )
    if leaf.op in ("<=", "<"):
        return f"{title} {shown}，高于{short}要求的 {req}，需降低 {fmt(amount)} {m.gap_unit}"
    return f"{title} {shown}，{short}要求为 {req}"


def _money(name: str, amount: float, cols: Columns, i: int, costs: CostModel) -> tuple[float | None, str]:
    """Translate a ratio shortfall into yuan or people where the base is known."""
    rule = costs.per_unit.get(name)
    if rule == "money" and name == "rd_ratio" and (rev := _value(cols, "revenue", i)) is not None:
        money = amount / 100 * rev
        return money, f"，约 {fmt(money)} 万元"
    if rule == "staff" and (emp := _value(cols, "employees", i)) is not None:
        staff = _value(cols, "rd_staff", i) or 0.0
        p = min((amount + float(cols[name][i])) / 100, 0.99)
        people = max(math.ceil((p * emp - staff) / (1 - p) - 1e-9), 0)
        return float(people), f"，约需新增研发人员 {people} 人"
    return None, ""


def _cost(name: str, amount: float, money: float | None, costs: CostModel) -> float | None:
    rule = costs.per_unit.get(name)
    if rule == "money":
        return money
    if rule == "staff":
        return None if money is None else money * costs.staff_cost
    return None if rule is None else float(rule) * amount


def cost_of(gaps: list[Gap]) -> float:
    """Total cost of a list of gaps; a points headline counts only when no plan can close it."""
    total = 0.0
    for g in gaps:
        if g.cost is None:
            total += NOT_CLOSABLE
        elif g.metric is not None:
            total += g.cost
    return total


def collect(node: Node, ev: Evaluation, cols: Columns, i: int, short: str, crit: Criteria) -> list[Gap]:
    """Gaps of ``node`` for enterprise ``i``: every failing child of ``all``, the cheapest child of ``any``."""
    if int(ev.states[node.id][i]) == MET:
        return []
    if isinstance(node, Leaf):
        if node.metric is not None:
            return [leaf_gap(node, cols, i, short, crit.costs)]
        return score_gaps(node, ev, cols, i, short, crit)
    options = [collect(c, ev, cols, i, short, crit) for c in node.children if int(ev.states[c.id][i]) != MET]
    if node.mode == "all":
        return [g for opt in options for g in opt]
    return min(options, key=lambda gs: (cost_of(gs), len(gs))) if options else []


def _tables(crit: Criteria) -> dict[str, ScoreTable]:
    return {table.id: table for t in crit.tiers for table in t.scores}


def score_gaps(leaf: Leaf, ev: Evaluation, cols: Columns, i: int, short: str, crit: Criteria) -> list[Gap]:
    """The points shortfall of a score rule, followed by the cheapest band upgrades that close it."""
    table_id, _, group = str(leaf.score).partition("/")
    table = _tables(crit)[table_id]
    lo, hi = (float(a[i]) for a in ev.points[str(leaf.score)])
    need = leaf.value - lo
    inds = [ind for ind in table.indicators if not group or ind.group == group]
    plan, unknown = score_plan(inds, ev, cols, i, short, crit, need)
    title = leaf.title or table.title
    got = (
        f"{fmt(lo)} 分"
        if hi == lo
        else f"至少 {fmt(lo)} 分（另有 {len(unknown)} 项指标缺失，最高 {fmt(hi)} 分）"
    )
    msg = f"{short}{title} {got}，距 {fmt(leaf.value)} 分差 {fmt(need)} 分"
    plan_cost = cost_of(plan) if plan else None
    head = Gap(
        tier_short=short,
        rule_id=leaf.id,
        title=title,
        metric=None,
        missing=hi >= leaf.value,
        current=lo,
        required=leaf.value,
        op=leaf.op,
        amount=need,
        unit="分",
        money=None,
        cost=plan_cost,
        message=msg,
        article=leaf.article,
    )
    return [head, *plan]


def _options(
    ind: Indicator, ev: Evaluation, cols: Columns, i: int, short: str, crit: Criteria
) -> list[tuple[float, list[Gap]]]:
    """(points gained, gaps to close) for each better band of a fully known indicator."""
    now = float(ev.points[ind.id][0][i])
    if ind.kind == "ladder":
        return [
            (b.points - now, collect(b.when, ev, cols, i, short, crit)) for b in ind.bands if b.points > now
        ]
    if ind.kind == "count":
        open_items = [it for it in ind.items if int(ev.states[it.id][i]) != MET]
        gaps = [leaf_gap(it, cols, i, short, crit.costs) for it in open_items]
        gaps.sort(key=lambda g: NOT_CLOSABLE if g.cost is None else g.cost)
        return [(min(now + k * ind.per, ind.max) - now, gaps[:k]) for k in range(1, len(gaps) + 1)]
    return []  # steps (years) and values (province-set scores) cannot be bought


def score_plan(
    inds: list[Indicator], ev: Evaluation, cols: Columns, i: int, short: str, crit: Criteria, need: float
) -> tuple[list[Gap], list[Indicator]]:
    """Cheapest upgrades reaching ``need`` more points (exact knapsack over at most ~13 indicators)."""
    unknown = [ind for ind in inds if float(ev.points[ind.id][0][i]) != float(ev.points[ind.id][1][i])]
    target = max(math.ceil(need - 1e-9), 0)
    best: dict[int, tuple[float, list[Gap]]] = {0: (0.0, [])}
    for ind in inds:
        if ind in unknown:
            continue
        opts = [(int(math.ceil(g)), gs) for g, gs in _options(ind, ev, cols, i, short, crit)]
        nxt = dict(best)
        for have, (c, gs) in best.items():
            for gain, ogs in opts:
                key = min(have + gain, target)
                cand = (c + cost_of(ogs), gs + ogs)
                if key not in nxt or cand[0] < nxt[key][0]:
                    nxt[key] = cand
        best = nxt
    if target not in best or best[target][0] >= NOT_CLOSABLE:
        return [], unknown
    return best[target][1], unknown
