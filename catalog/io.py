"""Catalog files in and out: parse JSON/CSV, validate every row, upsert all-or-nothing.

The format is documented in ``docs/catalog-format.md``; export writes it back so that a
round trip is lossless.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .images import ImageRejected, StoredImage, read_source, store_image
from .images_model import ProductImage
from .models import Category, Product, ProductLabel, Variant
from .schemas import CategoryInSchema, ProductInSchema
from .vocabulary import ATTRIBUTES, COLUMN_ATTRIBUTES, LABEL_ATTRIBUTES, PRODUCT_ATTRIBUTES

ATTRIBUTE_COLUMNS = list(PRODUCT_ATTRIBUTES)
CSV_COLUMNS = [
    "slug", "name", "brand", "description", "price", "category", "tags", "active", "created_at",
    *ATTRIBUTE_COLUMNS, "images", "sku", "size_eu", "width", "stock",
]  # fmt: skip
PRODUCT_COLUMNS = CSV_COLUMNS[: CSV_COLUMNS.index("sku")]
_TYPES = {name: spec.type for name, spec in ATTRIBUTES.items()}
LIST_COLUMNS = {"tags", "images", *(n for n in ATTRIBUTE_COLUMNS if _TYPES[n] == "list")}
INT_COLUMNS = {"stock", *(n for n in ATTRIBUTE_COLUMNS if _TYPES[n] == "integer")}
BOOL_COLUMNS = {"active", *(n for n in ATTRIBUTE_COLUMNS if _TYPES[n] == "flag")}


@dataclass
class RowError:
    """One problem in an import file: where (line or index) and which field."""

    location: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.field}: {self.message}"


class CatalogFileError(Exception):
    """The file cannot be imported; nothing was written."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


@dataclass
class CatalogData:
    categories: list[dict] = field(default_factory=list)
    products: list[dict] = field(default_factory=list)
    base_dir: Path | None = None  # relative image paths are read from here (the file's folder)


@dataclass
class ImportReport:
    categories_created: int = 0
    products_created: int = 0
    products_updated: int = 0
    variants_created: int = 0
    variants_updated: int = 0


def _flatten(messages, prefix="") -> list[tuple[str, str]]:
    """Marshmallow's nested error dict as (dotted.field, message) pairs."""
    pairs: list[tuple[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            pairs.extend(_flatten(value, name))
    elif isinstance(messages, list):
        for message in messages:
            if isinstance(message, (dict, list)):
                pairs.extend(_flatten(message, prefix))
            else:
                pairs.append((prefix or "_schema", str(message)))
    else:
        pairs.append((prefix or "_schema", str(messages)))
    return pairs


# ---------------------------------------------------------------- parsing


def read_catalog(path: str | Path) -> CatalogData:
    """Read and validate a catalog file (``.json`` or ``.csv``); raise CatalogFileError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogFileError([RowError(str(path), "file", str(exc))]) from exc
    if path.suffix.lower() in (".json", ".csv"):
        data = parse_json(text) if path.suffix.lower() == ".json" else parse_csv(text)
        data.base_dir = path.parent
        return data
    raise CatalogFileError([RowError(str(path), "file", "Use a .json or .csv file.")])


def parse_json(text: str) -> CatalogData:
    try:
        document = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise CatalogFileError([RowError(f"line {exc.lineno}", "json", exc.msg)]) from exc
    if not isinstance(document, dict) or not isinstance(document.get("products"), list):
        raise CatalogFileError([RowError("document", "products", "Expected an object with a 'products' list.")])
    categories = document.get("categories", [])
    if not isinstance(categories, list):
        raise CatalogFileError([RowError("document", "categories", "Expected a list.")])
    raw_products = []
    for product in document["products"]:
        if isinstance(product, dict) and isinstance(product.get("price"), Decimal):
            product = {**product, "price": str(product["price"])}
        raw_products.append(product)
    return _validate(
        [(f"categories[{i}]", row) for i, row in enumerate(categories)],
        [(f"products[{i}]", row) for i, row in enumerate(raw_products)],
    )


def _csv_value(column: str, cell: str):
    cell = cell.strip()
    if cell == "":
        return None
    if column in LIST_COLUMNS:
        return [part.strip() for part in cell.split("|") if part.strip()]
    if column in BOOL_COLUMNS:
        lowered = cell.lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        return cell  # let the schema say it is not a boolean
    if column in INT_COLUMNS:
        try:
            return int(cell)
        except ValueError:
            return cell
    return cell


def parse_csv(text: str) -> CatalogData:
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [
        c for c in ("slug", "name", "brand", "price", "category", "created_at", "sku", "stock") if c not in header
    ]
    unknown = [c for c in header if c not in CSV_COLUMNS]
    errors = [RowError("line 1", column, "Missing column.") for column in missing]
    errors += [RowError("line 1", column, "Unknown column.") for column in unknown]
    if errors:
        raise CatalogFileError(errors)
    products: dict[str, tuple[str, dict, dict]] = {}
    for row in reader:
        line = f"line {reader.line_num}"
        if None in row:
            errors.append(RowError(line, "row", "More cells than columns."))
            continue
        values = {column: _csv_value(column, row.get(column) or "") for column in header}
        product = {c: values[c] for c in PRODUCT_COLUMNS if c in values and c not in ATTRIBUTE_COLUMNS}
        product["attributes"] = {c: values[c] for c in ATTRIBUTE_COLUMNS if values.get(c) is not None}
        product = {k: v for k, v in product.items() if v is not None}
        variant = {c: values.get(c) for c in ("sku", "size_eu", "width", "stock")}
        variant = {k: v for k, v in variant.items() if v is not None or k in ("size_eu", "width")}
        slug = product.get("slug") or f"<no slug on {line}>"
        if slug in products:
            first_line, first, _ = products[slug]
            if first != product:
                differing = sorted(k for k in set(first) | set(product) if first.get(k) != product.get(k))
                errors.append(RowError(line, ",".join(differing), f"Disagrees with {first_line} for the same product."))
                continue
            products[slug][2]["variants"].append(variant)
        else:
            products[slug] = (line, product, {**product, "variants": [variant]})
    if errors:
        raise CatalogFileError(errors)
    return _validate([], [(line, full) for line, _, full in products.values()])


def _validate(categories, products) -> CatalogData:
    errors: list[RowError] = []
    data = CatalogData()
    for location, row in categories:
        try:
            data.categories.append(CategoryInSchema().load(row))
        except ValidationError as exc:
            errors += [RowError(location, name, msg) for name, msg in _flatten(exc.messages)]
    seen_slugs: dict[str, str] = {}
    seen_skus: dict[str, str] = {}
    for location, row in products:
        try:
            product = ProductInSchema().load(row)
        except ValidationError as exc:
            errors += [RowError(location, name, msg) for name, msg in _flatten(exc.messages)]
            continue
        if product["slug"] in seen_slugs:
            errors.append(RowError(location, "slug", f"Duplicate of {seen_slugs[product['slug']]}."))
        seen_slugs[product["slug"]] = location
        for variant in product["variants"]:
            if variant["sku"] in seen_skus:
                errors.append(
                    RowError(location, "variants.sku", f"{variant['sku']} duplicates {seen_skus[variant['sku']]}.")
                )
            seen_skus[variant["sku"]] = location
        data.products.append(product | {"_location": location})
    if errors:
        raise CatalogFileError(errors)
    return data


# ---------------------------------------------------------------- writing


def import_catalog(session: Session, data: CatalogData, media_dir: str | Path | None = None, *,
                   commit: bool = True) -> ImportReport:
    """Upsert categories by slug, products by slug and variants by SKU, in one transaction.

    The caller's session is committed on success and rolled back on any error, so a failed
    import writes nothing to the database. With a ``media_dir``, each product's ``images``
    are validated and their renditions written there (content-named files, so a failed
    import leaves at most unused files) and replace the product's gallery; without one the
    galleries are left as they are. ``commit=False`` flushes instead of committing, so the
    caller adds to the same transaction (an audit entry) or rolls it back (a dry run).
    """
    report = ImportReport()
    try:
        categories = {c.slug: c for c in session.scalars(select(Category))}
        errors: list[RowError] = []
        for row in data.categories:
            category = categories.get(row["slug"])
            if category is None:
                category = categories[row["slug"]] = Category(slug=row["slug"])
                session.add(category)
                report.categories_created += 1
            category.name, category.description = row["name"], row["description"]
        for position, row in enumerate(data.categories):
            category = categories[row["slug"]]
            category.position = position
            if row["parent"] is None:
                category.parent = None
            elif row["parent"] in categories:
                category.parent = categories[row["parent"]]
            else:
                errors.append(RowError(f"categories[{position}]", "parent", f"Unknown category {row['parent']!r}."))
        existing = {
            p.slug: p
            for p in session.scalars(
                select(Product).options(selectinload(Product.variants), selectinload(Product.labels))
            )
        }
        variants_by_sku = {v.sku: v for p in existing.values() for v in p.variants}
        for row in data.products:
            if row["category"] not in categories:
                errors.append(RowError(row["_location"], "category", f"Unknown category {row['category']!r}."))
                continue
            for variant_row in row["variants"]:
                owner = variants_by_sku.get(variant_row["sku"])
                if owner is not None and owner.product.slug != row["slug"]:
                    errors.append(
                        RowError(
                            row["_location"], "variants.sku", f"{variant_row['sku']} belongs to {owner.product.slug}."
                        )
                    )
        images = _store_images(data, media_dir, errors) if media_dir is not None else {}
        if errors:
            raise CatalogFileError(errors)
        for row in data.products:
            product = existing.get(row["slug"])
            if product is None:
                product = Product(slug=row["slug"])
                session.add(product)
                report.products_created += 1
            else:
                report.products_updated += 1
            _apply_product(product, row, categories[row["category"]])
            _apply_variants(product, row["variants"], variants_by_sku, report)
            if media_dir is not None:
                apply_images(product, images[row["slug"]])
        if commit:
            session.commit()
        else:
            session.flush()
    except BaseException:
        session.rollback()
        raise
    return report


def _apply_product(product: Product, row: dict, category: Category) -> None:
    attrs = row["attributes"]
    product.name, product.brand = row["name"], row["brand"]
    product.description, product.price = row["description"], row["price"]
    product.category = category
    product.active, product.created_at = row["active"], row["created_at"]
    for key in COLUMN_ATTRIBUTES:
        setattr(product, key, attrs.get(key, False if ATTRIBUTES[key].type == "flag" else None))
    wanted = [("tag", v) for v in row["tags"]]
    for key in LABEL_ATTRIBUTES:
        wanted += [(ATTRIBUTES[key].label_kind, v) for v in attrs.get(key, [])]
    current = {(label.kind, label.value): label for label in product.labels}
    product.labels = []
    for position, (kind, value) in enumerate(dict.fromkeys(wanted)):
        label = current.get((kind, value)) or ProductLabel(kind=kind, value=value)
        label.position = position
        product.labels.append(label)


def _apply_variants(product: Product, rows: list[dict], by_sku: dict, report: ImportReport) -> None:
    keep = []
    for row in rows:
        variant = by_sku.get(row["sku"])
        if variant is None:
            variant = Variant(sku=row["sku"])
            report.variants_created += 1
        else:
            report.variants_updated += 1
        variant.size_eu, variant.width, variant.stock = row["size_eu"], row["width"], row["stock"]
        keep.append(variant)
    product.variants = keep


def _store_images(data: CatalogData, media_dir, errors: list[RowError]) -> dict:
    """Each product's images validated and stored: slug -> [(StoredImage, alt)]."""
    stored: dict[str, list[tuple[StoredImage, str]]] = {}
    for row in data.products:
        stored[row["slug"]] = []
        for index, image in enumerate(row["images"]):
            try:
                result = store_image(read_source(image["path"], data.base_dir), media_dir)
            except ImageRejected as exc:
                errors.append(RowError(row["_location"], f"images[{index}]", f"{image['path']}: {exc}"))
                continue
            stored[row["slug"]].append((result, image["alt"]))
    return stored


def apply_images(product: Product, images: list[tuple[StoredImage, str]]) -> None:
    current = {(image.hash, image.alt): image for image in product.images}
    product.images = []
    for position, (stored, alt) in enumerate(dict.fromkeys(images)):
        image = current.pop((stored.hash, alt), None) or ProductImage(hash=stored.hash, alt=alt)
        image.position, image.width, image.height = position, stored.width, stored.height
        product.images.append(image)


# ---------------------------------------------------------------- export


def _product_document(product: Product, images: list | None = None) -> dict:
    document = {
        "slug": product.slug,
        "name": product.name,
        "brand": product.brand,
        "description": product.description,
        "price": f"{product.price:.2f}",
        "category": product.category.slug,
        "tags": product.tags,
        "active": product.active,
        "created_at": product.created_at.isoformat(),
        "attributes": product.attributes,
        "variants": [
            {
                k: v
                for k, v in {
                    "sku": variant.sku,
                    "size_eu": None if variant.size_eu is None else float(variant.size_eu),
                    "width": variant.width,
                    "stock": variant.stock,
                }.items()
                if v is not None
            }
            for variant in product.variants
        ],
    }
    if images:
        document["images"] = images
    return document


def _categories_in_tree_order(session: Session) -> list[Category]:
    ordered: list[Category] = []

    def walk(nodes):
        for node in sorted(nodes, key=lambda c: (c.position, c.slug)):
            ordered.append(node)
            walk(node.children)

    walk(session.scalars(select(Category).where(Category.parent_id.is_(None))).all())
    return ordered


def _export_images(product: Product, media_dir: Path, folder: Path) -> list:
    """Copies of the product's cleaned originals in ``folder``, as the file's ``images``."""
    entries = []
    for image in product.images:
        folder.mkdir(exist_ok=True)
        name = image.stored.original
        shutil.copyfile(media_dir / name, folder / name)
        reference = f"{folder.name}/{name}"
        entries.append({"path": reference, "alt": image.alt} if image.alt else reference)
    return entries


def export_catalog(session: Session, path: str | Path, media_dir: str | Path | None = None) -> int:
    """Write every product (and, in JSON, every category); return the number of products.

    With a ``media_dir``, each product's images are copied into ``<name>-images/`` beside
    ``path`` and listed in its ``images``, so the export imports back elsewhere.
    """
    path = Path(path)
    products = session.scalars(
        select(Product).options(selectinload(Product.variants), selectinload(Product.labels)).order_by(Product.slug)
    ).all()
    folder = path.parent / f"{path.stem}-images"
    documents = [
        _product_document(p, _export_images(p, Path(media_dir), folder) if media_dir else None) for p in products
    ]
    if path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
            writer.writeheader()
            for document in documents:
                base = {k: v for k, v in document.items() if k not in ("attributes", "variants")}
                base.update(document["attributes"])
                for variant in document["variants"]:
                    row = {**base, **variant}
                    row["images"] = [i if isinstance(i, str) else i["path"] for i in row.get("images", [])]
                    writer.writerow({c: _csv_cell(row.get(c)) for c in CSV_COLUMNS})
    else:
        categories = [
            {
                "slug": c.slug,
                "name": c.name,
                "parent": c.parent.slug if c.parent else None,
                "description": c.description,
            }
            for c in _categories_in_tree_order(session)
        ]
        path.write_text(
            json.dumps({"categories": categories, "products": documents}, indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
    return len(documents)


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "|".join(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
