"""Readers and writers per file type.

Originals: `read_document` turns a .txt, .md, .html, .docx or .pdf file into the document's
text (with declared markup) and, for structured files, keeps the file as the template that
copies are written from. Copies: `CopyWriter` writes one recipient's copy in the original's
format, or as PDF or e-mail. Leaks: `extract_leak` reads any supported artifact (text, HTML
page, PDF, Word file, e-mail, photograph or scan) into text, with the copy stamps it carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import budget
from ..errors import InputError
from .base import DEFAULT_MAX_MB, Extracted, max_input_bytes  # noqa: F401  (re-exported)


@dataclass(frozen=True)
class Source:
    text: str
    format: str  # txt md html docx pdf
    name: str
    blob: bytes | None = None   # the original file, for formats whose copies are written from it
    encoding: str | None = None  # how a text file's bytes were read


FORMATS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
           ".docx": "docx", ".pdf": "pdf"}
LEAK_FORMATS = {**FORMATS, ".xhtml": "html", ".eml": "eml", ".png": "image", ".jpg": "image",
                ".jpeg": "image", ".tif": "image", ".tiff": "image", ".webp": "image", ".gif": "image",
                ".bmp": "image"}
# what a copy of a document in each format can be written as (the first is the default)
# the formats a copy can be written in, per original format; the first is the default
COPY_FORMATS = {"txt": ("txt", "pdf", "eml"), "md": ("md", "pdf", "eml", "docx", "html", "txt"),
                "html": ("html", "pdf", "eml"), "docx": ("docx", "pdf", "eml"), "pdf": ("pdf", "txt", "eml")}
# why the others cannot be: a copy must say exactly what the original says, laid out as it is
NO_COPY_AS = {
    ("txt", "md"): "plain text read as Markdown can change what it says (*, _, # and indentation mean something there)",
    ("html", "docx"): "a page's layout, links and images have no faithful Word form here",
    ("html", "md"): "a page's layout, links and images have no faithful Markdown form here",
    ("docx", "html"): "a Word file's styles, tables, headers and images have no faithful HTML form here",
    ("docx", "md"): "a Word file's styles, tables, headers and images have no faithful Markdown form here",
}


def read_file_bytes(path: Path) -> bytes:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    limit = max_input_bytes()
    size = path.stat().st_size
    if size > limit:
        raise InputError(f"{path}: {size / 1048576:.1f} MB is over the input limit of "
                         f"{limit / 1048576:.0f} MB (set LEAKTRACE_MAX_INPUT_MB to change it)")
    try:
        with path.open("rb") as f:
            return f.read(limit + 1)
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror})") from None


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str          # as Python names it: utf-8, utf-8-sig, utf-16, cp1252, ...

    @property
    def note(self) -> str | None:
        """What a reader should know about how the bytes were read, when not plain UTF-8."""
        if self.encoding in ("utf-8", "ascii"):
            return None
        if self.encoding in ("utf-8-sig", "utf-16", "utf-32"):
            return f"read as {self.encoding} (its byte-order mark says so)"
        return f"read as {self.encoding} (detected; the file is not UTF-8)"


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
MAX_CHAOS = 0.2   # share of odd characters (charset-normalizer's measure) above which bytes are not text


def decode(data: bytes, name: str) -> Decoded:
    """Text in the encoding its bytes carry: UTF-8, a byte-order mark's, else the one
    charset-normalizer detects (a leak saved on Windows is cp1252, not garbage). Newlines are
    normalized; refuses empty input and what cannot be text in any encoding."""
    if len(data) > max_input_bytes():
        raise InputError(f"{name}: over the input limit of {max_input_bytes() / 1048576:.0f} MB")
    bom = next((enc for mark, enc in _BOMS if data.startswith(mark)), None)
    try:
        if bom is not None:
            decoded = Decoded(data.decode(bom), bom)
        elif b"\x00" in data:
            raise UnicodeError
        else:
            decoded = Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeError:
        decoded = _detected(data, name)
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise InputError(f"{name}: looks like a binary file (it contains NUL characters), not text")
    if not text.strip():
        raise InputError(f"{name}: is empty")
    return Decoded(text, decoded.encoding)


def _detected(data: bytes, name: str) -> Decoded:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.chaos > MAX_CHAOS:
        if b"\x00" in data:
            raise InputError(f"{name}: looks like a binary file (it contains NUL bytes), not text")
        raise InputError(f"{name}: cannot be read as text in any encoding (it may be a binary file)")
    encoding = best.encoding
    if encoding != "cp1252" and "cp1252" in best.could_be_from_charset:
        # the same bytes read alike in several Windows code pages: Western text is far more
        # often cp1252 (curly quotes, dashes, accented letters of Western languages)
        encoding = "cp1252"
        return Decoded(data.decode("cp1252"), encoding)
    return Decoded(str(best), encoding.replace("_", "-"))


def decode_text(data: bytes, name: str) -> str:
    """The text of a file (see decode), without the encoding it was read in."""
    return decode(data, name).text


def read_document(path: Path) -> Source:
    """A registered original read within the budget (leaktrace.budget): its size, its words, and
    the time and memory its reading takes."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise InputError(f"{path}: unsupported document format {path.suffix or '(none)'!r}; use one of {known}")
    data = read_file_bytes(path)
    return budget.bounded(_read_document, data, fmt, path, what=str(path))


def _read_document(data: bytes, fmt: str, path: Path) -> Source:
    name = str(path)
    if fmt in ("txt", "md"):
        decoded = decode(data, name)
        budget.check_words(decoded.text, name)
        return Source(decoded.text, fmt, path.name, encoding=decoded.encoding)
    if not data.strip():
        raise InputError(f"{name}: is empty")
    if fmt == "html":
        from . import htmldoc

        text = htmldoc.Template(data, name).text
    elif fmt == "docx":
        from . import docx

        text = docx.Template(data, name).text
    else:
        from .pdfread import extract_pdf

        text = extract_pdf(data, name).text
        data = None
    if not text.strip():
        raise InputError(f"{name}: has no text to mark")
    budget.check_words(text, name)
    return Source(text, fmt, path.name, data)


_MAGIC = ((b"%PDF-", "pdf"), (b"PK\x03\x04", "docx"), (b"\x89PNG\r\n\x1a\n", "image"), (b"\xff\xd8\xff", "image"),
          (b"II*\x00", "image"), (b"MM\x00*", "image"), (b"GIF87a", "image"), (b"GIF89a", "image"))


def _sniff(data: bytes, name: str) -> str:
    """The artifact's type by its name, or by its first bytes when the name says text or nothing."""
    fmt = LEAK_FORMATS.get(Path(name).suffix.lower())
    if fmt in (None, "txt"):
        fmt = next((f for magic, f in _MAGIC if data.startswith(magic)), fmt or "txt")
        if data[:12].startswith(b"RIFF") and data[8:12] == b"WEBP":
            fmt = "image"
        if data.startswith(b"BM") and len(data) > 26 and data[6:10] == bytes(4):   # BMP: reserved bytes 0
            fmt = "image"
    return fmt


def extract_leak(data: bytes, name: str) -> Extracted:
    """The text of a leaked artifact, by its file type; hostile content is never rendered. The
    reading keeps to the budget (leaktrace.budget): its time and memory, and the words read."""
    return budget.bounded(_extract_leak, data, name, what=name)


def _extract_leak(data: bytes, name: str) -> Extracted:
    ex = _extract_any(data, name)
    budget.check_words(ex.text, name)
    return ex


def _extract_any(data: bytes, name: str) -> Extracted:
    fmt = _sniff(data, name)
    if len(data) > max_input_bytes():
        raise InputError(f"{name}: over the input limit of {max_input_bytes() / 1048576:.0f} MB")
    if fmt == "html":
        from dataclasses import replace

        from . import htmldoc
        from .web import extract_html

        ex = extract_html(data, name)
        try:
            found = htmldoc.stamps(data, name)
        except InputError:
            found = []
        return replace(ex, stamps=tuple(dict.fromkeys((*ex.stamps, *found))))
    if fmt == "pdf":
        from .pdfread import extract_pdf

        return extract_pdf(data, name)
    if fmt == "docx":
        from . import docx

        return docx.extract(data, name)
    if fmt == "eml":
        from .mail import extract_eml

        return extract_eml(data, name, _extract_any)
    if fmt == "image":
        from .image import extract_image

        return extract_image(data, name)
    decoded = decode(data, name)
    return Extracted(decoded.text, fmt if fmt == "md" else "txt", name, readers=("text",),
                     notes=(decoded.note,) if decoded.note else (), encoding=decoded.encoding)


def read_leak(path: Path) -> Extracted:
    return extract_leak(read_file_bytes(path), str(path))


def extension(fmt: str) -> str:
    return {"txt": ".txt", "md": ".md", "html": ".html", "docx": ".docx", "pdf": ".pdf", "eml": ".eml"}[fmt]
