"""Readers and writers per file type.

A format turns file bytes into the document's original text (with declared markup)
and renders a marked copy back to bytes in the same format. Text and Markdown are
plain UTF-8; other formats plug in here with the same two functions.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

DEFAULT_MAX_MB = 10


def max_input_bytes() -> int:
    raw = os.environ.get("LEAKTRACE_MAX_INPUT_MB", str(DEFAULT_MAX_MB))
    try:
        return int(float(raw) * 1024 * 1024)
    except ValueError:
        raise InputError(f"LEAKTRACE_MAX_INPUT_MB must be a number, not {raw!r}") from None


@dataclass(frozen=True)
class Source:
    text: str
    format: str  # "txt" or "md"
    name: str


FORMATS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md"}


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


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 text with newlines normalized; refuses empty, binary and invalid input."""
    if len(data) > max_input_bytes():
        raise InputError(f"{name}: over the input limit of {max_input_bytes() / 1048576:.0f} MB")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError(f"{name}: is UTF-16 text; convert it to UTF-8")
    if b"\x00" in data:
        raise InputError(f"{name}: looks like a binary file (it contains NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"{name}: is not valid UTF-8 (bad byte at offset {e.start})") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(f"{name}: is empty")
    return text


def read_document(path: Path) -> Source:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise InputError(f"{path}: unsupported document format {path.suffix or '(none)'!r}; use one of {known}")
    return Source(decode_text(read_file_bytes(path), str(path)), fmt, path.name)


def read_leak(path: Path) -> str:
    """Text of a leak artifact: a UTF-8 text file, or the visible text of an HTML page."""
    text = decode_text(read_file_bytes(path), str(path))
    if path.suffix.lower() in (".html", ".htm", ".xhtml"):
        from .html import html_to_text

        text = html_to_text(text)
        if not text.strip():
            raise InputError(f"{path}: the page has no visible text")
    return text


def render_copy(fmt: str, text: str) -> bytes:
    return text.encode("utf-8")


def extension(fmt: str) -> str:
    return {"txt": ".txt", "md": ".md"}[fmt]
