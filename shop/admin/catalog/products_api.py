"""``/api/admin/products``: products, variants, pictures, low stock, import and export as
JSON (admin and merchandiser), on the same rules as the pages.

A PATCH sends only what changes: it is laid over the thing's current values and the whole is
validated again, so a sale price below a price sent earlier is still checked.
"""

from __future__ import annotations

import base64
import binascii

from flask import Response, current_app, request
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import Schema, ValidationError, fields, validate

from catalog.io import CatalogFileError
from catalog.models import Variant

from ...errors import abort_with
from ...extensions import db
from ..access import current_staff, protect_api
from ..roles import CATALOG
from . import forms, images, products, transfer, variants
from .products import CatalogError
from .schemas import (
    AdminImageSchema,
    AdminProductPageSchema,
    AdminProductSchema,
    AdminVariantSchema,
    ImageUpdateSchema,
    ImageUploadSchema,
    ImportQuerySchema,
    ListQuerySchema,
    LowStockListSchema,
    LowStockQuerySchema,
    ProductInSchema,
    ProductPatchSchema,
    StockSchema,
    VariantInSchema,
    VariantPatchSchema,
)

api = protect_api(ApiBlueprint("admin_products_api", __name__, url_prefix="/api/admin/products",
                               description="Products, variants and pictures (admin and merchandiser)."), CATALOG)


def _fail(exc: Exception):
    db.session.rollback()
    if isinstance(exc, ValidationError):
        abort_with(422, "Please check the fields.", exc.messages)
    abort_with(exc.status, str(exc), exc.errors if exc.status == 422 else None)


def _merged(schema: Schema, current: dict, patch: dict) -> dict:
    try:
        return schema.load({key: value for key, value in {**current, **patch}.items()
                            if key in schema.fields})
    except ValidationError as exc:
        _fail(exc)


def _product(product_id: int):
    found = products.get_product(db.session, product_id)
    if found is None:
        abort_with(404, "There is no product with that id.")
    return found


# ---------------------------------------------------------------- products


@api.route("", methods=["GET"])
@api.arguments(ListQuerySchema, location="query", error_status_code=400)
@api.response(200, AdminProductPageSchema)
def list_products(args):
    """Every product, drafts too: ``q`` (name, brand or SKU), ``category``, ``status``, pages."""
    listing = products.list_products(db.session, **args)
    return {"total": listing.total, "page": listing.page, "per_page": listing.per_page, "items": listing.items}


@api.route("", methods=["POST"])
@api.arguments(ProductInSchema, error_status_code=422)
@api.response(201, AdminProductSchema)
@api.alt_response(422, description="A field is invalid, the category unknown or the slug taken.")
def create_product(data):
    """A new product (a draft unless ``active``); add variants next."""
    try:
        return products.create_product(db.session, current_staff(), data)
    except CatalogError as exc:
        _fail(exc)


@api.route("/<int:product_id>", methods=["GET"])
@api.response(200, AdminProductSchema)
@api.alt_response(404, description="No such product.")
def get_product(product_id: int):
    return _product(product_id)


@api.route("/<int:product_id>", methods=["PATCH"])
@api.arguments(ProductPatchSchema(partial=True), error_status_code=422)
@api.response(200, AdminProductSchema)
@api.alt_response(404, description="No such product.")
@api.alt_response(422, description="A field is invalid.")
def update_product(_data, product_id: int):
    """Change some fields; the rest stay."""
    product = _product(product_id)
    body = {key: value for key, value in (request.get_json() or {}).items() if key != "slug"}
    data = _merged(ProductInSchema(), forms.product_values(product), body)
    try:
        return products.update_product(db.session, current_staff(), product, data)
    except CatalogError as exc:
        _fail(exc)


@api.route("/<int:product_id>", methods=["DELETE"])
@api.response(204)
@api.alt_response(404, description="No such product.")
@api.alt_response(409, description="Ordered or reviewed: make it a draft instead.")
def delete_product(product_id: int):
    try:
        products.delete_product(db.session, current_staff(), _product(product_id))
    except CatalogError as exc:
        _fail(exc)


# ---------------------------------------------------------------- variants


def _variant(product, variant_id: int):
    found = variants.get_variant(db.session, product, variant_id)
    if found is None:
        abort_with(404, "This product has no variant with that id.")
    return found


@api.route("/<int:product_id>/variants", methods=["POST"])
@api.arguments(VariantInSchema, error_status_code=422)
@api.response(201, AdminVariantSchema)
@api.alt_response(404, description="No such product.")
@api.alt_response(422, description="A field is invalid or the SKU is taken.")
def add_variant(data, product_id: int):
    try:
        return variants.add_variant(db.session, current_staff(), _product(product_id), data)
    except CatalogError as exc:
        _fail(exc)


@api.route("/<int:product_id>/variants/<int:variant_id>", methods=["PATCH"])
@api.arguments(VariantPatchSchema(partial=True), error_status_code=422)
@api.response(200, AdminVariantSchema)
@api.alt_response(404, description="No such product or variant.")
@api.alt_response(422, description="A field is invalid or the SKU is taken.")
def update_variant(_data, product_id: int, variant_id: int):
    """Change some of SKU, size, width, stock and options (``{"stock": 12}`` restocks)."""
    variant = _variant(_product(product_id), variant_id)
    data = _merged(VariantInSchema(), forms.variant_values(variant), request.get_json() or {})
    try:
        return variants.update_variant(db.session, current_staff(), variant, data)
    except CatalogError as exc:
        _fail(exc)


class RemovedSchema(Schema):
    deleted = fields.Boolean(metadata={"description": "false: it was ordered, so it stays with no stock."})


@api.route("/<int:product_id>/variants/<int:variant_id>", methods=["DELETE"])
@api.response(200, RemovedSchema)
@api.alt_response(404, description="No such product or variant.")
def remove_variant(product_id: int, variant_id: int):
    """Delete a variant nobody ordered; an ordered one is kept with its stock at 0."""
    variant = _variant(_product(product_id), variant_id)
    return {"deleted": variants.remove_variant(db.session, current_staff(), variant)}


@api.route("/low-stock", methods=["GET"])
@api.arguments(LowStockQuerySchema, location="query", error_status_code=400)
@api.response(200, LowStockListSchema)
def low_stock(args):
    """Variants of active products at or below ``threshold`` (default ``LOW_STOCK_THRESHOLD``)."""
    threshold = args["threshold"] if args["threshold"] is not None else current_app.config["LOW_STOCK_THRESHOLD"]
    return {"threshold": threshold, "items": variants.low_stock(db.session, threshold)}


@api.route("/low-stock/<int:variant_id>", methods=["PUT"])
@api.arguments(StockSchema, error_status_code=422)
@api.response(200, AdminVariantSchema)
@api.alt_response(404, description="No such variant.")
def restock(data, variant_id: int):
    """Set a variant's stock."""
    variant = db.session.get(Variant, variant_id)
    if variant is None:
        abort_with(404, "There is no variant with that id.")
    return variants.restock(db.session, current_staff(), variant, data["stock"])


# ---------------------------------------------------------------- pictures


def _image(product, image_id: int):
    found = images.get_image(db.session, product, image_id)
    if found is None:
        abort_with(404, "This product has no picture with that id.")
    return found


@api.route("/<int:product_id>/images", methods=["POST"])
@api.arguments(ImageUploadSchema, error_status_code=422)
@api.response(201, AdminImageSchema)
@api.alt_response(404, description="No such product.")
@api.alt_response(409, description="The picture is already in the gallery.")
@api.alt_response(422, description="Not an image the shop accepts (by content), or too big.")
def upload_image(data, product_id: int):
    """Add a picture (base64 in ``data``), last in the gallery; Pillow validates it."""
    product = _product(product_id)
    try:
        raw = base64.b64decode(data["data"], validate=True)
    except (binascii.Error, ValueError):
        abort_with(422, "Please check the fields.", {"data": ["Send the file as base64."]})
    try:
        return images.upload(db.session, current_staff(), product, raw, data["alt"], current_app.config["MEDIA_DIR"])
    except CatalogError as exc:
        _fail(exc)


@api.route("/<int:product_id>/images/<int:image_id>", methods=["PATCH"])
@api.arguments(ImageUpdateSchema, error_status_code=422)
@api.response(200, AdminImageSchema)
@api.alt_response(404, description="No such product or picture.")
def update_image(data, product_id: int, image_id: int):
    """New ``alt`` text and/or ``position`` (0: the main picture)."""
    product = _product(product_id)
    return images.update(db.session, current_staff(), product, _image(product, image_id),
                         alt=data.get("alt"), position=data.get("position"))


@api.route("/<int:product_id>/images/<int:image_id>", methods=["DELETE"])
@api.response(204)
@api.alt_response(404, description="No such product or picture.")
def delete_image(product_id: int, image_id: int):
    product = _product(product_id)
    images.delete(db.session, current_staff(), product, _image(product, image_id))


# ---------------------------------------------------------------- import and export


class ImportReportSchema(Schema):
    dry_run = fields.Boolean()
    categories_created = fields.Integer()
    products_created = fields.Integer()
    products_updated = fields.Integer()
    variants_created = fields.Integer()
    variants_updated = fields.Integer()
    images_not_read = fields.Integer(metadata={"description": "Products whose pictures were not read (by design)."})


class CatalogDocumentSchema(Schema):
    """The JSON catalog file (docs/catalog-format.md); checked row by row by the importer."""

    categories = fields.List(fields.Dict(), load_default=list)
    products = fields.List(fields.Dict(), required=True)


@api.route("/import", methods=["POST"])
@api.arguments(ImportQuerySchema, location="query", error_status_code=400)
@api.arguments(CatalogDocumentSchema, error_status_code=422)
@api.response(200, ImportReportSchema)
@api.alt_response(422, description="Nothing imported: ``invalid_params`` names each line (or index) and field.")
def import_catalog(args, _document):
    """Import a JSON catalog document all-or-nothing; ``?dry_run=true`` reports and writes nothing."""
    import json

    try:
        report, skipped = transfer.import_upload(db.session, current_staff(), "api.json",
                                                 json.dumps(request.get_json()).encode(), dry_run=args["dry_run"])
    except CatalogFileError as exc:
        db.session.rollback()
        abort_with(422, f"Nothing imported: {len(exc.errors)} problem(s).",
                   {f"{error.location}.{error.field}": [error.message] for error in exc.errors})
    return {"dry_run": args["dry_run"], **report.__dict__, "images_not_read": skipped}


class ExportQuerySchema(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")))


@api.route("/export", methods=["GET"])
@api.arguments(ExportQuerySchema, location="query", error_status_code=400)
@api.response(200, description="The catalog file (JSON with categories, or CSV).")
def export_catalog(args):
    kind = args["format"]
    return Response(transfer.export_file(db.session, kind), mimetype=transfer.FORMATS[f".{kind}"],
                    headers={"Content-Disposition": f'attachment; filename="catalog.{kind}"'})
