"""Fixtures shared by the shop's tests beyond the top-level ones."""

from smtp_fixture import smtp_inbox  # noqa: F401 - a real SMTP server on loopback
