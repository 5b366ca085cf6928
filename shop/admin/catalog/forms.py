"""Forms of the catalog pages: read a posted form into what the schemas load, and show a
stored thing as the values of its form (the API merges a PATCH onto the same values)."""

from __future__ import annotations

from marshmallow import Schema, fields

from catalog.models import Article, Product, Variant
from catalog.vocabulary import ATTRIBUTES, PRODUCT_ATTRIBUTES

from ...rendering import size
from .products import sale_of


def read(schema: Schema, form) -> dict:
    """The schema's fields from a posted form: unchecked boxes are false, empty optional boxes
    are None, lists may be repeated or comma-separated."""
    values: dict = {}
    for name, field in schema.fields.items():
        if field.dump_only or isinstance(field, fields.Dict):
            continue
        if isinstance(field, fields.List):
            values[name] = [part.strip() for value in form.getlist(name) for part in value.split(",") if part.strip()]
        elif isinstance(field, fields.Boolean):
            values[name] = form.get(name) in ("on", "true", "1", "yes")
        elif name in form:
            value = form[name]
            values[name] = None if value.strip() == "" and field.allow_none else value
    return values


def _iso(value) -> str | None:
    return value.isoformat(timespec="minutes") if value is not None else None


def product_values(product: Product) -> dict:
    """A product as its form's (and a PATCH's) input values."""
    sale = sale_of(product)
    values = {
        "name": product.name, "brand": product.brand, "description": product.description or "",
        "price": f"{product.price:.2f}", "category": product.category.slug, "active": product.active,
        "sale_price": f"{sale.price:.2f}" if sale and sale.price is not None else None,
        "sale_starts": _iso(sale.starts) if sale else None, "sale_ends": _iso(sale.ends) if sale else None,
    }
    attrs = product.attributes
    for name in PRODUCT_ATTRIBUTES:
        spec = ATTRIBUTES[name]
        value = attrs.get(name)
        values[name] = (value or []) if spec.type == "list" else bool(value) if spec.type == "flag" else value
    return values


def variant_values(variant: Variant) -> dict:
    return {"sku": variant.sku, "size_eu": size(variant.size_eu) if variant.size_eu is not None else None,
            "width": variant.width, "stock": variant.stock, "options": dict(variant.options or {})}


def read_options(form, names: list[str]) -> dict[str, str]:
    """The variant form's ``option:<name>`` boxes."""
    return {name: form.get(f"option:{name}", "") for name in names if f"option:{name}" in form}


def article_values(article: Article) -> dict:
    return {"slug": article.slug, "title": article.title, "author": article.author, "summary": article.summary,
            "body": article.body, "published": article.published.isoformat(), "draft": article.draft,
            "topics": article.topics}
