"""A product's pictures for staff: upload through the shop's image pipeline, alt text, the
main picture and the order, delete. The files are content-named and may be shared by other
products (or a later re-import), so deleting a picture removes its row, never its files."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from catalog.images import ImageRejected, store_image
from catalog.images_model import ProductImage
from catalog.models import Product

from ...models import User
from .. import audit
from .products import CatalogError

MAX_IMAGES = 20  # as many as a catalog file may give a product


def _state(image: ProductImage) -> dict:
    return {"product_id": image.product_id, "hash": image.hash, "alt": image.alt, "position": image.position}


def get_image(session: Session, product: Product, image_id: int) -> ProductImage | None:
    image = session.get(ProductImage, image_id)
    return image if image is not None and image.product_id == product.id else None


def _renumber(product: Product, ordered: list[ProductImage]) -> None:
    for position, image in enumerate(ordered):
        image.position = position
    product.images = ordered


def upload(session: Session, actor: User | None, product: Product, data: bytes, alt: str,
           media_dir: str | Path) -> ProductImage:
    """Validate ``data`` (Pillow: type by content, size and pixel bounds), write its renditions
    and add it last in the gallery. Commits."""
    if len(product.images) >= MAX_IMAGES:
        raise CatalogError({"file": f"A product has at most {MAX_IMAGES} pictures: delete one first."})
    if not data:
        raise CatalogError({"file": "Choose a picture to upload."})
    try:
        stored = store_image(data, media_dir)
    except ImageRejected as exc:
        raise CatalogError({"file": f"This file cannot be used: {exc}"}) from exc
    if any(image.hash == stored.hash for image in product.images):
        raise CatalogError({"file": "This picture is already in the gallery."}, status=409)
    image = ProductImage(hash=stored.hash, width=stored.width, height=stored.height, alt=alt.strip(),
                         position=len(product.images))
    product.images.append(image)
    session.flush()
    audit.record(session, actor, "image.create", "image", image.id, after=_state(image))
    session.commit()
    return image


def update(session: Session, actor: User | None, product: Product, image: ProductImage, *,
           alt: str | None = None, position: int | None = None) -> ProductImage:
    """New alt text and/or a new place in the gallery (0: the main picture). Commits."""
    before = _state(image)
    if alt is not None:
        image.alt = alt.strip()
    if position is not None:
        ordered = [other for other in product.images if other is not image]
        ordered.insert(min(position, len(ordered)), image)
        _renumber(product, ordered)
    old, new = audit.changes(before, _state(image))
    if new:
        audit.record(session, actor, "image.update", "image", image.id, before=old, after=new)
    session.commit()
    return image


def delete(session: Session, actor: User | None, product: Product, image: ProductImage) -> None:
    audit.record(session, actor, "image.delete", "image", image.id, before=_state(image))
    _renumber(product, [other for other in product.images if other is not image])
    session.commit()
