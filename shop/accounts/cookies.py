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
