"""The main text of a leaked web page: the article, without navigation, footers and link lists.

Trafilatura finds the main content of a page that someone published or pasted a leak into;
when it finds nothing, the plain visible text (formats.html) is used instead. Nothing is
fetched and nothing is executed: the page is parsed as a string, never loaded from a URL.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree

from ..errors import InputError
from .base import Extracted, max_input_bytes
from .html import html_to_text

# pages read by trafilatura: at most so many elements, and so many children in one element
MAX_MAIN_ELEMENTS = 20_000
MAX_MAIN_CHILDREN = 2_000
MAIN_SHARE = 0.9  # main content with at least this share of the page's words is the whole page
# Elements of trafilatura's output tree that are paragraphs (or hold paragraphs); cells and
# line breaks stay inside their paragraph.
_BLOCKS = {"doc", "body", "main", "div", "head", "p", "list", "item", "table", "row", "quote", "code"}
_INLINE_BREAKS = {"cell", "lb"}
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
_HAS_ROOT = re.compile(r"<(html|body)[\s>]", re.IGNORECASE)


def html_main_text(html: str) -> str:
    """Paragraphs of the page's main content, separated by blank lines, whitespace collapsed.

    The plain visible text is used instead when trafilatura finds no main content, fails on
    the input, or keeps nearly all of the page anyway: then there was no boilerplate to drop,
    and the plain text keeps the page's blocks apart where trafilatura's last-resort
    extraction (short pages, mail bodies) runs them together.
    """
    everything = html_to_text(html)
    if not _fits_trafilatura(html):
        return everything
    main = "\n\n".join(_main_paragraphs(html))
    if main and len(main.split()) < MAIN_SHARE * len(everything.split()):
        return main
    return everything


def _fits_trafilatura(html: str) -> bool:
    """Whether the page is small enough for trafilatura, whose time grows with the square of an
    element's children (it counts a table row's cells again for every cell: a row of 160,000 cells
    took 132 s) and faster than the page elsewhere. An article has a few thousand elements; a page
    beyond these bounds is read whole by the plain extractor, whose time grows with its length."""
    from lxml import html as lxml_html

    try:
        root = lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return True          # trafilatura meets the same failure and the plain text takes over
    elements = 0
    for el in root.iter():
        elements += 1
        if elements > MAX_MAIN_ELEMENTS:
            return False
        if len(el) > MAX_MAIN_CHILDREN:
            return False
    return True


def _main_paragraphs(html: str) -> list[str]:
    import trafilatura

    if not _HAS_ROOT.search(html[:4096]):
        html = f"<html><body>{html}</body></html>"  # trafilatura rejects bare fragments
    try:
        doc = trafilatura.bare_extraction(html, include_comments=False, include_tables=True,
                                          favor_recall=True, with_metadata=False)
    except MemoryError:       # over the budget's memory: not a damaged file
        raise
    except Exception:  # noqa: BLE001 - hostile markup; the plain extractor takes over
        return []
    body = getattr(doc, "body", None)
    return _tree_paragraphs(body) if body is not None else []


def _tree_paragraphs(body: etree._Element) -> list[str]:
    """Text of trafilatura's output tree, one string per block element."""
    parts: list[str] = []
    for event, el in etree.iterwalk(body, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            parts.append("\n\n" if tag in _BLOCKS else " " if tag in _INLINE_BREAKS else "")
            parts.append(el.text or "")
        else:
            parts.append("\n\n" if tag in _BLOCKS else "")
            if el is not body:
                parts.append(el.tail or "")
    paragraphs = (" ".join(block.split()) for block in "".join(parts).split("\n\n"))
    return [p for p in paragraphs if p]


def extract_html(data: bytes, name: str) -> Extracted:
    """A leaked web page (bytes as saved) read as its main text; refuses binary and empty input."""
    if len(data) > max_input_bytes():
        raise InputError(f"{name}: over the input limit of {max_input_bytes() / 1048576:.0f} MB")
    html, notes = decode_html(data, name)
    text = html_main_text(html)
    if not text.strip():
        raise InputError(f"{name}: has no readable text")
    return Extracted(text=text, format="html", name=name, notes=tuple(notes), readers=("html",))


def decode_html(data: bytes, name: str) -> tuple[str, list[str]]:
    """The page as text, in the encoding its byte-order mark or <meta charset> declares, else
    UTF-8, else Windows-1252 (what browsers assume for undeclared legacy pages)."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace"), []
    if b"\x00" in data[:65536]:
        raise InputError(f"{name}: looks like a binary file (it contains NUL bytes), not a web page")
    declared = _declared_charset(data)
    if declared:
        return data.decode(declared, errors="replace"), []
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), [
            "no character set declared and not UTF-8; decoded as Windows-1252"]


def _declared_charset(data: bytes) -> str | None:
    """The Python codec of the page's <meta charset>, if it names one Python knows."""
    m = _META_CHARSET.search(data[:4096])
    codec = text_codec(m.group(1).decode("ascii")) if m else None
    # a page that got this far has no UTF-16 byte-order mark, so a UTF-16 label is wrong (as
    # browsers also assume)
    return "utf-8" if codec and codec.startswith(("utf-16", "utf-32")) else codec


# Python codecs that turn bytes into str but are no character set a file can be written in:
# they fail on ordinary bytes (idna, punycode, undefined) or rewrite backslashes (the escapes)
_NOT_CHARSETS = {"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape"}


def text_codec(charset: str) -> str | None:
    """The Python codec for a charset label, if Python knows it as a character set (a label
    such as "base64", "zlib", "idna" or "undefined" names a codec that is not one)."""
    try:
        info = codecs.lookup(charset)
    except (LookupError, ValueError):
        return None
    name = info.name.replace("_", "-")
    return info.name if info._is_text_encoding and name not in _NOT_CHARSETS else None
