"""Reading leaked images by OCR, and refusing images that are damaged, tiny or too large."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
import requires
from requires import need_tesseract
from PIL import Image, ImageDraw, ImageFont
from rapidfuzz import fuzz

from leaktrace.formats.image import extract_image, tidy_ocr_text

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
LINES = [
    "The Northwind Harbour Authority will close the",
    "eastern quay for six weeks of dredging, and the",
    "Gull Island ferry will sail from the western pier.",
]
SENTENCE = " ".join(LINES)


def picture(lines: list[str], *, ink: str = "black", paper: str = "white", size: tuple[int, int] | None = None,
            fmt: str = "PNG") -> bytes:
    """A screenshot-like picture of the lines, at a size Tesseract reads well."""
    font = ImageFont.truetype(FONT, 28)
    img = Image.new("RGB", size or (860, 40 + 42 * len(lines)), paper)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((24, 20 + 42 * i), line, fill=ink, font=font)
    out = io.BytesIO()
    img.save(out, fmt)
    return out.getvalue()


def refusal(data: bytes, name: str = "leak.png") -> str:
    return requires.refusal(extract_image, data, name)


def test_a_screenshot_is_read_by_ocr_as_one_paragraph():
    need_tesseract()
    got = extract_image(picture(LINES), "leak.png")
    assert fuzz.ratio(got.text, SENTENCE) >= 90
    assert got.format == "image" and got.readers == ("ocr",) and "read by OCR" in got.notes[0]


def test_a_dark_mode_jpeg_is_read_too():
    need_tesseract()
    got = extract_image(picture(LINES, ink="#e8e8e8", paper="#1e1f22", fmt="JPEG"), "leak.jpg")
    assert fuzz.ratio(got.text, SENTENCE) >= 90


def test_ocr_text_joins_lines_undoes_line_end_hyphens_and_keeps_paragraphs():
    raw = "The board asked for infor-\nmation on the\nquay works.\n\nA well-known  crew\nstarts in April -\nnot May.\n\f"
    assert tidy_ocr_text(raw) == ("The board asked for information on the quay works.\n\n"
                                  "A well-known crew starts in April - not May.")


def test_a_tiny_image_is_refused_before_ocr():
    assert "too small to read" in refusal(picture(["Quay"], size=(80, 30)))


@pytest.mark.parametrize("data, says", [
    (picture(LINES)[:400], "damaged image"),
    (b"\x89PNG\r\n\x1a\n" + bytes(300), "damaged image"),
    (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\n", "is not an image leaktrace reads"),
    (b"just some words, not a picture", "is not an image leaktrace reads"),
])
def test_damaged_and_unsupported_images_are_refused_in_one_line(data, says):
    assert says in refusal(data)


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares its size and nothing else: what a decompression bomb starts with."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_refused_from_its_header():
    assert "over the limit of 50 megapixels" in refusal(png_header(100_000, 100_000))


def test_an_image_over_the_configured_pixel_limit_is_refused(monkeypatch):
    monkeypatch.setenv("LEAKTRACE_MAX_IMAGE_MPIX", "0.1")
    assert "860×166 pixels the image is over the limit of 0.1 megapixels" in refusal(picture(LINES))


def test_missing_tesseract_is_named_with_how_to_install_it(monkeypatch):
    import pytesseract

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    assert "OCR needs Tesseract: install the Debian packages tesseract-ocr" in refusal(picture(LINES))
