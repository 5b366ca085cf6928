"""Property-based contract fuzzing of the whole JSON API from its own OpenAPI document.

Schemathesis reads ``/api/openapi.json`` from the app (in-process, through WSGI), generates valid
and invalid requests for every documented operation, and checks each answer: no 5xx, the status
code and content type are documented, the body matches the documented schema, invalid input is
refused, and every 4xx is ``application/problem+json``. The operations are read from the document
when the tests are collected, so a new endpoint is fuzzed as soon as it is documented.
"""

from __future__ import annotations

import re

import pytest
import schemathesis
from discover import api_operations, openapi_document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import create_engine, select

from catalog.demo import seed_demo
from catalog.models import Article, Base, Product, Variant
from shop import create_app
from shop.extensions import db

PROBLEM_JSON = "application/problem+json"
MAX_EXAMPLES = 60  # per operation, over positive, negative and real-value cases: about a minute


def problem_json_for_client_errors(ctx, response, case):
    """Every 4xx of the API is RFC 9457 problem details naming its status."""
    if 400 <= response.status_code < 500:
        content_type = response.headers.get("Content-Type") or response.headers.get("content-type") or ""
        if isinstance(content_type, list):
            content_type = content_type[0] if content_type else ""
        assert content_type.split(";")[0].strip() == PROBLEM_JSON, (
            f"{response.status_code} answered {content_type!r}, not {PROBLEM_JSON}"
        )
        body = response.json()
        assert body.get("status") == response.status_code and body.get("title"), body
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    problem_json_for_client_errors,
]


OPERATIONS = [f"{method} {path}" for method, path, _ in api_operations()]


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    """One app for the whole run, configured as in production (CSRF on, not TESTING), on its own
    SQLite file with the demo catalog: seeding once keeps the run short."""
    folder = tmp_path_factory.mktemp("fuzz")
    url = "sqlite:///" + str(folder / "fuzz.db")
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    app = create_app({"SECRET_KEY": "fuzz-secret", "DATABASE_URL": url, "MODEL_DIR": str(folder / "models")})
    with app.app_context():
        seed_demo(db.session)
        products = list(db.session.scalars(select(Product.slug)))
        articles = list(db.session.scalars(select(Article.slug)))
        from shop.admin.staff import grant

        app.config["FUZZ_ADMIN_ID"] = grant(db.session, None, "fuzz-admin@example.com", "admin",
                                            password="fuzz-admin-password").id
        app.config["FUZZ_KNOWN"] = {
            "/articles/": {"slug": articles},
            "/products/": {"slug": products},
            "": {"slug": products + articles, "product_slug": products,
                 "sku": list(db.session.scalars(select(Variant.sku)))},
        }
    yield app
    app.extensions["database"].engine.dispose()


def known_values(path: str, known: dict) -> dict:
    """Real values for the parameters of ``path``: article slugs under /articles/, and so on."""
    values = dict(known[""])
    for fragment, overrides in known.items():
        if fragment and fragment in path:
            values.update(overrides)
    return values


def with_known_values(case, known: dict, pick: int):
    """Swap a generated slug or SKU for one that exists, so the fuzzer reaches the 2xx answers
    (and checks their schemas) rather than only 404s."""
    for name, values in known.items():
        if isinstance(case.path_parameters, dict) and name in case.path_parameters:
            case.path_parameters[name] = values[pick % len(values)]
        if isinstance(case.body, dict) and name in case.body:
            case.body[name] = values[pick % len(values)]
    return case


class FakeResponse:
    def __init__(self, status_code: int, content_type: str, body: dict):
        self.status_code, self.headers, self._body = status_code, {"Content-Type": [content_type]}, body

    def json(self):
        return self._body


def test_the_problem_check_refuses_a_plain_json_error_and_accepts_a_problem():
    with pytest.raises(AssertionError):
        problem_json_for_client_errors(None, FakeResponse(404, "application/json", {"error": "x"}), None)
    problem = {"type": "about:blank", "title": "Not Found", "status": 404}
    assert problem_json_for_client_errors(None, FakeResponse(404, PROBLEM_JSON, problem), None) is None


def test_every_error_response_is_documented_as_problem_details():
    document = openapi_document()
    problem = {"$ref": "#/components/schemas/Problem"}
    for method, path, operation in api_operations():
        responses = operation["responses"]
        assert "default" in responses, f"{method} {path}: no default (error) response"
        for status, response in responses.items():
            if status != "default" and int(status) < 400:
                continue
            if "$ref" in response:
                response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
            content = response.get("content", {})
            assert list(content) == [PROBLEM_JSON], f"{method} {path} {status}: {list(content)}"
            assert content[PROBLEM_JSON]["schema"] == problem, f"{method} {path} {status}"
    required = document["components"]["schemas"]["Problem"]["required"]
    assert set(required) == {"type", "title", "status"}


def test_the_document_lists_the_api():
    assert "GET /api/products" in OPERATIONS and "GET /api/articles/{slug}" in OPERATIONS


def is_admin(path: str) -> bool:
    return path == "/api/admin" or path.startswith("/api/admin/")


class Shopper:
    """A visitor with a line in the cart: the known-values cases are sent with its session cookie,
    so the per-person operations (cart lines, checkout, orders) reach their 2xx answers too."""

    SKU = "VM-HW-39-R"

    def __init__(self, app, path: str = ""):
        self.client = app.test_client()
        self.cookie_name = app.config["SESSION_COOKIE_NAME"]
        if is_admin(path):  # the back office answers 404 to everyone else: fuzz it as an admin
            with self.client.session_transaction() as session:
                session["user_id"] = app.config["FUZZ_ADMIN_ID"]
        self.line_ids()

    def line_ids(self) -> list[int]:
        """The cart's line ids, after putting a line back in if the fuzzer emptied the cart."""
        lines = self.client.get("/api/cart").get_json()["items"]
        if not lines:
            added = self.client.post("/api/cart/items", json={"sku": self.SKU, "quantity": 1})
            lines = added.get_json().get("items", []) if added.status_code < 300 else []
        return [line["id"] for line in lines] or [0]

    def cookies(self) -> dict:
        cookie = self.client.get_cookie(self.cookie_name)
        return {self.cookie_name: cookie.value} if cookie else {}


@pytest.mark.slow
@pytest.mark.parametrize("label", OPERATIONS)
def test_api_contract(fuzz_app, label):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", fuzz_app)
    method, path = label.split(" ", 1)
    operation = schema[path][method]
    known = known_values(path, fuzz_app.config["FUZZ_KNOWN"])
    shopper = Shopper(fuzz_app, path)
    positive = operation.as_strategy(GenerationMode.POSITIVE)
    strategy = st.one_of(
        st.tuples(positive, st.none()),
        st.tuples(operation.as_strategy(GenerationMode.NEGATIVE), st.none()),
        st.tuples(positive, st.integers(min_value=0, max_value=10_000)),  # with real values
    )

    @given(drawn=strategy)
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                     HealthCheck.data_too_large])
    def fuzz(drawn):
        case, pick = drawn
        if pick is None and not is_admin(path):
            case.call_and_validate(checks=CHECKS)
            return
        with_known_values(case, {**known, "item_id": shopper.line_ids()}, pick or 0)
        case.call_and_validate(checks=CHECKS, cookies=shopper.cookies())

    fuzz()


# ---------------------------------------------------------------- hostile input (issue 10, #4)

#: Text no request may carry: each was stored raw on SQLite and a 500 on PostgreSQL.
HOSTILE_TEXT = ["\x00", "VM-HW-39-R\x00", "\x1b[2J", "x\x08\x7f"]
HOSTILE_EXAMPLES = 15


def string_slots(case) -> list[tuple[dict, str]]:
    """Every string a case sends, as ``(container, key)``: path, query and (nested) body."""
    slots = []

    def collect(container):
        for key, value in container.items():
            if isinstance(value, str):
                slots.append((container, key))
            elif isinstance(value, dict):
                collect(value)

    for container in (case.path_parameters, case.query, case.body):
        if isinstance(container, dict):
            collect(container)
    return slots


@pytest.mark.slow
@pytest.mark.parametrize("label", OPERATIONS)
def test_hostile_text_anywhere_is_a_4xx_problem(fuzz_app, label):
    """A valid request with a control character slipped into one of its strings is refused."""
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", fuzz_app)
    method, path = label.split(" ", 1)
    operation = schema[path][method]
    shopper = Shopper(fuzz_app, path)
    known = known_values(path, fuzz_app.config["FUZZ_KNOWN"])

    @given(case=operation.as_strategy(GenerationMode.POSITIVE),
           hostile=st.sampled_from(HOSTILE_TEXT), pick=st.integers(0, 10_000))
    @settings(max_examples=HOSTILE_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def fuzz(case, hostile, pick):
        with_known_values(case, {**known, "item_id": shopper.line_ids()}, pick)
        slots = string_slots(case)
        if not slots:
            return
        container, key = slots[pick % len(slots)]
        container[key] = hostile + container[key]
        response = case.call(cookies=shopper.cookies())
        assert response.status_code in (400, 404, 422), (key, response.status_code, response.text)
        problem_json_for_client_errors(None, response, case)

    fuzz()


WRITES = [op for op in OPERATIONS if op.split()[0] in ("POST", "PATCH", "PUT")]


@pytest.mark.parametrize("label", WRITES)
def test_a_json_body_nested_a_thousand_deep_is_a_400_problem(fuzz_app, label):
    method, path = label.split(" ", 1)
    url = re.sub(r"\{[^}]+\}", "1", path)
    body = "[" * 1000 + "]" * 1000
    response = Shopper(fuzz_app, path).client.open(url, method=method, data=body,
                                                   content_type="application/json")
    assert response.status_code == 400 and response.mimetype == PROBLEM_JSON, response.status_code
    assert "nested" in response.get_json()["detail"]
