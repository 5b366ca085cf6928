"""Stateful fuzzing of the shopping flow: schemathesis walks the OpenAPI links.

``POST /api/cart/items`` links to ``PATCH``/``DELETE /api/cart/items/{item_id}`` (the line it
answers), ``POST /api/checkout`` links to ``GET /api/orders/{number}`` (the order it placed).
Schemathesis chains these with generated data, as one shopper (a cookie jar carries the guest
cart through a scenario), and checks every answer like the single-request fuzzing does: no 5xx,
documented statuses and schemas, problem details for every 4xx. The run is bounded (scenarios x
steps) to well under a minute, and it must have reached the 2xx end of each link at least once.
"""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, select, update
from test_api_fuzz import CHECKS

from catalog.demo import seed_demo
from catalog.models import Base, Product, Variant
from shop import create_app
from shop.extensions import db

SCENARIOS = 40
STEPS = 10
GOOD_DETAILS = {"name": "Ann Example", "email": "ann@example.com",
                "address": {"line1": "1 High Street", "city": "York", "postal_code": "YO1 7HH",
                            "country": "GB"}}


@pytest.fixture(scope="module")
def flow_app(tmp_path_factory):
    """An app as in production (CSRF on, not TESTING) on its own SQLite file, demo-seeded."""
    folder = tmp_path_factory.mktemp("stateful")
    url = "sqlite:///" + str(folder / "stateful.db")
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    app = create_app({"SECRET_KEY": "stateful-secret", "DATABASE_URL": url,
                      "MODEL_DIR": str(folder / "models")})
    with app.app_context():
        seed_demo(db.session)
        skus = list(db.session.scalars(select(Variant.sku).join(Variant.product)
                                       .where(Product.active).order_by(Variant.id).limit(20)))
        # Plenty of stock: the scenarios check out many times, and should not run the shop dry.
        db.session.execute(update(Variant).where(Variant.sku.in_(skus)).values(stock=100_000))
        db.session.commit()
        app.config["FLOW_SKUS"] = skus
    yield app
    app.extensions["database"].engine.dispose()


def shopping_machine(app, seen: list):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app).include(
        path_regex=r"^/api/(cart|checkout|orders)")
    base = schema.as_state_machine()
    skus = app.config["FLOW_SKUS"]

    class Shopper(base):
        """One guest per scenario: its cookies go with every call of the scenario."""

        def setup(self):
            """Each scenario's guest starts with a line in the cart, so checkouts can succeed."""
            client = app.test_client()
            started = client.post("/api/cart/items", json={"sku": skus[0], "quantity": 1})
            assert started.status_code == 201, started.get_json()
            self.cookies: dict[str, str] = {}
            self._remember(started.headers.getlist("Set-Cookie"))
            self.steps = 0

        def _remember(self, set_cookie_headers) -> None:
            for header in set_cookie_headers:
                for name, morsel in SimpleCookie(header).items():
                    if morsel.value and morsel["max-age"] != "0":
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)

        def before_call(self, case):
            self.steps += 1
            body = case.body if isinstance(case.body, dict) else None
            negative = case.meta is not None and case.meta.generation.mode.is_negative
            if body is None or negative:  # invalid input is sent as generated
                return
            if case.operation.path == "/api/cart/items" and case.method.upper() == "POST":
                body["sku"] = skus[self.steps % len(skus)]  # a real variant, most of the time
            if case.operation.path == "/api/checkout":
                if self.steps % 2:
                    body.update(GOOD_DETAILS)  # a shopper who fills the form in correctly
                if "cart_fingerprint" in body and self.steps % 3:
                    body["cart_fingerprint"] = self._fingerprint()

        def _fingerprint(self) -> str:
            client = app.test_client()
            for name, value in self.cookies.items():
                client.set_cookie(name, value)
            return client.get("/api/cart").get_json()["fingerprint"]

        def get_call_kwargs(self, case):
            return {"cookies": dict(self.cookies)}

        def after_call(self, response, case):
            self._remember(response.headers.get("set-cookie", []))
            seen.append((case.method.upper(), case.operation.path, response.status_code))

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    return Shopper


@pytest.mark.slow
def test_the_cart_checkout_orders_flow_holds_under_stateful_fuzzing(flow_app):
    seen: list[tuple[str, str, int]] = []
    machine = shopping_machine(flow_app, seen)
    machine.run(settings=settings(max_examples=SCENARIOS, stateful_step_count=STEPS,
                                  deadline=None, database=None, derandomize=True,
                                  suppress_health_check=list(HealthCheck)))
    reached = {(method, path) for method, path, status in seen if status < 300}
    for step in [("POST", "/api/cart/items"), ("PATCH", "/api/cart/items/{item_id}"),
                 ("DELETE", "/api/cart/items/{item_id}"), ("POST", "/api/checkout"),
                 ("GET", "/api/orders/{number}")]:
        assert step in reached, (step, sorted(set(seen)))
