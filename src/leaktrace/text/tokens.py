"""Tokenization with character offsets, and folding of tokens to an ASCII "skeleton".

Marks live at token level: a site is a change between or inside tokens. The skeleton
is what survives sanitizing and retyping (no invisible characters, ASCII, lower case),
so documents and leaks are aligned and indexed on skeletons.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from unidecode import unidecode

# Characters that render as nothing: format characters (Cf), the combining grapheme
# joiner and variation selectors. Readers strip them; the invisible channel uses some.
_EXTRA_INVISIBLE = {"\u034f"} | {chr(c) for c in range(0xFE00, 0xFE10)}


def is_invisible(ch: str) -> bool:
    return unicodedata.category(ch) == "Cf" or ch in _EXTRA_INVISIBLE


_INVISIBLE_RE = re.compile(
    "[" + "".join(
        re.escape(chr(c)) for c in range(0x110000)
        if 0xD800 > c or c > 0xDFFF
        if is_invisible(chr(c))
    ) + "]"
)


def strip_invisible(text: str) -> str:
    return _INVISIBLE_RE.sub("", text)


def invisible_chars(text: str) -> str:
    """The invisible characters of `text`, in order."""
    return "".join(_INVISIBLE_RE.findall(text))


# Word: letters/digits with internal apostrophes (don't, company’s). Ellipses and dash
# runs are one token each; any other visible character is a token of its own. (No capturing
# groups: skeletons() relies on findall returning whole tokens.)
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_LETTER = r"[^\W_][" + _MARKS + r"]*"
_TOKEN_RE = re.compile(
    r"(?:" + _LETTER + r")+(?:['’](?:" + _LETTER + r")+)*"
    r"|\.\.\.|…|--+|[—–―]"
    r"|(?:(?![\s" + _INVISIBLE_RE.pattern[1:-1] + r"]).)",
    re.DOTALL,
)

_TYPO_FOLD = str.maketrans({
    "’": "'", "‘": "'", "ʼ": "'", "′": "'", "‚": "'", "`": "'",
    "“": '"', "”": '"', "„": '"', "″": '"', "«": '"', "»": '"',
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
    "…": "...", "\u00a0": " ", "\u202f": " ", "\u2009": " ",
})


# Cyrillic and Greek letters that look like Latin ones: a leak may swap them in to
# defeat matching, so skeletons fold them by shape (transliteration would not).
HOMOGLYPHS = str.maketrans(
    "аеорсухіјѕԁԛԝАВЕКМНОРСТХУІЈЅονρΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdqwABEKMHOPCTXYIJSovpABEZHIKMNOPTYX",
)


def fold_typography(text: str) -> str:
    """Map typographic variants to their plain ASCII forms (quotes, dashes, ellipsis)."""
    return text.translate(_TYPO_FOLD)


@lru_cache(maxsize=200_000)
def skeleton(token: str) -> str:
    """The comparison form of one token: ASCII, lower case, dash runs as one '-'."""
    if token.isascii():
        s = token.lower()
    else:
        s = unidecode(unicodedata.normalize("NFKC", fold_typography(token)).translate(HOMOGLYPHS)).lower()
    if not s.strip():
        return token.lower()  # nothing ASCII to fold to (a lone combining mark, an emoji)
    if s[0] == "-" and s.strip("-") == "":
        return "-"
    return s


@dataclass(frozen=True)
class Tokens:
    """Tokens of a text: raw strings, their [start, end) offsets, and skeletons."""

    text: str
    raw: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    skel: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.raw)

    def is_word(self, i: int) -> bool:
        return self.raw[i][0].isalnum()

    def index_at(self, offset: int) -> int:
        """Index of the first token that ends after `offset`."""
        import bisect

        return bisect.bisect_right(self.ends, offset)


def tokenize(text: str) -> Tokens:
    raw: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for m in _TOKEN_RE.finditer(text):
        raw.append(m.group())
        starts.append(m.start())
        ends.append(m.end())
    return Tokens(text, tuple(raw), tuple(starts), tuple(ends), tuple(skeleton(t) for t in raw))


def skeletons(text: str) -> list[str]:
    """The skeletons of the tokens of `text`: tokenize(text).skel without the offsets, which
    indexing a document does not need (findall is much faster than building match objects)."""
    return list(map(skeleton, _TOKEN_RE.findall(text)))


_WS_RE = re.compile(r"\s+")


def normalize_whitespace(text: str) -> str:
    """Collapse whitespace runs to one space, keeping whether the edges had any."""
    return _WS_RE.sub(" ", text)
