"""scripts/draw_demo_images.py: deterministic drawings, committed and referenced by the demo."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "catalog" / "demo"


def load_script():
    spec = importlib.util.spec_from_file_location("draw_demo_images", ROOT / "scripts" / "draw_demo_images.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_drawing_twice_gives_byte_identical_files_equal_to_the_committed_ones(tmp_path):
    script = load_script()
    slugs = ["tarnfield-fellside-mid", "ostrova-firm-arch-pro"]
    for run in ("one", "two"):
        script.main(["--only", *slugs, "--out", str(tmp_path / run)])
    names = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert names == ["ostrova-firm-arch-pro.png", "tarnfield-fellside-mid-sole.png", "tarnfield-fellside-mid.png"]
    for name in names:
        drawn = (tmp_path / "one" / name).read_bytes()
        assert drawn == (tmp_path / "two" / name).read_bytes()
        assert drawn == (DEMO / "images" / name).read_bytes(), f"{name}: re-run the script and commit"


def test_features_show_in_the_drawings():
    """A mid boot's collar is higher than a low shoe's; a high-cushion sole is thicker."""
    script = load_script()

    def top_of_drawing(slug: str) -> int:
        product = next(p for p in json.loads((DEMO / "catalog.json").read_text())["products"] if p["slug"] == slug)
        canvas = script.Canvas()
        script.views(product)[0][1](canvas, product, script.colourway(slug))
        image = canvas.finish().convert("RGB")
        background = Image.new("RGB", image.size, script.BACKGROUND)
        from PIL import ImageChops

        return ImageChops.difference(image, background).getbbox()[1]

    assert top_of_drawing("tarnfield-fellside-mid") < top_of_drawing("tarnfield-ridgeback-trail") - 60
    assert script._sole_thickness({"cushioning": "high"}) > script._sole_thickness({"cushioning": "low"})


def test_every_demo_product_references_committed_small_images():
    products = json.loads((DEMO / "catalog.json").read_text())["products"]
    referenced = [image["path"] for p in products for image in p["images"]]
    assert len(products) == 75 and all(p["images"] for p in products)
    files = sorted((DEMO / "images").glob("*.png"))
    assert sorted(f"images/{f.name}" for f in files) == sorted(referenced)
    assert sum(f.stat().st_size for f in files) < 5 * 1024 * 1024
    with Image.open(files[0]) as image:
        assert image.size == (800, 600)
