"""Move in from WooCommerce: its product CSV, its order history (stage 1: the neutral side).

Design note
-----------
This package reads and writes WooCommerce's own files into plain dataclasses
(``types``) and never touches the database, so it can be tested without a shop and
the catalog's models can change underneath it. Stage 2 maps those structures onto the
catalog; the proposed model shape (also in ``docs/woocommerce.md``):

* ``products.option_names`` (JSON list) names the options a shopper picks by, in order,
  e.g. ``["Colour", "size_eu"]``; ``variants.options`` (JSON object) holds each
  variant's values, e.g. ``{"Colour": "Blue", "size_eu": "42"}``. ``size_eu`` and
  ``width`` stay typed, indexed columns (the finder and eligibility filter on them) and
  are also listed in ``options`` so the selector treats every option alike; a
  ``UniqueConstraint`` on (product_id, options) is replaced by a check in the importer.
* ``variants``: ``sale_price`` Numeric(10, 2) NULL, ``sale_starts`` / ``sale_ends``
  DateTime NULL (UTC); the storefront shows the was-price while ``now`` is inside the
  window, checkout charges the sale price by the same rule (one function).
* ``product_attributes`` (product_id, position, name, values JSON, visible): unmapped
  WooCommerce attributes, shown on the product page.
* ``product_links`` (product_id, linked_product_id, kind ``upsell``/``cross_sell``,
  position): hand-set "Frequently bought together" links; the shop passes them to the
  recommender as pinned items ahead of its own ``bought_together`` list.
* ``products.woo_id`` / ``variants.woo_id`` (nullable, unique): what was imported from
  where, so re-importing updates instead of duplicating and order line items can be
  matched by id when their SKU is empty.

Modules: ``reader`` (CSV -> ``ProductFile``), ``writer`` (back to CSV), ``mapping``
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
