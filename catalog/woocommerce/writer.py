"""Write neutral ``Product`` structures back as WooCommerce's product CSV.

The inverse of ``reader``: what it writes reads back into equal structures, and a
written file re-read and re-written is the same file, so leaving this shop for
WooCommerce (or coming back) loses nothing the neutral structures hold.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from .csvformat import (
    ATTRIBUTE_FIELDS,
    COLUMNS,
    STOCK_STATUS_WRITTEN,
    attribute_column,
    escape_text,
    join_list,
)
from .types import Product, SaleDate, Variant


def write_products(path: str | Path, products: Iterable[Product]) -> None:
    """Write the CSV with a byte-order mark, as WooCommerce's exporter does."""
    Path(path).write_text(products_csv(products), encoding="utf-8-sig", newline="")


def products_csv(products: Iterable[Product]) -> str:
    products = list(products)
    count = max((len(product.attributes) for product in products), default=0)
    header = [
        *COLUMNS,
        *(attribute_column(n, part) for n in range(1, count + 1) for part in ATTRIBUTE_FIELDS),
    ]
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    for product in products:
        if product.type == "simple":
            writer.writerow({**_product_cells(product), **_variant_cells(product.variants[0])})
        else:
            writer.writerow(_product_cells(product))
            for variant in product.variants:
                writer.writerow(_variation_cells(product, variant))
    return out.getvalue()


def _product_cells(product: Product) -> dict[str, str]:
    cells = {
        "ID": _number(product.woo_id),
        "Type": product.type,
        "SKU": escape_text(product.sku),
        "Name": escape_text(product.name),
        "Published": str(product.published),
        "Visibility in catalog": product.visibility,
        "Short description": escape_text(product.short_description),
        "Description": escape_text(product.description),
        "Categories": join_list(" > ".join(path) for path in product.categories),
        "Tags": join_list(product.tags),
        "Images": join_list(product.images),
        "Upsells": join_list(product.upsells),
        "Cross-sells": join_list(product.cross_sells),
        "Position": str(product.position),
    }
    for n, attribute in enumerate(product.attributes, start=1):
        cells[attribute_column(n, "name")] = attribute.name
        cells[attribute_column(n, "value(s)")] = join_list(attribute.values)
        cells[attribute_column(n, "visible")] = _flag(attribute.visible)
        cells[attribute_column(n, "global")] = _flag(attribute.is_global)
        cells[attribute_column(n, "default")] = attribute.default or ""
    return cells


def _variant_cells(variant: Variant) -> dict[str, str]:
    return {
        "Date sale price starts": _date(variant.sale_starts),
        "Date sale price ends": _date(variant.sale_ends),
        "In stock?": STOCK_STATUS_WRITTEN[variant.stock_status],
        "Stock": _number(variant.stock),
        "Sale price": _money(variant.sale_price),
        "Regular price": _money(variant.regular_price),
    }


def _variation_cells(product: Product, variant: Variant) -> dict[str, str]:
    cells = {
        "ID": _number(variant.woo_id),
        "Type": "variation",
        "SKU": escape_text(variant.sku),
        "Name": escape_text(variant.name),
        "Published": _flag(variant.enabled),
        "Description": escape_text(variant.description),
        "Images": join_list(variant.images),
        "Parent": product.sku,
        "Position": str(variant.position),
        **_variant_cells(variant),
    }
    for n, (name, value) in enumerate(variant.options, start=1):
        attribute = product.attribute(name)
        cells[attribute_column(n, "name")] = name
        cells[attribute_column(n, "value(s)")] = value.replace(",", "\\,")
        cells[attribute_column(n, "global")] = _flag(attribute is not None and attribute.is_global)
    return cells


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:f}"


def _date(value: SaleDate | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value.isoformat()
