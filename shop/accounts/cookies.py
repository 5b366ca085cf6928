"""The session cookie: HttpOnly and SameSite=Lax always (config), Secure over HTTPS.

``SESSION_COOKIE_SECURE`` forces Secure everywhere; without it the cookie is still marked
Secure whenever the request itself came over HTTPS (behind a proxy that needs ProxyFix so
``request.is_secure`` sees the original scheme).
"""

from __future__ import annotations

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface


class ShopSessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app: Flask) -> bool:
        if super().get_cookie_secure(app):
            return True
        return has_request_context() and request.is_secure


def trust_proxy(app: Flask) -> None:
    """Behind ``PROXY_FIX_HOPS`` reverse proxies, believe their X-Forwarded-For/-Proto/-Host.

    Needed in production behind nginx or a load balancer: log-in throttling counts per client
    address (``request.remote_addr``) and the cookie is Secure when ``request.is_secure``; both
    would otherwise see only the proxy. Off by default, so a client cannot forge the headers.
    """
    import os

    from werkzeug.middleware.proxy_fix import ProxyFix

    hops = int(app.config.get("PROXY_FIX_HOPS") or os.environ.get("PROXY_FIX_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
