"""Neutral, shop-independent shapes of what a WooCommerce export holds.

Plain frozen dataclasses so the readers, the writer and the tests share one vocabulary and
the catalog import can map them onto its tables without knowing CSV or JSON. Fields that only say
where a value came from (``line``, ``column``, ``sku_generated``) are left out of equality,
so a re-read file compares equal to the structures it was written from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

#: WooCommerce's "In stock?" column, as read: "1", "0" or "backorder".
STOCK_STATUSES = ("instock", "outofstock", "onbackorder")
#: "Visibility in catalog": shown in shop and search, shop only, search only, nowhere.
VISIBILITIES = ("visible", "catalog", "search", "hidden")

SaleDate = dt.date | dt.datetime


@dataclass(frozen=True)
class Problem:
    """One reason a file cannot be imported, with where it is: a CSV line and column, or
    an order page and the JSON path inside it (``[3].line_items[0].quantity``)."""

    line: int | None
    column: str
    message: str
    file: str = ""
    path: str = ""

    def __str__(self) -> str:
        where = [self.file] if self.file else []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(f'column "{self.column}"')
        if self.path:
            where.append(self.path)
        return f"{', '.join(where) or 'file'}: {self.message}"


class WooCommerceFileError(Exception):
    """The file cannot be imported; nothing from it is returned."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass(frozen=True)
class Attribute:
    """An ``Attribute N`` group of a product row: a name and the values it offers."""

    name: str
    values: tuple[str, ...]
    visible: bool = True
    is_global: bool = False
    default: str | None = None
    #: N in "Attribute N name": lets later steps point at the right column.
    number: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Variant:
    """A purchasable row: the one row of a simple product, or a ``variation`` row.

    ``options`` are (attribute name, value) pairs in the parent's attribute order; the
    value "" is WooCommerce's "Any <name>", meaning every value the parent offers.
    """

    sku: str
    regular_price: Decimal
    sale_price: Decimal | None = None
    sale_starts: SaleDate | None = None
    sale_ends: SaleDate | None = None
    stock_status: str = "instock"
    stock: int | None = None
    options: tuple[tuple[str, str], ...] = ()
    name: str = ""
    description: str = ""
    enabled: bool = True
    images: tuple[str, ...] = ()
    position: int = 0
    woo_id: int | None = None
    line: int | None = field(default=None, compare=False)
    sku_generated: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class Product:
    """A simple product (one variant, no options) or a variable one with its variations."""

    sku: str
    name: str
    type: str  # "simple" or "variable"
    variants: tuple[Variant, ...]
    published: int = 1  # 1 published, 0 private, -1 draft
    visibility: str = "visible"
    short_description: str = ""
    description: str = ""
    categories: tuple[
        tuple[str, ...], ...
    ] = ()  # each a path from the root: ("Clothing", "Tshirts")
    tags: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    upsells: tuple[str, ...] = ()  # SKUs of products or variants in the same file
    cross_sells: tuple[str, ...] = ()
    attributes: tuple[Attribute, ...] = ()
    position: int = 0
    woo_id: int | None = None
    line: int | None = field(default=None, compare=False)
    sku_generated: bool = field(default=False, compare=False)

    @property
    def active(self) -> bool:
        """Sold at all: WooCommerce's "published" (private and draft products are not)."""
        return self.published == 1

    @property
    def listed(self) -> bool:
        """Shown in the shop's listings ("visible" or "catalog"), not only by direct link."""
        return self.visibility in ("visible", "catalog")

    @property
    def option_names(self) -> tuple[str, ...]:
        """The attributes a shopper picks a variant by, in the product's attribute order."""
        chosen = {name for variant in self.variants for name, _ in variant.options}
        return tuple(a.name for a in self.attributes if a.name in chosen)

    def attribute(self, name: str) -> Attribute | None:
        wanted = name.casefold()
        return next((a for a in self.attributes if a.name.casefold() == wanted), None)


@dataclass(frozen=True)
class SkippedRow:
    """A row WooCommerce knows but this shop does not sell, and why."""

    line: int
    woo_id: int | None
    sku: str
    name: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.name or self.sku or self.woo_id}: {self.reason}"


@dataclass(frozen=True)
class ProductFile:
    """Everything importable from one product CSV, plus what was left out and why."""

    products: tuple[Product, ...]
    skipped: tuple[SkippedRow, ...] = ()


@dataclass(frozen=True)
class PurchaseLine:
    product_id: int
    variation_id: int | None
    sku: str | None
    quantity: int
    price: Decimal


@dataclass(frozen=True)
class Purchase:
    """A WooCommerce order that counts as a purchase (not cancelled, refunded or failed)."""

    order_id: int
    status: str
    created_at: dt.datetime  # aware, UTC
    customer_id: int | None  # None for a guest order
    email: str | None
    lines: tuple[PurchaseLine, ...]


@dataclass(frozen=True)
class OrderHistory:
    purchases: tuple[Purchase, ...]
    #: (order id, status) of orders read but not purchases.
    not_purchases: tuple[tuple[int, str], ...] = ()
