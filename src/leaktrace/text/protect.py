"""Protected spans: text that marks never touch.

Quotations, URLs, e-mail addresses, code, identifiers and names must read exactly as the
author wrote them, so every site finder asks `Protected.overlaps` before proposing a change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_MONTHS = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
           r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?")

# Structure: code, addresses, quotations, block quotes, headings and link text. Not even an
# author-approved alternative goes there (`find_structure`).
_STRUCTURE = [
    # fenced code blocks and inline code (Markdown)
    re.compile(r"^(?:```|~~~).*?^(?:```|~~~)[^\n]*$", re.M | re.S),
    re.compile(r"`[^`\n]+`"),
    # indented code blocks (Markdown): 4 spaces or a tab after a blank line
    re.compile(r"(?:(?<=\n\n)|^)(?:(?: {4}|\t)[^\n]*(?:\n|$))+"),
    # URLs, e-mail addresses, Markdown link targets, HTML tags and entities
    re.compile(r"\b(?:https?|ftp)://[^\s<>\"')\]]+|\bwww\.[^\s<>\"')\]]+", re.I),
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    re.compile(r"\]\([^)\n]*\)"),
    re.compile(r"<[^<>\n]{1,200}>"),
    re.compile(r"&#?\w+;"),
    # quotations: straight and curly double quotes, curly single quotes (closed by ’, or by ” as
    # careless typing leaves them), guillemets; a quotation may run over a line break (Markdown
    # wraps paragraphs), never over a blank line
    re.compile(r"\"(?:[^\"\n]|\n(?![ \t]*\n)){1,2000}\""),
    re.compile(r"“(?:[^”\n]|\n(?![ \t]*\n)){1,2000}”"),
    re.compile(r"(?:(?<=\s)|^)‘(?:[^’”\n]|\n(?![ \t]*\n)){1,2000}[’”](?=[\s.,;:!?)]|$)", re.M),
    re.compile(r"«(?:[^»\n]|\n(?![ \t]*\n)){1,2000}»"),
    # Markdown: block quotes (someone else's words), headings (a heading's words are its anchor,
    # which links point to), link text (a name for its target)
    re.compile(r"^[ \t]*>.*$", re.M),
    re.compile(r"^[ \t]*#{1,6}[ \t].*$", re.M),
    # (Markdown wraps a long link text over lines, never over a blank line)
    re.compile(r"\[(?:[^\[\]\n]|\n(?![ \t]*\n)){1,500}\](?=[(\[])"),
]

_PATTERNS = _STRUCTURE + [
    # identifiers: words with digits and letters mixed, underscores, inner dots or slashes,
    # camelCase, ALL-CAPS acronyms, @handles and #tags
    re.compile(r"\b(?=[\w-]*\d)(?=[\w-]*[^\W\d_])[\w-]+\b"),
    re.compile(r"\b\w+_\w+\b"),
    re.compile(r"\b\w+(?:[./\\]\w+)+\b"),
    re.compile(r"\b[a-z]+[A-Z]\w*\b"),
    re.compile(r"\b[A-Z]{2,}s?\b"),
    re.compile(r"[@#]\w+"),
    # dates, times and money: numbers that matter stay whole with their words
    re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTHS + r"(?:,?\s+\d{4})?\b"),
    re.compile(r"\b" + _MONTHS + r"\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?\b"),
    re.compile(r"\b" + _MONTHS + r"\s+\d{4}\b"),
    re.compile(r"\b\d{1,2}[:.]\d{2}(?:\s?(?:[ap]\.?m\.?))?\b", re.I),
    re.compile(r"[£$€¥]\s?\d[\d,.]*(?:\s?(?:million|billion|thousand|bn|m|k)\b)?", re.I),
    re.compile(r"\b\d[\d,.]*\s?(?:million|billion|thousand)?\s?(?:pounds|dollars|euros)\b", re.I),
]

# Names: a capitalized word that is not the first word of a sentence, plus the
# capitalized words that follow it ("Maria Lopez", "Harrow Valley Water").
_NAME_RE = re.compile(r"(?<=[^\s.!?:\"“'‘(\[#>*\-•\n]) +([A-Z][\w’'-]*(?: +[A-Z][\w’'-]*)*)")
# Two or more capitalized words in a row are a name or a title wherever they stand,
# also at the start of a sentence ("Priya Natarajan said", "Harrow Valley Water").
_MULTI_NAME_RE = re.compile(r"\b[A-Z][\w’'-]*(?: +[A-Z][\w’'-]*)+")
# Markdown structure at line starts: headings, list bullets, block quotes, tables.
_MD_LINE_RE = re.compile(r"^[ \t]*(?:#{1,6}[ \t]|[-*+][ \t]|\d+[.)][ \t]|>[ \t]?|\|)", re.M)
_TABLE_RE = re.compile(r"^[ \t]*\|.*$", re.M)


@dataclass(frozen=True)
class Protected:
    """A character mask over a text: True where no mark may change anything."""

    mask: bytes

    def overlaps(self, start: int, end: int) -> bool:
        """True if [start, end) touches protected text (for an insertion, its neighbours)."""
        if end <= start:
            lo, hi = max(start - 1, 0), min(start + 1, len(self.mask))
        else:
            lo, hi = start, end
        return 1 in self.mask[lo:hi]


def find_protected(text: str, extra: Sequence[tuple[int, int]] = ()) -> Protected:
    """Every protected span of the text, plus the `extra` spans the file format fixes."""
    return _find(text, extra, _PATTERNS, names=True)


def find_structure(text: str, extra: Sequence[tuple[int, int]] = ()) -> Protected:
    """Only the text's structure (code, addresses, quotations, block quotes, headings, link text,
    tables, list markers) and the `extra` spans: where not even an author-approved alternative
    may go. Names, numbers and identifiers are left open, for the author to vary."""
    return _find(text, extra, _STRUCTURE, names=False)


def _find(text: str, extra: Sequence[tuple[int, int]], patterns: list, *, names: bool) -> Protected:
    mask = bytearray(len(text))

    def cover(a: int, b: int) -> None:
        mask[a:b] = b"\x01" * (b - a)

    for pattern in patterns:
        for m in pattern.finditer(text):
            cover(m.start(), m.end())
    if names:
        for m in _NAME_RE.finditer(text):
            cover(m.start(1), m.end(1))
        for m in _MULTI_NAME_RE.finditer(text):
            cover(m.start(), m.end())
    for m in _MD_LINE_RE.finditer(text):
        cover(m.start(), m.end())
    for m in _TABLE_RE.finditer(text):
        cover(m.start(), m.end())
    for a, b in extra:
        cover(a, b)
    return Protected(bytes(mask))
