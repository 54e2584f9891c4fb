"""The write side the journeys need: leading firms publish and change demands, enterprises keep their own
profile. Every write checks the caller against ``matcher.auth.policy`` and validates the whole record
before anything is stored, so a refused or invalid change leaves the store as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import StrEnum
from typing import Any, NamedTuple

from pydantic import ValidationError as PydanticError
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from matcher import clock
from matcher.auth import policy, scoping
from matcher.auth.principal import AccountRole, Principal
from matcher.domain import Demand, Enterprise
from matcher.engine.matching import Matching, SupplierSearch
from matcher.engine.registry import Registry
from matcher.errors import ConflictError, NotFoundError, ValidationError
from matcher.io.validate import pydantic_messages
from matcher.store import Store
from matcher.store import repository as repo
from matcher.store.tables import CandidateDecisionRow, DemandRow, EnterpriseRow
from matcher.text.profiles import demand_profile

# What an enterprise's own users may change in its profile; name, USCC, park, role and tier are the
# registry's (imports, park admins) and the tier assessment's.
PROFILE_FIELDS = frozenset({"products", "capabilities", "certifications", "capacity", "contact"})
# What a publisher may change in a demand after publishing; its code and publisher stay.
DEMAND_FIELDS = frozenset(Demand.model_fields) - {"code", "publisher_uscc"}


class Decision(StrEnum):
    SHORTLIST = "shortlist"
    REJECT = "reject"
    CLEAR = "clear"  # take a decision back

    @property
    def label(self) -> str:
        return {"shortlist": "入围", "reject": "淘汰", "clear": "待定"}[self.value]


class CandidateDecision(NamedTuple):
    enterprise_id: int
    name: str
    decision: Decision
    note: str
    score: float | None


def _validated(model: type[Demand] | type[Enterprise], data: Mapping[str, Any]) -> Any:
    try:
        return model.model_validate(dict(data))
    except PydanticError as exc:
        raise ValidationError(pydantic_messages(model, exc)) from exc


def _check_version(stored: int, expected: int | None, what: str) -> None:
    """Refuse a change based on an older version than the stored one (a lost update otherwise)."""
    if expected is not None and expected != stored:
        raise ConflictError(
            f"{what}已被他人修改（当前版本 {stored}，您提交的修改基于版本 {expected}）：请刷新后在最新内容上重新修改"
        )


def _held(s: Session, table: type[DemandRow] | type[EnterpriseRow], id: int) -> Any:
    """The row as this session holds it. The caller keeps the reference until the upsert: the session
    forgets rows nobody refers to, and a row loaded again would carry a newer version into the UPDATE's
    ``WHERE version = ...`` check instead of the one checked here."""
    return s.get(table, id)


@contextmanager
def _stale_as_conflict(what: str) -> Iterator[None]:
    """A concurrent writer got in between our read and our write: the store's version check refused it."""
    try:
        yield
    except StaleDataError:
        raise ConflictError(f"{what}刚被他人修改：请刷新后在最新内容上重新修改") from None


_DATES = {"deadline": "截止日期", "delivery_date": "交付日期"}


def past_dates(record: Demand, fields: frozenset[str] | set[str], today: dt.date) -> list[str]:
    """Refusals for the dates among ``fields`` a new or changed demand sets in the past (imports of
    historical demands are not refused: only what a user publishes or edits now)."""
    out = []
    for name, label in _DATES.items():
        value = getattr(record, name)
        if name in fields and value is not None and value < today:
            out.append(f"{label}不能早于今天（{today:%Y-%m-%d}，北京时间），实为 {value:%Y-%m-%d}")
    return out


def _unknown(changes: Mapping[str, Any], allowed: frozenset[str], what: str) -> None:
    extra = sorted(set(changes) - allowed)
    if extra:
        raise ValidationError([f"{what}不可修改的字段：{'、'.join(extra)}"])


class Publishing:
    """Demands published and changed, profiles kept, candidate suppliers decided: each write checked
    against the caller's rights; a profile edit tells the matching service that the registry changed."""

    def __init__(self, store: Store, registry: Registry, matching: Matching) -> None:
        self.store = store
        self.registry = registry
        self.matching = matching

    # -- demands ---------------------------------------------------------------------------------------

    def _publisher_for(self, fields: Mapping[str, Any], principal: Principal | None) -> repo.StoredEnterprise:
        """A leading-firm user publishes for their own firm; admins name the firm (``publisher_uscc``)."""
        uscc = str(fields.get("publisher_uscc") or "").strip()
        if principal is not None and principal.role is AccountRole.LEADING_USER:
            assert principal.enterprise_id is not None
            own = self.registry.enterprise(principal.enterprise_id)
            policy.ensure(uscc in ("", own.record.uscc), "龙头企业用户只能以本企业名义发布需求")
            return own
        if not uscc:
            raise ValidationError(["发布企业统一社会信用代码为必填项"])
        with self.store.session() as s:
            try:
                found = repo.get_enterprise(s, uscc=uscc)
            except NotFoundError as exc:
                raise ValidationError([f"发布企业 {uscc} 未登记"]) from exc
            if principal is not None:
                park_id = scoping.enterprise_park(s, found.id)
                policy.ensure(
                    policy.can_change_enterprise(principal, found.id, park_id),
                    f"无权代 {found.record.name} 发布需求（仅限所辖园区的企业）",
                )
            return found

    def _next_code(self, publisher: repo.StoredEnterprise) -> str:
        """XQ + date + the publisher's USCC tail + a sequence number, unique in the store."""
        stem = f"XQ{clock.today():%Y%m%d}-{publisher.record.uscc[-6:]}"
        with self.store.session() as s:
            taken = set(s.scalars(select(DemandRow.code).where(DemandRow.code.like(f"{stem}-%"))))
        n = len(taken) + 1
        while f"{stem}-{n:03d}" in taken:
            n += 1
        return f"{stem}-{n:03d}"

    def publish_demand(
        self, fields: Mapping[str, Any], *, principal: Principal | None = None
    ) -> repo.StoredDemand:
        """Validate and store a new demand; the code is generated when not given and must be new."""
        publisher = self._publisher_for(fields, principal)
        data = {k: v for k, v in fields.items() if k != "publisher_uscc"}
        code = str(data.pop("code", "") or "").strip() or self._next_code(publisher)
        record = _validated(Demand, {**data, "code": code, "publisher_uscc": publisher.record.uscc})
        problems = past_dates(record, set(_DATES), clock.today())
        if problems:
            raise ValidationError(problems)
        with self.store.session() as s:
            if s.scalar(select(DemandRow.id).where(DemandRow.code == code)) is not None:
                raise ValidationError([f"需求编号 {code} 已存在，请换一个编号或留空自动生成"])
            repo.upsert_demands(s, demands=[record])
            return repo.get_demand(s, code=code)

    def update_demand(
        self,
        demand_id: int,
        changes: Mapping[str, Any],
        *,
        principal: Principal | None = None,
        version: int | None = None,
    ) -> repo.StoredDemand:
        """Change the given fields of a demand (e.g. close it, widen its visibility), the others stay; the
        whole record is re-validated, and a demand the caller may not see is reported as missing.
        ``version``: the version the change was made on; an older one than stored is a ConflictError."""
        _unknown(changes, DEMAND_FIELDS, "需求")
        with self.store.session() as s:
            self._checked_demand(s, demand_id, principal, "修改该需求")
            row = _held(s, DemandRow, demand_id)
            _check_version(row.version, version, "该需求")
            current = repo.demand_from_row(row)  # the content of the version checked, changes on top
            record = _validated(Demand, {**current.model_dump(), **changes})
            changed = {k for k in changes if getattr(record, k, None) != getattr(current, k, None)}
            problems = past_dates(record, changed, clock.today())
            if problems:
                raise ValidationError(problems)
            with _stale_as_conflict("该需求"):
                repo.upsert_demands(s, demands=[record])
            return repo.get_demand(s, id=demand_id)

    def managed_demands(self, *, principal: Principal, limit: int = 500) -> list[repo.StoredDemand]:
        """The demands ``principal`` may change (a leading firm's own; a park admin's park's), newest first."""
        with self.store.session() as s:
            rows = scoping.list_demands(s, principal, limit=limit)
            mine = [d for d in rows if policy.can_change_demand(principal, scoping.demand_facts(s, d))]
        return sorted(mine, key=lambda d: d.id, reverse=True)

    def decision_counts(self, demand_ids: list[int]) -> dict[int, dict[str, int]]:
        """Per demand, how many candidates were shortlisted and rejected (for list pages)."""
        counts: dict[int, dict[str, int]] = {i: {} for i in demand_ids}
        if not demand_ids:
            return counts
        with self.store.session() as s:
            query = (
                select(CandidateDecisionRow.demand_id, CandidateDecisionRow.decision, func.count())
                .where(CandidateDecisionRow.demand_id.in_(demand_ids))
                .group_by(CandidateDecisionRow.demand_id, CandidateDecisionRow.decision)
            )
            for demand_id, decision, n in s.execute(query):
                counts[demand_id][decision] = int(n)
        return counts

    # -- profiles --------------------------------------------------------------------------------------

    def update_profile(
        self,
        enterprise_id: int,
        changes: Mapping[str, Any],
        *,
        principal: Principal | None = None,
        version: int | None = None,
    ) -> repo.StoredEnterprise:
        """Change an enterprise's products, capabilities, certifications, capacity or contact.

        Only its own users, the admins of its park and platform admins may; the matching pool sees the
        change on its next query (the registry fingerprint moves). ``version`` as in ``update_demand``.
        """
        _unknown(changes, PROFILE_FIELDS, "企业档案中")
        with self.store.session() as s:
            repo.get_enterprise(s, id=enterprise_id)  # NotFoundError for a missing one
            if principal is not None:
                park_id = scoping.enterprise_park(s, enterprise_id)
                policy.ensure(
                    policy.can_change_enterprise(principal, enterprise_id, park_id),
                    "只能修改本企业（或所辖园区企业）的档案",
                )
            row = _held(s, EnterpriseRow, enterprise_id)
            _check_version(row.version, version, "该企业档案")
            current = repo.enterprise_from_row(row)
            record = _validated(Enterprise, {**current.model_dump(), **changes})
            with _stale_as_conflict("该企业档案"):
                repo.upsert_enterprises(s, enterprises=[record])
            stored = repo.get_enterprise(s, id=enterprise_id)
        self.matching.registry_changed()
        return stored

    # -- candidate decisions ---------------------------------------------------------------------------

    def _checked_demand(
        self, s: Session, demand_id: int, principal: Principal | None, doing: str, *, read: bool = False
    ) -> repo.StoredDemand:
        """The demand, when ``principal`` may change it (``read``: may see its candidates); a demand it
        cannot see at all is reported as missing."""
        found = repo.get_demand(s, id=demand_id)
        if principal is not None:
            facts = scoping.demand_facts(s, found)
            policy.demand_or_not_found(policy.can_see_demand(principal, facts), demand_id)
            rule = policy.can_see_candidates if read else policy.can_change_demand
            policy.ensure(rule(principal, facts), f"只有发布企业和所在园区的管理员可以{doing}")
        return found

    def decide_candidate(
        self,
        demand_id: int,
        enterprise_id: int,
        decision: Decision | str,
        *,
        note: str = "",
        principal: Principal | None = None,
    ) -> CandidateDecision | None:
        """入围 or 淘汰 a candidate supplier of a demand (deciding again replaces it; ``clear`` removes it)."""
        try:
            choice = Decision(decision)
        except ValueError as exc:
            raise ValidationError(
                [f"处理结果须为 {'、'.join(d.value for d in Decision)}（实为 {decision!r}）"]
            ) from exc
        if len(note) > 500:
            raise ValidationError(["备注过长（最多 500 个字符）"])
        with self.store.session() as s:
            found = self._checked_demand(s, demand_id, principal, "处理候选供应商")
            supplier = repo.get_enterprise(s, id=enterprise_id)
            if enterprise_id == found.publisher_id:
                raise ValidationError(["发布企业不能作为自己需求的候选供应商"])
            row = s.scalar(
                select(CandidateDecisionRow).where(
                    CandidateDecisionRow.demand_id == demand_id,
                    CandidateDecisionRow.enterprise_id == enterprise_id,
                )
            )
            if choice is Decision.CLEAR:
                if row is not None:
                    s.delete(row)
                return None
            score = self._candidate_score(found.record, enterprise_id)
            if row is None:
                row = CandidateDecisionRow(demand_id=demand_id, enterprise_id=enterprise_id)
                s.add(row)
            row.decision, row.note, row.score = choice.value, note.strip(), score
            row.account_id = principal.account_id if principal is not None else None
            s.flush()
            return CandidateDecision(enterprise_id, supplier.record.name, choice, row.note, score)

    def _candidate_score(self, demand: Demand, enterprise_id: int) -> float | None:
        """The supplier's 0-100 relevance to the demand when decided (kept as a label for the ranker)."""
        pool = self.matching.match_pool()
        if enterprise_id not in pool.positions:
            return None
        ranking = pool.rank_suppliers(demand_profile(demand))
        i = pool.index_of(enterprise_id)
        product, _, channels = pool.core.supplier_values(i, ranking.items, ranking.channels)
        return pool.supplier_reason(product, ranking.items, channels)[0]

    def candidate_decisions(
        self, demand_id: int, *, principal: Principal | None = None
    ) -> list[CandidateDecision]:
        """The decisions taken on a demand's candidates, shortlist first, in the order they were taken."""
        with self.store.session() as s:
            self._checked_demand(s, demand_id, principal, "查看候选供应商", read=True)
            rows = s.execute(
                select(CandidateDecisionRow, EnterpriseRow.name)
                .join(EnterpriseRow, EnterpriseRow.id == CandidateDecisionRow.enterprise_id)
                .where(CandidateDecisionRow.demand_id == demand_id)
                .order_by(CandidateDecisionRow.decision.desc(), CandidateDecisionRow.id)
            ).all()
            return [
                CandidateDecision(r.enterprise_id, name, Decision(r.decision), r.note, r.score)
                for r, name in rows
            ]

    def candidates(
        self, demand_id: int, *, k: int = 20, principal: Principal | None = None, relax: Sequence[str] = ()
    ) -> tuple[SupplierSearch, list[CandidateDecision]]:
        """The demand's candidate suppliers with reasons (``relax``: constraints dropped for this view),
        and the decisions already taken on them."""
        decisions = self.candidate_decisions(demand_id, principal=principal)
        search = self.matching.suppliers_for(demand_id=demand_id, k=k, principal=principal, relax=relax)
        return search, decisions
