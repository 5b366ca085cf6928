"""``/admin/customers`` and ``/api/admin/customers``: support looks a shopper up and sees their orders."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from ..accounts.forms import field_errors
from ..errors import abort_with
from ..extensions import db
from ..schemas import Text, UtcDateTime, load_args
from .access import protect, protect_api
from .customers import customer, find_customers
from .order_schemas import AdminOrderSchema
from .roles import ORDERS

pages = protect(Blueprint("admin_customers", __name__, url_prefix="/admin/customers"), ORDERS)
api = protect_api(ApiBlueprint("admin_customers_api", __name__, url_prefix="/api/admin/customers",
                               description="Shoppers' accounts and their orders (admin and support)."), ORDERS)


class CustomerQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    q = Text(validate=validate.Length(max=254), metadata={"description": "Part of the e-mail or name."})
    page = fields.Integer(validate=validate.Range(min=1, max=100000), load_default=1)
    per_page = fields.Integer(validate=validate.Range(min=1, max=200), load_default=50)


class CustomerSchema(Schema):
    id = fields.Integer(attribute="user.id")
    email = fields.String(attribute="user.email")
    name = fields.String(attribute="user.name")
    created_at = UtcDateTime(attribute="user.created_at")
    orders = fields.Integer()
    spent = fields.Decimal(as_string=True, places=2)


class CustomerPageSchema(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    customers = fields.List(fields.Nested(CustomerSchema))


class CustomerDetailSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    created_at = UtcDateTime()
    orders = fields.List(fields.Nested(AdminOrderSchema(exclude=("lines", "refunds"))))


@pages.route("", endpoint="list_customers")
def list_customers():
    try:
        data = load_args(CustomerQuerySchema(), request.args)
    except ValidationError as exc:
        return render_template("admin/customers.html", customers=[], total=0, page=1, pages=1,
                               args=request.args, errors=field_errors(exc.messages)), 400
    rows, total = find_customers(db.session, data.get("q"), page=data["page"], per_page=data["per_page"])
    return render_template("admin/customers.html", customers=rows, total=total, page=data["page"],
                           pages=max(1, -(-total // data["per_page"])), args=request.args, errors={})


@pages.route("/<int:user_id>", endpoint="show")
def show(user_id: int):
    found = customer(db.session, user_id)
    if found is None:
        abort(404, description="There is no such customer.")
    user, orders = found
    return render_template("admin/customer.html", customer=user, orders=orders)


@api.route("", methods=["GET"])
@api.arguments(CustomerQuerySchema, location="query", error_status_code=400, unknown=RAISE)
@api.response(200, CustomerPageSchema)
def api_list(data):
    """Shoppers (not staff), newest first, by part of their e-mail or name, with their order count."""
    rows, total = find_customers(db.session, data.get("q"), page=data["page"], per_page=data["per_page"])
    return {"total": total, "page": data["page"], "per_page": data["per_page"], "customers": rows}


@api.route("/<int:user_id>", methods=["GET"])
@api.response(200, CustomerDetailSchema)
@api.alt_response(404, description="No shopper with that id.")
def api_detail(user_id: int):
    """One shopper and every order of their account."""
    found = customer(db.session, user_id)
    if found is None:
        abort_with(404, "There is no such customer.")
    user, orders = found
    return {"id": user.id, "email": user.email, "name": user.name, "created_at": user.created_at,
            "orders": orders}
