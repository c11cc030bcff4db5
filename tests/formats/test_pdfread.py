"""Reading leaked PDFs: paragraphs, the copy stamp, and refusal of what cannot be read."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable

import pytest
import requires
from requires import need_tesseract
from pypdf import PdfReader, PdfWriter

from leaktrace.formats.base import STAMP_PDF_KEY
from leaktrace.formats.pdfread import extract_pdf

TITLE = "Eastern quay works, spring season"
PARAGRAPHS = [
    ("The Northwind Harbour Authority will close the eastern quay for six weeks of dredging "
     "from the second week of April. Crews from the Marlow and Finch yard will work two shifts "
     "a day, and the Gull Island ferry will sail from the western pier while the work lasts."),
    ("Costs are expected to stay below the figure the board approved in March. A contingency "
     "of eight percent remains available; any draw on it is reported to the finance committee "
     "within five working days."),
    "Fishing crews keep their berths on the northern mole throughout.",
]
SECOND_PAGE = "Annex: the tide tables for April are kept by the harbour master's office."


def render(body: str) -> bytes:
    """A PDF laid out by WeasyPrint from an HTML body written for the test."""
    from weasyprint import HTML

    css = "<style>body { font-family: 'DejaVu Serif'; font-size: 11pt; }</style>"
    return HTML(string=f"<html><head>{css}</head><body>{body}</body></html>").write_pdf()


@pytest.fixture(scope="module")
def memo_pdf() -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return render(f"<h1>{TITLE}</h1>{paragraphs}"
                  f"<p style='page-break-before: always'>{SECOND_PAGE}</p>")


def rewrite(pdf: bytes, change: Callable[[PdfWriter], object]) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def refusal(data: bytes, name: str = "leak.pdf") -> str:
    return requires.refusal(extract_pdf, data, name)


def test_paragraphs_and_pages_come_back_as_blank_line_separated_paragraphs(memo_pdf):
    got = extract_pdf(memo_pdf, "leak.pdf")
    assert got.text == "\n\n".join([TITLE, *PARAGRAPHS, SECOND_PAGE])
    assert got.format == "pdf" and got.readers == ("pdf-text",) and got.stamps == () and got.notes == ()


def test_paragraphs_without_space_between_them_split_at_indent_or_short_last_line():
    tight = "margin: 0; text-indent: {}"
    body = "".join(f"<p style='{tight.format(indent)}'>{p}</p>"
                   for p, indent in zip(PARAGRAPHS[:2], ("0", "2em")))
    assert extract_pdf(render(body + f"<p style='margin: 0'>{PARAGRAPHS[2]}</p>"), "t.pdf").text == \
        "\n\n".join(PARAGRAPHS)


def test_a_blank_page_costs_at_most_a_note_even_when_ocr_cannot_run(memo_pdf, monkeypatch):
    import pytesseract

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    got = extract_pdf(rewrite(memo_pdf, lambda w: w.add_blank_page()), "leak.pdf")
    assert got.text == "\n\n".join([TITLE, *PARAGRAPHS, SECOND_PAGE]) and got.readers == ("pdf-text",)
    assert len(got.notes) == 1 and "page 3" in got.notes[0]


def test_copy_stamp_in_the_document_information_is_found(memo_pdf):
    stamped = rewrite(memo_pdf, lambda w: w.add_metadata({STAMP_PDF_KEY: "lt1.CABCDEFGH.0123456789abcdef0123"}))
    assert extract_pdf(stamped, "leak.pdf").stamps == ("lt1.CABCDEFGH.0123456789abcdef0123",)


def test_a_pdf_that_needs_a_password_is_refused(memo_pdf):
    locked = rewrite(memo_pdf, lambda w: w.encrypt("tide-2024", algorithm="AES-256"))
    assert "is encrypted; leaktrace does not read protected PDFs" in refusal(locked)


def test_a_pdf_restricted_only_by_an_owner_password_is_read_with_a_note(memo_pdf):
    restricted = rewrite(memo_pdf, lambda w: w.encrypt("", "owner-secret", algorithm="AES-128"))
    got = extract_pdf(restricted, "leak.pdf")
    assert got.text.startswith(TITLE) and any("owner password" in n for n in got.notes)


@pytest.mark.parametrize("damage, says", [
    (lambda pdf: pdf[: len(pdf) // 2], "damaged or unreadable PDF"),
    (lambda pdf: b"%PDF-1.7\n" + bytes(range(256)) * 40, "damaged or unreadable PDF"),
    (lambda pdf: b"GIF89a" + pdf[6:], "is not a PDF"),
])
def test_damaged_and_false_pdfs_are_refused_in_one_line(memo_pdf, damage, says):
    assert says in refusal(damage(memo_pdf))


def test_a_pdf_over_the_page_limit_is_refused(memo_pdf, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_MAX_PAGES", "1")
    assert "has 2 pages, over the limit of 1" in refusal(memo_pdf)


def scanned_pdf() -> bytes:
    """A page with no text layer: a picture of text, as a scanner makes."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", 36)
    page = Image.new("L", (1654, 2339), "white")  # A4 at 200 dpi
    ImageDraw.Draw(page).text((160, 200), "The eastern quay closes for six weeks.", fill="black", font=font)
    out = io.BytesIO()
    page.save(out, "PDF", resolution=200)
    return out.getvalue()


def test_a_scanned_pdf_is_read_by_ocr():
    pytest.importorskip("pypdfium2")
    need_tesseract()
    got = extract_pdf(scanned_pdf(), "scan.pdf")
    assert got.text == "The eastern quay closes for six weeks."
    assert got.readers == ("ocr",) and any("read by OCR" in n for n in got.notes)


def test_a_scanned_pdf_without_the_renderer_is_refused_with_what_to_do(monkeypatch):
    monkeypatch.setitem(sys.modules, "pypdfium2", None)  # import fails as if not installed
    assert "has no text layer" in refusal(scanned_pdf(), "scan.pdf")
