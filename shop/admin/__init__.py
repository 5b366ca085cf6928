"""The back office under ``/admin`` (pages) and ``/api/admin`` (JSON), for staff only.

Each area of the back office is one module with a page blueprint and/or an API blueprint,
each guarded by ``access.protect`` with the roles that may use it. ``AREAS`` lists them; adding
an area is one line here and one in ``navigation.SECTIONS``.
"""

from __future__ import annotations

import importlib

from flask import Flask

#: Modules that define ``pages`` (a Flask blueprint) and/or ``api`` (a flask-smorest blueprint).
AREAS = (
    "shop.admin.dashboard",
    "shop.admin.staff_views",
    "shop.admin.audit_views",
    "shop.admin.rules_views",
    "shop.admin.experiments_views",
    "shop.admin.profile_rules_views",
    "shop.admin.orders_views",
    "shop.admin.orders_api",
    "shop.admin.customers_views",
    "shop.admin.reviews_views",
    "shop.admin.analytics_views",
    "shop.admin.model_views",
    "shop.admin.catalog.product_views",
    "shop.admin.catalog.content_views",
    "shop.admin.catalog.products_api",
    "shop.admin.catalog.content_api",
)


def register(app: Flask, api) -> None:
    from .access import current_staff, hide_from_non_staff

    app.jinja_env.globals["current_staff"] = current_staff
    hide_from_non_staff(app)
    for name in AREAS:
        module = importlib.import_module(name)
        if (pages := getattr(module, "pages", None)) is not None:
            app.register_blueprint(pages)
        if (blueprint := getattr(module, "api", None)) is not None:
            api.register_blueprint(blueprint)
