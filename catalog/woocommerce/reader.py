"""Read WooCommerce's product CSV export into neutral ``Product`` structures.

All or nothing: every bad cell is collected with its line and column and raised together
as one ``WooCommerceFileError``; only a file without problems yields products. Rows this
shop cannot sell (grouped, external, downloadable, virtual, no price) are not errors: they
come back in ``ProductFile.skipped`` with the reason, and links to them are dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from pathlib import Path

from .csvformat import attribute_column, split_list
from .rows import ParsedRow, parse_row, read_rows
from .types import Problem, Product, ProductFile, SkippedRow, Variant, WooCommerceFileError


def read_products(path: str | Path) -> ProductFile:
    """Read a WooCommerce product CSV file; raise WooCommerceFileError listing every problem."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise WooCommerceFileError([Problem(None, "", str(exc))]) from exc
    return parse_products(data)


def parse_products(data: bytes | str) -> ProductFile:
    """Parse the text (or bytes) of a product CSV; see ``read_products``."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            message = "not UTF-8 text: this is not a CSV file"
            raise WooCommerceFileError([Problem(line, "", message)]) from exc
    problems: list[Problem] = []
    rows = read_rows(data.removeprefix("\ufeff"), problems)
    if not rows and problems:
        raise WooCommerceFileError(problems)
    result = _assemble([parse_row(row) for row in rows], problems)
    if problems:
        raise WooCommerceFileError(sorted(problems, key=lambda p: (p.line or 0, p.column)))
    return result


def slug(text: str) -> str:
    """ASCII words joined by hyphens, for generated SKUs: "Größe Grün 42½" -> "grosse-grun-42-1-2"."""
    text = re.sub(r"[\u00bc-\u00be\u2150-\u215e]", lambda m: f" {m.group()} ", text)  # ½ -> " 1/2 "
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    ascii_text = "".join(c if c.isascii() else "" if unicodedata.combining(c) else " " for c in decomposed)
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


class _Index:
    """Rows by WooCommerce ID and by SKU, for ``Parent``, ``Upsells`` and ``Cross-sells``."""

    def __init__(self, parsed: list[ParsedRow]):
        self.by_id: dict[int, ParsedRow] = {}
        self.by_sku: dict[str, ParsedRow] = {}
        for row in parsed:
            if row.woo_id is not None:
                self._add(self.by_id, row.woo_id, row, "ID")
            if row.sku:
                self._add(self.by_sku, row.sku, row, "SKU")

    @staticmethod
    def _add(index: dict, key, row: ParsedRow, column: str) -> None:
        if key in index:
            row.row.error(column, f"{key} is also used on line {index[key].row.line}")
        else:
            index[key] = row

    def find(self, reference: str) -> ParsedRow | None:
        """A reference is an SKU or ``id:NN``, as WooCommerce writes them."""
        match = re.fullmatch(r"id:(\d+)", reference.strip())
        return self.by_id.get(int(match.group(1))) if match else self.by_sku.get(reference.strip())


def _assemble(parsed: list[ParsedRow], problems: list[Problem]) -> ProductFile:
    index = _Index(parsed)
    for row in parsed:
        if row.kind == "variation":
            _link_to_parent(row, index)
    taken = set(index.by_sku)
    built = [
        (row, product)
        for row in parsed
        if row.kind in ("simple", "variable") and not row.skipped
        if (product := _product(row, taken)) is not None
    ]
    final_skus = _final_skus(parsed, [product for _, product in built])
    products = [_with_links(product, row, index, final_skus) for row, product in built]
    skipped = tuple(
        SkippedRow(row.row.line, row.woo_id, row.sku, row.row.get("Name").strip(), row.skipped)
        for row in parsed
        if row.skipped
    )
    return ProductFile(tuple(products), skipped)


def _link_to_parent(row: ParsedRow, index: _Index) -> None:
    reference = row.row.get("Parent")
    parent = index.find(reference) if reference else None
    if not reference:
        row.row.error("Parent", "a variation needs its parent's SKU or id:NN")
    elif parent is None:
        row.row.error("Parent", f"the parent {reference!r} is not in the file")
    elif parent.kind != "variable":
        row.row.error(
            "Parent",
            f"the parent {reference!r} (line {parent.row.line}) is a {parent.kind} product, not a variable one",
        )
    else:
        parent.variations.append(row)
        if parent.skipped and not row.skipped:
            row.skipped = f"its parent {reference} (line {parent.row.line}) is not imported"


def unique_sku(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _product(row: ParsedRow, taken: set[str]) -> Product | None:
    product = row.product
    sku = row.sku or unique_sku(slug(product.name) or f"woo-{row.woo_id}", taken)
    if row.kind == "simple":
        variants = (replace(row.variant, sku=sku, sku_generated=not row.sku),)
    else:
        variants = _variations(row, sku, taken)
        if not variants:
            row.skipped = "variable product without a variation that can be sold"
            return None
    return replace(product, sku=sku, sku_generated=not row.sku, variants=variants)


def _variations(parent: ParsedRow, parent_sku: str, taken: set[str]) -> tuple[Variant, ...]:
    variants, seen = [], {}
    for row in parent.variations:
        if row.skipped:
            continue
        options = _options(row, parent)
        if options in seen:
            row.row.error("Parent", f"the same options as the variation on line {seen[options]}")
        seen[options] = row.row.line
        sku = row.sku
        if not sku:
            tail = "-".join(slug(value) or "any" for _, value in options) or str(row.variant.position)
            sku = unique_sku(f"{parent_sku}-{tail}", taken)
        variants.append(replace(row.variant, sku=sku, options=options, sku_generated=not row.sku))
    return tuple(variants)


def _options(row: ParsedRow, parent: ParsedRow) -> tuple[tuple[str, str], ...]:
    """The variation's (name, value) pairs checked against, and spelled as, the parent's."""
    offered = {a.name.casefold(): a for a in parent.attributes}
    chosen: dict[str, str] = {}
    for attribute in row.attributes:
        own = offered.get(attribute.name.casefold())
        if own is None:
            row.row.error(attribute_column(attribute.number, "name"),
                          f"the parent (line {parent.row.line}) has no attribute {attribute.name!r}")  # fmt: skip
            continue
        if len(attribute.values) > 1:
            row.row.error(attribute_column(attribute.number, "value(s)"), "a variation takes one value")
            continue
        value = attribute.values[0] if attribute.values else ""
        spelled = next((v for v in own.values if v.casefold() == value.casefold()), None)
        if value and spelled is None:
            row.row.error(attribute_column(attribute.number, "value(s)"),
                          f"{value!r} is not one of the parent's {own.name} values ({', '.join(own.values)})")  # noqa: E501  # fmt: skip
            continue
        chosen[own.name] = spelled or ""
    return tuple((a.name, chosen[a.name]) for a in parent.attributes if a.name in chosen)


def _final_skus(parsed: list[ParsedRow], products: list[Product]) -> dict[int, str]:
    """id(row) -> the SKU it is imported under, for every imported product and variant."""
    final = {}
    by_line = {variant.line: variant.sku for product in products for variant in product.variants}
    by_line.update({product.line: product.sku for product in products})
    for row in parsed:
        if row.row.line in by_line and not row.skipped:
            final[id(row)] = by_line[row.row.line]
    return final


def _with_links(product: Product, row: ParsedRow, index: _Index, final: dict[int, str]) -> Product:
    links = {}
    for column, name in (("Upsells", "upsells"), ("Cross-sells", "cross_sells")):
        skus = []
        for reference in split_list(row.row.get(column)):
            target = index.find(reference)
            if target is None:
                row.row.error(column, f"{reference!r} is not in the file")
            elif id(target) in final and final[id(target)] not in skus:
                skus.append(final[id(target)])
        links[name] = tuple(skus)
    return replace(product, **links)
