"""The request's cart owner and the header mini-cart shared by every page."""

from __future__ import annotations

import logging

from flask import request
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..visitor import user_id, visitor_id
from . import service

log = logging.getLogger(__name__)
_KEY = "shop.minicart"  # cached in the WSGI environ: one read per request


def current_owner(create: bool = False) -> service.Owner:
    """Who owns the cart in this request; ``create`` starts a guest id (and cookie) if needed."""
    return service.Owner(visitor_id=visitor_id(create=create), user_id=user_id())


def minicart() -> service.CartSummary:
    """The cart for the header, read once per request; an empty one for new visitors.

    A database failure here must not turn an error page into a second error: it shows empty.
    """
    cached = request.environ.get(_KEY)
    if cached is None:
        owner = current_owner(create=False)
        try:
            cached = (
                service.get_summary(db.session, owner) if owner.known else service.CartSummary()
            )
        except SQLAlchemyError:
            log.warning("mini-cart unavailable", exc_info=True)
            db.session.rollback()
            cached = service.CartSummary()
        request.environ[_KEY] = cached
    return cached
