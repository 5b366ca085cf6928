"""Template filters and globals: Markdown rendered and sanitised, money, sizes, and the
catalog's attribute registry (so forms, filters and the product page never list words)."""

from __future__ import annotations

from decimal import Decimal

import markdown as md
import nh3
from flask import Flask, request, url_for
from markupsafe import Markup

from catalog import vocabulary

from .money import money

ALLOWED_TAGS = {
    "p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "blockquote", "code",
    "pre", "table", "thead", "tbody", "tr", "th", "td", "hr", "br",
}  # fmt: skip


def render_markdown(text: str) -> Markup:
    """Article Markdown as HTML, with anything but plain formatting stripped."""
    html = md.markdown(text or "", extensions=["extra", "sane_lists"])
    return Markup(nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}}))


def size(value) -> str:
    """An EU size without trailing zeros: 42, 42.5."""
    return f"{Decimal(value).normalize():f}"


def url_with(**changes) -> str:
    """The current page's URL with some query parameters changed (None removes one)."""
    args = request.args.copy()
    for key, value in changes.items():
        args.pop(key, None)
        if value is not None:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args.to_dict(flat=False))


def register(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["size"] = size
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.globals.update(
        attributes=vocabulary.ATTRIBUTES, questions=vocabulary.QUESTIONS, filters=vocabulary.FILTERS
    )
