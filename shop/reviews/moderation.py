"""Which reviews wait for a person before they are shown: links and blocked words.

A review that links somewhere is the usual spam; one with a blocked word may be abuse. Both
are kept as ``pending`` (the author sees it, nobody else does) rather than refused, so a
false alarm costs a moderator's glance, not the shopper's words.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

BLOCKED_WORDS_PATH = Path(__file__).with_name("blocked_words.txt")

LINK = re.compile(
    r"(https?://|www\.|\b[a-z0-9-]+\.(?:com|net|org|info|biz|io|co|uk|ru|xyz|shop|top|ly)\b)",
    re.IGNORECASE,
)


@functools.cache
def blocked_words(path: Path = BLOCKED_WORDS_PATH) -> frozenset[str]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


def needs_moderation(*texts: str, words: frozenset[str] | None = None) -> bool:
    """True when any text carries a link or a blocked whole word."""
    words = blocked_words() if words is None else words
    for text in texts:
        if LINK.search(text or ""):
            return True
        if words.intersection(re.findall(r"[a-z']+", (text or "").lower())):
            return True
    return False
