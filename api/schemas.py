"""API schemas: one class per purpose, kept apart from the domain records they expose.

Public views leave out what a caller may not see (an enterprise's private contact); lists are
``{data, count}`` pages.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from matcher.domain import Demand, Enterprise, Park

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    data: list[T]
    count: int = Field(description="符合条件的总数")


class ParkPublic(Park):
    enterprise_count: int = Field(default=0, title="企业数")


class EnterprisePublic(BaseModel):
    id: int
    size_class: str | None = Field(default=None, title="企业规模")
    record: Enterprise

    @classmethod
    def of(cls, id: int, record: Enterprise, *, private: bool = False) -> EnterprisePublic:
        """The public view; contacts stay blank unless ``private`` access was granted."""
        shown = record if private else record.model_copy(update={"contact": type(record.contact)()})
        return cls(id=id, size_class=record.size_class, record=shown)


class DemandPublic(BaseModel):
    id: int
    publisher_id: int
    record: Demand


class ImportResult(BaseModel):
    counts: dict[str, dict[str, int]] = Field(description="每类数据的新增与更新条数")


class ErrorBody(BaseModel):
    code: str = Field(description="错误类别，如 validation_error / not_found")
    message: str = Field(description="中文说明")
    problems: list[str] = Field(default_factory=list, description="逐条问题（如导入文件的行号与原因）")
