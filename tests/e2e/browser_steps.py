"""Small steps the browser journeys share (imported by the tests in this folder)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

ROOT = Path(__file__).resolve().parents[2]

WALKING_ARTICLE = "/articles/walking-for-back-pain"
EMPTY_CART = "No products in the cart."


def minicart_count(page: Page) -> Locator:
    return page.locator("[data-minicart-count]")


def related_products(page: Page) -> Locator:
    """The Related Products section of an article page (a region named by its heading)."""
    return page.get_by_role("region", name="Related Products")


def choose_size(page: Page, prefer: str = "EU 42") -> str:
    """Choose an in-stock size (and width) on a product page; returns the chosen option's text.

    The buy form has one "Size and width" select; should it ever be split into a size and a
    width select, both are chosen.
    """
    combined = page.get_by_label("Size and width", exact=True)
    select = combined if combined.count() else page.get_by_label("Size", exact=True)
    expect(select).to_be_enabled()
    options = select.evaluate(
        "s => Array.from(s.options).filter(o => !o.disabled && o.value)"
        ".map(o => [o.value, o.textContent.replace(/\\s+/g, ' ').trim()])"
    )
    assert options, "no size is in stock"
    preferred = [option for option in options if option[1].startswith(prefer + " ")]
    value, label = preferred[0] if preferred else options[min(1, len(options) - 1)]
    select.select_option(value=value)
    if not combined.count():
        width = page.get_by_label("Width", exact=True)
        if width.count():
            width.select_option(index=0)
    return label


def unlabelled_controls(page: Page) -> list[str]:
    """Visible form controls on the page without an accessible name (label, aria-label(ledby))."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('input, select, textarea, button'))
            .filter(el => el.type !== 'hidden' && el.getClientRects().length > 0)
            .filter(el => {
                const labelled = (el.labels && Array.from(el.labels).some(l => l.textContent.trim()))
                    || (el.getAttribute('aria-label') || '').trim()
                    || (el.getAttribute('aria-labelledby') || '').trim()
                    || (el.tagName === 'BUTTON' && el.textContent.trim())
                    || (el.type === 'submit' && el.value);
                return !labelled;
            })
            .map(el => el.outerHTML.slice(0, 120))"""
    )


def focus_is_visible(page: Page) -> bool:
    """Whether the focused element draws a focus indicator (outline or box-shadow)."""
    return page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
                || style.boxShadow !== 'none';
        }"""
    )


def make_staff(live_server, email: str, role: str, password: str, name: str = "") -> None:
    """``shop staff create`` against the live server's database, as an operator would."""
    workdir = live_server.workdir
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "FLASK_APP")}
    env.update(DATABASE_URL="sqlite:///" + str(workdir / "shop.db"), INSTANCE_PATH=str(workdir / "instance"),
               MODEL_DIR=str(workdir / "instance" / "models"), SECRET_KEY="e2e-secret-key-not-for-production")
    command = [sys.executable, "-m", "shop.cli", "staff", "create", email, "--role", role, "--password", password]
    if name:
        command += ["--name", name]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
