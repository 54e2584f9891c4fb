"""SQLAlchemy 2 tables of the registry: parks, enterprises, demands.

Columns people filter on are real columns; nested parts of a record (products, indicators, contact) are
JSON, which both SQLite and PostgreSQL store natively. The schema is owned by the Alembic migrations in
``migrations/``; these classes must match them (a test compares the two).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String, Text, func
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

    park: Mapped[ParkRow | None] = relationship(lazy="joined")


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

    publisher: Mapped[EnterpriseRow] = relationship(lazy="joined")
