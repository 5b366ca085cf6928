"""catalog.images: files judged by content, bounded before decoding, cleaned, rendered."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from catalog.images import (
    FILE_NAME,
    ImageRejected,
    content_hash,
    load_image,
    read_source,
    rendition_widths,
    store_image,
)


def encoded(size=(900, 600), fmt="JPEG", colour=(40, 120, 90), **options) -> bytes:
    image = Image.new("RGB", size, colour)
    image.paste((200, 60, 30), (size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2))
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width``×``height`` pixels and carries a few bytes of data: what a
    decompression bomb looks like before anything is decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def test_a_text_file_named_jpg_is_refused(tmp_path):
    fake = tmp_path / "shoe.jpg"
    fake.write_bytes(b"<html>definitely not a picture</html>")
    with pytest.raises(ImageRejected, match="not an image"):
        store_image(read_source(str(fake)), tmp_path / "media")
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").iterdir())


def test_the_type_comes_from_the_content_not_the_name(tmp_path):
    png_named_jpg = tmp_path / "photo.jpg"
    png_named_jpg.write_bytes(encoded(fmt="PNG"))
    assert store_image(read_source(str(png_named_jpg)), tmp_path / "media").width == 900


def test_a_bomb_is_refused_from_its_header_before_decoding(tmp_path):
    with pytest.raises(ImageRejected, match="pixels"):
        load_image(png_header_only(100_000, 100_000))
    with pytest.raises(ImageRejected, match="pixels"):
        load_image(encoded((600, 400)), max_pixels=200_000)


@pytest.mark.parametrize("data, message", [
    (b"", "not an image"),
    (encoded()[:300], "broken"),
    (encoded((10, 400)), "at least"),
    (encoded(fmt="BMP"), "not an image"),  # a real image, but not a type the shop accepts
])  # fmt: skip
def test_empty_truncated_tiny_and_unaccepted_files_are_refused(data, message):
    with pytest.raises(ImageRejected, match=message):
        load_image(data)


def test_exif_is_removed_and_its_orientation_applied(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif[0x010F] = "SecretCam"  # make
    data = encoded((900, 600), exif=exif.tobytes())
    assert b"SecretCam" in data

    stored = store_image(data, tmp_path)

    assert (stored.width, stored.height) == (600, 900)  # turned upright
    for name in stored.files:
        raw = (tmp_path / name).read_bytes()
        assert b"SecretCam" not in raw and b"Exif" not in raw
        with Image.open(tmp_path / name) as written:
            assert not written.getexif()


def test_renditions_are_webp_and_jpeg_at_three_widths_never_upscaled(tmp_path):
    stored = store_image(encoded((1600, 1200)), tmp_path)
    assert stored.widths == [320, 640, 1280]
    for width in stored.widths:
        for ext, fmt in (("webp", "WEBP"), ("jpg", "JPEG")):
            with Image.open(tmp_path / stored.rendition(width, ext)) as image:
                assert image.format == fmt
                assert image.size == (width, width * 3 // 4)
    assert rendition_widths(800) == [320, 640, 800]
    assert rendition_widths(200) == [200]
    small = store_image(encoded((200, 150)), tmp_path)
    with Image.open(tmp_path / small.rendition(200, "jpg")) as image:
        assert image.size == (200, 150)


def test_names_are_content_hashes_stable_across_files_and_runs(tmp_path):
    png, same_pixels_as_webp = encoded(fmt="PNG"), encoded(fmt="WEBP", lossless=True)
    first = store_image(png, tmp_path / "a")
    assert store_image(png, tmp_path / "b") == first
    assert store_image(same_pixels_as_webp, tmp_path / "c").hash == first.hash
    assert store_image(encoded(fmt="PNG", colour=(0, 0, 0)), tmp_path / "d").hash != first.hash
    assert content_hash(load_image(png)) == first.hash
    assert (tmp_path / "a" / first.original).read_bytes() == (tmp_path / "b" / first.original).read_bytes()
    assert all(FILE_NAME.fullmatch(name) for name in first.files)
    # the stored original imports back to the same name (export, then import elsewhere)
    assert store_image((tmp_path / "a" / first.original).read_bytes(), tmp_path / "e") == first


def test_transparency_is_painted_white(tmp_path):
    image = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    stored = store_image(out.getvalue(), tmp_path)
    with Image.open(tmp_path / stored.rendition(320, "jpg")) as jpeg:
        assert jpeg.convert("RGB").getpixel((10, 10)) >= (250, 250, 250)


@pytest.mark.parametrize(
    "reference", ["http://example.com/a.jpg", "https://example.com/a.jpg", "file://elsewhere/a.jpg"]
)
def test_only_files_on_disk_are_read(reference):
    with pytest.raises(ImageRejected):
        read_source(reference)


def test_file_urls_and_relative_paths_are_read(tmp_path):
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "a b.png").write_bytes(b"data")
    assert read_source((tmp_path / "pics" / "a b.png").as_uri()) == b"data"
    assert read_source("pics/a b.png", tmp_path) == b"data"
    with pytest.raises(ImageRejected, match="No such file"):
        read_source("pics/missing.png", tmp_path)
