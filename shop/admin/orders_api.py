"""``/api/admin/orders``: the order pages' data and actions as JSON (admin and support)."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import RAISE

from ..errors import abort_with
from ..extensions import db
from ..mail.service import send_now_best_effort
from ..orders import fulfilment
from .access import current_staff, protect_api
from .order_access import history, order_by_id
from .order_schemas import (
    AdminOrderDetailSchema,
    AdminOrderPageSchema,
    ExportQuerySchema,
    OrderQuerySchema,
    RefundSchema,
    TransitionSchema,
)
from .order_search import EXPORT_LIMIT, OrderFilter, find_orders, to_csv
from .roles import ORDERS

api = protect_api(ApiBlueprint("admin_orders_api", __name__, url_prefix="/api/admin/orders",
                               description="Orders: find, read, move along the workflow, refund, "
                               "export (admin and support)."), ORDERS)


class _WithHistory:
    """The order as the detail schema reads it: its own attributes plus its status history."""

    def __init__(self, order, entries):
        self._order, self.history = order, entries

    def __getattr__(self, name):
        return getattr(self._order, name)


def _view(order_id: int) -> _WithHistory:
    order = order_by_id(db.session, order_id)
    if order is None:
        abort_with(404, "There is no such order.")
    return _WithHistory(order, history(db.session, order))


@api.route("", methods=["GET"])
@api.arguments(OrderQuerySchema, location="query", error_status_code=400, unknown=RAISE)
@api.response(200, AdminOrderPageSchema)
def api_list(data):
    """Orders, newest first, by status, day placed, customer, total and number."""
    rows, total = find_orders(db.session, OrderFilter.from_args(data), page=data["page"],
                              per_page=data["per_page"])
    return {"total": total, "page": data["page"], "per_page": data["per_page"], "orders": rows}


@api.route("/export", methods=["GET"])
@api.arguments(ExportQuerySchema, location="query", error_status_code=400, unknown=RAISE)
@api.response(200, description="Every matching order as CSV (cells never start a formula).",
              content_type="text/csv")
def api_export(data):
    """The orders the filters select, as CSV (paging is ignored)."""
    rows, _total = find_orders(db.session, OrderFilter.from_args(data), per_page=EXPORT_LIMIT)
    return Response(to_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="orders.csv"'})


@api.route("/<int:order_id>", methods=["GET"])
@api.response(200, AdminOrderDetailSchema)
@api.alt_response(404, description="No order with that id.")
def api_detail(order_id: int):
    """One order with its lines, refunds, allowed actions and status history."""
    return _view(order_id)


@api.route("/<int:order_id>/transitions", methods=["POST"])
@api.arguments(TransitionSchema, error_status_code=422)
@api.response(200, AdminOrderDetailSchema)
@api.alt_response(404, description="No order with that id.")
@api.alt_response(409, description="The order's status does not allow this action (it names the status).")
def api_transition(data, order_id: int):
    """Mark paid, ship (carrier and tracking number), mark delivered, or cancel (stock goes back)."""
    try:
        fulfilment.apply(db.session, current_staff(), order_id, data["action"],
                         carrier=data["carrier"], tracking_number=data["tracking_number"])
    except fulfilment.OrderNotFound:
        abort_with(404, "There is no such order.")
    except fulfilment.IllegalTransition as exc:
        abort_with(409, exc.message)
    send_now_best_effort(db.session)
    db.session.expire_all()
    return _view(order_id)


@api.route("/<int:order_id>/refunds", methods=["POST"])
@api.arguments(RefundSchema, error_status_code=422)
@api.response(201, RefundSchema)
@api.alt_response(404, description="No order with that id.")
@api.alt_response(409, description="The order is not paid, or is refunded in full already.")
def api_refund(data, order_id: int):
    """Record money given back: at most what is left of the total."""
    try:
        return fulfilment.refund(db.session, current_staff(), order_id, data["amount"], data["reason"])
    except fulfilment.OrderNotFound:
        abort_with(404, "There is no such order.")
    except fulfilment.RefundTooLarge as exc:
        abort_with(422, exc.message, messages={"json": {"amount": [exc.message]}})
    except fulfilment.RefundRefused as exc:
        abort_with(409, exc.message)
