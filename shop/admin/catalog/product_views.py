"""``/admin/catalog``: products, their variants and pictures, the low-stock list (admin and
merchandiser). Forms post back with per-field messages (422 with the form shown again)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from catalog.images import MAX_BYTES
from catalog.vocabulary import ATTRIBUTES, PRODUCT_ATTRIBUTES

from ...accounts.forms import field_errors
from ...extensions import db
from ...schemas import load_args
from ..access import current_staff, protect
from ..roles import CATALOG
from . import forms, images, products, variants
from .products import CatalogError
from .schemas import ListQuerySchema, ProductInSchema, StockSchema, VariantInSchema

pages = protect(Blueprint("admin_catalog", __name__, url_prefix="/admin/catalog"), CATALOG)

#: Multipart uploads that may be bigger than the shop's 1 MiB bodies (only these, only multipart).
UPLOAD_LIMITS = {"admin_catalog.upload_image": MAX_BYTES + 64 * 1024}


@pages.url_value_preprocessor
def _allow_uploads(endpoint, _values):
    """Runs before any ``before_request`` (the app's size check among them)."""
    limit = UPLOAD_LIMITS.get(endpoint) or (
        current_app.config["MAX_IMPORT_BYTES"] if endpoint == "admin_catalog_content.import_page" else None)
    if limit and request.mimetype == "multipart/form-data":
        request.max_content_length = limit


def _product_or_404(product_id: int):
    product = products.get_product(db.session, product_id)
    if product is None:
        abort(404, description="There is no product with that id.")
    return product


def _threshold() -> int:
    return current_app.config["LOW_STOCK_THRESHOLD"]


# ---------------------------------------------------------------- list


@pages.route("", endpoint="products")
def product_list():
    try:
        args = load_args(ListQuerySchema(), request.args)
    except ValidationError as exc:
        return render_template("admin/catalog/products.html", listing=None, args=request.args,
                               categories=products.categories(db.session), errors=field_errors(exc.messages)), 400
    listing = products.list_products(db.session, **args)
    return render_template("admin/catalog/products.html", listing=listing, args=request.args,
                           categories=products.categories(db.session), errors={})


# ---------------------------------------------------------------- one product


def _render_product(product, *, values=None, errors=None, variant_errors=None, variant_values=None,
                    image_errors=None, status=200):
    return render_template(
        "admin/catalog/product.html", product=product, values=values or forms.product_values(product),
        errors=errors or {}, categories=products.categories(db.session),
        attribute_specs=[ATTRIBUTES[name] for name in PRODUCT_ATTRIBUTES],
        variant_errors=variant_errors or {}, variant_values=variant_values or {},
        option_names=variants.option_names(product), image_errors=image_errors or {},
        sale=products.sale_of(product), threshold=_threshold(),
    ), status


@pages.route("/products/new", methods=["GET", "POST"], endpoint="new_product")
def new_product():
    schema = ProductInSchema()
    values = {"active": False} if request.method == "GET" else forms.read(schema, request.form)
    errors = {}
    if request.method == "POST":
        try:
            product = products.create_product(db.session, current_staff(), schema.load(values))
        except ValidationError as exc:
            errors = field_errors(exc.messages)
        except CatalogError as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            flash(f"{product.name} was created as {'active' if product.active else 'a draft'}: add its variants.",
                  "info")
            return redirect(url_for("admin_catalog.product", product_id=product.id))
    return render_template("admin/catalog/product.html", product=None, values=values, errors=errors,
                           categories=products.categories(db.session),
                           attribute_specs=[ATTRIBUTES[name] for name in PRODUCT_ATTRIBUTES],
                           sale=None, threshold=_threshold()), 422 if errors else 200


@pages.route("/products/<int:product_id>", endpoint="product")
def product_page(product_id: int):
    return _render_product(_product_or_404(product_id))


@pages.route("/products/<int:product_id>", methods=["POST"], endpoint="update_product")
def update_product(product_id: int):
    product = _product_or_404(product_id)
    schema = ProductInSchema()
    values = forms.read(schema, request.form)
    try:
        products.update_product(db.session, current_staff(), product, schema.load(values))
    except ValidationError as exc:
        return _render_product(product, values=values, errors=field_errors(exc.messages), status=422)
    except CatalogError as exc:
        return _render_product(product, values=values, errors=exc.errors, status=422)
    flash(f"{product.name} was saved.", "info")
    return redirect(url_for("admin_catalog.product", product_id=product.id))


@pages.route("/products/<int:product_id>/delete", methods=["POST"], endpoint="delete_product")
def delete_product(product_id: int):
    product = _product_or_404(product_id)
    name = product.name
    try:
        products.delete_product(db.session, current_staff(), product)
    except CatalogError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin_catalog.product", product_id=product_id))
    flash(f"{name} was deleted.", "info")
    return redirect(url_for("admin_catalog.products"))


# ---------------------------------------------------------------- variants


def _variant_input(product) -> dict:
    values = forms.read(VariantInSchema(), request.form)
    values["options"] = forms.read_options(request.form, variants.option_names(product))
    return values


@pages.route("/products/<int:product_id>/variants", methods=["POST"], endpoint="add_variant")
def add_variant(product_id: int):
    product = _product_or_404(product_id)
    values = _variant_input(product)
    try:
        variant = variants.add_variant(db.session, current_staff(), product, VariantInSchema().load(values))
    except (ValidationError, CatalogError) as exc:
        db.session.rollback()
        errors = field_errors(exc.messages) if isinstance(exc, ValidationError) else exc.errors
        return _render_product(product, variant_errors={"new": errors}, variant_values={"new": values}, status=422)
    flash(f"Variant {variant.sku} was added.", "info")
    return redirect(url_for("admin_catalog.product", product_id=product.id, _anchor="variants"))


@pages.route("/products/<int:product_id>/variants/<int:variant_id>", methods=["POST"], endpoint="update_variant")
def update_variant(product_id: int, variant_id: int):
    product = _product_or_404(product_id)
    variant = variants.get_variant(db.session, product, variant_id)
    if variant is None:
        abort(404, description="This product has no variant with that id.")
    values = _variant_input(product)
    try:
        variants.update_variant(db.session, current_staff(), variant, VariantInSchema().load(values))
    except (ValidationError, CatalogError) as exc:
        db.session.rollback()
        errors = field_errors(exc.messages) if isinstance(exc, ValidationError) else exc.errors
        return _render_product(product, variant_errors={variant_id: errors}, variant_values={variant_id: values},
                               status=422)
    flash(f"Variant {variant.sku} was saved.", "info")
    return redirect(url_for("admin_catalog.product", product_id=product.id, _anchor="variants"))


@pages.route("/products/<int:product_id>/variants/<int:variant_id>/remove", methods=["POST"],
             endpoint="remove_variant")
def remove_variant(product_id: int, variant_id: int):
    product = _product_or_404(product_id)
    variant = variants.get_variant(db.session, product, variant_id)
    if variant is None:
        abort(404, description="This product has no variant with that id.")
    sku = variant.sku
    if variants.remove_variant(db.session, current_staff(), variant):
        flash(f"Variant {sku} was removed.", "info")
    else:
        flash(f"Variant {sku} has been ordered, so it stays for those orders: its stock is now 0.", "info")
    return redirect(url_for("admin_catalog.product", product_id=product.id, _anchor="variants"))


# ---------------------------------------------------------------- pictures


@pages.route("/products/<int:product_id>/images", methods=["POST"], endpoint="upload_image")
def upload_image(product_id: int):
    product = _product_or_404(product_id)
    upload = request.files.get("file")
    alt = request.form.get("alt", "")
    if len(alt) > 300:
        return _render_product(product, image_errors={"alt": "At most 300 characters."}, status=422)
    try:
        image = images.upload(db.session, current_staff(), product, upload.read() if upload else b"", alt,
                              current_app.config["MEDIA_DIR"])
    except CatalogError as exc:
        db.session.rollback()
        return _render_product(product, image_errors=exc.errors, status=exc.status)
    flash(f"The picture ({image.width}×{image.height}) was added.", "info")
    return redirect(url_for("admin_catalog.product", product_id=product.id, _anchor="pictures"))


def _image_or_404(product, image_id: int):
    image = images.get_image(db.session, product, image_id)
    if image is None:
        abort(404, description="This product has no picture with that id.")
    return image


@pages.route("/products/<int:product_id>/images/<int:image_id>", methods=["POST"], endpoint="update_image")
def update_image(product_id: int, image_id: int):
    product = _product_or_404(product_id)
    image = _image_or_404(product, image_id)
    move = request.form.get("move")
    position = {"main": 0, "up": max(0, image.position - 1), "down": image.position + 1}.get(move)
    alt = request.form.get("alt")
    if alt is not None and len(alt) > 300:
        return _render_product(product, image_errors={f"alt-{image.id}": "At most 300 characters."}, status=422)
    images.update(db.session, current_staff(), product, image, alt=alt if move is None else None, position=position)
    flash("The picture was saved.", "info")
    return redirect(url_for("admin_catalog.product", product_id=product.id, _anchor="pictures"))


@pages.route("/products/<int:product_id>/images/<int:image_id>/delete", methods=["POST"], endpoint="delete_image")
def delete_image(product_id: int, image_id: int):
    product = _product_or_404(product_id)
    images.delete(db.session, current_staff(), product, _image_or_404(product, image_id))
    flash("The picture was deleted.", "info")
    return redirect(url_for("admin_catalog.product", product_id=product.id, _anchor="pictures"))


# ---------------------------------------------------------------- low stock


def _render_low_stock(errors=None, status=200):
    return render_template("admin/catalog/low_stock.html", threshold=_threshold(),
                           items=variants.low_stock(db.session, _threshold()), errors=errors or {}), status


@pages.route("/low-stock", endpoint="low_stock")
def low_stock():
    return _render_low_stock()


@pages.route("/low-stock/<int:variant_id>", methods=["POST"], endpoint="restock")
def restock(variant_id: int):
    from catalog.models import Variant

    variant = db.session.get(Variant, variant_id)
    if variant is None:
        abort(404, description="There is no variant with that id.")
    try:
        data = StockSchema().load(forms.read(StockSchema(), request.form))
    except ValidationError as exc:
        return _render_low_stock({variant_id: field_errors(exc.messages).get("stock", "Check the stock.")}, 422)
    variants.restock(db.session, current_staff(), variant, data["stock"])
    flash(f"{variant.sku} now has {variant.stock} in stock.", "info")
    return redirect(url_for("admin_catalog.low_stock"))
