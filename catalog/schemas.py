"""Marshmallow schemas at the catalog's boundaries: data files in, API objects out."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from .vocabulary import ATTRIBUTES, PRODUCT_ATTRIBUTES, Attribute

SLUG = validate.Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z", error="Use lower-case words joined by -.")
SKU = validate.Regexp(r"^[A-Z0-9][A-Z0-9.\-]{1,58}\Z", error="Use upper-case letters, digits, . and -.")
WORD = validate.Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z", error="Use lower-case words joined by -.")


def half_size(value) -> None:
    if value is not None and (value * 2) % 1 != 0:
        raise ValidationError("Sizes go in whole or half steps.")


# ---------------------------------------------------------------- import (data files)


class CategoryInSchema(Schema):
    slug = fields.String(required=True, validate=[validate.Length(max=80), SLUG])
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    parent = fields.String(load_default=None, allow_none=True, validate=SLUG)
    description = fields.String(load_default="", validate=validate.Length(max=2000))


def _input_field(spec: Attribute) -> fields.Field:
    """The data-file field of a registry attribute."""
    if spec.type == "choice":
        return fields.String(validate=validate.OneOf(spec.codes))
    if spec.type == "list":
        return fields.List(fields.String(validate=validate.OneOf(spec.codes)))
    if spec.type == "integer":
        return fields.Integer(strict=True, validate=validate.Range(min=spec.minimum, max=spec.maximum))
    if spec.type == "flag":
        return fields.Boolean()
    raise ValueError(f"no data-file field for {spec.type} attribute {spec.name!r}")


def _output_field(spec: Attribute) -> fields.Field:
    return {"choice": fields.String, "integer": fields.Integer, "flag": fields.Boolean}.get(
        spec.type, lambda: fields.List(fields.String())
    )()


class _AttributesBase(Schema):
    """Footwear and support attributes; every one optional, absent when it does not apply."""

    @post_load
    def _drop_defaults(self, data, **_kwargs):
        """Defaults are absences: ``consumable: false`` and empty lists mean "not given"."""
        return {key: value for key, value in data.items() if value is not False and value != []}


AttributesSchema = _AttributesBase.from_dict(
    {name: _input_field(ATTRIBUTES[name]) for name in PRODUCT_ATTRIBUTES}, name="AttributesSchema"
)


class VariantInSchema(Schema):
    sku = fields.String(required=True, validate=SKU)
    size_eu = fields.Decimal(
        allow_none=True,
        load_default=None,
        places=1,
        validate=[validate.Range(min=ATTRIBUTES["size_eu"].minimum, max=ATTRIBUTES["size_eu"].maximum), half_size],
    )
    width = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(ATTRIBUTES["width"].codes))
    stock = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100000))


class ImageInSchema(Schema):
    path = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    alt = fields.String(load_default="", validate=validate.Length(max=300))


class ImageRef(fields.Field):
    """An ``images`` entry: a path or ``file://`` URL, or ``{"path": ..., "alt": ...}``."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = {"path": value}
        if not isinstance(value, dict):
            raise ValidationError("Expected a path or an object with 'path' and 'alt'.")
        return ImageInSchema().load(value)


class ProductInSchema(Schema):
    slug = fields.String(required=True, validate=[validate.Length(max=120), SLUG])
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    brand = fields.String(required=True, validate=validate.Length(min=1, max=120))
    description = fields.String(load_default="", validate=validate.Length(max=10000))
    price = fields.Decimal(
        required=True, places=2, validate=validate.Range(min=0, max=100000)
    )
    category = fields.String(required=True, validate=SLUG)
    tags = fields.List(fields.String(validate=[validate.Length(max=60), WORD]), load_default=list)
    active = fields.Boolean(load_default=True)
    created_at = fields.Date(required=True)
    attributes = fields.Nested(AttributesSchema, load_default=dict)
    variants = fields.List(
        fields.Nested(VariantInSchema), required=True, validate=validate.Length(min=1)
    )
    images = fields.List(ImageRef(), load_default=list, validate=validate.Length(max=20))

    @validates_schema
    def _distinct_variants(self, data, **_kwargs):
        seen: set = set()
        for variant in data.get("variants", []):
            key = (variant["size_eu"], variant["width"])
            if key in seen:
                raise ValidationError("Two variants share a size and width.", "variants")
            seen.add(key)


class ArticleInSchema(Schema):
    slug = fields.String(required=True, validate=[validate.Length(max=120), SLUG])
    title = fields.String(required=True, validate=validate.Length(min=1, max=250))
    author = fields.String(required=True, validate=validate.Length(min=1, max=120))
    published = fields.Date(required=True)
    topics = fields.List(fields.String(validate=WORD), load_default=list)
    summary = fields.String(load_default="", validate=validate.Length(max=1000))
    body = fields.String(required=True, validate=validate.Length(min=1))


# ---------------------------------------------------------------- output (API)


class VariantSchema(Schema):
    sku = fields.String()
    size_eu = fields.Float(allow_none=True)
    size_uk = fields.Float(allow_none=True)
    size_us = fields.Float(allow_none=True)
    width = fields.String(allow_none=True)
    stock = fields.Integer()
    label = fields.String()


ProductAttributesSchema = Schema.from_dict(
    {name: _output_field(ATTRIBUTES[name]) for name in PRODUCT_ATTRIBUTES}, name="ProductAttributesSchema"
)


class ProductImageSchema(Schema):
    """A picture: alt text, pixel size, and its renditions' URLs by width (WebP and JPEG)."""

    alt = fields.String()
    width = fields.Integer()
    height = fields.Integer()
    renditions = fields.Function(lambda image: image.stored.renditions())


class ProductSummarySchema(Schema):
    """A product in lists: enough to show a card."""

    slug = fields.String()
    name = fields.String()
    brand = fields.String()
    price = fields.Decimal(as_string=True, places=2)
    category = fields.Function(lambda product: product.category.slug)
    category_path = fields.Function(lambda product: product.category.path)
    rating = fields.Decimal(as_string=True, places=1, allow_none=True, metadata={
        "description": "The average of the published reviews (none without one)."})
    rating_count = fields.Integer(metadata={"description": "How many published reviews."})
    in_stock = fields.Boolean()
    attributes = fields.Nested(ProductAttributesSchema)
    tags = fields.List(fields.String())
    images = fields.List(fields.Nested(ProductImageSchema))  # the main one first


class ProductSchema(ProductSummarySchema):
    description = fields.String()
    created_at = fields.Date()
    variants = fields.List(fields.Nested(VariantSchema))


class CategorySchema(Schema):
    slug = fields.String()
    name = fields.String()
    description = fields.String()
    parent = fields.Function(lambda c: c.parent.slug if c.parent else None, allow_none=True)
    path = fields.List(fields.String())
    children = fields.List(fields.Nested(lambda: CategorySchema()))


class ArticleSummarySchema(Schema):
    slug = fields.String()
    title = fields.String()
    author = fields.String()
    published = fields.Date()
    topics = fields.List(fields.String())
    summary = fields.String()


class ArticleSchema(ArticleSummarySchema):
    body = fields.String()
    related_products = fields.List(fields.Nested(ProductSummarySchema))
