"""``ProductImage``: one picture of a product, in gallery order (files: ``catalog.images``)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .images import StoredImage
from .models import Base, Product


class ProductImage(Base):
    """The database side of a stored image: which product, where in the gallery, its alt
    text, and the content hash and pixel size its files are named and laid out by."""

    __tablename__ = "product_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    alt: Mapped[str] = mapped_column(String(300), default="")
    hash: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)

    @property
    def stored(self) -> StoredImage:
        return StoredImage(self.hash, self.width, self.height)


# Every product load fetches its images in one extra IN query per batch (never one per
# product): cards, cart lines and the gallery all show them.
Product.images = relationship(
    ProductImage, cascade="all, delete-orphan", order_by=ProductImage.position, lazy="selectin"
)
