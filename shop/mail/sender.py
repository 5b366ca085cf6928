"""Draining the outbox: SMTP when ``MAIL_URL`` is set, else ``.eml`` files in ``OUTBOX_DIR``.

Each due row is first claimed (its ``next_attempt_at`` pushed past a lease, conditionally), so
two workers never send the same mail. A failure keeps the row with its error and a next
attempt after ``BASE_DELAY`` doubled per attempt (at most ``MAX_DELAY``): mail is never
dropped, only delayed.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .models import OutboxMail, _now

log = logging.getLogger(__name__)

BASE_DELAY = dt.timedelta(minutes=1)
MAX_DELAY = dt.timedelta(hours=6)
LEASE = dt.timedelta(minutes=5)
SMTP_TIMEOUT = 10


@dataclass
class Drained:
    sent: int = 0
    failed: int = 0


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failure: 1, 2, 4 … minutes, at most 6 hours."""
    return min(BASE_DELAY * 2 ** min(attempts - 1, 20), MAX_DELAY)


def message_of(mail: OutboxMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(idstring=f"outbox-{mail.id}")
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


def deliver(message: EmailMessage, config, mail_id: int) -> None:
    """Hand one message to the SMTP server of ``MAIL_URL``, or write it as an ``.eml`` file."""
    url = config.get("MAIL_URL") or ""
    if not url:
        folder = Path(config["OUTBOX_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{mail_id:08d}.eml").write_bytes(bytes(message))
        return
    parts = urlsplit(url)
    smtp_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    with smtp_class(parts.hostname or "localhost", parts.port or 0, timeout=SMTP_TIMEOUT) as smtp:
        if parts.scheme == "smtp+starttls":
            smtp.starttls()
        if parts.username:
            smtp.login(parts.username, parts.password or "")
        smtp.send_message(message)


def _claim(session: Session, mail: OutboxMail, now: dt.datetime) -> bool:
    claimed = session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail.id, OutboxMail.sent_at.is_(None),
               OutboxMail.next_attempt_at == mail.next_attempt_at)
        .values(next_attempt_at=now + LEASE)
    ).rowcount
    session.commit()
    return claimed == 1


def send_pending(session: Session, config, *, now: dt.datetime | None = None,
                 limit: int = 100) -> Drained:
    """Send every due mail once; returns how many went and how many must wait."""
    now = now or _now()
    due = session.execute(
        select(OutboxMail.id, OutboxMail.next_attempt_at)
        .where(OutboxMail.sent_at.is_(None), OutboxMail.next_attempt_at <= now)
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id).limit(limit)
    ).all()
    session.commit()
    result = Drained()
    for row in due:
        mail = session.get(OutboxMail, row.id)
        if mail is None or not _claim(session, mail, now):
            continue
        message = message_of(mail, config["MAIL_FROM"])
        try:
            deliver(message, config, mail.id)
        except (OSError, smtplib.SMTPException) as exc:
            mail.attempts += 1
            mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            mail.next_attempt_at = now + backoff(mail.attempts)
            log.warning("mail %s not sent (attempt %s): %s", mail.id, mail.attempts,
                        mail.last_error)
            result.failed += 1
        else:
            mail.attempts += 1
            mail.sent_at = now
            mail.last_error = ""
            result.sent += 1
        session.commit()
    return result
