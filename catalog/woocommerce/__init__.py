"""Move in from WooCommerce: its product CSV, its order history (the neutral side).

Design note
-----------
This package reads and writes WooCommerce's own files into plain dataclasses
(``types``) and never touches the database, so it can be tested without a shop and the
catalog's models can change underneath it. ``catalog.woocommerce_import`` and
``catalog.woocommerce_export`` move these structures in and out of the catalog's tables,
and ``shop.woocommerce_orders`` turns order pages into purchase events. The catalog's side
(more in ``docs/woocommerce.md``):

* Options: ``products.option_names`` (JSON list, the selectors in order, e.g.
  ``["Colour", "size_eu"]``) and ``variants.options`` (JSON object, e.g.
  ``{"Colour": "Blue", "size_eu": "42"}``), filled from ``MappedProduct``. ``size_eu`` and
  ``width`` stay typed, indexed columns (finder, filters and eligibility query them) and
  are listed in ``options`` too, so the product page treats every option alike.
* Sales: ``variants.price`` (the variant's own regular price), ``sale_price``,
  ``sale_starts`` / ``sale_ends`` (UTC); ``Variant.price_now`` serves the page and checkout.
* ``product_attributes``: attributes no mapping claimed, shown on the product page.
* ``product_links`` (kind upsell/cross_sell): hand-set "Frequently bought together" items,
  shown before the recommender's ``bought_together`` and passed to it in ``exclude=``.
* ``product_categories``: several category paths per product; ``products.category_id``
  keeps the first as the main one.
* ``products.sku`` (the parent's SKU) and ``products.source_ref`` /
  ``variants.source_ref`` (``woocommerce:741``): re-imports update rather than duplicate,
  and order lines whose SKU the catalog lacks match exactly by ID.

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
