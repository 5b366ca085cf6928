"""Main images of products named by slug, for pages whose lines are not Product rows (the
cart and the mini-cart hold slugs and names): one query for all of them."""

from __future__ import annotations

from sqlalchemy import select

from catalog.images_model import ProductImage
from catalog.models import Product

from ..extensions import db


def main_images(slugs) -> dict[str, ProductImage]:
    """slug -> the first image of that product; products without images are left out."""
    slugs = list(dict.fromkeys(slugs))
    if not slugs:
        return {}
    rows = db.session.execute(
        select(Product.slug, ProductImage)
        .join(ProductImage, ProductImage.product_id == Product.id)
        .where(Product.slug.in_(slugs))
        .order_by(Product.slug, ProductImage.position, ProductImage.id)
    )
    found: dict[str, ProductImage] = {}
    for slug, image in rows:
        found.setdefault(slug, image)
    return found
