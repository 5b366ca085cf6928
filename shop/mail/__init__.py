"""E-mail through an outbox table: queued in the caller's transaction, sent after commit.

A mail row commits or rolls back with the order (or reset request) that made it, so a crash
or an SMTP outage can delay an e-mail but never lose it, and never fail the order.
"""
