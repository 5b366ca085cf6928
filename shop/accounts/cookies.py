"""Trusting a reverse proxy's forwarded headers, only when configured.

The session cookie itself (HttpOnly, SameSite=Lax, Secure over HTTPS) is set by
``shop.accounts.sessions.DatabaseSessionInterface``.
"""

from __future__ import annotations

from flask import Flask


def trust_proxy(app: Flask) -> None:
    """Behind ``PROXY_FIX_HOPS`` reverse proxies, believe their X-Forwarded-For/-Proto/-Host.

    Needed in production behind nginx or a load balancer: log-in throttling counts per client
    address (``request.remote_addr``) and the cookie is Secure when ``request.is_secure``; both
    would otherwise see only the proxy. Off by default, so a client cannot forge the headers.
    """
    from werkzeug.middleware.proxy_fix import ProxyFix

    hops = int(app.config.get("PROXY_FIX_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
