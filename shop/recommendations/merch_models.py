"""Merchandising rules as rows: what staff set in the back office (``shop.admin.rules_views``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models import Base

from .merchandising import Rule


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class MerchRule(Base):
    __tablename__ = "merch_rules"
    __table_args__ = (
        CheckConstraint("action IN ('pin', 'boost', 'bury', 'exclude')", name="action_known"),
        CheckConstraint("target_kind IN ('product', 'brand', 'category')", name="target_kind_known"),
        CheckConstraint("position >= 1", name="position_positive"),
        CheckConstraint("ends_at IS NULL OR starts_at IS NULL OR starts_at < ends_at", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(10))
    target_kind: Mapped[str] = mapped_column(String(10))
    #: A product slug, a brand name or a category slug.
    target: Mapped[str] = mapped_column(String(120))
    #: A slot name from the registry; NULL: every slot.
    slot: Mapped[str | None] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=1)
    strength: Mapped[float] = mapped_column(Float, default=1.0)
    starts_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    ends_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    enabled: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow)

    def as_rule(self) -> Rule:
        return Rule(id=self.id, action=self.action, target_kind=self.target_kind, target=self.target,
                    slot=self.slot, position=self.position, strength=self.strength,
                    starts_at=self.starts_at, ends_at=self.ends_at)

    def as_dict(self) -> dict:
        return {"action": self.action, "target_kind": self.target_kind, "target": self.target,
                "slot": self.slot, "position": self.position, "strength": self.strength,
                "starts_at": self.starts_at, "ends_at": self.ends_at, "enabled": self.enabled,
                "note": self.note}
