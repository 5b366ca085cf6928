"""A/B experiments as rows: the experiment, its variants (strategies and traffic shares) and
what each exposed visitor did under it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models import Base


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Experiment(Base):
    __tablename__ = "experiments"
    __table_args__ = (CheckConstraint("status IN ('draft', 'running', 'stopped')", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    #: Registry names of the slots it runs on.
    slots: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    #: Visitors every variant needs before a winner may be declared.
    min_sample: Mapped[int] = mapped_column(Integer, default=1000)
    winner: Mapped[str | None] = mapped_column(String(40))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    stopped_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    variants: Mapped[list[ExperimentVariant]] = relationship(
        back_populates="experiment", cascade="all, delete-orphan", order_by="ExperimentVariant.id",
        lazy="selectin")

    def as_dict(self) -> dict:
        return {"name": self.name, "slots": list(self.slots), "status": self.status, "min_sample": self.min_sample,
                "winner": self.winner,
                "variants": [{"name": v.name, "strategy": v.strategy, "weights": v.weights, "traffic": v.traffic}
                             for v in self.variants]}


class ExperimentVariant(Base):
    __tablename__ = "experiment_variants"
    __table_args__ = (
        UniqueConstraint("experiment_id", "name"),
        CheckConstraint("traffic >= 0 AND traffic <= 100", name="traffic_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    #: ``served`` (the control: the model as trained), ``popularity``, ``collaborative`` or
    #: ``weights`` (the served model with other signal weights, in ``weights``).
    strategy: Mapped[str] = mapped_column(String(20))
    weights: Mapped[dict | None] = mapped_column(JSON)
    #: Percent of the experiment's visitors; the variants' shares add up to 100.
    traffic: Mapped[int] = mapped_column(Integer)

    experiment: Mapped[Experiment] = relationship(back_populates="variants")


class ExperimentEvent(Base):
    """One thing an exposed visitor did: an impression or click in a slot of the experiment, an
    add-to-cart, or an order (``value``: its total) after their first impression."""

    __tablename__ = "experiment_events"
    __table_args__ = (Index("ix_experiment_events_experiment_variant_kind", "experiment_id", "variant", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"))
    variant: Mapped[str] = mapped_column(String(40))
    #: The visitor's sticky experiment key (kept across log-in).
    visitor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    slot: Mapped[str | None] = mapped_column(String(40))
    item_id: Mapped[str | None] = mapped_column(String(140))
    value: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0.00"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow)
