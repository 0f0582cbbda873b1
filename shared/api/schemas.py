"""Response shapes every service shares."""
from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list endpoint: `total` counts every match, not just this page."""

    items: list[T]
    total: int
    limit: int
    offset: int


class FromRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ApiErrorBody(BaseModel):
    """Every error answer: a stable machine-readable code and a sentence for people."""

    code: str
    message: str
