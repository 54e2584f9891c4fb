"""SQLAlchemy 2 tables of the registry: parks, enterprises, demands.

Columns people filter on are real columns; nested parts of a record (products, indicators, contact) are
JSON, which both SQLite and PostgreSQL store natively. The schema is owned by the Alembic migrations in
``migrations/``; these classes must match them (a test compares the two).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Timestamped:
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class ParkRow(Timestamped, Base):
    __tablename__ = "parks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    province: Mapped[str] = mapped_column(String(50), default="")
    city: Mapped[str] = mapped_column(String(50), default="")
    district: Mapped[str] = mapped_column(String(50), default="")
    leading_industries: Mapped[list[Any]] = mapped_column(JSON, default=list)


class EnterpriseRow(Timestamped, Base):
    __tablename__ = "enterprises"
    # the registry's newest change (``Registry.fingerprint``: every worker every few seconds, every update
    # by id) is then an index look-up, not a scan of the table
    __table_args__ = (Index("ix_enterprises_updated_at", "updated_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    park_id: Mapped[int | None] = mapped_column(ForeignKey("parks.id", ondelete="SET NULL"), index=True)
    province: Mapped[str] = mapped_column(String(50), default="")
    city: Mapped[str] = mapped_column(String(50), default="")
    district: Mapped[str] = mapped_column(String(50), default="")
    industry_code: Mapped[str] = mapped_column(String(8), index=True)
    role: Mapped[str] = mapped_column(String(16), index=True)
    tier: Mapped[str] = mapped_column(String(16), index=True)
    size_class: Mapped[str | None] = mapped_column(String(4))
    capabilities: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[str] = mapped_column(Text, default="")
    products: Mapped[list[Any]] = mapped_column(JSON, default=list)
    certifications: Mapped[list[Any]] = mapped_column(JSON, default=list)
    indicators: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    contact: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # optimistic locking: every UPDATE checks and bumps it, so a stale write fails instead of winning
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    park: Mapped[ParkRow | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class DemandRow(Timestamped, Base):
    __tablename__ = "demands"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(200))
    publisher_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    product: Mapped[str] = mapped_column(String(200), default="")
    spec: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20), default="")
    budget_min: Mapped[float | None] = mapped_column(Float)
    budget_max: Mapped[float | None] = mapped_column(Float)
    delivery_date: Mapped[dt.date | None] = mapped_column(Date)
    problem: Mapped[str] = mapped_column(Text, default="")
    target_indicators: Mapped[str] = mapped_column(Text, default="")
    cooperation_mode: Mapped[str] = mapped_column(String(100), default="")
    required_certifications: Mapped[list[Any]] = mapped_column(JSON, default=list)
    preferred_regions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), index=True)
    visibility: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # as EnterpriseRow's

    publisher: Mapped[EnterpriseRow] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class TierAssessmentRow(Base):
    """One dated 梯度培育 assessment of an enterprise; re-assessing the same date and criteria overwrites it.

    ``detail`` keeps what reports need without re-running the assessment: per-indicator points with the
    values used, the gaps to the next tier (Chinese messages) and the missing data.
    """

    __tablename__ = "tier_assessments"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "as_of", "criteria_version", name="uq_tier_assessments_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    as_of: Mapped[dt.date] = mapped_column(Date, index=True)
    tier: Mapped[str] = mapped_column(String(16), index=True)
    points: Mapped[float | None] = mapped_column(Float)
    criteria_version: Mapped[str] = mapped_column(String(100))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


# -- accounts and audit (matcher.auth) -------------------------------------------------------------------


class AccountRow(Timestamped, Base):
    """A person or a system that logs in; ``role`` is a ``matcher.auth.AccountRole`` value."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="SET NULL"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AccountParkRow(Base):
    """The parks a park admin (or organizer) serves."""

    __tablename__ = "account_parks"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id", ondelete="CASCADE"), primary_key=True)


class AccountEventRow(Base):
    """The events an organizer runs (no foreign key: events live in their own package's tables)."""

    __tablename__ = "account_events"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class ApiTokenRow(Base):
    """A session token or API key, stored as the SHA-256 digest of the secret only."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    scope: Mapped[str] = mapped_column(String(16), default="write", server_default="write")  # read / write


class LoginFailureRow(Base):
    """Failed log-ins in a row for one key (``account:NAME`` or ``address:IP``), shared by every server
    process (``matcher.auth.throttle``); times are seconds since the epoch."""

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    last: Mapped[float] = mapped_column(Float, index=True)
    locked_until: Mapped[float] = mapped_column(Float, default=0.0)


class AuditRow(Base):
    """One write (or refused write), or one read of sensitive data (exports, contacts, candidate lists),
    through the API or the web app: who, what, on which record, with what result."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)
    account_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str] = mapped_column(String(64), default="", index=True)
    role: Mapped[str] = mapped_column(String(20), default="")
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(500))
    resource: Mapped[str] = mapped_column(String(32), default="")
    action: Mapped[str] = mapped_column(String(16), default="")
    status: Mapped[int] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# -- 供需对接会 (matcher.events) ----------------------------------------------------------------------------


class EventRow(Timestamped, Base):
    """One 对接会: ``data`` is the whole :class:`matcher.events.Event` as JSON (``event_to_json``)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    park_id: Mapped[int | None] = mapped_column(ForeignKey("parks.id", ondelete="SET NULL"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class EventScheduleRow(Base):
    """One version of an event's schedule (``schedule_to_json``); a re-plan adds a version, never overwrites."""

    __tablename__ = "event_schedules"
    __table_args__ = (UniqueConstraint("event_id", "version", name="uq_event_schedules_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16), default="schedule")
    status: Mapped[str] = mapped_column(String(32))
    objective: Mapped[int] = mapped_column(BigInteger)
    bound: Mapped[int | None] = mapped_column(BigInteger)
    gap: Mapped[float | None] = mapped_column(Float)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class MeetingOutcomeRow(Base):
    """洽谈结果 of one event pair, the ranker's training label: enterprise ids and 统一社会信用代码 are kept
    (the codes survive an enterprise's deletion), so labels join back to the registry across events."""

    __tablename__ = "meeting_outcomes"
    __table_args__ = (
        UniqueConstraint("event_id", "buyer_participant", "sme_participant", name="uq_meeting_outcomes_pair"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    buyer_participant: Mapped[str] = mapped_column(String(64))
    sme_participant: Mapped[str] = mapped_column(String(64))
    buyer_enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="SET NULL"), index=True
    )
    sme_enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="SET NULL"), index=True
    )
    buyer_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    sme_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    slot: Mapped[int] = mapped_column(Integer)
    held: Mapped[bool] = mapped_column(Boolean, default=True)
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


# -- background jobs (matcher.jobs) ------------------------------------------------------------------------


class JobRow(Base):
    """One background job (import, index rebuild, scheduling): its state and progress live here, so any
    server process can report them; ``params`` is what it was started with, ``result`` what it produced.
    The running process touches ``heartbeat_at``; a queued or running job whose heartbeat stopped is dead."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), index=True)
    worker: Mapped[str] = mapped_column(String(128), default="")  # "host:pid" of the process running it
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


# -- candidate decisions (a leading firm's shortlist) --------------------------------------------------------


class CandidateDecisionRow(Timestamped, Base):
    """A publisher's decision on one candidate supplier of one demand: 入围 (shortlist) or 淘汰 (reject).

    Deciding again replaces the decision; these are also labels for the ranker (what buyers kept)."""

    __tablename__ = "candidate_decisions"
    __table_args__ = (UniqueConstraint("demand_id", "enterprise_id", name="uq_candidate_decisions_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demands.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[float | None] = mapped_column(Float)  # the match score when decided
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))


# -- the two-sided workflow (matcher.deals), notifications (matcher.notify), trials (matcher.trials) --------


class NotificationRow(Base):
    """One in-platform message to one account; ``read_at`` is set when the account reads it."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(300), default="")
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DemandResponseRow(Timestamped, Base):
    """揭榜: an enterprise's answer to a published demand, and the publisher's decision on it."""

    __tablename__ = "demand_responses"
    __table_args__ = (UniqueConstraint("demand_id", "enterprise_id", name="uq_demand_responses_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demands.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    proposal: Mapped[str] = mapped_column(Text)
    products: Mapped[list[Any]] = mapped_column(JSON, default=list)
    attachments: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class InvitationRow(Timestamped, Base):
    """邀请洽谈: a publisher invites a candidate supplier of one of its demands; the supplier answers."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("demand_id", "enterprise_id", name="uq_invitations_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demands.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), index=True)
    reply: Mapped[str] = mapped_column(Text, default="")
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class InnovationProductRow(Timestamped, Base):
    """新产品 of an enterprise as a 首台套/首批次/首版次 catalogue entry would describe it."""

    __tablename__ = "innovation_products"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(16))
    specs: Mapped[str] = mapped_column(Text, default="")
    reports: Mapped[list[Any]] = mapped_column(JSON, default=list)
    first_sale: Mapped[str] = mapped_column(String(16))


class TrialRow(Timestamped, Base):
    """先试首用: a leading firm's trial of an SME's product, from request to adoption."""

    __tablename__ = "trials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("innovation_products.id", ondelete="SET NULL"), index=True
    )
    subject: Mapped[str] = mapped_column(String(200))  # the product's name (kept if the entry goes)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    demand_id: Mapped[int | None] = mapped_column(ForeignKey("demands.id", ondelete="SET NULL"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    initiator: Mapped[str] = mapped_column(String(16))  # buyer (申请) or supplier (提供)
    scope: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    criteria: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), index=True)
    result: Mapped[str] = mapped_column(Text, default="")
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))


class RegistryChangeRow(Base):
    """One enterprise written or deleted (``matcher.store.changes``): every worker's matching pool reads the
    rows after the last it applied and updates those enterprises alone, instead of refitting the registry."""

    __tablename__ = "registry_changes"
    __table_args__ = {"sqlite_autoincrement": True}  # a sequence never reused, even after the newest row goes

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[int] = mapped_column(Integer)  # no foreign key: a deleted enterprise is logged too
