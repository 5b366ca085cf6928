"""The orders area of the back office: support finds an order, ships, cancels, refunds, exports."""

from __future__ import annotations

import csv
import io

import pytest
from admin_helpers import staff_client
from ordering import order_id, place
from shopping import DRIFT, HALO, INSOLE, seed_tiny_catalog, stock_of
from sqlalchemy import select

from shop.admin.models import AuditEntry
from shop.models import Order


@pytest.fixture
def stocked(session):
    seed_tiny_catalog(session, stock=5)
    return session


@pytest.fixture
def support(app):
    return staff_client(app, "support")


def test_the_list_filters_by_status_customer_total_and_number(app, client, stocked, support):
    halo = place(client, HALO)
    insole = place(app.test_client(), INSOLE, name="Bob Stone", email="bob@example.com")
    support.post(f"/api/admin/orders/{order_id(stocked, halo['number'])}/transitions", json={"action": "pay"})

    def numbers(**query):
        response = support.get("/api/admin/orders", query_string=query)
        assert response.status_code == 200, response.get_json()
        return {order["number"] for order in response.get_json()["orders"]}

    assert numbers() == {halo["number"], insole["number"]}
    assert numbers(status="paid") == {halo["number"]}
    assert numbers(customer="BOB@") == {insole["number"]}
    assert numbers(customer="walker") == {halo["number"]}
    assert numbers(total_min="100") == {halo["number"]}
    assert numbers(total_max="30") == {insole["number"]}
    assert numbers(q=insole["number"][-5:].lower()) == {insole["number"]}
    assert numbers(since="2000-01-01", until="2000-01-02") == set()
    page = support.get("/admin/orders", query_string={"status": "paid"}).get_data(as_text=True)
    assert halo["number"] in page and insole["number"] not in page


@pytest.mark.parametrize(("query", "field"), [
    ({"status": "lost"}, "status"), ({"since": "yesterday"}, "since"),
    ({"total_min": "50", "total_max": "10"}, "total_max"), ({"since": "2026-02-01", "until": "2026-01-01"}, "until"),
    ({"per_page": "1000"}, "per_page"), ({"colour": "red"}, "colour"),
])
def test_bad_filters_are_a_400_naming_the_field(support, query, field):
    api = support.get("/api/admin/orders", query_string=query)
    assert api.status_code == 400 and field in str(api.get_json()), api.get_json()
    page = support.get("/admin/orders", query_string=query)
    assert page.status_code == 400


def test_support_ships_an_order_from_the_page_and_the_shopper_sees_the_tracking(app, client, stocked, support):
    order = place(client, HALO)
    oid = order_id(stocked, order["number"])
    page = support.get(f"/admin/orders/{oid}").get_data(as_text=True)
    assert "Mark paid" in page and "Cancel order" in page and "1 High Street" in page and HALO in page
    assert support.post(f"/admin/orders/{oid}/transitions", data={"action": "pay"}).status_code == 303
    missing = support.post(f"/admin/orders/{oid}/transitions", data={"action": "ship", "carrier": "Royal Mail"})
    assert missing.status_code == 422 and "Enter the tracking number." in missing.get_data(as_text=True)
    shipped = support.post(f"/admin/orders/{oid}/transitions",
                           data={"action": "ship", "carrier": "Royal Mail", "tracking_number": "AB123456789GB"},
                           follow_redirects=True)
    assert shipped.status_code == 200 and "is now shipped" in shipped.get_data(as_text=True)
    history = client.get("/orders").get_data(as_text=True)
    assert "shipped" in history and "AB123456789GB" in history
    assert "https://www.royalmail.com/track-your-item#/tracking-results/AB123456789GB" in history
    mine = client.get(f"/api/orders/{order['number']}").get_json()
    assert (mine["status"], mine["carrier"], mine["tracking_number"]) == ("shipped", "Royal Mail", "AB123456789GB")
    assert mine["tracking_url"].endswith("AB123456789GB") and mine["shipped_at"]
    detail = support.get(f"/admin/orders/{oid}").get_data(as_text=True)
    assert "order.pay" in detail and "order.ship" in detail and "support@example.com" in detail


def test_an_illegal_step_is_a_409_with_the_reason(client, stocked, support):
    oid = order_id(stocked, place(client, HALO)["number"])
    api = support.post(f"/api/admin/orders/{oid}/transitions", json={"action": "deliver"})
    assert api.status_code == 409
    assert api.headers["Content-Type"].startswith("application/problem+json")
    assert "This order is pending" in api.get_json()["detail"]
    page = support.post(f"/admin/orders/{oid}/transitions", data={"action": "deliver"})
    assert page.status_code == 409 and "This order is pending" in page.get_data(as_text=True)
    assert support.post("/api/admin/orders/999/transitions", json={"action": "pay"}).status_code == 404
    bad = support.post(f"/api/admin/orders/{oid}/transitions", json={"action": "ship", "carrier": "DPD",
                                                                   "tracking_number": "=1+1"})
    assert bad.status_code == 422 and "tracking_number" in str(bad.get_json())


def test_cancel_asks_first_then_puts_the_stock_back_once(client, stocked, support):
    oid = order_id(stocked, place(client, DRIFT, 2)["number"])
    assert stock_of(stocked, DRIFT) == 3
    confirm = support.get(f"/admin/orders/{oid}/cancel").get_data(as_text=True)
    assert "Yes, cancel the order" in confirm and f"2 × Drift Cushion ({DRIFT})" in confirm
    assert stock_of(stocked, DRIFT) == 3  # asking changes nothing
    assert support.post(f"/admin/orders/{oid}/transitions", data={"action": "cancel"}).status_code == 303
    assert stock_of(stocked, DRIFT) == 5
    again = support.post(f"/api/admin/orders/{oid}/transitions", json={"action": "cancel"})
    assert again.status_code == 409 and stock_of(stocked, DRIFT) == 5
    assert "cannot be cancelled" in support.get(f"/admin/orders/{oid}/cancel").get_data(as_text=True)
    entry = stocked.scalar(select(AuditEntry).where(AuditEntry.action == "order.cancel"))
    assert entry.before == {"status": "pending"} and entry.after == {"status": "cancelled"}
    assert entry.actor_email == "support@example.com"


def test_refunds_through_the_api_and_the_page(client, stocked, support):
    order = place(client, HALO)
    oid = order_id(stocked, order["number"])
    unpaid = support.post(f"/api/admin/orders/{oid}/refunds", json={"amount": "5.00", "reason": "goodwill"})
    assert unpaid.status_code == 409 and "only a paid order" in unpaid.get_json()["detail"]
    support.post(f"/api/admin/orders/{oid}/transitions", json={"action": "pay"})
    made = support.post(f"/api/admin/orders/{oid}/refunds", json={"amount": "5.00", "reason": "late delivery"})
    assert made.status_code == 201 and made.get_json()["amount"] == "5.00"
    assert made.get_json()["staff_email"] == "support@example.com"
    too_much = support.post(f"/admin/orders/{oid}/refunds", data={"amount": order["total"], "reason": "all"})
    assert too_much.status_code == 422 and "what is left to refund" in too_much.get_data(as_text=True)
    blank = support.post(f"/admin/orders/{oid}/refunds", data={"amount": "", "reason": ""})
    assert blank.status_code == 422 and "Say why" in blank.get_data(as_text=True)
    detail = support.get(f"/api/admin/orders/{oid}").get_json()
    assert detail["refunded"] == "5.00" and [r["reason"] for r in detail["refunds"]] == ["late delivery"]
    assert [entry["action"] for entry in detail["history"]] == ["order.pay", "order.refund"]
    mine = client.get(f"/orders/{order['number']}").get_data(as_text=True)
    assert "Refunded £5.00" in mine and "late delivery" in mine


def test_the_export_applies_the_filters_and_defuses_formulas(app, client, stocked, support):
    place(client, HALO, name="=HYPERLINK(\"http://evil\")")
    place(app.test_client(), INSOLE, name="Bob Stone", email="bob@example.com")
    for url in ("/admin/orders/export.csv", "/api/admin/orders/export"):
        response = support.get(url, query_string={"total_min": "100"})
        assert response.status_code == 200 and response.mimetype == "text/csv"
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        assert len(rows) == 1 and rows[0]["name"].startswith("'=HYPERLINK")
        assert rows[0]["status"] == "pending" and rows[0]["items"] == "1"
    assert support.get("/api/admin/orders/export", query_string={"status": "x"}).status_code == 400


def test_customers_list_and_detail_show_their_orders(app, client, stocked, support):
    client.post("/api/account/register", json={"email": "carol@example.com", "password": "carol-password-1",
                                               "name": "Carol Ng"})
    order = place(client, HALO, email="carol@example.com", name="Carol Ng")
    listed = support.get("/api/admin/customers", query_string={"q": "CAROL"}).get_json()
    assert [c["email"] for c in listed["customers"]] == ["carol@example.com"]
    assert listed["customers"][0]["orders"] == 1 and listed["customers"][0]["spent"] == order["total"]
    assert support.get("/api/admin/customers", query_string={"q": "nobody"}).get_json()["total"] == 0
    user_id = listed["customers"][0]["id"]
    detail = support.get(f"/api/admin/customers/{user_id}").get_json()
    assert [o["number"] for o in detail["orders"]] == [order["number"]]
    page = support.get(f"/admin/customers/{user_id}").get_data(as_text=True)
    assert order["number"] in page and "Carol Ng" in page
    assert "carol@example.com" in support.get("/admin/customers?q=carol").get_data(as_text=True)
    staff_id = stocked.scalar(select(Order.user_id).where(Order.number == order["number"])) + 1000
    assert support.get(f"/admin/customers/{staff_id}").status_code == 404


def test_merchandisers_may_not_see_orders(app):
    merchandiser = staff_client(app, "merchandiser")
    assert merchandiser.get("/admin/orders").status_code == 403
    assert merchandiser.get("/api/admin/customers").status_code == 403
