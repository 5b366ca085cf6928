"""A/B experiments, the staff side: create (checked), start, stop, declare a winner, results.

Serving and recording are ``shop.recommendations.experiments``; the statistics are
``shop.recommendations.experiment_stats``. An experiment is edited only as a draft, and its
traffic split is fixed once it runs, so no visitor changes variant while it runs.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from recommender.hybrid import DEFAULT_SIGNAL_WEIGHTS

from ..models import User, utcnow
from ..recommendations import experiment_stats as st
from ..recommendations import experiments as serving
from ..recommendations import registry
from ..recommendations.experiment_models import Experiment, ExperimentEvent, ExperimentVariant
from . import audit

SIGNALS = tuple(DEFAULT_SIGNAL_WEIGHTS)
#: Slots an experiment may run on: every slot the model ranks.
SLOTS = tuple(slot.name for slot in registry.SLOTS if slot.method is not None)


class ExperimentError(ValueError):
    def __init__(self, message: str, field: str = "name", status: int = 422):
        super().__init__(message)
        self.field, self.status = field, status


def create(session: Session, actor: User | None, data: dict) -> Experiment:
    """A draft from checked ``data`` (see ``experiments_schemas``). Commits."""
    if session.scalar(select(Experiment.id).where(Experiment.name == data["name"])) is not None:
        raise ExperimentError(f"An experiment called {data['name']!r} exists already.")
    experiment = Experiment(name=data["name"], slots=list(data["slots"]), min_sample=data["min_sample"],
                            created_by=actor.id if actor else None,
                            variants=[ExperimentVariant(**variant) for variant in data["variants"]])
    session.add(experiment)
    session.flush()
    audit.record(session, actor, "experiment.create", "experiment", experiment.id, after=experiment.as_dict())
    session.commit()
    return experiment


def start(session: Session, actor: User | None, experiment: Experiment) -> Experiment:
    if experiment.status != "draft":
        raise ExperimentError(f"The experiment is {experiment.status}: only a draft can start.", status=409)
    others = session.scalars(select(Experiment).where(Experiment.status == "running")).all()
    clash = sorted({slot for other in others for slot in other.slots} & set(experiment.slots))
    if clash:
        raise ExperimentError(f"Another running experiment uses {', '.join(clash)}: stop it first.", status=409)
    _transition(session, actor, experiment, "start", status="running", started_at=utcnow())
    return experiment


def stop(session: Session, actor: User | None, experiment: Experiment, winner: str | None = None) -> Experiment:
    if experiment.status == "draft" or (experiment.status == "stopped" and winner is None):
        raise ExperimentError(f"The experiment is {experiment.status}: there is nothing to stop.", status=409)
    changes = {"status": "stopped", "stopped_at": experiment.stopped_at or utcnow()}
    if winner is not None:
        if winner not in {v.name for v in experiment.variants}:
            raise ExperimentError(f"No variant is called {winner!r}.", field="variant")
        sizes = [row["visitors"] for row in results(session, experiment)["variants"]]
        if not st.may_declare(sizes, experiment.min_sample):
            raise ExperimentError(f"Every variant needs {experiment.min_sample} visitors before a winner is "
                                  f"declared (now {min(sizes) if sizes else 0}).", field="variant", status=409)
        changes["winner"] = winner
    _transition(session, actor, experiment, "winner" if winner else "stop", **changes)
    return experiment


def _transition(session: Session, actor: User | None, experiment: Experiment, verb: str, **changes) -> None:
    before = {key: getattr(experiment, key) for key in changes}
    for key, value in changes.items():
        setattr(experiment, key, value)
    audit.record(session, actor, f"experiment.{verb}", "experiment", experiment.id, before=before, after=changes)
    session.commit()
    serving.forget()


def results(session: Session, experiment: Experiment) -> dict:
    """Per variant: visitors, impressions, clicks, CTR, add-to-cart rate, orders, revenue per
    visitor, each rate and mean with its 95% interval, and the test against the control (the
    first variant)."""
    where = ExperimentEvent.experiment_id == experiment.id

    def per_variant(query):
        return {variant: value for variant, value in session.execute(query).all()}

    base = select(ExperimentEvent.variant).where(where).group_by(ExperimentEvent.variant)
    visitors = per_variant(base.add_columns(func.count(distinct(ExperimentEvent.visitor)))
                           .where(ExperimentEvent.kind == "impression"))
    impressions = per_variant(base.add_columns(func.count()).where(ExperimentEvent.kind == "impression"))
    clicks = per_variant(base.add_columns(func.count()).where(ExperimentEvent.kind == "click"))
    carted = per_variant(base.add_columns(func.count(distinct(ExperimentEvent.visitor)))
                         .where(ExperimentEvent.kind == "cart"))
    orders = per_variant(base.add_columns(func.count()).where(ExperimentEvent.kind == "order"))
    per_visitor = (select(ExperimentEvent.variant, func.sum(ExperimentEvent.value).label("spent"))
                   .where(where, ExperimentEvent.kind == "order")
                   .group_by(ExperimentEvent.variant, ExperimentEvent.visitor).subquery())
    revenue = {variant: (Decimal(total or 0), float(squares or 0)) for variant, total, squares in session.execute(
        select(per_visitor.c.variant, func.sum(per_visitor.c.spent),
               func.sum(per_visitor.c.spent * per_visitor.c.spent)).group_by(per_visitor.c.variant)).all()}

    rows = []
    for variant in experiment.variants:
        n = int(visitors.get(variant.name, 0))
        total, squares = revenue.get(variant.name, (Decimal("0"), 0.0))
        rows.append({
            "name": variant.name, "strategy": variant.strategy, "traffic": variant.traffic,
            "visitors": n, "impressions": int(impressions.get(variant.name, 0)),
            "clicks": int(clicks.get(variant.name, 0)), "carted": int(carted.get(variant.name, 0)),
            "orders": int(orders.get(variant.name, 0)), "revenue": total.quantize(Decimal("0.01")),
            "_moments": st.Moments(n, float(total), squares),
        })
    for row in rows:
        row["ctr"] = st.rate(row["clicks"], row["impressions"])
        row["add_to_cart_rate"] = st.rate(row["carted"], row["visitors"])
        row["revenue_per_visitor"] = st.mean(row["_moments"])
    control = rows[0] if rows else None
    for row in rows[1:]:
        row["vs_control"] = {
            "ctr": st.compare_rates(control["clicks"], control["impressions"], row["clicks"], row["impressions"]),
            "add_to_cart_rate": st.compare_rates(control["carted"], control["visitors"], row["carted"],
                                                 row["visitors"]),
            "revenue_per_visitor": st.compare_means(control["_moments"], row["_moments"]),
        }
    for row in rows:
        row.pop("_moments")
    sizes = [row["visitors"] for row in rows]
    return {"variants": rows, "min_sample": experiment.min_sample,
            "may_declare": st.may_declare(sizes, experiment.min_sample), "alpha": st.ALPHA}
