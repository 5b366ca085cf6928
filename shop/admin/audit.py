"""Write and read the audit log.

``record`` adds the entry to the caller's session, so it commits (or rolls back) together
with the change it describes: there is never a change without its entry, nor the reverse.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass

from flask import has_request_context, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import User
from .models import AuditEntry


def record(session: Session, actor: User | None, action: str, entity: str, entity_id: object, *,
           before: dict | None = None, after: dict | None = None) -> AuditEntry:
    """Add one entry for ``actor`` (None: the command line) to ``session``; the caller commits."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        actor_email=actor.email if actor is not None else "command line",
        action=action, entity=entity, entity_id=str(entity_id)[:120],
        before=_plain(before), after=_plain(after),
        address=(request.remote_addr or None) if has_request_context() else None,
    )
    session.add(entry)
    return entry


def changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys whose values differ, so an entry shows what changed and nothing else."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after.get(key) for key in keys}


def _plain(values: dict | None) -> dict | None:
    """JSON-safe copy: Decimals, dates and the like become their text."""
    if values is None:
        return None
    return json.loads(json.dumps(values, default=str))


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    entity: str | None = None
    entity_id: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def apply(self, query):
        if self.actor:
            query = query.where(AuditEntry.actor_email == self.actor)
        if self.action:
            query = query.where(AuditEntry.action == self.action)
        if self.entity:
            query = query.where(AuditEntry.entity == self.entity)
        if self.entity_id:
            query = query.where(AuditEntry.entity_id == self.entity_id)
        if self.since:
            query = query.where(AuditEntry.created_at >= self.since)
        if self.until:
            query = query.where(AuditEntry.created_at < self.until)
        return query


def entries(session: Session, where: AuditFilter = AuditFilter(), *, page: int = 1,
            per_page: int = 50) -> tuple[list[AuditEntry], int]:
    """One page of entries, newest first, and how many match in all."""
    total = session.scalar(where.apply(select(func.count()).select_from(AuditEntry)))
    rows = session.scalars(
        where.apply(select(AuditEntry)).order_by(AuditEntry.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return list(rows), int(total or 0)


CSV_COLUMNS = ("id", "created_at", "actor_email", "action", "entity", "entity_id", "before", "after", "address")


def to_csv(rows: Iterable[AuditEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([
            row.id, row.created_at.isoformat(timespec="seconds"), safe_cell(row.actor_email),
            row.action, row.entity, safe_cell(row.entity_id),
            safe_cell(json.dumps(row.before, sort_keys=True)) if row.before is not None else "",
            safe_cell(json.dumps(row.after, sort_keys=True)) if row.after is not None else "",
            row.address or "",
        ])
    return out.getvalue()


def safe_cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
