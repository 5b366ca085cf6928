"""Rows of WooCommerce's product CSV for the tests, written the way its exporter writes them."""

from __future__ import annotations

import re

HEADER = (
    "ID,Type,SKU,Name,Published,Visibility in catalog,Short description,Description,"
    "Date sale price starts,Date sale price ends,In stock?,Stock,Sale price,Regular price,"
    "Categories,Tags,Images,Parent,Upsells,Cross-sells,Position,"
    "Attribute 1 name,Attribute 1 value(s),Attribute 1 visible,Attribute 1 global,Attribute 1 default,"
    "Attribute 2 name,Attribute 2 value(s),Attribute 2 visible,Attribute 2 global,Attribute 2 default"
)
COLUMNS = HEADER.split(",")


def _key(column: str) -> str:
    return re.sub(r"[^a-z0-9]", "", column.lower().replace("(s)", ""))


def row(**cells) -> str:
    """One CSV line; keyword names are the columns with spaces as underscores."""
    values = {
        next(c for c in COLUMNS if _key(c) == _key(name)): value for name, value in cells.items()
    }
    out = []
    for column in COLUMNS:
        value = str(values.get(column, ""))
        out.append(f'"{value}"' if any(ch in value for ch in ',"\n') else value)
    return ",".join(out)


def shoe(**links) -> str:
    return row(ID=10, Type="variable", SKU="walker", Name="Trail Walker", Published=1,
               Visibility_in_catalog="visible", Categories="Footwear > Walking shoes, Sale",
               Tags="walking, trail", Images="walker.jpg, https://example.com/walker-2.jpg",
               Attribute_1_name="Colour", Attribute_1_value="Black, Blue", Attribute_1_visible=1,
               Attribute_1_global=1, Attribute_1_default="Black",
               Attribute_2_name="Shoe size", Attribute_2_value="UK 8, UK 9", Attribute_2_visible=1,
               **links)  # fmt: skip


SHOE = shoe()


def variation(id_, sku, colour, size, parent="walker", price="99.50", **cells) -> str:
    cells = {"ID": id_, "Type": "variation", "SKU": sku, "Name": f"Trail Walker - {colour}, {size}",
             "Published": 1, "In_stock": 1, "Stock": 3, "Regular_price": price, "Parent": parent,
             "Attribute_1_name": "Colour", "Attribute_1_value": colour,
             "Attribute_2_name": "Shoe size", "Attribute_2_value": size, **cells}  # fmt: skip
    return row(**cells)


INSOLE = row(ID=20, Type="simple", SKU="insole", Name="Arch Insole", Published=1,
             Visibility_in_catalog="hidden", In_stock=1, Stock=12, Regular_price="29.00",
             Sale_price="24.00", Date_sale_price_starts="2026-05-01",
             Date_sale_price_ends="2026-05-31 23:59:59", Categories="Insoles")  # fmt: skip
SOCKS = row(ID=30, Type="simple", Name="Walking Socks", Published=0, In_stock=0, Regular_price=12)


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"
