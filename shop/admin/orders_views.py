"""``/admin/orders``: find orders, read one, move it along its workflow, refund it, export CSV.

Thin over ``shop.orders.fulfilment`` (the rules) and ``order_search`` (the filters); support
staff and admins only.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from ..accounts.forms import field_errors, form_values
from ..extensions import db
from ..mail.service import send_now_best_effort
from ..orders import fulfilment
from ..orders.carriers import KNOWN_CARRIERS, tracking_url
from ..orders.delivery import DELIVERY_METHODS
from ..orders.schemas import COUNTRIES
from ..orders.statuses import ORDER_STATUSES
from ..orders.workflow import available, refundable
from ..schemas import load_args
from .access import current_staff, protect
from .order_access import history, order_by_id
from .order_schemas import OrderQuerySchema, RefundSchema, TransitionSchema
from .order_search import EXPORT_LIMIT, OrderFilter, find_orders, to_csv
from .roles import ORDERS

pages = protect(Blueprint("admin_orders", __name__, url_prefix="/admin/orders"), ORDERS)


@pages.route("", endpoint="list_orders")
def list_orders():
    try:
        data = load_args(OrderQuerySchema(), request.args)
    except ValidationError as exc:
        return render_template("admin/orders.html", orders=[], total=0, page=1, pages=1,
                               args=request.args, statuses=ORDER_STATUSES,
                               errors=field_errors(exc.messages)), 400
    rows, total = find_orders(db.session, OrderFilter.from_args(data), page=data["page"],
                              per_page=data["per_page"])
    return render_template("admin/orders.html", orders=rows, total=total, page=data["page"],
                           pages=max(1, -(-total // data["per_page"])), args=request.args,
                           statuses=ORDER_STATUSES, errors={})


@pages.route("/export.csv", endpoint="export")
def export():
    try:
        data = load_args(OrderQuerySchema(), request.args)
    except ValidationError as exc:
        return Response("; ".join(f"{k}: {v}" for k, v in field_errors(exc.messages).items()), 400,
                        mimetype="text/plain")
    rows, _total = find_orders(db.session, OrderFilter.from_args(data), per_page=EXPORT_LIMIT)
    return Response(to_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="orders.csv"'})


def _order_or_404(order_id: int):
    order = order_by_id(db.session, order_id)
    if order is None:
        abort(404, description="There is no such order.")
    return order


def _render_detail(order, *, errors: dict | None = None, values: dict | None = None,
                   refund_errors: dict | None = None, refund_values: dict | None = None,
                   problem: str | None = None, status: int = 200):
    return render_template(
        "admin/order.html", order=order, history=history(db.session, order),
        steps=available(order.status), carriers=KNOWN_CARRIERS,
        tracking_url=tracking_url(order.carrier, order.tracking_number),
        left_to_refund=refundable(order.payment_status, order.total, order.refunded),
        delivery=DELIVERY_METHODS.get(order.delivery), countries=COUNTRIES,
        errors=errors or {}, values=values or {}, refund_errors=refund_errors or {},
        refund_values=refund_values or {}, problem=problem,
    ), status


@pages.route("/<int:order_id>", endpoint="show")
def show(order_id: int):
    return _render_detail(_order_or_404(order_id))


@pages.route("/<int:order_id>/cancel", endpoint="confirm_cancel")
def confirm_cancel(order_id: int):
    """The confirmation step before a cancel: what comes back into stock."""
    order = _order_or_404(order_id)
    return render_template("admin/order_cancel.html", order=order,
                           may_cancel=any(step.action == "cancel" for step in available(order.status)))


@pages.route("/<int:order_id>/transitions", methods=["POST"], endpoint="transition")
def transition(order_id: int):
    order = _order_or_404(order_id)
    schema = TransitionSchema()
    values = {k: v for k, v in form_values(schema, request.form).items() if v != ""}
    try:
        data = schema.load(values)
        order = fulfilment.apply(db.session, current_staff(), order_id, data["action"],
                                 carrier=data["carrier"], tracking_number=data["tracking_number"])
    except ValidationError as exc:
        return _render_detail(order, errors=field_errors(exc.messages), values=values, status=422)
    except fulfilment.IllegalTransition as exc:
        db.session.expire_all()
        return _render_detail(_order_or_404(order_id), problem=exc.message, status=409)
    send_now_best_effort(db.session)  # the shipping e-mail, if one was queued
    flash(f"Order {order.number} is now {order.status}.", "info")
    return redirect(url_for("admin_orders.show", order_id=order_id), code=303)


@pages.route("/<int:order_id>/refunds", methods=["POST"], endpoint="refund")
def refund(order_id: int):
    order = _order_or_404(order_id)
    schema = RefundSchema()
    values = form_values(schema, request.form)
    try:
        data = schema.load(values)
        row = fulfilment.refund(db.session, current_staff(), order_id, data["amount"], data["reason"])
    except ValidationError as exc:
        return _render_detail(order, refund_errors=field_errors(exc.messages),
                              refund_values=values, status=422)
    except fulfilment.RefundTooLarge as exc:
        db.session.expire_all()
        return _render_detail(_order_or_404(order_id), refund_errors={"amount": exc.message},
                              refund_values=values, status=422)
    except fulfilment.RefundRefused as exc:
        db.session.expire_all()
        return _render_detail(_order_or_404(order_id), problem=exc.message, status=409)
    flash(f"Refunded £{row.amount} on order {order.number}.", "info")
    return redirect(url_for("admin_orders.show", order_id=order_id), code=303)
