"""Product images: validate an uploaded or imported file and write its web renditions.

Pure Pillow and the file system (no Flask, no database), so import, a future back-office
upload and tests share one set of rules. A file is trusted only after Pillow has read it:
its type comes from its content (never its name), its byte size and pixel count are bounded
*before* the pixels are decoded (decompression bombs), and everything but the pixels (EXIF
with its GPS position, comments, colour profiles) is dropped by re-encoding.

Files are named by a hash of the cleaned pixels, so the same picture imported twice (or
exported and imported back) is stored once and a name never changes meaning: the shop serves
them with a one-year ``immutable`` cache lifetime.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000  # 40 megapixels: any camera photo, not a bomb
MIN_SIDE = 16
ACCEPTED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}
WIDTHS = (320, 640, 1280)
#: Rendition formats, best first: a page offers WebP in ``srcset`` and JPEG as the fallback.
FORMATS = {"webp": {"format": "WEBP", "quality": 80, "method": 3},
           "jpg": {"format": "JPEG", "quality": 82, "optimize": True, "progressive": True}}  # fmt: skip
HASH_LENGTH = 16
URL_PREFIX = "/media/"  # where the shop publishes MEDIA_DIR's files (shop.media.views)
#: Every name this module writes: ``<hash>.png`` (the cleaned original) or ``<hash>-<w>.<ext>``.
FILE_NAME = re.compile(rf"^[0-9a-f]{{{HASH_LENGTH}}}(?:-[1-9][0-9]{{0,3}}\.(?:webp|jpg)|\.png)$")


class ImageRejected(ValueError):
    """The file is not an image the shop accepts; the message says why, for the operator."""


@dataclass(frozen=True)
class StoredImage:
    """A validated image written to the media folder: its name stem and its real size."""

    hash: str
    width: int
    height: int

    @property
    def widths(self) -> list[int]:
        return rendition_widths(self.width)

    def rendition(self, width: int, ext: str) -> str:
        return f"{self.hash}-{width}.{ext}"

    @property
    def original(self) -> str:
        return f"{self.hash}.png"

    def renditions(self) -> list[dict]:
        """Each width with the URLs of its WebP and JPEG files (for the JSON API)."""
        return [{"width": w, **{ext: URL_PREFIX + self.rendition(w, ext) for ext in FORMATS}}
                for w in self.widths]  # fmt: skip

    @property
    def files(self) -> list[str]:
        return [self.original] + [self.rendition(w, ext) for w in self.widths for ext in FORMATS]


def rendition_widths(width: int) -> list[int]:
    """The widths written for an image ``width`` pixels wide: never upscaled, the largest at
    most ``WIDTHS[-1]``; a small image gets its own width only."""
    widths = [w for w in WIDTHS if w < width]
    widths.append(min(width, WIDTHS[-1]))
    return sorted(set(widths))


def rendition_height(image_width: int, image_height: int, width: int) -> int:
    return max(1, round(image_height * width / image_width))


def read_source(reference: str, base_dir: Path | None = None) -> bytes:
    """The bytes of an image named in a catalog file: a path (relative to ``base_dir``) or a
    ``file://`` URL. Anything else (``http://``) is refused: import never fetches."""
    parsed = urlparse(reference)
    if parsed.scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            raise ImageRejected("only file:// URLs on this machine.")
        path = Path(unquote(parsed.path))
    elif parsed.scheme and len(parsed.scheme) > 1:  # one letter is a Windows drive
        raise ImageRejected("use a file path or a file:// URL (nothing is downloaded).")
    else:
        path = Path(reference)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ImageRejected(f"larger than {MAX_BYTES // (1024 * 1024)} MiB.")
        return path.read_bytes()
    except OSError as exc:
        raise ImageRejected(f"{exc.strerror or exc}.") from exc


def load_image(data: bytes, *, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Decode ``data`` into a clean RGB image (orientation applied, metadata gone).

    Raises ImageRejected for a file that is too big, not an accepted image type whatever its
    name, has too many pixels (checked from the header, before decoding), or is broken.
    """
    if len(data) > MAX_BYTES:
        raise ImageRejected(f"larger than {MAX_BYTES // (1024 * 1024)} MiB.")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageRejected(f"more than {max_pixels:,} pixels ({exc}).") from exc
        except UnidentifiedImageError as exc:
            raise ImageRejected(
                "not an image the shop accepts (JPEG, PNG, WebP or GIF, judged by content)."
            ) from exc
        except (OSError, SyntaxError, ValueError) as exc:
            raise ImageRejected(f"the image data is broken ({exc}).") from exc
        width, height = image.size
        if width * height > max_pixels:
            raise ImageRejected(f"{width}×{height} pixels is more than {max_pixels:,} pixels.")
        if min(width, height) < MIN_SIDE:
            raise ImageRejected(f"{width}×{height} pixels: at least {MIN_SIDE} on each side.")
        try:
            image.load()
            image = ImageOps.exif_transpose(image)
            return _flattened(image)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombWarning) as exc:
            raise ImageRejected(f"the image data is broken ({exc}).") from exc


def _flattened(image: Image.Image) -> Image.Image:
    """RGB pixels only: transparency painted on white, no ``info`` (EXIF, ICC, comments)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, "white")
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    clean = image.convert("RGB")
    clean.info = {}
    return clean


def content_hash(image: Image.Image) -> str:
    """A name for these pixels: equal pictures, equal names, whatever file they came in."""
    digest = hashlib.sha256(f"{image.mode}:{image.width}x{image.height}:".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()[:HASH_LENGTH]


def store_image(data: bytes, media_dir: str | Path, *, max_pixels: int = MAX_PIXELS) -> StoredImage:
    """Validate ``data`` and write the cleaned original plus every rendition into ``media_dir``.

    Files already there are kept (their names are content hashes); each new file is written
    to a temporary name and renamed, so a reader never sees half a file.
    """
    media_dir = Path(media_dir)
    key = (hashlib.sha256(data).hexdigest(), str(media_dir.resolve()), max_pixels)
    known = _already_stored.get(key)
    if known is not None and all((media_dir / name).exists() for name in known.files):
        return known
    image = load_image(data, max_pixels=max_pixels)
    stored = StoredImage(content_hash(image), image.width, image.height)
    media_dir.mkdir(parents=True, exist_ok=True)
    _write(media_dir / stored.original, lambda out: image.save(out, "PNG"))
    for width in stored.widths:
        resized = None
        for ext, options in FORMATS.items():
            target = media_dir / stored.rendition(width, ext)
            if target.exists():
                continue
            if resized is None:
                height = rendition_height(image.width, image.height, width)
                resized = image if width == image.width else image.resize((width, height), Image.LANCZOS)
            _write(target, lambda out, img=resized, opts=options: img.save(out, **opts))
    _already_stored[key] = stored
    return stored


#: Files this process has already validated and stored: re-importing the same catalog (the
#: demo seed, an operator's second run) skips decoding them again while their files exist.
_already_stored: dict[tuple[str, str, int], StoredImage] = {}


def _write(target: Path, save) -> None:
    if target.exists():
        return
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as handle:
            save(handle)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
