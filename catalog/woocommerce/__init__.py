"""Move in from WooCommerce: its product CSV, its order history (stage 1: the neutral side).

Design note
-----------
This package reads and writes WooCommerce's own files into plain dataclasses
(``types``) and never touches the database, so it can be tested without a shop and the
catalog's models can change underneath it. Stage 2 maps those structures onto the catalog;
the proposed model shape (more in ``docs/woocommerce.md``):

* Options: ``products.option_names`` (JSON list, the selectors in order, e.g.
  ``["Colour", "size_eu"]``) and ``variants.options`` (JSON object, e.g.
  ``{"Colour": "Blue", "size_eu": "42"}``), filled from ``MappedProduct``. ``size_eu`` and
  ``width`` stay typed, indexed columns (finder, filters and eligibility query them) and
  are listed in ``options`` too, so the product page treats every option alike.
* Sales: ``variants.sale_price`` Numeric(10, 2) NULL, ``sale_starts`` / ``sale_ends``
  DateTime NULL (UTC); one "price now" function serves the page (was-price) and checkout.
* ``product_attributes`` (product_id, position, name, values JSON, visible): attributes no
  mapping claimed, shown on the product page.
* ``product_links`` (product_id, linked_product_id, kind upsell/cross_sell, position):
  hand-set "Frequently bought together" items, shown before the recommender's
  ``bought_together`` and passed to it in ``exclude=`` (the protocol does not change).
* ``product_categories`` (product_id, category_id, position): several category paths per
  product; ``products.category_id`` keeps the first as the main one.
* ``products.source_ref`` / ``variants.source_ref`` (``woocommerce:741``, unique, NULL):
  re-imports update rather than duplicate, and order lines without a SKU match by id.

Modules: ``types`` (the neutral dataclasses), ``csvformat`` (cell rules shared by reading
and writing), ``rows`` (one record's cells), ``reader`` (the file: parents, SKUs, links ->
``ProductFile``), ``writer`` (back to CSV), ``mapping``
(the YAML mapping file), ``mapped`` (mapping applied: catalog words, Any-variations
spelled out), ``sizes`` (UK/US/EU labels), ``orders`` (REST API v3 pages -> purchases).
It imports only ``catalog.vocabulary``, never ``shop``.
"""

from .mapped import MappedProduct, MappedVariant, map_products
from .mapping import Mapping, parse_mapping, read_mapping
from .orders import parse_orders, read_orders
from .reader import parse_products, read_products
from .sizes import SizeLabelError, size_label_to_eu
from .types import (
    Attribute,
    OrderHistory,
    Problem,
    Product,
    ProductFile,
    Purchase,
    PurchaseLine,
    SkippedRow,
    Variant,
    WooCommerceFileError,
)
from .writer import products_csv, write_products

__all__ = [
    "Attribute", "MappedProduct", "MappedVariant", "Mapping", "OrderHistory", "Problem",
    "Product", "ProductFile", "Purchase", "PurchaseLine", "SizeLabelError", "SkippedRow",
    "Variant", "WooCommerceFileError", "map_products", "parse_mapping", "parse_orders",
    "parse_products", "products_csv", "read_mapping", "read_orders", "read_products",
    "size_label_to_eu", "write_products",
]  # fmt: skip
