"""Issue-6 load scenario: shoppers browse, filter, read, view products with recommendations,
add to the cart and check out, against the shop on 127.0.0.1 (``bench/load.py`` starts it).

Each simulated user is a browser with its own cookies. Writes go through the HTML forms with
the CSRF token read from the page that carries the form (as a browser does), and in a third of
the add-to-carts through the JSON cart API. A response counts as a failure when its status is
unexpected or a page lacks what it must show (a product page without its recommendation
blocks, a checkout that does not end on the order confirmation).

Run by hand::

    .venv/bin/locust -f bench/locustfile.py --headless -u 50 -r 10 --run-time 60s \
        --host http://127.0.0.1:8000
"""

from __future__ import annotations

import os
import random
import re

from locust import HttpUser, between, events, task

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
IDEMPOTENCY = re.compile(r'name="idempotency_key" value="([^"]+)"')
SKU = re.compile(r'<option value="([^"]+)"(?: selected)?>')
FILTERS = (
    "?category=footwear", "?arch_support=high", "?cushioning=high&sort=price_asc",
    "?stability=stability", "?condition=lower-back-pain", "?width=wide", "?in_stock=true&sort=rating",
    "?q=walking", "?min_price=20&max_price=120", "?page=2",
)
CATALOG: dict = {"products": [], "articles": []}
#: A browser's User-Agent: the shop does not log the events of scripted clients (python-requests).
USER_AGENT = os.environ.get("BENCH_USER_AGENT") or "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0 backcare-bench"


@events.test_start.add_listener
def _load_catalog(environment, **_kwargs):
    """Every product slug and article slug, read once from the JSON API."""
    import requests

    host = environment.host
    page, products = 1, []
    while True:
        data = requests.get(f"{host}/api/products", params={"per_page": 60, "page": page}, timeout=30).json()
        products += [p["slug"] for p in data["items"]]
        if len(products) >= data.get("total", 0) or not data["items"]:
            break
        page += 1
    articles = requests.get(f"{host}/api/articles", timeout=30).json()
    items = articles["items"] if isinstance(articles, dict) else articles
    CATALOG["products"] = products
    CATALOG["articles"] = [a["slug"] for a in items]


class Shopper(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self):
        self.client.headers["User-Agent"] = USER_AGENT
        self.client.get("/", name="/ (home)")

    # ------------------------------------------------------------------ browsing
    @task(3)
    def browse(self):
        self.client.get("/products", name="/products")

    @task(3)
    def filter(self):
        self.client.get("/products" + random.choice(FILTERS), name="/products?filters")

    @task(2)
    def read_article(self):
        self.client.get("/articles", name="/articles")
        slug = random.choice(CATALOG["articles"])
        with self.client.get(f"/articles/{slug}", name="/articles/<slug>", catch_response=True) as r:
            if r.status_code == 200 and "Related Products" not in r.text:
                r.failure("article page without Related Products")

    @task(5)
    def view_product(self):
        self._product_page(random.choice(CATALOG["products"]))

    @task(1)
    def home(self):
        self.client.get("/", name="/ (home)")

    # ------------------------------------------------------------------ buying
    @task(2)
    def add_to_cart(self):
        slug = random.choice(CATALOG["products"])
        html = self._product_page(slug)
        if html is None:
            return
        start = html.find("data-add-to-cart")
        form = html[start:html.find("</form>", start)] if start >= 0 else ""
        token, skus = CSRF.search(form), SKU.findall(form)
        if not skus:
            return  # sold out in every size: nothing to add
        sku = random.choice(skus)
        if random.random() < 1 / 3:
            with self.client.post("/api/cart/items", json={"sku": sku, "quantity": 1},
                                  name="/api/cart/items", catch_response=True) as r:
                if r.status_code not in (200, 201):
                    r.failure(f"add to cart (API) answered {r.status_code}: {r.text[:200]}")
            return
        with self.client.post("/cart/items", name="/cart/items (form)", catch_response=True,
                              data={"csrf_token": token.group(1) if token else "", "product": slug,
                                    "sku": sku, "quantity": "1"}) as r:
            if r.status_code != 200 or ("/cart" not in r.url and slug not in r.url):
                r.failure(f"add to cart (form) ended on {r.status_code} {r.url}")

    @task(1)
    def checkout(self):
        cart = self.client.get("/cart", name="/cart")
        # The header drawer always carries the empty-cart sentence (hidden); the page says it
        # in its own paragraph only when the cart is empty.
        if cart.status_code != 200 or 'class="cart-empty"' in cart.text:
            return
        page = self.client.get("/checkout", name="/checkout")
        token, key = CSRF.search(page.text), IDEMPOTENCY.search(page.text)
        if page.status_code != 200 or not token or not key:
            return
        form = {"csrf_token": token.group(1), "idempotency_key": key.group(1),
                "name": "Load Tester", "email": "load@example.com", "line1": "1 Test Street",
                "line2": "", "city": "London", "postal_code": "SW1A 1AA", "country": "GB",
                "delivery": "standard"}
        with self.client.post("/checkout", data=form, name="/checkout (place order)",
                              catch_response=True) as r:
            if r.status_code != 200 or "/orders/" not in r.url:
                r.failure(f"checkout ended on {r.status_code} {r.url}")

    # ------------------------------------------------------------------ helpers
    def _product_page(self, slug: str) -> str | None:
        with self.client.get(f"/products/{slug}", name="/products/<slug>", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"product page {r.status_code}")
                return None
            if 'data-slot="similar"' not in r.text and 'data-slot="bought-together"' not in r.text:
                r.failure("product page without recommendation blocks")
            return r.text
