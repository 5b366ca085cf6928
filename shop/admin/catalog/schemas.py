"""What the catalog pages and ``/api/admin/products|categories|articles`` accept and answer.

One schema per thing serves the form and the JSON alike (forms are read into the same dict by
``forms.read``), so a page and the API give the same message for the same mistake, and the
attribute fields come from the catalog's vocabulary: its values, bounds and labels.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from catalog.schemas import SKU, SLUG, WORD, half_size
from catalog.vocabulary import ATTRIBUTES, PRODUCT_ATTRIBUTES, Attribute

from ...schemas import ChoiceList, Text, UtcDateTime

MONEY = {"places": 2, "validate": validate.Range(min=0, max=100000, error="Enter an amount from 0 to 100000.")}
_SIZE = ATTRIBUTES["size_eu"]
_WIDTH = ATTRIBUTES["width"]


def _one_of(spec: Attribute) -> validate.OneOf:
    return validate.OneOf(spec.codes, error=f"Choose one of: {', '.join(spec.labels.values())}.")


def attribute_field(spec: Attribute) -> fields.Field:
    """The form/JSON field of a product attribute of the registry (None: not given)."""
    if spec.type == "choice":
        return Text(allow_none=True, load_default=None, validate=_one_of(spec))
    if spec.type == "list":
        return ChoiceList(spec.codes)
    if spec.type == "integer":
        unit = f" {spec.unit}" if spec.unit else ""
        return fields.Integer(allow_none=True, load_default=None, validate=validate.Range(
            min=spec.minimum, max=spec.maximum,
            error=f"Enter a whole number from {spec.minimum:g} to {spec.maximum:g}{unit}."))
    if spec.type == "flag":
        return fields.Boolean(load_default=False)
    raise ValueError(spec.type)


class _ProductBase(Schema):
    class Meta:
        unknown = RAISE

    slug = Text(load_default=None, allow_none=True, validate=[validate.Length(max=120), SLUG],
                metadata={"description": "Only when creating; made from the name when left out."})
    name = Text(required=True, validate=validate.Length(min=1, max=200, error="Enter a name (at most 200 characters)."),
                error_messages={"required": "Enter a name."})
    brand = Text(required=True, validate=validate.Length(
        min=1, max=120, error="Enter a brand (at most 120 characters)."), error_messages={"required": "Enter a brand."})
    description = Text(load_default="", multiline=True, validate=validate.Length(max=10000))
    price = fields.Decimal(required=True, as_string=True, error_messages={
        "required": "Enter a price.", "invalid": "Enter a price like 89.00."}, **MONEY)
    sale_price = fields.Decimal(allow_none=True, load_default=None, as_string=True, error_messages={
        "invalid": "Enter a sale price like 69.00, or leave it empty."}, **MONEY,
        metadata={"description": "Applies to every variant; null ends the sale."})
    sale_starts = fields.DateTime(allow_none=True, load_default=None, metadata={"description": "UTC; null: now."})
    sale_ends = fields.DateTime(allow_none=True, load_default=None, metadata={"description": "UTC; null: open."})
    category = Text(required=True, validate=SLUG, error_messages={"required": "Choose a category."})
    active = fields.Boolean(load_default=False, metadata={"description": "false: a draft, not in the shop."})

    @validates_schema
    def _sale(self, data, **_kwargs):
        price, sale = data.get("price"), data.get("sale_price")
        if sale is not None and price is not None and sale >= price:
            raise ValidationError("The sale price must be below the price.", "sale_price")
        starts, ends = data.get("sale_starts"), data.get("sale_ends")
        if starts and ends and ends <= starts:
            raise ValidationError("The sale must end after it starts.", "sale_ends")


ProductInSchema = _ProductBase.from_dict(
    {name: attribute_field(ATTRIBUTES[name]) for name in PRODUCT_ATTRIBUTES}, name="AdminProductInSchema")


class VariantInSchema(Schema):
    class Meta:
        unknown = RAISE

    sku = Text(required=True, validate=SKU, error_messages={"required": "Enter a SKU."})
    size_eu = fields.Decimal(allow_none=True, load_default=None, places=1, validate=[validate.Range(
        min=_SIZE.minimum, max=_SIZE.maximum, error=f"Enter an EU size from {_SIZE.minimum:g} to {_SIZE.maximum:g}."),
        half_size], error_messages={"invalid": "Enter a size like 42 or 42.5."})
    width = Text(allow_none=True, load_default=None, validate=_one_of(_WIDTH))
    stock = fields.Integer(required=True, validate=validate.Range(
        min=0, max=100000, error="Enter a stock from 0 to 100000."),
        error_messages={"required": "Enter the stock.", "invalid": "Enter a whole number."})
    @pre_load
    def _capital_sku(self, data, **_kwargs):
        """SKUs are stored in capitals: "tw-44-w" is TW-44-W."""
        if isinstance(data, dict) and isinstance(data.get("sku"), str):
            data = {**data, "sku": data["sku"].strip().upper()}
        return data

    options = fields.Dict(keys=Text(validate=validate.Length(min=1, max=60)),
                          values=Text(validate=validate.Length(max=120)), load_default=dict,
                          metadata={"description": "A value of each of the product's option names."})


class StockSchema(Schema):
    class Meta:
        unknown = RAISE

    stock = fields.Integer(required=True, validate=validate.Range(
        min=0, max=100000, error="Enter a stock from 0 to 100000."),
        error_messages={"required": "Enter the stock.", "invalid": "Enter a whole number."})


class ImageUpdateSchema(Schema):
    class Meta:
        unknown = RAISE

    alt = Text(validate=validate.Length(max=300, error="At most 300 characters."))
    position = fields.Integer(validate=validate.Range(min=0, max=1000),
                              metadata={"description": "0 makes it the main picture."})


class ImageUploadSchema(Schema):
    class Meta:
        unknown = RAISE

    data = fields.String(required=True, load_only=True, metadata={
        "description": "The file, base64 (within the API's 1 MiB per request; bigger pictures through the page)."})
    alt = Text(load_default="", validate=validate.Length(max=300, error="At most 300 characters."))


class CategoryInSchema(Schema):
    class Meta:
        unknown = RAISE

    slug = Text(load_default=None, allow_none=True, validate=[validate.Length(max=80), SLUG])
    name = Text(required=True, validate=validate.Length(min=1, max=120, error="Enter a name (at most 120 characters)."),
                error_messages={"required": "Enter a name."})
    description = Text(load_default="", multiline=True, validate=validate.Length(max=2000))
    parent = Text(load_default=None, allow_none=True, validate=SLUG,
                  metadata={"description": "The parent's slug; null: a top-level category."})


class ArticleInSchema(Schema):
    class Meta:
        unknown = RAISE

    slug = Text(load_default=None, allow_none=True, validate=[validate.Length(max=120), SLUG])
    title = Text(required=True, validate=validate.Length(
        min=1, max=250, error="Enter a title (at most 250 characters)."), error_messages={"required": "Enter a title."})
    author = Text(required=True, validate=validate.Length(min=1, max=120, error="Enter the author."),
                  error_messages={"required": "Enter the author."})
    summary = Text(load_default="", multiline=True, validate=validate.Length(max=1000))
    body = Text(required=True, multiline=True, validate=validate.Length(
        min=1, max=200000, error="Write the article (Markdown)."), error_messages={"required": "Write the article."})
    published = fields.Date(required=True, error_messages={
        "required": "Enter the publication date.", "invalid": "Enter a date like 2026-03-01."})
    draft = fields.Boolean(load_default=False, metadata={"description": "A draft is not shown in the shop."})
    topics = fields.List(Text(validate=[validate.Length(max=60), WORD]), load_default=list)


class ListQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    q = Text(load_default=None, validate=validate.Length(max=100), metadata={"description": "Name or SKU."})
    category = Text(load_default=None, validate=SLUG)
    status = Text(load_default=None, validate=validate.OneOf(("active", "draft")))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class LowStockQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    threshold = fields.Integer(load_default=None, validate=validate.Range(min=0, max=100000))


# ---------------------------------------------------------------- answers


class AdminVariantSchema(Schema):
    id = fields.Integer()
    sku = fields.String()
    size_eu = fields.Decimal(as_string=True, allow_none=True)
    width = fields.String(allow_none=True)
    stock = fields.Integer()
    options = fields.Dict()
    label = fields.String()


class AdminImageSchema(Schema):
    id = fields.Integer()
    position = fields.Integer()
    alt = fields.String()
    width = fields.Integer()
    height = fields.Integer()
    renditions = fields.Function(lambda image: image.stored.renditions())


class AdminProductSchema(Schema):
    id = fields.Integer()
    slug = fields.String()
    name = fields.String()
    brand = fields.String()
    description = fields.String()
    price = fields.Decimal(as_string=True, places=2)
    category = fields.Function(lambda p: p.category.slug)
    active = fields.Boolean()
    attributes = fields.Dict()
    sale = fields.Method("_sale")
    variants = fields.List(fields.Nested(AdminVariantSchema))
    images = fields.List(fields.Nested(AdminImageSchema))

    def _sale(self, product):
        from .products import sale_of

        sale = sale_of(product)
        return None if sale is None else {
            "price": None if sale.price is None else f"{sale.price:.2f}",
            "starts": UtcDateTime()._serialize(sale.starts, None, None),
            "ends": UtcDateTime()._serialize(sale.ends, None, None), "mixed": sale.mixed}


class AdminProductPageSchema(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    items = fields.List(fields.Nested(lambda: AdminProductSummarySchema()))


class LowStockSchema(Schema):
    variant_id = fields.Integer(attribute="id")
    sku = fields.String()
    label = fields.String()
    stock = fields.Integer()
    product_id = fields.Integer()
    product = fields.Function(lambda v: v.product.name)


class LowStockListSchema(Schema):
    threshold = fields.Integer()
    items = fields.List(fields.Nested(LowStockSchema))


class AdminCategorySchema(Schema):
    id = fields.Integer()
    slug = fields.String()
    name = fields.String()
    description = fields.String()
    parent = fields.Function(lambda c: c.parent.slug if c.parent else None)
    products = fields.Integer(attribute="product_count", dump_default=0)


class AdminArticleSchema(Schema):
    id = fields.Integer()
    slug = fields.String()
    title = fields.String()
    author = fields.String()
    summary = fields.String()
    body = fields.String(metadata={"description": "Markdown; rendered and sanitised on the page."})
    published = fields.Date()
    draft = fields.Boolean()
    topics = fields.List(fields.String())


class ArticlePreviewSchema(Schema):
    html = fields.String(metadata={"description": "The body as the article page shows it (sanitised)."})


class ImportQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    dry_run = fields.Boolean(load_default=False)


class ArticlePreviewInSchema(Schema):
    class Meta:
        unknown = RAISE

    body = Text(required=True, multiline=True, validate=validate.Length(max=200000))


# A PATCH sends any of the fields (used with ``partial=True``; own classes, so the OpenAPI
# document names each once).
class ProductPatchSchema(ProductInSchema):
    pass


class VariantPatchSchema(VariantInSchema):
    pass


class CategoryPatchSchema(CategoryInSchema):
    pass


class ArticlePatchSchema(ArticleInSchema):
    pass


class AdminProductSummarySchema(AdminProductSchema):
    class Meta:
        exclude = ("description", "images")
