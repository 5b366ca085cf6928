"""The size guide page, linked from the size pickers: chart, widths, measuring, your size."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from catalog import sizes
from catalog.models import Product

GUIDE = "/footwear/size-guide"


def test_the_guide_has_the_chart_the_widths_and_how_to_measure(client):
    response = client.get(GUIDE)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for header in ("EU", "UK", "US men's", "US women's", "Foot length up to (cm)"):
        assert f'<th scope="col">{header}</th>' in html, header
    rows = re.findall(r'<tr><th scope="row">([\d.]+)</th><td>([\d.]+)</td><td>([\d.]+)</td>'
                      r'<td>([\d.]+)</td><td>([\d.]+)</td></tr>', html)
    assert len(rows) == len(sizes.chart())
    assert ("42", "8.5", "9.5", "11", "26.7") in rows
    for width in ("Narrow", "Regular", "Wide", "Extra wide"):
        assert f'<th scope="row">{width}</th>' in html
    assert "How to measure your foot" in html and "longest toe" in html
    assert "<script>" not in html and "style=" not in html  # strict CSP: nothing inline
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(("given", "eu"), [("26.4", "42"), ("26,8", "42.5"), ("22", "35")])
def test_a_foot_length_names_its_size_and_marks_its_row(client, given, eu):
    html = client.get(GUIDE, query_string={"foot_cm": given}).get_data(as_text=True)
    assert f"takes <strong>EU {eu}</strong>" in html
    assert re.search(rf'<tr class="is-yours" aria-current="true"><th scope="row">{re.escape(eu)}</th>', html)
    assert html.count('class="is-yours"') == 1


@pytest.mark.parametrize("given", ["long", "12", "40", "nan", "1e400"])
def test_a_foot_length_it_cannot_use_is_a_400_with_the_form_and_the_chart(client, given):
    response = client.get(GUIDE, query_string={"foot_cm": given})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter your foot length in centimetres" in html and 'aria-invalid="true"' in html
    assert '<table class="size-chart">' in html and "is-yours" not in html


def _slug(app, sized: bool) -> str:
    from shop.extensions import db

    with app.app_context():
        products = db.session.scalars(select(Product).order_by(Product.slug)).all()
        return next(p.slug for p in products if p.sized == sized and p.variants)


def test_a_footwear_product_links_the_guide_from_its_size_picker(demo, client):
    html = client.get(f"/products/{_slug(demo, sized=True)}").get_data(as_text=True)
    picker = html.split('id="add-sku"', 1)[1].split('id="add-quantity"', 1)[0]
    assert f'href="{GUIDE}"' in picker


def test_a_product_without_sizes_does_not(demo, client):
    html = client.get(f"/products/{_slug(demo, sized=False)}").get_data(as_text=True)
    assert 'id="add-sku"' in html and GUIDE not in html


@pytest.mark.parametrize("page", ["/footwear", "/profile"])
def test_the_finder_and_profile_size_questions_link_the_guide(client, page):
    html = client.get(page).get_data(as_text=True)
    question = html.split('id="f-shoe_size"', 1)[1].split("</div>", 2)[:2]
    assert f'href="{GUIDE}"' in "".join(question)
