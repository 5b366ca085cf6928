"""Queueing e-mails: rendered from templates now, written in the caller's transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, render_template, url_for
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..models import Order
from .models import OutboxMail

log = logging.getLogger(__name__)


def queue(session: Session, kind: str, recipient: str, subject: str, template: str,
          **context) -> OutboxMail:
    """Add one e-mail (``mail/<template>.txt`` and ``.html``) to the session; no commit."""
    mail = OutboxMail(
        kind=kind, recipient=recipient, subject=subject,
        text=render_template(f"mail/{template}.txt", **context),
        html=render_template(f"mail/{template}.html", **context),
    )
    session.add(mail)
    return mail


def _image_urls(order: Order) -> dict[str, str]:
    """Each line's product picture as the smallest JPEG: every mail client shows it."""
    from ..media.lookup import main_images

    images = main_images(line.product_slug for line in order.lines)
    return {
        slug: url_for("media.file", name=image.stored.rendition(image.stored.widths[0], "jpg"),
                      _external=True)
        for slug, image in images.items()
    }


def queue_shipping_notice(session: Session, order: Order) -> OutboxMail:
    """"Your order is on its way", with the carrier and tracking; queued in the ship transaction."""
    from ..orders.carriers import tracking_url

    return queue(
        session, "order_shipped", order.email, f"Your order {order.number} is on its way",
        "order_shipped", order=order, image_urls=_image_urls(order),
        tracking_url=tracking_url(order.carrier, order.tracking_number),
        order_url=url_for("orders.confirmation", number=order.number, _external=True),
    )


def queue_order_confirmation(session: Session, order: Order) -> OutboxMail:
    from ..orders.delivery import DELIVERY_METHODS  # (shop.orders imports this module)

    return queue(
        session, "order_confirmation", order.email, f"Your order {order.number}",
        "order_confirmation", order=order, image_urls=_image_urls(order),
        delivery=DELIVERY_METHODS.get(order.delivery),
        order_url=url_for("orders.confirmation", number=order.number, _external=True),
    )


@contextmanager
def confirming_new_orders(session: Session) -> Iterator[None]:
    """Every Order this block flushes gets its confirmation queued just before its commit.

    The mail row is flushed in the order's own commit (``before_commit`` runs ahead of the
    final flush), so both are written or neither; after the block, due mail is sent at once
    (best effort: an outage only leaves it pending).
    """
    new_orders: list[Order] = []

    def collect(sess, _context):
        new_orders.extend(obj for obj in sess.new if isinstance(obj, Order))

    def queue_collected(sess):
        while new_orders:
            queue_order_confirmation(sess, new_orders.pop(0))

    def forget(_sess, _previous=None):
        new_orders.clear()

    event.listen(session, "after_flush", collect)
    event.listen(session, "before_commit", queue_collected)
    event.listen(session, "after_soft_rollback", forget)
    try:
        yield
    finally:
        event.remove(session, "after_flush", collect)
        event.remove(session, "before_commit", queue_collected)
        event.remove(session, "after_soft_rollback", forget)
    send_now_best_effort(session)


def send_now_best_effort(session: Session) -> None:
    """Try the outbox right after a commit; errors are logged, never raised to the shopper."""
    from .sender import send_pending

    try:
        send_pending(session, current_app.config, limit=10)  # a request never drains a backlog
    except Exception:  # noqa: BLE001 - a mail problem must never fail the request
        log.warning("sending queued mail failed; it stays in the outbox", exc_info=True)
        session.rollback()
