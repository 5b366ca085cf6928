"""Product images on the pages, /media/ serving, and hashed static URLs with long caching."""

from __future__ import annotations

import re

import pytest
from rec_helpers import FLAT_FOOTED_LOWER_BACK, install_model
from sqlalchemy import event

from catalog import queries

YEAR = "public, max-age=31536000, immutable"


def text(response) -> str:
    return response.get_data(as_text=True)


def pictures(html: str) -> list[str]:
    return re.findall(r"<picture.*?</picture>", html, flags=re.S)


def assert_responsive(picture: str, alt: str | None = None) -> None:
    webp = re.search(r'<source type="image/webp" srcset="([^"]+)" sizes="[^"]+">', picture)
    assert webp, picture
    assert [w for _, w in re.findall(r"/media/([0-9a-f]{16})-\d+\.webp (\d+)w", webp.group(1))] == ["320", "640", "800"]
    img = re.search(r"<img [^>]+>", picture).group(0)
    assert re.search(r'src="/media/[0-9a-f]{16}-640\.jpg"', img)
    assert re.search(r'srcset="[^"]*-320\.jpg 320w, [^"]*-640\.jpg 640w, [^"]*-800\.jpg 800w"', img)
    assert 'sizes="' in img and 'width="800"' in img and 'height="600"' in img
    if alt is not None:
        assert f'alt="{alt}"' in img


def test_product_page_gallery_with_thumbnails_and_responsive_pictures(client, demo):
    html = text(client.get("/products/strideline-comfort-walker"))
    gallery = html[
        html.index('<section class="gallery"') : html.index("</section>", html.index('<section class="gallery"'))
    ]
    slides = re.findall(r'<figure class="gallery-slide".*?</figure>', gallery, flags=re.S)
    assert len(slides) == 2
    assert_responsive(slides[0], "Comfort Walker by Strideline, side view")
    assert_responsive(slides[1], "Comfort Walker by Strideline, the sole from below")
    assert 'loading="lazy"' not in slides[0] and 'fetchpriority="high"' in slides[0]
    assert 'loading="lazy"' in slides[1]
    thumbs = re.findall(
        r'<a href="#picture-(\d)" data-gallery-thumb="\d"[^>]*aria-label="Show picture \d of 2">(.*?)</a>',
        gallery,
        flags=re.S,
    )
    assert [n for n, _ in thumbs] == ["1", "2"]
    assert all('alt=""' in thumb and 'loading="lazy"' in thumb for _, thumb in thumbs)
    assert re.search(r'<script src="/static/js/gallery\.js\?v=[0-9a-f]{12}" defer></script>', html)
    assert "<style" not in html and " style=" not in html and "onclick" not in html


def test_product_cards_show_the_main_image(client, demo):
    html = text(client.get("/products?category=footwear"))
    cards = re.findall(r'<article class="card product-card">.*?</article>', html, flags=re.S)
    assert cards and all('<picture class="card-image">' in card for card in cards)
    for card in cards:
        name = re.search(r'<h3><a href="[^"]+">([^<]+)</a>', card).group(1)
        (picture,) = pictures(card)
        assert_responsive(picture)
        assert f'alt="{name} by ' in picture and 'loading="lazy"' in picture


def test_recommendation_cards_load_main_images_without_a_query_per_product(app, demo):
    from shop.extensions import db

    statements: list[str] = []
    engine = app.extensions["database"].engine
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with app.app_context():
        slugs = ["strideline-comfort-walker", "lumevo-lumbar-roll", "ostrova-gel-heel-cup", "velmora-halo-walk"]
        cards = queries.product_cards(db.session, slugs)
        images = [card.images[0].hash for card in cards]
    assert len(images) == 4
    assert sum("FROM product_images" in s for s in statements) == 1
    assert len(statements) <= 3  # products, labels, images


def test_cart_and_minicart_show_the_main_image(client, demo):
    html = text(client.get("/products/velmora-halo-walk"))
    sku = re.search(r'<option value="([A-Z0-9.\-]+)"(?! disabled)', html).group(1)
    client.post("/cart/items", data={"sku": sku, "quantity": "1"})
    cart = text(client.get("/cart"))
    line = re.search(r'<td class="cart-product">.*?</td>', cart, flags=re.S).group(0)
    assert '<picture class="line-image">' in line and 'alt=""' in line and 'width="800"' in line
    drawer = cart[cart.index('<details class="minicart"') : cart.index("</details>")]
    assert '<picture class="line-image">' in drawer


def test_footwear_finder_cards_show_images(client, demo):
    install_model(demo)
    html = text(client.post("/footwear", data=FLAT_FOOTED_LOWER_BACK, follow_redirects=True))
    section = html[html.index('data-slot="footwear"') :]
    assert section.count('<picture class="card-image">') >= 3


def test_media_files_are_served_with_a_year_long_immutable_cache(client, demo):
    html = text(client.get("/products/strideline-comfort-walker"))
    for url, kind in ((re.search(r"/media/[0-9a-f]{16}-320\.webp", html).group(0), "image/webp"),
                      (re.search(r"/media/[0-9a-f]{16}-640\.jpg", html).group(0), "image/jpeg")):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == kind
        assert response.headers["Cache-Control"] == YEAR
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        response.close()


@pytest.mark.parametrize("path", [
    "/media/0123456789abcdef-320.webp",  # well formed, not there
    "/media/secret_key", "/media/..%2Fsecret_key", "/media/%2e%2e/secret_key", "/media/../shop.db",
    "/media/0123456789ABCDEF.png", "/media/0123456789abcdef-320.gif", "/media/x/0123456789abcdef.png",
    "/media/notes.txt", "/media/.incoming-x",
])  # fmt: skip
def test_anything_else_under_media_is_a_404(client, media_dir, path):
    (media_dir / "notes.txt").write_text("present, but not a name the pipeline writes")
    (media_dir.parent / "secret_key").write_text("next to the media folder")
    assert client.get(path).status_code == 404


def test_static_files_have_hashed_urls_cached_for_a_year(client, demo):
    html = text(client.get("/"))
    urls = re.findall(r'(?:href|src)="(/static/[a-z/\-]+\.(?:css|js)\?v=[0-9a-f]{12})"', html)
    assert {u.split("?")[0] for u in urls} >= {"/static/css/shop.css", "/static/js/shop.js", "/static/js/cart.js"}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200 and response.headers["Cache-Control"] == YEAR
        response.close()
    plain = client.get("/static/css/shop.css")
    assert "max-age=31536000" not in plain.headers["Cache-Control"]  # no hash: revalidate
    plain.close()
    stale = client.get("/static/css/shop.css?v=000000000000")
    assert "immutable" not in stale.headers.get("Cache-Control", "")
    stale.close()


def test_the_hash_follows_the_file_content(app, tmp_path):
    from shop.media.assets import file_hash

    first = tmp_path / "a.css"
    first.write_text("a{}")
    before = file_hash(first)
    first.write_text("b{}")
    assert file_hash(first) != before and len(before) == 12


def test_the_json_api_lists_each_products_pictures_with_rendition_urls(client, demo):
    body = client.get("/api/products/strideline-comfort-walker").get_json()
    main, sole = body["images"]
    assert (main["alt"], main["width"], main["height"]) == ("Comfort Walker by Strideline, side view", 800, 600)
    assert [r["width"] for r in main["renditions"]] == [320, 640, 800]
    for rendition in main["renditions"]:
        for ext, kind in (("webp", "image/webp"), ("jpg", "image/jpeg")):
            response = client.get(rendition[ext])
            assert response.status_code == 200 and response.mimetype == kind
            response.close()
    listed = client.get("/api/products?category=footwear&per_page=5").get_json()["items"]
    assert all(item["images"] and item["images"][0]["renditions"] for item in listed)
    spec = client.get("/api/openapi.json").get_json()
    assert "ProductImage" in spec["components"]["schemas"]
