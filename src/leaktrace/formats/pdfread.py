"""Text of a leaked PDF: the text layer of every page, in paragraphs, and the copy stamp.

pypdf reads the text layer; the lines it gives are regrouped into paragraphs from their
positions on the page: a wider gap, a change of font size, an indented first line or a
short last line ends a paragraph. Pages without a text layer (scans) are rendered with pdfium, without forms
or scripts, and read by OCR when pypdfium2 is installed.
"""

from __future__ import annotations

import io
import itertools
import math
import re
import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import budget
from ..errors import InputError
from ..models import Page
from .base import STAMP_PDF_KEY, Extracted, max_input_bytes
from .image import OCR_NOTE, max_image_pixels, ocr_page, short_reason

if TYPE_CHECKING:
    from pypdf import PageObject, PdfReader

DEFAULT_MAX_PAGES = budget.Budget.pages
OCR_DPI = 300
ENCRYPTED = "is encrypted; leaktrace does not read protected PDFs — ask for an unprotected copy"
# a line step within this band of the usual one continues a paragraph
_STEP_BAND = (0.6, 1.25)
_ENDS_SENTENCE = re.compile(r"""[.!?:;)"”’»]\s*$""")


def max_pages() -> int:
    """The page limit of the budget in force (leaktrace.budget)."""
    return budget.current().pages


def extract_pdf(data: bytes, name: str) -> Extracted:
    """The text of a PDF, pages separated by blank lines; refuses encrypted, malformed and
    over-long files, and scans that cannot be read by OCR."""
    if len(data) > max_input_bytes():
        raise InputError(f"{name}: over the input limit of {max_input_bytes() / 1048576:.0f} MB")
    if b"%PDF-" not in data[:1024]:
        raise InputError(f"{name}: is not a PDF (no %PDF header)")
    reader, notes = _open(data, name)
    texts: list[str] = []
    for i in range(len(reader.pages)):
        budget.check(name)
        try:
            texts.append(page_text(reader.pages[i]))
        except MemoryError:       # over the budget's memory: not a damaged file
            raise
        except Exception as e:  # noqa: BLE001 - a damaged page; the others are still evidence
            texts.append("")
            notes.append(f"page {i + 1} could not be read ({short_reason(e)})")
    readers = ["pdf-text"] if any(texts) else []
    pages: list[Page] = []
    laid_out = [i for i, text in enumerate(texts) if text]
    if not all(texts):
        texts, ocr_notes, ocr_readers, pages = _read_blank_pages_by_ocr(data, name, texts)
        notes += ocr_notes
        readers += ocr_readers
    # where the words stand on the pages that have a text layer (the layout marks are read there)
    pages = sorted([*pages, *_text_layer_pages(data, laid_out)], key=lambda p: p.number)
    text = "\n\n".join(t for t in texts if t)
    if not text:
        raise InputError(f"{name}: has no text layer and OCR found no text on its pages")
    return Extracted(text=text, format="pdf", name=name, stamps=_stamps(reader), notes=tuple(notes),
                     readers=tuple(readers), pages=tuple(pages))


def _open(data: bytes, name: str) -> tuple[PdfReader, list[str]]:
    """A reader for the PDF, decrypted when it only has an owner password, with its page count
    checked; notes say what was unusual."""
    from pypdf import PdfReader

    notes: list[str] = []
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            if not _decrypts_without_password(reader):
                raise InputError(f"{name}: {ENCRYPTED}")
            notes.append("restricted by an owner password (it opens without one); read as usual")
        count = len(reader.pages)
    except InputError:
        raise
    except MemoryError:       # over the budget's memory: not a damaged file
        raise
    except Exception as e:  # noqa: BLE001 - malformed or hostile structure
        raise InputError(f"{name}: is a damaged or unreadable PDF ({short_reason(e)})") from None
    if count == 0:
        raise InputError(f"{name}: has no pages")
    if count > max_pages():
        raise InputError(f"{name}: has {count} pages, over the limit of {max_pages()} "
                         "(set LEAKTRACE_MAX_PAGES to change it)")
    return reader, notes


def _decrypts_without_password(reader: PdfReader) -> bool:
    """True for PDFs that any viewer opens without asking (an empty user password)."""
    try:
        return bool(reader.decrypt(""))
    except MemoryError:       # over the budget's memory: not a damaged file
        raise
    except Exception:  # noqa: BLE001 - an unsupported scheme counts as protected
        return False


def _stamps(reader: PdfReader) -> tuple[str, ...]:
    """The copy stamp in the document information, if there is one and it is a string."""
    try:
        value = (reader.metadata or {}).get(STAMP_PDF_KEY)
        value = value.get_object() if hasattr(value, "get_object") else value
    except MemoryError:       # over the budget's memory: not a damaged file
        raise
    except Exception:  # noqa: BLE001 - a damaged information dictionary carries no stamp
        return ()
    return (str(value).strip(),) if isinstance(value, str) and value.strip() else ()


def _pages(indexes: list[int]) -> str:
    numbers = ", ".join(str(i + 1) for i in indexes[:20]) + (" …" if len(indexes) > 20 else "")
    return f"page {numbers}" if len(indexes) == 1 else f"pages {numbers}"


@dataclass
class _Line:
    """One line of a page as pypdf extracts it, with where its first glyphs sit."""

    text: str = ""
    x: float = 0.0
    y: float = 0.0
    size: float = 0.0
    placed: bool = False


def page_text(page: PageObject) -> str:
    """The text of one page as paragraphs separated by blank lines, lines of a paragraph
    joined with spaces. Runs with no letter or digit (list bullets drawn apart) are left out."""
    paragraphs: list[list[_Line]] = []
    lines = _page_lines(page)
    step = _usual_step(lines)
    for line, previous in zip(lines, [None, *lines]):
        if not line.text.strip():
            continue
        if not (previous and previous.text.strip()) or _starts_paragraph(paragraphs[-1], line, step):
            paragraphs.append([])
        paragraphs[-1].append(line)
    texts = (" ".join(" ".join(line.text for line in p).split()) for p in paragraphs)
    return "\n\n".join(t for t in texts if any(ch.isalnum() for ch in t))


def _page_lines(page: PageObject) -> list[_Line]:
    lines = [_Line()]

    def visit(text: str, cm: list[float], tm: list[float], font: object, font_size: float) -> None:
        for k, piece in enumerate(text.split("\n")):
            if k:
                lines.append(_Line())
            line = lines[-1]
            if piece.strip() and not line.placed:
                line.x, line.y, line.size = _place(cm, tm, font_size)
                line.placed = True
            line.text += piece

    page.extract_text(visitor_text=visit)
    return lines


def _place(cm: list[float], tm: list[float], font_size: float) -> tuple[float, float, float]:
    """Page position of a text run and its font size on the page (text matrix × CTM)."""
    a, b, c, d = (tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3],
                  tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
    x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
    y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
    return x, y, font_size * math.sqrt(abs(a * d - b * c))


def _usual_step(lines: list[_Line]) -> float | None:
    """The usual vertical step from one line to the next on this page (signed), if any."""
    steps = [b.y - a.y for a, b in itertools.pairwise(lines)
             if a.placed and b.placed and 0.8 * a.size <= abs(b.y - a.y) <= 3 * a.size]
    return statistics.median(steps) if steps else None


def _starts_paragraph(paragraph: list[_Line], line: _Line, step: float | None) -> bool:
    """Whether a line begins a new paragraph after the lines of the current one."""
    previous = paragraph[-1]
    if not (previous.placed and line.placed):
        return False
    if abs(line.size - previous.size) > 0.15 * max(line.size, previous.size):
        return True  # a heading and its text
    if step and not _STEP_BAND[0] <= (line.y - previous.y) / step <= _STEP_BAND[1]:
        return True  # the space between paragraphs, or a jump to another column
    if not _ENDS_SENTENCE.search(previous.text):
        return False
    # with no space between paragraphs: an indented first line, or a last line that stops
    # well short of the paragraph's width
    indented = line.x - previous.x > 0.8 * line.size
    widest = max(len(p.text.strip()) for p in paragraph)
    return indented or len(previous.text.strip()) < 0.7 * widest


def _read_blank_pages_by_ocr(data: bytes, name: str,
                             texts: list[str]) -> tuple[list[str], list[str], list[str], list[Page]]:
    """The page texts with those of pages without a text layer read by OCR, the notes and
    readers that adds, and the page images OCR read. Refuses a PDF that has no text at all when
    OCR cannot run."""
    missing = [i for i, text in enumerate(texts) if not text]
    has_text = len(missing) < len(texts)
    b = budget.current()
    if len(missing) > b.ocr_pages and _ocr_available():
        # each page costs seconds of OCR: refused before any is spent
        raise b.exceeded("ocr_pages", f"{name}: {len(missing):,} pages have no text layer and would be "
                         "read by OCR")
    ocr = _ocr_pages(data, name, missing)
    if ocr is None:
        if not has_text:
            raise InputError(f"{name}: has no text layer (it looks scanned); export its pages as "
                             "PNG images and read those, which uses OCR")
        unread = f"{_pages(missing)}: no text layer; not read (install pypdfium2 to read them by OCR)"
        return texts, [unread], [], []
    found, images, problem = ocr
    if problem and not has_text:
        raise InputError(problem)
    read = [i for i in missing if found.get(i)]
    texts = [found.get(i) or text for i, text in enumerate(texts)]
    notes = [f"{_pages(read)}: no text layer; read by OCR", OCR_NOTE] if read else []
    empty = [i for i in missing if i in found and not found[i]]
    if empty and not problem:
        notes.append(f"{_pages(empty)}: no text layer, and OCR found no text on {'it' if len(empty) == 1 else 'them'}")
    if problem:
        notes.append(f"OCR stopped: {problem}")
    return texts, notes, ["ocr"] if read else [], [images[i] for i in read]


GEOMETRY_SCALE = 20    # word boxes of a text layer in 1/20 pt: the layout marks move words by 0.5 pt


def _text_layer_pages(data: bytes, indexes: list[int]) -> list[Page]:
    """The words of the text layer of the given pages with their ink boxes and lines, as pdfium
    places the glyphs; nothing when pypdfium2 is missing or the geometry cannot be read (the
    text is read all the same: only the layout marks go unread)."""
    if not indexes:
        return []
    try:
        import pypdfium2 as pdfium
    except ImportError:
        return []
    out: list[Page] = []
    try:
        pdf = pdfium.PdfDocument(data)
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - pdfium refuses what pypdf tolerated: no geometry
        return []
    try:
        for i in indexes:
            budget.check("pdf")
            page = pdf[i]
            try:
                out.append(_words_of(page.get_textpage(), page.get_width(), page.get_height(), i + 1))
            finally:
                page.close()
    except MemoryError:
        raise
    except InputError:
        raise
    except Exception:  # noqa: BLE001 - damaged page geometry: the layout marks go unread
        return out
    finally:
        pdf.close()
    return out


def _words_of(tp, width: float, height: float, number: int) -> Page:
    """A page's words: runs of characters between spaces and line ends, each with the box of its
    glyphs (pdfium's glyph boxes, y measured down from the top, in 1/GEOMETRY_SCALE pt)."""
    from ..models import WordBox

    k = GEOMETRY_SCALE
    words: list[WordBox] = []
    chars: list[str] = []
    boxes: list[tuple[float, float, float, float]] = []
    line = 0

    def flush():
        if chars:
            left, right = min(b[0] for b in boxes), max(b[2] for b in boxes)
            top, bottom = height - max(b[3] for b in boxes), height - min(b[1] for b in boxes)
            words.append(WordBox("".join(chars), round(left * k), round(top * k), round((right - left) * k),
                                 round((bottom - top) * k), 1.0, line))
            chars.clear()
            boxes.clear()

    text = tp.get_text_range()
    for j, ch in enumerate(text[:tp.count_chars()]):
        if ch in "\r\n":
            flush()
            if ch == "\n" or (ch == "\r" and text[j + 1:j + 2] != "\n"):
                line += 1
            continue
        if ch.isspace():
            flush()
            continue
        chars.append(ch)
        boxes.append(tp.get_charbox(j))
    flush()
    return Page(number, round(width * k), round(height * k), tuple(words))


def _ocr_available() -> bool:
    try:
        import pypdfium2  # noqa: F401
    except ImportError:
        return False
    return True


def _ocr_pages(data: bytes, name: str,
               indexes: list[int]) -> tuple[dict[int, str], dict[int, Page], str | None] | None:
    """OCR text and page images (with word boxes) of the given pages, rendered at 300 dpi (less
    for huge pages), and what stopped OCR early if something did; None when pypdfium2 is not
    installed."""
    try:
        import pypdfium2 as pdfium
    except ImportError:
        return None
    texts: dict[int, str] = {}
    pages: dict[int, Page] = {}
    try:
        pdf = pdfium.PdfDocument(data)
    except MemoryError:       # over the budget's memory: not a damaged file
        raise
    except Exception as e:  # noqa: BLE001 - pdfium refuses what pypdf tolerated
        return texts, pages, f"{name}: cannot be rendered for OCR ({short_reason(e)})"
    try:
        for i in indexes:
            budget.check(name)
            page = pdf[i]
            width, height = page.get_size()
            scale = min(OCR_DPI / 72, math.sqrt(max_image_pixels() / max(1.0, width * height)))
            texts[i], pages[i] = ocr_page(page.render(scale=scale).to_pil(), f"{name} page {i + 1}", i + 1)
    except budget.BudgetExceeded:
        raise
    except InputError as e:
        return texts, pages, str(e)
    except MemoryError:       # over the budget's memory: not a damaged file
        raise
    except Exception as e:  # noqa: BLE001
        return texts, pages, f"{name} page {i + 1}: cannot be rendered for OCR ({short_reason(e)})"
    finally:
        pdf.close()
    return texts, pages, None
