"""One CSV record at a time: split the file into rows and read each row's cells.

Cell problems are collected on the row (line and column) rather than raised, so the
reader can report every bad cell of a file at once. Relations between rows (parents,
SKUs, upsells) are the reader's job, not this module's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from .csvformat import (
    ATTRIBUTE_COLUMN,
    CONTROL,
    REQUIRED_COLUMNS,
    STOCK_STATUS_CELLS,
    attribute_column,
    parse_bool,
    split_list,
    unescape_text,
)
from .types import (
    VISIBILITIES,
    Attribute,
    Problem,
    Product,
    Variant,
)

SOLD_TYPES = {"simple", "variable", "variation"}
SKIPPED_TYPES = {
    "grouped": "grouped product: a set of other products, not sold itself",
    "external": "external product: sold on another site",
}
FLAGS = {"downloadable", "virtual"}
TEXT_COLUMNS = {"name", "short description", "description", "sku"}
SINGLE_LINE_COLUMNS = {"name", "sku"}
#: Other spellings WooCommerce's importer accepts in "In stock?".
STOCK_STATUS_ALIASES = {"instock": "1", "outofstock": "0", "onbackorder": "backorder",
                        "yes": "1", "no": "0", "true": "1", "false": "0"}  # fmt: skip


@dataclass
class Row:
    """One CSV record with its first line; cells by lower-cased column name."""

    line: int
    cells: dict[str, str]
    problems: list[Problem]
    header: dict[str, str]  # lower-cased -> as spelled in the file

    def get(self, column: str) -> str:
        cell = self.cells.get(column.lower(), "")
        return unescape_text(cell) if column.lower() in TEXT_COLUMNS else cell.strip()

    def error(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.line, self.header.get(column.lower(), column), message))


@dataclass
class ParsedRow:
    row: Row
    kind: str
    woo_id: int | None
    sku: str
    product: Product | None = None
    variant: Variant | None = None
    attributes: tuple[Attribute, ...] = ()
    variations: list[ParsedRow] = field(default_factory=list)
    skipped: str = ""


# ---------------------------------------------------------------- records


def read_rows(text: str, problems: list[Problem]) -> list[Row]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header_cells = next(reader, None)
        if not header_cells:
            problems.append(Problem(1, "", "empty file: expected a WooCommerce product CSV"))
            return []
        header = _header(header_cells, problems)
        if problems:
            return []
        rows, end = [], reader.line_num
        for record in reader:
            start, end = end + 1, reader.line_num
            if not record or record == [""]:
                continue
            if len(record) != len(header_cells):
                problems.append(
                    Problem(
                        start, "", f"{len(record)} cells, but the header has {len(header_cells)}"
                    )
                )
                continue
            cells = {name.strip().lower(): cell for name, cell in zip(header_cells, record, strict=False)}
            row = Row(start, cells, problems, header)
            for name, cell in zip(header_cells, record, strict=False):
                bad = CONTROL.search(cell) or (
                    name.strip().lower() in SINGLE_LINE_COLUMNS and re.search(r"[\r\n]", cell)
                )
                if bad:
                    row.error(
                        name.strip(), f"control character 0x{ord(bad.group()):02X} is not allowed"
                    )
            rows.append(row)
        return rows
    except csv.Error as exc:
        problems.append(Problem(reader.line_num, "", f"not a valid CSV file: {exc}"))
        return []


def _header(cells: list[str], problems: list[Problem]) -> dict[str, str]:
    header: dict[str, str] = {}
    for cell in cells:
        name = cell.strip()
        if name and name.lower() in header:
            problems.append(Problem(1, name, "column appears twice (names are case-insensitive)"))
        header[name.lower()] = name
    missing = [name for name in REQUIRED_COLUMNS if name.lower() not in header]
    if missing:
        message = f"not a WooCommerce product CSV: no {', '.join(missing)} column"
        separator = next((s for s in (";", "\t") if len(cells) == 1 and s in cells[0]), None)
        if separator:
            message += f" (the cells are separated by {separator!r}; WooCommerce writes commas)"
        problems.append(Problem(1, "", message))
    return header


# ---------------------------------------------------------------- cells


def _int(row: Row, column: str, default: int | None = None) -> int | None:
    cell = row.get(column)
    if cell == "":
        return default
    if not re.fullmatch(r"-?\d+", cell):
        row.error(column, f"not a whole number: {cell!r}")
        return default
    return int(cell)


def _price(row: Row, column: str) -> Decimal | None:
    cell = row.get(column)
    if cell == "":
        return None
    if not re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", cell):
        row.error(column, f"not a number: {cell!r}")
        return None
    value = Decimal(cell)
    if value < 0:
        row.error(column, f"a price cannot be negative: {cell!r}")
    elif value.as_tuple().exponent < -2:
        row.error(column, f"more than two decimal places: {cell!r}")
    return value


def _date(row: Row, column: str) -> dt.date | dt.datetime | None:
    """A date, or a date and time; one with an offset is turned into UTC (naive, as
    WooCommerce's own dates are) so every sale window compares with every other."""
    cell = row.get(column)
    if cell == "":
        return None
    try:
        if len(cell) == 10:
            return dt.date.fromisoformat(cell)
        value = dt.datetime.fromisoformat(cell)
    except ValueError:
        row.error(column, f"not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS): {cell!r}")
        return None
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


def _flag(row: Row, column: str, default: bool) -> bool:
    cell = row.get(column)
    if cell == "":
        return default
    value = parse_bool(cell)
    if value is None:
        row.error(column, f"expected 1 or 0: {cell!r}")
        return default
    return value


def _attributes(row: Row) -> tuple[Attribute, ...]:
    numbers = sorted({int(m.group(1)) for c in row.cells if (m := ATTRIBUTE_COLUMN.fullmatch(c))})
    attributes = []
    for number in numbers:
        name = row.get(attribute_column(number, "name"))
        values = split_list(row.get(attribute_column(number, "value(s)")))
        if not name:
            if values:
                row.error(attribute_column(number, "name"), "attribute values without a name")
            continue
        attributes.append(Attribute(
            name=name,
            values=tuple(values),
            visible=_flag(row, attribute_column(number, "visible"), True),
            is_global=_flag(row, attribute_column(number, "global"), False),
            default=row.get(attribute_column(number, "default")) or None,
            number=number,
        ))  # fmt: skip
    return tuple(attributes)


def _variant_of(row: Row, sku: str, woo_id: int | None) -> Variant | None:
    regular, sale = _price(row, "Regular price"), _price(row, "Sale price")
    starts, ends = _date(row, "Date sale price starts"), _date(row, "Date sale price ends")
    if regular is not None and sale is not None and sale >= regular:
        row.error("Sale price", f"sale price {sale} is not below the regular price {regular}")
    if starts and ends and _as_datetime(ends) < _as_datetime(starts):
        row.error("Date sale price ends", "the sale ends before it starts")
    in_stock = row.get("In stock?").lower() or "1"
    in_stock = STOCK_STATUS_ALIASES.get(in_stock, in_stock)
    if in_stock not in STOCK_STATUS_CELLS:
        row.error("In stock?", f"expected 1, 0 or backorder: {in_stock!r}")
    published = _int(row, "Published", 1)
    if regular is None:
        return None
    return Variant(
        sku=sku, regular_price=regular, sale_price=sale, sale_starts=starts, sale_ends=ends,
        stock_status=STOCK_STATUS_CELLS.get(in_stock, "instock"), stock=_int(row, "Stock"),
        name=row.get("Name").strip(), description=row.get("Description"), enabled=published == 1,
        images=tuple(split_list(row.get("Images"))), position=_int(row, "Position", 0) or 0,
        woo_id=woo_id, line=row.line,
    )  # fmt: skip


def _as_datetime(value: dt.date | dt.datetime) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())


def _categories(row: Row) -> tuple[tuple[str, ...], ...]:
    paths = []
    for entry in split_list(row.get("Categories")):
        path = tuple(part.strip() for part in entry.split(">"))
        if not all(path):
            row.error("Categories", f"empty category name in {entry!r}")
            continue
        paths.append(path)
    return tuple(paths)


def parse_row(row: Row) -> ParsedRow:
    """Read one row's cells; a row of a kind this shop does not sell is only identified
    (ID, SKU) and skipped, so a bad cell it never uses does not stop the import."""
    tokens = [t.lower() for t in split_list(row.get("Type"))]
    woo_id, sku = _int(row, "ID"), row.get("SKU").strip()
    kinds = [t for t in tokens if t in SOLD_TYPES or t in SKIPPED_TYPES]
    unknown = [
        t for t in tokens if t not in SOLD_TYPES and t not in SKIPPED_TYPES and t not in FLAGS
    ]
    if len(kinds) != 1 or unknown:
        row.error("Type", f"unknown product type {row.get('Type')!r}")
        return ParsedRow(row, "invalid", woo_id, sku)
    parsed = ParsedRow(row, kinds[0], woo_id, sku)
    if parsed.kind in SKIPPED_TYPES:
        parsed.skipped = SKIPPED_TYPES[parsed.kind]
    elif FLAGS & set(tokens):
        parsed.skipped = f"{' and '.join(sorted(FLAGS & set(tokens)))} product: nothing to ship"
    if parsed.skipped:
        return parsed
    if parsed.kind != "variation" and not row.get("Name").strip():
        row.error("Name", "a product needs a name")
    if parsed.kind in ("simple", "variation"):
        parsed.variant = _variant_of(row, sku, woo_id)
        if parsed.variant is None:
            parsed.skipped = "no regular price: WooCommerce does not sell it"
    parsed.attributes = _attributes(row)
    if parsed.kind in ("simple", "variable"):
        visibility = row.get("Visibility in catalog").lower() or "visible"
        if visibility not in VISIBILITIES:
            row.error(
                "Visibility in catalog",
                f"expected one of {', '.join(VISIBILITIES)}: {visibility!r}",
            )
        published = _int(row, "Published", 1)
        if published not in (-1, 0, 1):
            row.error("Published", f"expected 1, 0 or -1: {published}")
        parsed.product = Product(
            sku=sku, name=row.get("Name").strip(), type=parsed.kind, variants=(),
            published=published if published in (-1, 0, 1) else 1, visibility=visibility,
            short_description=row.get("Short description"), description=row.get("Description"),
            categories=_categories(row), tags=tuple(split_list(row.get("Tags"))),
            images=tuple(split_list(row.get("Images"))), attributes=parsed.attributes,
            position=_int(row, "Position", 0) or 0, woo_id=woo_id, line=row.line,
        )  # fmt: skip
    return parsed
