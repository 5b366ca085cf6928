"""WooCommerce's product CSV into the catalog: ``shop catalog import --from woocommerce``.

The package ``catalog.woocommerce`` reads, checks and maps the file; this module upserts
what it returns, all or nothing. Rows are found again by ``source_ref`` (``woocommerce:741``,
or ``woocommerce:sku:<sku>`` for a row without an ID) and variants by SKU, so a re-import
updates instead of duplicating. A product counts as updated only when what it exports to
changed, which makes "re-importing the same file changes nothing" something the report
shows. With a ``media_dir``, each product's pictures go through the image pipeline
(``catalog.woocommerce_images``: paths read, URLs downloaded); a picture that cannot be had
is a warning for its row. ``image_refs`` keeps the references for the export back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import woocommerce as woo
from .images import MAX_BYTES
from .io import apply_images
from .models import (
    Category,
    Product,
    ProductAttribute,
    ProductCategory,
    ProductLabel,
    ProductLink,
    Variant,
)
from .vocabulary import ATTRIBUTES, COLUMN_ATTRIBUTES, LABEL_ATTRIBUTES
from .woocommerce.mapping import TARGETS, Rule
from .woocommerce.reader import slug as slugify
from .woocommerce.reader import unique_sku
from .woocommerce_export import REF_PREFIX, catalog_products, neutral_product
from .woocommerce_images import DOWNLOAD_TIMEOUT, ImageFetcher, image_refs

#: Stock given to a variant WooCommerce sells without counting it (an empty ``Stock`` cell,
#: "In stock?" 1): the shop counts every variant's stock, so it needs a number to sell from.
UNCOUNTED_STOCK = 100
#: The category of products the file gives none (WooCommerce's own word).
UNCATEGORIZED = "Uncategorized"


@dataclass
class WooImportReport:
    created: list[str] = field(default_factory=list)  # product slugs
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[woo.SkippedRow] = field(default_factory=list)
    variants: int = 0
    categories_created: int = 0
    images: int = 0  # image references in the file
    images_stored: int = 0  # of them, read or downloaded and stored as pictures
    warnings: list[str] = field(default_factory=list)  # pictures that could not be had
    dry_run: bool = False


def with_catalog_names(mapping: woo.Mapping) -> woo.Mapping:
    """The mapping, plus every catalog word mapped from an attribute of its own name
    (``size_eu``, ``arch_support``), as the exporter writes them."""
    rules = {name.casefold(): Rule(name, target=name) for name in TARGETS}
    return woo.Mapping({**rules, **mapping.rules})


def import_woocommerce(
    session: Session,
    path: str | Path,
    mapping: woo.Mapping | None = None,
    *,
    brand: str = "",
    dry_run: bool = False,
    media_dir: str | Path | None = None,
    download_timeout: float = DOWNLOAD_TIMEOUT,
    download_max_bytes: int = MAX_BYTES,
) -> WooImportReport:
    """Read, check and upsert the file in one transaction; raise WooCommerceFileError with
    every problem (nothing written). ``dry_run`` rolls back and reports what would change
    (and fetches no picture). Without a ``media_dir`` products keep the pictures they have."""
    read = woo.read_products(path)
    mapped = woo.map_products(read.products, with_catalog_names(mapping or woo.Mapping()))
    report = WooImportReport(skipped=list(read.skipped), dry_run=dry_run)
    fetcher = None
    if media_dir is not None and not dry_run:
        fetcher = ImageFetcher(Path(media_dir), Path(path).parent, download_timeout,
                               download_max_bytes, report.warnings)  # fmt: skip
    try:
        _Importer(session, brand, report, fetcher).run(mapped)
        if dry_run:
            session.rollback()
        else:
            session.commit()
    except BaseException:
        session.rollback()
        raise
    return report


def _sale_start(value) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time())


def _sale_end(value) -> dt.datetime | None:
    """A sale that ends on a date runs to the end of that day, as in WooCommerce."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time(23, 59, 59))


def source_ref(woo_id: int | None, sku: str) -> str:
    return f"{REF_PREFIX}{woo_id}" if woo_id is not None else f"{REF_PREFIX}sku:{sku}"


class _Importer:
    def __init__(self, session: Session, brand: str, report: WooImportReport,
                 fetcher: ImageFetcher | None = None):  # fmt: skip
        self.session, self.brand, self.report, self.fetcher = session, brand, report, fetcher
        self.problems: list[woo.Problem] = []
        existing = catalog_products(session)
        self.by_ref = {p.source_ref: p for p in existing if p.source_ref}
        self.by_product_sku = {p.sku: p for p in existing if p.sku}
        self.variants = {v.sku: v for p in existing for v in p.variants}
        self.slugs = {p.slug for p in existing}
        self.before = {p.id: neutral_product(p) for p in existing}
        self.categories = list(session.scalars(select(Category)))
        self.category_slugs = {c.slug for c in self.categories}

    def run(self, mapped: tuple[woo.MappedProduct, ...]) -> None:
        self.check(mapped)
        if self.problems:  # a simple product's SKU is its variant's: each problem once
            raise woo.WooCommerceFileError(list(dict.fromkeys(self.problems)))
        pairs = [(item, self.product(item)) for item in mapped]
        if self.fetcher is not None:  # only once the file is known to import
            for item, product in pairs:
                pictures = self.fetcher.product_images(item.source)
                apply_images(product, [(picture, "") for picture in pictures])
            self.report.images_stored = self.fetcher.stored
        self.session.flush()
        by_sku = {}
        for item, product in pairs:
            by_sku[item.source.sku] = product
            for variant in item.source.variants:
                by_sku[variant.sku] = product
            for variant in item.variants:
                by_sku[variant.sku] = product
        for item, product in pairs:
            self.links(product, item.source, by_sku)
        self.session.flush()
        for item, product in pairs:
            self.session.refresh(product)
            after = neutral_product(product)
            if product.id not in self.before:
                self.report.created.append(product.slug)
            elif self.before[product.id] != after:
                self.report.updated.append(product.slug)
            else:
                self.report.unchanged.append(product.slug)
            self.report.variants += len(item.variants)
            self.report.images += len(image_refs(item.source))

    def too_long(self, line, column: str, value: str, limit: int) -> None:
        if len(value) > limit:
            message = f"longer than the shop's {limit} characters: {value[:40]!r}..."
            self.problems.append(woo.Problem(line, column, message))

    def check(self, mapped) -> None:
        """Values longer than the catalog's columns, and SKUs that belong to a product the
        file does not come from, stop the import."""
        for item in mapped:
            source = item.source
            self.too_long(source.line, "Name", source.name, 200)
            self.too_long(source.line, "SKU", source.sku, 60)
            for path in source.categories:
                for name in path:
                    self.too_long(source.line, "Categories", name, 120)
            for variant in item.variants:
                self.too_long(variant.source.line, "SKU", variant.sku, 60)
            owner = self.by_ref.get(source_ref(item.source.woo_id, item.source.sku))
            taken = self.by_product_sku.get(item.source.sku)
            if taken is not None and taken is not owner:
                self.problems.append(woo.Problem(item.source.line, "SKU",
                                                 f"{item.source.sku!r} is the SKU of {taken.slug}, another product"))  # noqa: E501  # fmt: skip
            for variant in item.variants:
                current = self.variants.get(variant.sku)
                if current is not None and current.product is not owner:
                    self.problems.append(woo.Problem(variant.source.line, "SKU",
                                                     f"{variant.sku!r} is a variant of {current.product.slug}, another product"))  # noqa: E501  # fmt: skip

    # ------------------------------------------------------------ one product

    def product(self, item: woo.MappedProduct) -> Product:
        source = item.source
        ref = source_ref(source.woo_id, source.sku)
        product = self.by_ref.get(ref)
        if product is None:
            product = Product(
                slug=self.new_slug(source.name, source.sku), source_ref=ref, brand=self.brand,
                created_at=dt.date.today(), rating=None, rating_count=0,
            )  # fmt: skip
            self.session.add(product)
        product.sku, product.name = source.sku, source.name
        product.description, product.short_description = (
            source.description,
            source.short_description,
        )
        product.active, product.listed = source.active, source.listed
        product.image_refs = list(source.images)
        product.option_names = list(item.option_names)
        product.price = min(v.source.regular_price for v in item.variants)
        paths = source.categories or ((UNCATEGORIZED,),)
        categories = list(dict.fromkeys(self.category(path) for path in paths))
        product.category = categories[0]
        current = {row.category_id: row for row in product.category_rows if row.category_id}
        product.category_rows = []
        for position, category in enumerate(categories):
            row = current.get(category.id) if category.id else None
            row = row or ProductCategory(category=category)
            row.position = position
            product.category_rows.append(row)
        self.attributes(product, item)
        self.apply_variants(product, item)
        return product

    def new_slug(self, name: str, sku: str) -> str:
        base = slugify(name)[:100] or slugify(sku)[:100] or "product"
        return unique_sku(base, self.slugs)

    def category(self, path: tuple[str, ...]) -> Category:
        parent = None
        for name in path:
            found = next((c for c in self.categories if c.parent is parent
                          and c.name.casefold() == name.casefold()), None)  # fmt: skip
            if found is None:
                base = slugify(name)[:60] or "category"
                if base in self.category_slugs and parent is not None:
                    base = f"{parent.slug}-{base}"[:70]
                found = Category(slug=unique_sku(base, self.category_slugs), name=name,
                                 description="", parent=parent, position=len(self.categories))  # fmt: skip
                self.session.add(found)
                self.categories.append(found)
                self.report.categories_created += 1
            parent = found
        return parent

    def attributes(self, product: Product, item: woo.MappedProduct) -> None:
        attrs = item.attributes
        for key in COLUMN_ATTRIBUTES:
            setattr(product, key, attrs.get(key, False if ATTRIBUTES[key].type == "flag" else None))
        wanted = [("tag", v) for v in (*item.source.tags, *attrs.get("tags", ()))]
        for key in LABEL_ATTRIBUTES:
            wanted += [(ATTRIBUTES[key].label_kind, v) for v in attrs.get(key, ())]
        labels = {(label.kind, label.value): label for label in product.labels}
        product.labels = []
        for position, (kind, value) in enumerate(dict.fromkeys(wanted)):
            label = labels.get((kind, value)) or ProductLabel(kind=kind, value=value)
            label.position = position
            product.labels.append(label)
        plain = {row.position: row for row in product.plain_attributes}
        product.plain_attributes = []
        for position, (name, values, visible) in enumerate(item.plain_attributes):
            row = plain.get(position) or ProductAttribute(position=position)
            row.name, row.values, row.visible = name, list(values), visible
            product.plain_attributes.append(row)

    def apply_variants(self, product: Product, item: woo.MappedProduct) -> None:
        keep = []
        for mv in item.variants:
            source = mv.source
            variant = self.variants.get(mv.sku) or Variant(sku=mv.sku)
            self.variants[mv.sku] = variant
            variant.size_eu, variant.width = mv.size_eu, mv.width
            variant.options = dict(mv.options)
            variant.price = source.regular_price
            variant.sale_price = source.sale_price
            variant.sale_starts = _sale_start(source.sale_starts)
            variant.sale_ends = _sale_end(source.sale_ends)
            variant.stock = _stock(source)
            own_row = product.option_names and not mv.from_any and source.woo_id is not None
            variant.source_ref = f"{REF_PREFIX}{source.woo_id}" if own_row else None
            keep.append(variant)
        product.variants = keep

    def links(self, product: Product, source: woo.Product, by_sku: dict) -> None:
        wanted = []
        for kind, skus in (("upsell", source.upsells), ("cross_sell", source.cross_sells)):
            for sku in skus:
                linked = by_sku.get(sku)
                if linked is not None and linked is not product:
                    wanted.append((kind, linked))
        current = {(link.kind, link.linked_product_id): link for link in product.links}
        product.links = []
        seen = set()
        for kind, linked in wanted:
            if (kind, linked.id) in seen:
                continue
            seen.add((kind, linked.id))
            link = current.get((kind, linked.id)) or ProductLink(kind=kind, linked=linked)
            link.position = sum(1 for k, _ in seen if k == kind) - 1
            product.links.append(link)


def _stock(variant: woo.Variant) -> int:
    if not variant.enabled:
        return 0
    if variant.stock is not None:
        return max(variant.stock, 0)
    return UNCOUNTED_STOCK if variant.stock_status == "instock" else 0
