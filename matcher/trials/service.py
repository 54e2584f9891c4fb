"""The 先试首用 service: register innovation products, request or offer trials, move them through their
states, and count them for park dashboards. Every write checks the caller against the policy, validates
first and notifies the other side in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from matcher.auth import policy
from matcher.auth.principal import Principal
from matcher.errors import NotFoundError, ValidationError
from matcher.graph.analysis import Supply
from matcher.io.validate import validated
from matcher.notify import Notifier
from matcher.store import Store
from matcher.store.tables import EnterpriseRow, EventRow, InnovationProductRow, TrialRow
from matcher.trials.model import NEXT, InnovationProduct, ProductSpec, Trial, TrialPlan, TrialState

RESULT_MAX = 2000
LIST_MAX = 500


class TrialTally(NamedTuple):
    """One dashboard row: trials started (past 申请) and adopted, for a leading industry or firm."""

    group: str
    trials: int
    adopted: int


class Trials:
    """``engine.trials``."""

    def __init__(self, store: Store, notifier: Notifier) -> None:
        self.store = store
        self.notifier = notifier

    # -- innovation products -----------------------------------------------------------------------------

    def register(
        self, spec: Mapping[str, Any] | ProductSpec, *, enterprise_id: int | None = None, principal: Principal
    ) -> InnovationProduct:
        """Add a 新产品 to the caller's firm (admins name the firm of their park)."""
        checked = validated(ProductSpec, spec)
        owner = enterprise_id or principal.enterprise_id
        if owner is None:
            raise ValidationError(["请指定登记新产品的企业"])
        with self.store.session() as s:
            firm = _firm(s, owner)
            policy.ensure(
                policy.can_take_trial_part(principal, firm.id, firm.park_id),
                "只能为本企业（或所辖园区企业）登记新产品",
            )
            row = InnovationProductRow(enterprise_id=firm.id, **checked.model_dump(mode="json"))
            s.add(row)
            s.flush()
            return _product(row, firm.name)

    def products(self, *, enterprise_id: int | None = None, limit: int = 200) -> list[InnovationProduct]:
        """The innovation catalogue (open to every signed-in account, as a public 目录 is), newest first."""
        query = select(InnovationProductRow, EnterpriseRow.name).join(
            EnterpriseRow, EnterpriseRow.id == InnovationProductRow.enterprise_id
        )
        if enterprise_id is not None:
            query = query.where(InnovationProductRow.enterprise_id == enterprise_id)
        with self.store.session() as s:
            rows = s.execute(query.order_by(InnovationProductRow.id.desc()).limit(min(limit, LIST_MAX)))
            return [_product(r, name) for r, name in rows]

    # -- starting a trial ----------------------------------------------------------------------------------

    def request(
        self,
        product_id: int,
        plan: Mapping[str, Any] | TrialPlan,
        *,
        buyer_id: int | None = None,
        demand_id: int | None = None,
        principal: Principal,
    ) -> Trial:
        """A leading firm asks to trial a product (申请); the supplier starts it by accepting."""
        return self._open(
            product_id, plan, "buyer", buyer_id or principal.enterprise_id, demand_id, principal
        )

    def offer(
        self,
        product_id: int,
        buyer_id: int,
        plan: Mapping[str, Any] | TrialPlan,
        *,
        demand_id: int | None = None,
        principal: Principal,
    ) -> Trial:
        """The SME offers a trial of its product to a leading firm (e.g. against a demand it answers)."""
        return self._open(product_id, plan, "supplier", buyer_id, demand_id, principal)

    def _open(
        self,
        product_id: int,
        plan: Mapping[str, Any] | TrialPlan,
        initiator: str,
        buyer_id: int | None,
        demand_id: int | None,
        principal: Principal,
    ) -> Trial:
        checked = validated(TrialPlan, plan)
        if buyer_id is None:
            raise ValidationError(["请指定试用的龙头企业"])
        with self.store.session() as s:
            product = s.get(InnovationProductRow, product_id)
            if product is None:
                raise NotFoundError(f"新产品不存在（编号 {product_id}）")
            supplier, buyer = _firm(s, product.enterprise_id), _firm(s, buyer_id)
            side = buyer if initiator == "buyer" else supplier
            policy.ensure(
                policy.can_take_trial_part(principal, side.id, side.park_id),
                "只有龙头企业可以申请试用" if initiator == "buyer" else "只有产品所属企业可以提供试用",
            )
            if buyer.role != "leading":
                raise ValidationError([f"{buyer.name} 不是龙头企业，先试首用由龙头企业试用"])
            if buyer.id == supplier.id:
                raise ValidationError(["企业不能试用自己的产品"])
            row = TrialRow(
                product_id=product.id,
                subject=product.name,
                supplier_id=supplier.id,
                buyer_id=buyer.id,
                demand_id=demand_id,
                initiator=initiator,
                state=TrialState.REQUESTED.value,
                account_id=principal.account_id,
                **checked.model_dump(),
            )
            s.add(row)
            s.flush()
            other = supplier if initiator == "buyer" else buyer
            verb = "申请试用" if initiator == "buyer" else "提供试用"
            self._tell(s, row, other.id, f"{side.name} {verb}：{product.name}")
            return _trial(s, row)

    def from_event(
        self, event_code: str, buyer_uscc: str | None, supplier_uscc: str | None, note: str
    ) -> bool:
        """An event meeting ended in 试用: the same trial record, started (试用中), once per event and pair.
        False when either side is not in the registry (nothing to link the trial to)."""
        with self.store.session() as s:
            event_id = s.scalar(select(EventRow.id).where(EventRow.code == event_code))
            buyer, supplier = (
                s.scalar(select(EnterpriseRow.id).where(EnterpriseRow.uscc == u)) if u else None
                for u in (buyer_uscc, supplier_uscc)
            )
            if event_id is None or buyer is None or supplier is None:
                return False
            known = select(TrialRow.id).where(
                TrialRow.event_id == event_id, TrialRow.buyer_id == buyer, TrialRow.supplier_id == supplier
            )
            if s.scalar(known) is None:
                s.add(_event_trial(s, event_id, buyer, supplier, note))
            return True

    # -- moving a trial on -----------------------------------------------------------------------------------

    def advance(
        self, trial_id: int, state: TrialState | str, *, result: str = "", principal: Principal
    ) -> Trial:
        """申请 → 试用中 (by the side that did not ask), 试用中 → 通过/未通过 (by the buyer, with a result),
        通过 → 采用 (by the buyer: the supplier link the chain analysis then counts)."""
        try:
            target = TrialState(state)
        except ValueError as exc:
            raise ValidationError(
                [f"试用状态须为 {'、'.join(s.value for s in TrialState)}（实为 {state!r}）"]
            ) from exc
        text = (result or "").strip()
        if len(text) > RESULT_MAX:
            raise ValidationError([f"试用结果过长（最多 {RESULT_MAX} 个字符）"])
        with self.store.session() as s:
            row = self._visible(s, trial_id, principal)
            current = TrialState(row.state)
            if target not in NEXT[current]:
                raise ValidationError([f"试用处于“{current.label}”，不能改为“{target.label}”"])
            actor = self._actor(row, target)
            firm = _firm(s, actor)
            who = "产品所属企业" if actor == row.supplier_id else "试用的龙头企业"
            policy.ensure(
                policy.can_take_trial_part(principal, firm.id, firm.park_id), f"这一步须由{who}操作"
            )
            if target in (TrialState.PASSED, TrialState.FAILED) and not text:
                raise ValidationError(["请填写试用结果（是否达到验收标准及依据）"])
            row.state = target.value
            if text:
                row.result = text
            s.flush()
            other = row.buyer_id if actor == row.supplier_id else row.supplier_id
            self._tell(s, row, other, f"先试首用“{row.subject}”：{target.label}")
            return _trial(s, row)

    def next_steps(self, trial_id: int, *, principal: Principal) -> list[TrialState]:
        """The states ``principal`` may move this trial to now (for showing only the buttons that work)."""
        with self.store.session() as s:
            row = self._visible(s, trial_id, principal)
            steps = []
            for target in NEXT[TrialState(row.state)]:
                firm = _firm(s, self._actor(row, target))
                if policy.can_take_trial_part(principal, firm.id, firm.park_id):
                    steps.append(target)
            return steps

    @staticmethod
    def _actor(row: TrialRow, target: TrialState) -> int:
        """Which side takes this step: starting a trial is the side that did not ask; the rest the buyer's."""
        if target is TrialState.TRIALLING:
            return row.supplier_id if row.initiator == "buyer" else row.buyer_id
        return row.buyer_id

    # -- reading -------------------------------------------------------------------------------------------

    def get(self, trial_id: int, *, principal: Principal) -> Trial:
        with self.store.session() as s:
            return _trial(s, self._visible(s, trial_id, principal))

    def visible(self, *, principal: Principal, limit: int = 200) -> list[Trial]:
        """The trials the caller takes part in (its firm's, or its park's firms'), newest first."""
        with self.store.session() as s:
            query = select(TrialRow).order_by(TrialRow.id.desc())
            if not principal.is_platform_admin:
                firms = select(EnterpriseRow.id).where(
                    or_(
                        EnterpriseRow.id == principal.enterprise_id,
                        EnterpriseRow.park_id.in_(_parks(principal)),
                    )
                )
                query = query.where(or_(TrialRow.buyer_id.in_(firms), TrialRow.supplier_id.in_(firms)))
            return [_trial(s, r) for r in s.scalars(query.limit(min(limit, LIST_MAX)))]

    def park_trials(self, park_id: int) -> list[Trial]:
        """Trials whose leading firm is in the park (the park's 先试首用 figures)."""
        with self.store.session() as s:
            firms = select(EnterpriseRow.id).where(EnterpriseRow.park_id == park_id)
            query = select(TrialRow).where(TrialRow.buyer_id.in_(firms)).order_by(TrialRow.id)
            return [_trial(s, r) for r in s.scalars(query)]

    def _visible(self, s: Session, trial_id: int, principal: Principal) -> TrialRow:
        row = s.get(TrialRow, trial_id)
        if row is not None:
            sides = tuple((f.id, f.park_id) for f in (_firm(s, row.buyer_id), _firm(s, row.supplier_id)))
            if policy.can_see_trial(principal, sides):
                return row
        raise NotFoundError(f"试用记录不存在（编号 {trial_id}）")

    def _tell(self, s: Session, row: TrialRow, enterprise_id: int, title: str) -> None:
        self.notifier.tell_enterprise(s, enterprise_id, title, row.scope[:200], f"/trials/{row.id}")


class TrialDashboard(NamedTuple):
    """A park's 先试首用 figures: per leading industry and per leading firm."""

    park: str
    by_industry: list[TrialTally]
    by_firm: list[TrialTally]
    trials: list[Trial]


def tally(trials: Iterable[Trial], groups: Mapping[str, set[int]]) -> list[TrialTally]:
    """Per group (a leading industry, a leading firm: the buyer ids it holds), trials past 申请 and adoptions."""
    started = [t for t in trials if t.state is not TrialState.REQUESTED]
    return [
        TrialTally(
            name,
            sum(t.buyer_id in ids for t in started),
            sum(t.buyer_id in ids and t.state is TrialState.ADOPTED for t in started),
        )
        for name, ids in groups.items()
    ]


def adopted_supplies(s: Session) -> list[Supply]:
    """Every adopted trial as a supplier link for the chain analysis."""
    rows = s.scalars(select(TrialRow).where(TrialRow.state == TrialState.ADOPTED.value))
    out = []
    for r in rows:
        supplier, buyer = _firm(s, r.supplier_id), _firm(s, r.buyer_id)
        out.append(Supply(supplier.uscc, supplier.name, buyer.uscc, buyer.name, r.subject))
    return out


def _parks(p: Principal) -> list[int]:
    return sorted(p.park_ids) if p.is_park_admin else []


def _firm(s: Session, enterprise_id: int) -> EnterpriseRow:
    row = s.get(EnterpriseRow, enterprise_id)
    if row is None:
        raise NotFoundError(f"企业不存在（编号 {enterprise_id}）")
    return row


def _event_trial(s: Session, event_id: int, buyer_id: int, supplier_id: int, note: str) -> TrialRow:
    """The trial an event's 试用 outcome starts: of the supplier's newest innovation product, if it has one."""
    product = s.scalar(
        select(InnovationProductRow)
        .where(InnovationProductRow.enterprise_id == supplier_id)
        .order_by(InnovationProductRow.id.desc())
    )
    return TrialRow(
        product_id=None if product is None else product.id,
        subject=product.name if product is not None else (note[:200] or "对接会约定试用的产品"),
        supplier_id=supplier_id,
        buyer_id=buyer_id,
        event_id=event_id,
        initiator="event",
        scope=note[:2000],
        state=TrialState.TRIALLING.value,
    )


def _product(row: InnovationProductRow, name: str) -> InnovationProduct:
    spec = ProductSpec(
        name=row.name,
        category=row.category,
        specs=row.specs,
        reports=list(row.reports),
        first_sale=row.first_sale,
    )  # type: ignore[arg-type]
    return InnovationProduct(row.id, row.enterprise_id, name, spec)


def _trial(s: Session, r: TrialRow) -> Trial:
    plan = None
    if r.scope and r.criteria:
        plan = TrialPlan(scope=r.scope, start_date=r.start_date, end_date=r.end_date, criteria=r.criteria)
    return Trial(
        r.id,
        r.subject,
        r.product_id,
        r.supplier_id,
        _firm(s, r.supplier_id).name,
        r.buyer_id,
        _firm(s, r.buyer_id).name,
        r.initiator,
        plan,
        TrialState(r.state),
        r.result,
        r.demand_id,
        r.event_id,
        r.updated_at,
    )
