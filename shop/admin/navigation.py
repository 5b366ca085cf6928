"""The back office's menu: each section, where it lives, and which roles see it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from .reviews_views import REVIEW_MODERATORS
from .roles import ADMIN_ONLY, ANY_STAFF, CATALOG, ORDERS, may


@dataclass(frozen=True)
class Section:
    label: str
    endpoint: str
    roles: tuple[str, ...]
    summary: str


SECTIONS: tuple[Section, ...] = (
    Section("Overview", "admin.index", ANY_STAFF, "Where to start."),
    Section("Staff", "admin_staff.list_staff", ADMIN_ONLY, "Who may use the back office, and as what."),
    Section("Catalog", "admin_catalog.products", CATALOG, "Products, variants, pictures, low stock, import."),
    Section("Articles", "admin_catalog_content.articles", CATALOG, "Articles in Markdown, with a preview; categories."),
    Section("Audit log", "admin_audit.list_entries", ADMIN_ONLY, "Every change staff made, before and after."),
    Section("Rules", "admin_rules.list_rules", CATALOG, "Pin, boost, bury or exclude in the recommendations."),
    Section("Experiments", "admin_experiments.list_experiments", CATALOG,
            "A/B tests of recommendation strategies, with significance."),
    Section("Profile rules", "admin_profile_rules.edit", CATALOG,
            "Which shoes suit which shopper: edit, check and preview the rule table."),
    Section("Orders", "admin_orders.list_orders", ORDERS, "Find, ship, cancel and refund orders."),
    Section("Customers", "admin_customers.list_customers", ORDERS, "Shoppers' accounts and their orders."),
    Section("Reviews", "admin_reviews.list_reviews", REVIEW_MODERATORS, "Publish or reject held reviews."),
    Section("Analytics", "admin_analytics.show", CATALOG, "What each recommendation slot is shown, clicked and earns."),
    Section("Model", "admin_model.show", CATALOG, "The served recommender, its evaluation, and retrain now."),
)


def sections_for(role: str | None) -> list[dict]:
    """The sections ``role`` may open, with their URLs (for the menu and the overview)."""
    return [{"label": s.label, "url": url_for(s.endpoint), "summary": s.summary, "endpoint": s.endpoint}
            for s in SECTIONS if may(role, s.roles)]
