"""WooCommerce's ``Images`` cells through the shop's image pipeline (``catalog.images``).

A WooCommerce export names its pictures by URL (its own media library), a hand-made file
often by path. Paths (relative to the CSV's folder) and ``file://`` URLs are read like the
shop's own import does; ``http(s)://`` URLs are downloaded with a deadline and a byte limit,
so a slow or huge server cannot stall or fill the machine. A picture that cannot be had is a
warning for its row, never a failed import: the catalog moves in, and the operator fixes the
picture later. ``Product.image_refs`` keeps the references as written, for the export back.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from . import woocommerce as woo
from .images import MAX_BYTES, ImageRejected, StoredImage, read_source, store_image

DOWNLOAD_TIMEOUT = 10.0  # seconds for the whole download, not per read
CHUNK = 64 * 1024


def download(url: str, *, timeout: float = DOWNLOAD_TIMEOUT, max_bytes: int = MAX_BYTES) -> bytes:
    """The body at ``url``; ImageRejected with the reason when it cannot be had in
    ``timeout`` seconds or is larger than ``max_bytes`` (checked before and while reading)."""
    too_big = ImageRejected(f"larger than the limit of {max_bytes:,} bytes.")
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers={"User-Agent": "shop-catalog-import"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise too_big
            data = bytearray()
            while chunk := response.read(CHUNK):
                data += chunk
                if len(data) > max_bytes:
                    raise too_big
                if time.monotonic() > deadline:
                    raise TimeoutError
            return bytes(data)
    except ImageRejected:
        raise
    except urllib.error.HTTPError as exc:
        raise ImageRejected(f"the server answered {exc.code} {exc.reason}.") from exc
    except TimeoutError as exc:
        raise ImageRejected(f"no complete answer within {timeout:g} s.") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise ImageRejected(f"no complete answer within {timeout:g} s.") from exc
        raise ImageRejected(f"unreachable ({exc.reason}).") from exc
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise ImageRejected(f"the download failed ({exc}).") from exc


@dataclass
class ImageFetcher:
    """Stores each reference once per import (a URL shared by two products is fetched once)
    and collects a warning per failed reference and row."""

    media_dir: Path
    base_dir: Path | None = None
    timeout: float = DOWNLOAD_TIMEOUT
    max_bytes: int = MAX_BYTES
    warnings: list[str] = field(default_factory=list)
    stored: int = 0  # references that became pictures
    _seen: dict[str, StoredImage | ImageRejected] = field(default_factory=dict)

    def product_images(self, source: woo.Product) -> list[StoredImage]:
        """The product's pictures in gallery order (see ``image_refs``)."""
        pictures = []
        for ref, line in image_refs(source):
            result = self.fetch(ref)
            if isinstance(result, ImageRejected):
                self.warnings.append(str(woo.Problem(line, "Images", f"{ref}: {result}")))
            else:
                self.stored += 1
                pictures.append(result)
        return list(dict.fromkeys(pictures))

    def fetch(self, ref: str) -> StoredImage | ImageRejected:
        if ref not in self._seen:
            try:
                if urlparse(ref).scheme.lower() in ("http", "https"):
                    data = download(ref, timeout=self.timeout, max_bytes=self.max_bytes)
                else:
                    data = read_source(ref, self.base_dir)
                self._seen[ref] = store_image(data, self.media_dir)
            except ImageRejected as exc:
                self._seen[ref] = exc
        return self._seen[ref]


def image_refs(source: woo.Product) -> list[tuple[str, int | None]]:
    """Each picture the product's rows name, once, with the line that first names it:
    the product's own, then its variations'."""
    refs = [(ref, source.line) for ref in source.images]
    refs += [(ref, variant.line or source.line) for variant in source.variants
             for ref in variant.images]  # fmt: skip
    first: dict[str, int | None] = {}
    for ref, line in refs:
        first.setdefault(ref, line)
    return list(first.items())
