"""Draw the demo catalog's product pictures: ``catalog/demo/images/<slug>[-<view>].png``.

Flat illustrations made with Pillow from each product's own data in ``catalog.json``: its
category picks the object (shoe, boot, sandal, clog, insole, heel cup, lumbar roll, cushion,
brace, socks, poles ...), its slug picks a colourway, and its attributes show (a thicker
midsole for high cushioning, a higher collar for mid boots, lugs for trail soles, a raised
arch for high-arch insoles, a medial post for stability shoes). Deterministic: nothing
random, no timestamps, the same input gives byte-identical files; run it after changing the
demo catalog and commit the PNGs.

    python scripts/draw_demo_images.py                 # every product, into catalog/demo/images
    python scripts/draw_demo_images.py --only SLUG ... --out DIR
    python scripts/draw_demo_images.py --update-catalog   # also writes the `images` fields
"""

from __future__ import annotations

import argparse
import colorsys
import hashlib
import json
import math
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "catalog" / "demo" / "catalog.json"
OUT = ROOT / "catalog" / "demo" / "images"
W, H, SCALE = 800, 600, 3  # drawn 3x larger, then reduced: smooth edges without anti-aliasing
BACKGROUND = (246, 244, 239)
GROUND = 470


# ---------------------------------------------------------------- colours and primitives


def colourway(slug: str) -> dict:
    """Colours of one product, from a hash of its slug (stable across runs and machines)."""
    digest = hashlib.sha256(slug.encode()).digest()
    hue = digest[0] / 255
    accent_hue = (hue + 0.35 + digest[1] / 255 * 0.3) % 1

    def rgb(h, light, sat):
        return tuple(round(c * 255) for c in colorsys.hls_to_rgb(h, light, sat))

    return {
        "main": rgb(hue, 0.36 + digest[2] / 255 * 0.22, 0.22 + digest[3] / 255 * 0.33),
        "dark": rgb(hue, 0.22, 0.35),
        "light": rgb(hue, 0.85, 0.35),
        "accent": rgb(accent_hue, 0.55, 0.5),
        "sole": rgb(hue, 0.93, 0.08) if digest[4] % 2 else (236, 236, 232),
        "rubber": (58, 58, 62) if digest[5] % 3 else rgb(hue, 0.25, 0.2),
    }


class Canvas:
    """An 800×600 drawing whose coordinates are scaled onto a 3x bitmap."""

    def __init__(self):
        self.image = Image.new("RGB", (W * SCALE, H * SCALE), BACKGROUND)
        self.draw = ImageDraw.Draw(self.image)

    def _pts(self, points):
        return [(round(x * SCALE), round(y * SCALE)) for x, y in points]

    def polygon(self, points, fill, outline=None, width=3):
        self.draw.polygon(self._pts(points), fill=fill)
        if outline:
            self.line(list(points) + [points[0]], outline, width)

    def line(self, points, fill, width=3):
        self.draw.line(self._pts(points), fill=fill, width=round(width * SCALE), joint="curve")

    def ellipse(self, box, fill, outline=None, width=3):
        x0, y0, x1, y1 = box
        self.draw.ellipse(self._pts([(x0, y0), (x1, y1)]), fill=fill, outline=outline,
                          width=round(width * SCALE))  # fmt: skip

    def rect(self, box, fill, radius=0, outline=None, width=3):
        x0, y0, x1, y1 = box
        self.draw.rounded_rectangle(self._pts([(x0, y0), (x1, y1)]), radius=round(radius * SCALE),
                                    fill=fill, outline=outline, width=round(width * SCALE))  # fmt: skip

    def masked(self, shape_points, paint):
        """Run ``paint(canvas)`` on a layer shown only inside the polygon ``shape_points``."""
        layer = Canvas()
        layer.image.paste(self.image)
        paint(layer)
        mask = Image.new("L", self.image.size, 0)
        ImageDraw.Draw(mask).polygon(self._pts(shape_points), fill=255)
        self.image.paste(layer.image, mask=mask)

    def shadow(self, cx, width, y=GROUND + 8, height=22):
        self.ellipse((cx - width / 2, y - height / 2, cx + width / 2, y + height / 2), (226, 223, 215))

    def finish(self) -> Image.Image:
        small = self.image.resize((W, H), Image.LANCZOS)
        return small.quantize(colors=96, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)


def bezier(p0, p1, p2, p3, steps=24):
    return [
        ((1 - t) ** 3 * p0[0] + 3 * (1 - t) ** 2 * t * p1[0] + 3 * (1 - t) * t**2 * p2[0] + t**3 * p3[0],
         (1 - t) ** 3 * p0[1] + 3 * (1 - t) ** 2 * t * p1[1] + 3 * (1 - t) * t**2 * p2[1] + t**3 * p3[1])
        for t in (i / steps for i in range(steps + 1))
    ]  # fmt: skip


def path(*segments):
    """Joined cubic segments given as (p0, c1, c2, p3) tuples; p0 of each follows the last."""
    points = []
    for segment in segments:
        points.extend(bezier(*segment)[(1 if points else 0):])
    return points


def shade(colour, factor):
    return tuple(max(0, min(255, round(c * factor))) for c in colour)


# ---------------------------------------------------------------- footwear


def _sole_thickness(attrs) -> float:
    return {"low": 20, "medium": 36, "high": 56}.get(attrs.get("cushioning"), 30)


def draw_shoe(c: Canvas, product: dict, colours: dict, *, boot=False, clog=False) -> None:
    attrs, tags = product.get("attributes", {}), set(product.get("tags", []))
    trail = "trail" in attrs.get("terrain", []) and "trail" in tags
    t = _sole_thickness(attrs)
    drop = attrs.get("drop_mm", 8) * 1.6
    rocker = "rocker-sole" in tags
    x0, x1 = 110, 690
    heel_top, toe_top = GROUND - t - drop, GROUND - t * 0.75
    c.shadow(400, 640)
    lift = 26 if rocker else 10
    outsole = path(((x0 + 10, GROUND - 14), (x0 - 8, GROUND - 4), (x0 + 20, GROUND), (x0 + 60, GROUND)),
                   ((x0 + 60, GROUND), (300, GROUND + 2), (520, GROUND + 2), (600, GROUND - lift * 0.3)),
                   ((600, GROUND - lift * 0.3), (650, GROUND - lift * 0.6), (x1 + 14, GROUND - lift - 6), (x1 + 8, toe_top - 4)))  # fmt: skip
    sole = outsole + [(x1 - 10, toe_top - 6), (450, toe_top - 4), (300, heel_top + 6), (x0 + 4, heel_top)]
    if trail:  # lugs under the outsole
        for x in range(x0 + 30, x1 - 30, 34):
            c.rect((x, GROUND - 6, x + 20, GROUND + 9), colours["rubber"], radius=3)
    c.polygon(sole, colours["sole"], shade(colours["sole"], 0.7))
    c.masked(sole, lambda layer: layer.rect((0, GROUND - 13, W, H), colours["rubber"]))
    if attrs.get("stability") in ("stability", "motion-control"):  # medial post in the midsole
        post = 0.55 if attrs["stability"] == "motion-control" else 0.4
        c.masked(sole, lambda layer: layer.polygon([(x0 + 30, GROUND - 13), (x0 + 30, GROUND - t - drop),
                                                    (x0 + 40 + 300 * post, GROUND - t - drop), (x0 + 300 * post, GROUND - 13)],
                                                   shade(colours["sole"], 0.72)))  # fmt: skip
    if t >= 50:  # a cushioning window
        c.ellipse((x0 + 70, heel_top + t * 0.3, x0 + 170, heel_top + t * 0.3 + 16), colours["light"])
    collar = heel_top - (250 if boot else 150)
    throat = collar + (30 if boot else 24)
    if clog:
        upper = path(((x0 + 60, heel_top), (x0 + 80, heel_top - 70), (260, toe_top - 150), (420, toe_top - 150)),
                     ((420, toe_top - 150), (580, toe_top - 150), (x1 + 20, toe_top - 70), (x1, toe_top - 4)))  # fmt: skip
        upper += [(x0 + 60, toe_top - 4)]
        c.polygon(upper, colours["main"], colours["dark"])
        for i, x in enumerate(range(330, 640, 48)):  # ventilation holes
            c.ellipse((x, toe_top - 118 + (i % 2) * 22, x + 16, toe_top - 102 + (i % 2) * 22), colours["dark"])
        c.rect((x0 + 30, heel_top - 90, x0 + 90, heel_top - 70), colours["accent"], radius=10)  # heel strap
        c.line([(x0 + 60, heel_top - 80), (x0 + 120, heel_top - 40)], colours["accent"], 14)
        return
    upper = path(((x0 + 6, heel_top), (x0 - 14, heel_top - 60), (x0 - 4, collar + 20), (x0 + 30, collar)),
                 ((x0 + 30, collar), (x0 + 80, collar + 8), (x0 + 120, throat + 16), (x0 + 170, throat + 14)),
                 ((x0 + 170, throat + 14), (x0 + 190, collar - 6), (x0 + 200, collar - 12), (x0 + 215, collar - 10)),
                 ((x0 + 215, collar - 10), (420, toe_top - 130 + (40 if boot else 0) * 0), (520, toe_top - 98), (600, toe_top - 70)),
                 ((600, toe_top - 70), (660, toe_top - 52), (x1 + 12, toe_top - 30), (x1 - 4, toe_top - 4)))  # fmt: skip
    upper += [(450, toe_top - 4), (300, heel_top + 4)]

    def details(layer: Canvas):
        if "knit" in tags or "breathable" in tags:
            for y in range(int(collar) - 10, int(toe_top), 9):
                layer.line([(0, y), (W, y + 6)], shade(colours["main"], 1.1), 2)
        layer.polygon(path(((560, toe_top + 10), (560, toe_top - 60), (640, toe_top - 70), (720, toe_top - 40))) +
                      [(720, toe_top + 10)], shade(colours["main"], 0.8))  # toe cap  # fmt: skip
        layer.polygon([(x0 - 20, heel_top + 10), (x0 - 20, collar + 40), (x0 + 70, heel_top - 40),
                       (x0 + 110, heel_top + 10)], shade(colours["main"], 0.75))  # heel counter
        swoosh = path(((x0 + 90, heel_top - 18), (300, heel_top - 40), (420, toe_top - 110), (520, toe_top - 92)))
        layer.line(swoosh, colours["accent"], 12)

    c.polygon(upper, colours["main"])
    c.masked(upper, details)
    c.line(upper + [upper[0]], colours["dark"], 3)
    if "leather" in tags:  # stitching along the toe cap
        stitch = path(((565, toe_top - 12), (565, toe_top - 56), (640, toe_top - 64), (700, toe_top - 36)))
        for a, b in zip(stitch[::2], stitch[1::2], strict=False):
            c.line([a, b], colours["light"], 2)
    lace_start, lace_end = (x0 + 200, collar - 4), (530, toe_top - 92)
    if "slip-on" in tags:  # elastic gore instead of laces
        c.polygon([(x0 + 190, collar + 4), (x0 + 240, collar + 10), (x0 + 215, throat + 60)], colours["rubber"])
    elif "adjustable" in tags or "extra-wide" in tags:  # hook-and-loop straps
        for i in range(3):
            f = 0.2 + i * 0.3
            x = lace_start[0] + (lace_end[0] - lace_start[0]) * f
            y = lace_start[1] + (lace_end[1] - lace_start[1]) * f
            c.polygon([(x - 34, y + 4), (x + 4, y - 8), (x + 40, y + 64), (x + 2, y + 74)], colours["accent"], colours["dark"], 2)
    else:
        c.line(path((lace_start, (380, collar + 20), (450, toe_top - 110), lace_end)), colours["dark"], 14)
        for i in range(6 if boot else 5):
            f = (i + 0.5) / (6 if boot else 5)
            p = bezier(lace_start, (380, collar + 20), (450, toe_top - 110), lace_end)[round(f * 24)]
            c.ellipse((p[0] - 6, p[1] - 6, p[0] + 6, p[1] + 6), colours["light"])
            c.line([(p[0] - 16, p[1] - 10), (p[0] + 16, p[1] + 8)], colours["light"], 5)
    c.rect((x0 + 4, collar - 16, x0 + 30, collar + 34), colours["accent"], radius=6)  # pull tab
    if attrs.get("waterproof"):  # a drop on the collar: membrane inside
        cx, cy = x0 + 70, collar + 50
        c.polygon([(cx, cy - 22), (cx - 12, cy), (cx + 12, cy)], colours["light"])
        c.ellipse((cx - 12, cy - 10, cx + 12, cy + 14), colours["light"])


def draw_sole_view(c: Canvas, product: dict, colours: dict) -> None:
    """The outsole from below: tread for trail or pavement, a wider outline for wide fits."""
    attrs, tags = product.get("attributes", {}), set(product.get("tags", []))
    wide = 1.15 if ("wide-fit" in tags or "extra-wide" in tags or "wide-toe-box" in tags) else 1.0
    outline = footprint(400, 300, 560, 190 * wide, arch=0.25)
    c.shadow(400, 600, y=430, height=30)
    c.polygon(outline, colours["sole"], shade(colours["sole"], 0.7))
    inner = footprint(400, 300, 530, 170 * wide, arch=0.25)

    def tread(layer: Canvas):
        layer.polygon(inner, colours["rubber"])
        if "trail" in tags:
            for x in range(120, 700, 40):
                for y in range(180, 430, 46):
                    layer.polygon([(x, y), (x + 22, y + 14), (x, y + 28), (x + 8, y + 14)], shade(colours["rubber"], 1.6))
        else:
            for x in range(130, 700, 28):
                layer.line([(x, 150), (x + 10, 450)], shade(colours["rubber"], 1.5), 4)
        if attrs.get("stability") in ("stability", "motion-control"):
            layer.polygon([(120, 300), (330, 300), (330, 420), (120, 420)], shade(colours["rubber"], 1.3))

    c.masked(inner, tread)


def footprint(cx, cy, length, width, arch=0.2, steps=80):
    """A sole-shaped outline seen from above, toe to the right: a narrow round heel, the
    widest point at the ball of the foot, and the arch (``arch`` of the width) cut into the
    lower, medial side."""
    half = width / 2

    def profile(u):
        body = 0.64 + 0.36 * (3 * v**2 - 2 * v**3 if (v := min(1, max(0, (u - 0.2) / 0.5))) else 0)
        ends = math.sin(math.pi * u) ** 0.38 if u < 0.5 else math.sin(math.pi * u) ** 0.55
        return body * ends

    lateral, medial = [], []
    for i in range(steps + 1):
        u = i / steps
        x = cx - length / 2 + u * length
        bend = 0.08 * half * math.sin(math.pi * u)  # the lateral edge is the straighter one
        lateral.append((x, cy - half * profile(u) + bend))
        notch = 1 - arch * 2.2 * math.exp(-(((u - 0.45) / 0.13) ** 2))
        medial.append((x, cy + half * profile(u) * notch + bend))
    return lateral + medial[::-1]


def draw_sandal(c: Canvas, product: dict, colours: dict) -> None:
    attrs, tags = product.get("attributes", {}), set(product.get("tags", []))
    t = _sole_thickness(attrs) * 1.2
    arch = {"low": 0, "medium": 12, "high": 24}.get(attrs.get("arch_support"), 8)
    c.shadow(400, 620)
    bed_top = GROUND - t
    bed = path(((110, GROUND), (110, bed_top - 6), (160, bed_top - 10), (250, bed_top - 4)),
               ((250, bed_top - 4), (320, bed_top - arch * 1.6), (400, bed_top - arch * 1.8), (470, bed_top)),
               ((470, bed_top), (560, bed_top + 6), (660, bed_top + 4), (700, GROUND - 8)))  # fmt: skip
    bed += [(690, GROUND), (110, GROUND)]
    c.polygon(bed, colours["sole"], shade(colours["sole"], 0.7))
    c.masked(bed, lambda layer: layer.rect((0, GROUND - 10, W, H), colours["rubber"]))
    c.masked(bed, lambda layer: layer.rect((0, 0, W, bed_top + 6), colours["light"]))
    if "minimal" in tags:  # thin straps: toe loop, instep, heel
        for strap in ([(560, bed_top), (600, bed_top - 70), (650, bed_top)], [(330, bed_top - 8), (400, bed_top - 120), (470, bed_top)],
                      [(140, bed_top - 4), (180, bed_top - 90), (330, bed_top - 120)]):  # fmt: skip
            c.line(path((strap[0], strap[1], strap[1], strap[2]), ), colours["main"], 14)
        return
    if "slip-on" in tags or "recovery" in tags and "sandal" in tags and "adjustable" not in tags:
        strap = path(((330, bed_top), (340, bed_top - 90), (400, bed_top - 112), (480, bed_top - 108)),
                     ((480, bed_top - 108), (560, bed_top - 104), (620, bed_top - 70), (650, bed_top + 2)))  # fmt: skip
        c.polygon(strap + [(330, bed_top)], colours["main"], colours["dark"])
        c.line(path(((350, bed_top - 20), (360, bed_top - 80), (560, bed_top - 90), (625, bed_top - 10))), colours["accent"], 6)
        return
    for x, h in ((530, 110), (360, 130)):  # two buckled straps and a heel strap
        c.polygon(path(((x - 50, bed_top), (x - 40, bed_top - h), (x + 60, bed_top - h), (x + 70, bed_top))) + [(x - 50, bed_top)],
                  colours["main"], colours["dark"])  # fmt: skip
        c.rect((x + 20, bed_top - h + 10, x + 44, bed_top - h + 40), colours["accent"], radius=4, outline=colours["dark"], width=2)
    c.line(path(((180, bed_top), (130, bed_top - 60), (200, bed_top - 110), (300, bed_top - 110))), colours["main"], 18)


def draw_top_view_sandal(c: Canvas, product: dict, colours: dict) -> None:
    attrs = product.get("attributes", {})
    arch = {"low": 0.18, "medium": 0.26, "high": 0.34}.get(attrs.get("arch_support"), 0.22)
    c.shadow(400, 600, y=430, height=30)
    c.polygon(footprint(400, 300, 560, 210, arch=0.12), colours["sole"], shade(colours["sole"], 0.7))
    c.polygon(footprint(400, 300, 520, 180, arch=arch), colours["light"])
    c.ellipse((160, 250, 240, 350), shade(colours["light"], 0.92))  # heel cup
    c.rect((420, 170, 520, 430), colours["main"], radius=20, outline=colours["dark"])


# ---------------------------------------------------------------- insoles and heel cups


def draw_insole(c: Canvas, product: dict, colours: dict) -> None:
    attrs, tags, name = product.get("attributes", {}), set(product.get("tags", [])), product["name"].lower()
    arch = {"low": 10, "medium": 22, "high": 38}.get(attrs.get("arch_support"), 14)
    cushion = {"low": 8, "medium": 12, "high": 18}.get(attrs.get("cushioning"), 10)
    length = 420 if "three-quarter" in name else 560
    slim = "slim" in tags
    cx = 110 + length / 2
    # top view (upper half)
    shape = footprint(cx, 190, length, 170 if not slim else 140, arch=0.22)
    c.ellipse((cx - length / 2 - 10, 270, cx + length / 2 + 10, 300), (228, 225, 217))
    c.polygon(shape, colours["light"], shade(colours["light"], 0.75))
    c.masked(shape, lambda layer: (layer.rect((0, 0, W, H), colours["main"]),
                                   layer.ellipse((cx - length / 2 - 40, 110, cx - length / 2 + 140, 270), colours["accent"]),
                                   layer.ellipse((cx - length * 0.1, 200, cx + length * 0.25, 290), shade(colours["main"], 0.8))))  # fmt: skip
    if length < 560:
        c.line([(cx + length / 2 - 4, 120), (cx + length / 2 - 4, 260)], colours["dark"], 4)
    # side profile (lower half): the arch shape
    base = 470
    profile = path(((110, base), (110, base - cushion - 30), (150, base - cushion - 36), (200, base - cushion - 10)),
                   ((200, base - cushion - 10), (260, base - cushion - arch * 2.4), (330, base - cushion - arch * 2.4), (400, base - cushion)),
                   ((400, base - cushion), (480, base - cushion + 4), (110 + length - 40, base - cushion * 0.6), (110 + length, base - 2)))  # fmt: skip
    profile += [(110 + length, base), (110, base)]
    c.shadow(cx, length + 40, y=base + 6, height=16)
    c.polygon(profile, colours["main"], colours["dark"])
    c.masked(profile, lambda layer: layer.rect((0, base - cushion * 0.7, W, H), colours["accent"]))
    if "gel" in tags:
        c.ellipse((130, base - cushion - 20, 200, base - cushion), shade(colours["accent"], 1.2))


def draw_arch_sleeve(c: Canvas, product: dict, colours: dict) -> None:
    for x in (180, 430):
        c.shadow(x + 100, 240, y=420)
        c.rect((x, 200, x + 200, 400), colours["main"], radius=60, outline=colours["dark"])
        c.rect((x + 30, 235, x + 170, 365), shade(colours["main"], 1.15), radius=45)
        c.ellipse((x + 50, 320, x + 150, 390), colours["accent"])  # gel pad under the arch
        for y in range(215, 390, 14):
            c.line([(x + 8, y), (x + 24, y)], colours["light"], 2)


def draw_heel_cup(c: Canvas, product: dict, colours: dict) -> None:
    tags = set(product.get("tags", []))
    pads = "foam" in tags
    for x in (250, 550):
        c.shadow(x, 260, y=430)
        if pads:
            c.polygon(path(((x - 90, 360), (x - 110, 220), (x + 110, 220), (x + 90, 360))) + [(x, 420)], colours["main"], colours["dark"])
            c.ellipse((x - 50, 260, x + 50, 350), colours["accent"])
            continue
        c.ellipse((x - 110, 300, x + 110, 420), shade(colours["main"], 0.8), colours["dark"])  # floor of the cup
        c.polygon(path(((x - 110, 360), (x - 130, 200), (x + 130, 200), (x + 110, 360))), colours["main"], colours["dark"])
        c.ellipse((x - 105, 305, x + 105, 410), colours["light"])
        c.ellipse((x - 45, 330, x + 45, 385), colours["accent"] if "gel" in tags else shade(colours["light"], 0.9))


# ---------------------------------------------------------------- back, posture, seats, sleep


def draw_lumbar(c: Canvas, product: dict, colours: dict) -> None:
    tags, name = set(product.get("tags", [])), product["name"].lower()
    if "roll" in name:  # a D-shaped memory-foam roll with its strap
        c.shadow(400, 520)
        c.polygon(path(((150, 440), (140, 300), (260, 250), (400, 250)), ((400, 250), (540, 250), (660, 300), (650, 440))) + [(150, 440)],
                  colours["main"], colours["dark"])  # fmt: skip
        c.ellipse((120, 280, 190, 450), shade(colours["main"], 0.8), colours["dark"])
        c.line([(220, 300), (580, 300)], colours["accent"], 12)
        return
    if "frame" in name or "car" in name:  # a curved back rest
        c.shadow(400, 360)
        rest = path(((260, 460), (220, 330), (240, 180), (300, 110)), ((300, 110), (360, 90), (440, 90), (500, 110)),
                    ((500, 110), (560, 180), (580, 330), (540, 460))) + [(260, 460)]  # fmt: skip
        c.polygon(rest, colours["main"], colours["dark"])
        if "frame" in name:
            c.masked(rest, lambda layer: [layer.line([(x, 0), (x + 100, H)], colours["light"], 2) for x in range(100, 700, 18)])
        c.ellipse((290, 280, 510, 380), colours["accent"])  # the lumbar bulge
        c.line([(230, 260), (120, 250)], colours["dark"], 8)
        c.line([(570, 260), (680, 250)], colours["dark"], 8)
        return
    # a belt: a wide curved band with a support panel and hook-and-loop ends
    c.shadow(400, 640)
    band = path(((80, 260), (300, 200), (500, 200), (720, 260)), ((720, 260), (730, 330), (730, 360), (720, 390)),
                ((720, 390), (500, 330), (300, 330), (80, 390))) + [(80, 260)]  # fmt: skip
    c.polygon(band, colours["main"], colours["dark"])
    c.rect((300, 215, 500, 320), colours["accent"] if "heat" not in tags else (214, 96, 60), radius=20)
    for x in range(320, 500, 30):
        c.line([(x, 230), (x, 305)], shade(colours["accent"], 0.8), 3)
    c.rect((90, 280, 170, 370), colours["light"], radius=12)
    c.rect((630, 280, 710, 370), colours["light"], radius=12)


def draw_posture(c: Canvas, product: dict, colours: dict) -> None:
    name = product["name"].lower()
    if "sensor" in name:
        c.shadow(400, 300, y=420)
        c.ellipse((270, 200, 530, 400), colours["main"], colours["dark"])
        c.ellipse((330, 250, 470, 350), colours["light"])
        c.ellipse((385, 285, 415, 315), colours["accent"])
        return
    c.shadow(400, 420)
    # a figure-of-eight brace (or a vest when "vest" is in the name)
    if "vest" in name:
        vest = [(250, 120), (340, 110), (400, 160), (460, 110), (550, 120), (590, 300), (560, 450), (240, 450), (210, 300)]
        c.polygon(vest, colours["main"], colours["dark"])
        c.line([(400, 170), (400, 450)], colours["dark"], 4)
        c.line([(260, 200), (540, 400)], colours["accent"], 18)
        c.line([(540, 200), (260, 400)], colours["accent"], 18)
        return
    for side in (-1, 1):
        c.line(path(((400, 300), (400 + side * 120, 260), (400 + side * 200, 120), (400 + side * 110, 110))), colours["main"], 34)
        c.line(path(((400 + side * 110, 110), (400 + side * 40, 120), (400 + side * 10, 200), (400, 300))), colours["main"], 34)
    c.rect((340, 250, 460, 380), colours["accent"], radius=18, outline=colours["dark"])
    c.line([(400, 380), (400, 460)], colours["main"], 30)


def draw_seat(c: Canvas, product: dict, colours: dict) -> None:
    name = product["name"].lower()
    c.shadow(400, 600, y=440, height=40)
    if "disc" in name:
        c.ellipse((180, 260, 620, 440), shade(colours["main"], 0.75), colours["dark"])
        c.ellipse((180, 230, 620, 410), colours["main"], colours["dark"])
        for i in range(40):
            a, r = i * 2.4, 20 + (i * 53 % 180)
            x, y = 400 + math.cos(a) * r, 320 + math.sin(a) * r * 0.38
            c.ellipse((x - 6, y - 4, x + 6, y + 4), colours["light"])
        return
    if "wedge" in name:
        c.polygon([(150, 440), (650, 440), (650, 300)], shade(colours["main"], 0.8), colours["dark"])
        c.polygon([(150, 440), (650, 300), (560, 220), (80, 340)], colours["main"], colours["dark"])
        return
    top = [(160, 300), (260, 220), (560, 220), (660, 300), (620, 380), (180, 380)]
    c.polygon([(180, 380), (620, 380), (620, 430), (180, 430)], shade(colours["main"], 0.75), colours["dark"])
    c.polygon(top, colours["main"], colours["dark"])
    if "coccyx" in name:
        c.polygon([(350, 380), (360, 300), (440, 300), (450, 380)], BACKGROUND)
    if "gel" in name:
        c.masked(top, lambda layer: [layer.rect((x, y, x + 26, y + 16), colours["accent"], radius=4)
                                     for x in range(200, 620, 36) for y in range(235, 370, 26)])  # fmt: skip


def draw_sleep(c: Canvas, product: dict, colours: dict) -> None:
    name = product["name"].lower()
    c.shadow(400, 620, y=440, height=40)
    if "neck" in name:
        wave = path(((120, 420), (120, 280), (220, 250), (280, 300)), ((280, 300), (340, 350), (460, 350), (520, 300)),
                    ((520, 300), (580, 240), (690, 260), (690, 420))) + [(120, 420)]  # fmt: skip
        c.polygon(wave, colours["main"], colours["dark"])
    elif "knee" in name:
        c.polygon(path(((240, 430), (180, 330), (200, 200), (400, 250)), ((400, 250), (600, 200), (620, 330), (560, 430))) + [(240, 430)],
                  colours["main"], colours["dark"])  # fmt: skip
    elif "wedge" in name:
        c.polygon([(100, 440), (700, 440), (620, 250), (360, 250)], colours["main"], colours["dark"])
        c.polygon([(360, 250), (620, 250), (560, 200), (320, 210)], colours["light"], colours["dark"])
    else:  # mattress topper: a thick slab in perspective
        c.polygon([(100, 360), (700, 360), (700, 420), (100, 420)], shade(colours["main"], 0.8), colours["dark"])
        c.polygon([(100, 360), (700, 360), (600, 230), (200, 230)], colours["light"], colours["dark"])
        for x in range(220, 600, 60):
            c.line([(x, 260), (x - 20, 340)], shade(colours["light"], 0.9), 3)
    c.line([(200, 300), (600, 300)], shade(colours["main"], 1.2), 2) if "neck" not in name else None


# ---------------------------------------------------------------- walking accessories


def draw_poles(c: Canvas, product: dict, colours: dict) -> None:
    name = product["name"].lower()
    if "paws" in name or "tips" in name:
        for x in (200, 330, 470, 600):
            c.shadow(x, 110, y=430)
            c.polygon([(x - 20, 220), (x + 20, 220), (x + 30, 380), (x + 60, 420), (x - 50, 420), (x - 30, 380)],
                      colours["rubber"], (20, 20, 20))  # fmt: skip
            c.rect((x - 22, 210, x + 22, 240), colours["accent"], radius=4)
        return
    count = 1 if "folding" in name else 2
    for i in range(count):
        dx = i * 120
        top, bottom = (260 + dx, 60), (470 + dx, 540)
        c.line([top, bottom], shade(colours["main"], 0.9), 12)
        if "folding" in name:
            for f in (0.33, 0.66):
                p = (top[0] + (bottom[0] - top[0]) * f, top[1] + (bottom[1] - top[1]) * f)
                c.ellipse((p[0] - 10, p[1] - 10, p[0] + 10, p[1] + 10), colours["dark"])
        c.line([top, (top[0] + 34, top[1] + 90)], colours["rubber"], 30)  # grip
        c.line(path((top, (top[0] - 60, top[1] + 40), (top[0] - 40, top[1] + 120), (top[0] + 20, top[1] + 80))), colours["accent"], 6)
        c.line([(bottom[0] - 15, bottom[1] - 34), bottom], (80, 80, 86), 8)  # tip
        c.ellipse((bottom[0] - 50, bottom[1] - 60, bottom[0] - 10, bottom[1] - 50), colours["accent"]) if "trekking" in name else None
        c.rect((top[0] + 60, top[1] + 150, top[0] + 78, top[1] + 190), colours["accent"], radius=4)  # lock


def draw_socks(c: Canvas, product: dict, colours: dict) -> None:
    attrs, tags, name = product.get("attributes", {}), set(product.get("tags", [])), product["name"].lower()
    pairs = 3 if "3 pairs" in name else 1
    cushion = {"low": 0, "medium": 1, "high": 2}.get(attrs.get("cushioning"), 0)
    for i in range(pairs if pairs > 1 else 2):
        dx = i * (150 if pairs > 1 else 230)
        x0 = 160 + dx - (60 if pairs > 1 else 0)
        height = 160 if "liner" in tags else 300
        sock = path(((x0, 470 - height), (x0, 470 - height), (x0, 330), (x0, 340)),
                    ((x0, 340), (x0 - 10, 420), (x0 + 30, 470), (x0 + 90, 470)),
                    ((x0 + 90, 470), (x0 + 150, 470), (x0 + 200, 470), (x0 + 210, 440)),
                    ((x0 + 210, 440), (x0 + 215, 410), (x0 + 180, 400), (x0 + 110, 395)),
                    ((x0 + 110, 395), (x0 + 100, 380), (x0 + 100, 340), (x0 + 100, 470 - height)))  # fmt: skip
        c.shadow(x0 + 100, 240)
        colour = shade(colours["main"], 1 + i * 0.12)
        c.polygon(sock, colour, colours["dark"])
        c.masked(sock, lambda layer, x0=x0, height=height, colour=colour: (
            layer.rect((x0 - 20, 470 - height, x0 + 120, 470 - height + 30), colours["light"]),
            layer.rect((x0 + 150, 380, x0 + 230, 480), colours["accent"]),
            layer.ellipse((x0 - 30, 400, x0 + 60, 500), colours["accent"]),
            layer.rect((x0 + 60, 420 - cushion * 14, x0 + 180, 480), shade(colour, 0.8)) if cushion else None,
            layer.rect((x0 + 90, 395, x0 + 140, 480), colours["dark"]) if "compression" in tags else None,
        ))  # fmt: skip


def draw_foot_care(c: Canvas, product: dict, colours: dict) -> None:
    name = product["name"].lower()
    if "ball" in name:
        c.shadow(400, 260, y=440)
        for i in range(36):
            a = i * math.tau / 36
            c.polygon([(400 + math.cos(a) * 120, 300 + math.sin(a) * 120), (400 + math.cos(a + 0.12) * 100, 300 + math.sin(a + 0.12) * 100),
                       (400 + math.cos(a - 0.12) * 100, 300 + math.sin(a - 0.12) * 100)], colours["dark"])  # fmt: skip
        c.ellipse((290, 190, 510, 410), colours["main"])
        for i in range(24):
            a, r = i * 2.4, 20 + (i * 37 % 80)
            c.ellipse((400 + math.cos(a) * r - 7, 300 + math.sin(a) * r - 7, 400 + math.cos(a) * r + 7, 300 + math.sin(a) * r + 7), colours["light"])
        return
    if "roller" in name:
        c.shadow(400, 520)
        c.rect((150, 260, 650, 420), colours["light"], radius=80, outline=colours["dark"])
        for x in range(200, 620, 40):
            c.line([(x, 270), (x, 410)], colours["main"], 10)
        c.ellipse((120, 260, 200, 420), colours["main"], colours["dark"])
        return
    if "splint" in name:
        c.shadow(400, 460)
        c.polygon([(250, 100), (360, 100), (360, 360), (620, 360), (620, 450), (250, 450)], colours["main"], colours["dark"])
        for y in (150, 240):
            c.rect((230, y, 380, y + 36), colours["accent"], radius=8)
        c.rect((420, 330, 460, 470), colours["accent"], radius=8)
        c.line([(300, 160), (560, 380)], colours["dark"], 6)
        return
    if "kit" in name:
        c.shadow(400, 520)
        c.rect((170, 200, 630, 430), colours["main"], radius=40, outline=colours["dark"])
        c.line([(200, 220), (600, 220)], colours["dark"], 6)
        c.rect((300, 270, 500, 370), (255, 255, 255), radius=16)
        c.rect((380, 285, 420, 355), (212, 56, 56))
        c.rect((365, 300, 435, 340), (212, 56, 56))
        return
    # stretch strap: a long band with loops
    c.shadow(400, 640)
    for i in range(6):
        x = 110 + i * 100
        c.ellipse((x, 230, x + 100, 370), None, colours["main"], 16)
    c.line([(110, 300), (710, 300)], colours["accent"], 20)


DRAWERS = {
    "walking-shoes": draw_shoe, "stability-walking-shoes": draw_shoe, "trail-walking-shoes": draw_shoe,
    "recovery-sandals": draw_sandal, "full-length-insoles": draw_insole, "arch-supports": draw_insole,
    "heel-cups": draw_heel_cup, "lumbar-supports": draw_lumbar, "posture-correctors": draw_posture,
    "seat-cushions": draw_seat, "sleep-support": draw_sleep, "walking-poles": draw_poles,
    "walking-socks": draw_socks, "foot-care": draw_foot_care,
}  # fmt: skip


def views(product: dict) -> list[tuple[str, callable]]:
    """(file-name suffix, drawing function) for each picture of one product, main first."""
    category, tags, name = product["category"], set(product.get("tags", [])), product["name"]
    if category in ("walking-shoes", "stability-walking-shoes", "trail-walking-shoes"):
        boot = "Mid" in name.split() or "ankle-support" in tags
        return [("", lambda c, p, col: draw_shoe(c, p, col, boot=boot)), ("-sole", draw_sole_view)]
    if category == "recovery-sandals":
        if "clog" in name.lower():
            return [("", lambda c, p, col: draw_shoe(c, p, col, clog=True)), ("-sole", draw_sole_view)]
        return [("", draw_sandal), ("-top", draw_top_view_sandal)]
    if "sleeve" in name.lower():
        return [("", draw_arch_sleeve)]
    return [("", DRAWERS[category])]


def alt_text(product: dict, suffix: str) -> str:
    base = f"{product['name']} by {product['brand']}"
    return {"": f"{base}, side view", "-sole": f"{base}, the sole from below",
            "-top": f"{base}, the footbed from above"}[suffix] if product["category"].endswith(("shoes", "sandals")) else base  # fmt: skip


def draw_product(product: dict, out: Path) -> list[dict]:
    """Write every view of ``product`` into ``out``; return its catalog ``images`` entries."""
    entries = []
    for suffix, drawer in views(product):
        canvas = Canvas()
        drawer(canvas, product, colourway(product["slug"]))
        name = f"{product['slug']}{suffix}.png"
        canvas.finish().save(out / name, "PNG", optimize=True)
        entries.append({"path": f"images/{name}", "alt": alt_text(product, suffix)})
    return entries


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="slugs to draw (default: every product)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--catalog", type=Path, default=CATALOG)
    parser.add_argument("--update-catalog", action="store_true", help="write the images fields")
    args = parser.parse_args(argv)
    document = json.loads(args.catalog.read_text(encoding="utf-8"))
    args.out.mkdir(parents=True, exist_ok=True)
    for product in document["products"]:
        if args.only and product["slug"] not in args.only:
            continue
        product["images"] = draw_product(product, args.out)
    if args.update_catalog:
        args.catalog.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
