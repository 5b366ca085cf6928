"""The cell-level rules of WooCommerce's product CSV, shared by the reader and the writer.

Lists are comma-separated with ``\\,`` for a literal comma; category paths use `` > ``;
WooCommerce's exporter guards spreadsheet formulas by prefixing ``'`` to text cells that
start with ``= + - @``, and its importer strips that prefix again.
"""

from __future__ import annotations

import re

# The columns this package reads and writes, in WooCommerce's export order.
COLUMNS = (
    "ID", "Type", "SKU", "Name", "Published", "Visibility in catalog", "Short description",
    "Description", "Date sale price starts", "Date sale price ends", "In stock?", "Stock",
    "Sale price", "Regular price", "Categories", "Tags", "Images", "Parent", "Upsells",
    "Cross-sells", "Position",
)  # fmt: skip
ATTRIBUTE_FIELDS = ("name", "value(s)", "visible", "global", "default")
ATTRIBUTE_COLUMN = re.compile(r"attribute (\d+) (name|value\(s\)|visible|global|default)")
REQUIRED_COLUMNS = ("Type", "Name")

#: Characters a cell may never hold: C0 controls except tab, newline, carriage return; DEL.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FORMULA_STARTS = ("=", "+", "-", "@")

STOCK_STATUS_CELLS = {"1": "instock", "0": "outofstock", "backorder": "onbackorder"}
STOCK_STATUS_WRITTEN = {value: cell for cell, value in STOCK_STATUS_CELLS.items()}


def attribute_column(number: int, part: str) -> str:
    return f"Attribute {number} {part}"


def split_list(cell: str) -> list[str]:
    """``"a, b\\, c"`` -> ``["a", "b, c"]``; empty items are dropped."""
    items, current, chars = [], [], iter(cell)
    for char in chars:
        if char == "\\":
            nxt = next(chars, "")
            current.append(nxt if nxt == "," else "\\" + nxt)
        elif char == ",":
            items.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    items.append("".join(current).strip())
    return [item for item in items if item]


def join_list(items) -> str:
    return ", ".join(item.replace(",", "\\,") for item in items)


def unescape_text(cell: str) -> str:
    if cell.startswith("'") and cell[1:2] in FORMULA_STARTS:
        return cell[1:]
    return cell


def escape_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def parse_bool(cell: str) -> bool | None:
    lowered = cell.strip().lower()
    if lowered in ("1", "yes", "true"):
        return True
    if lowered in ("0", "no", "false", ""):
        return False
    return None
