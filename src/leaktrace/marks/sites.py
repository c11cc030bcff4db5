"""Sites: places where a document's text can vary without changing its meaning.

A site has two or more variants; variant 0 is what the original says. Each site is
read back through *windows*: token ranges [a, b) whose neighbours a-1 and b (the
anchors) must be found in a leak; what lies between the anchors is the observation,
compared with what each variant would produce under the site's *reader*:

- ``gap``: only the invisible characters (invisible channel);
- ``raw``: the exact characters, invisible ones removed (typographic styles);
- ``folded``: typography folded to ASCII, so only spacing and words count;
- ``tokens``: the sequence of skeleton tokens (lexical and declared channels);
- ``spaces``: the exact whitespace, invisible characters removed (sentence spacing);
- ``layout``: not the text at all but where the word stands on a rendered page (layout
  channel, marks/layout.py): its variants read alike, and it changes nothing in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from ..text.tokens import (
    Tokens,
    fold_typography,
    invisible_chars,
    normalize_whitespace,
    skeleton,
    strip_invisible,
    tokenize,
)


_DASH_RUN = re.compile(r"-{2,}")


class Channel(str, Enum):
    INVISIBLE = "invisible"
    TYPOGRAPHIC = "typographic"
    LEXICAL = "lexical"
    DECLARED = "declared"
    LAYOUT = "layout"


READERS = ("gap", "raw", "folded", "tokens", "spaces", "layout")


@dataclass(frozen=True)
class Site:
    channel: Channel
    kind: str
    spans: tuple[tuple[int, int], ...]
    variants: tuple[tuple[str, ...], ...]
    windows: tuple[tuple[int, int], ...]
    reader: str

    @property
    def q(self) -> int:
        return len(self.variants)

    @property
    def start(self) -> int:
        return self.spans[0][0]

    def to_json(self) -> list:
        return [self.channel.value, self.kind, [list(s) for s in self.spans],
                [list(v) for v in self.variants], [list(w) for w in self.windows], self.reader]

    @classmethod
    def from_json(cls, data: list) -> "Site":
        channel, kind, spans, variants, windows, reader = data
        return cls(Channel(channel), kind, tuple(tuple(s) for s in spans),
                   tuple(tuple(v) for v in variants), tuple(tuple(w) for w in windows), reader)


def observe(reader: str, s: str):
    """What a reader sees of a stretch of text."""
    if reader == "gap":
        return invisible_chars(s)
    if reader == "raw":
        return normalize_whitespace(strip_invisible(s))
    if reader == "folded":
        # a typist's "--" or "---" is the same dash as "—" or "-"
        return _DASH_RUN.sub("-", normalize_whitespace(fold_typography(strip_invisible(s))).lower())
    if reader == "spaces":
        return strip_invisible(s)
    if reader == "tokens":
        if not s.strip():
            return ()
        return tuple(skeleton(t) for t in tokenize(strip_invisible(s)).raw)
    if reader == "layout":
        return normalize_whitespace(strip_invisible(s))   # the words: the shift is not in the text
    raise ValueError(f"unknown reader {reader!r}")


def window_region(tokens: Tokens, window: tuple[int, int]) -> tuple[int, int]:
    """Character range between the two anchors of a window."""
    a, b = window
    return tokens.ends[a - 1], tokens.starts[b]


def expected(site: Site, tokens: Tokens, v: int) -> tuple:
    """The observation of each window if the copy carries variant `v`."""
    out = []
    for (s, e), (a, b), rep in zip(site.spans, site.windows, site.variants[v]):
        lo, hi = window_region(tokens, (a, b))
        out.append(observe(site.reader, tokens.text[lo:s] + rep + tokens.text[e:hi]))
    return tuple(out)


def is_readable(site: Site, tokens: Tokens) -> bool:
    """Variant 0 is the original text, anchors exist, and all variants look different."""
    text = tokens.text
    n = len(tokens)
    if site.q < 2 or len(site.spans) != len(site.windows):
        return False
    if site.reader == "layout":
        # a word that moves on the page, its text the same in every variant
        (s, e), = site.spans
        return 0 < s < e < len(text) and all(v == (text[s:e],) for v in site.variants)
    for (s, e), (a, b), orig in zip(site.spans, site.windows, site.variants[0]):
        if a < 1 or b >= n or a > b or text[s:e] != orig:
            return False
        lo, hi = window_region(tokens, (a, b))
        if not lo <= s <= e <= hi:
            return False
    seen = {expected(site, tokens, v) for v in range(site.q)}
    return len(seen) == site.q


# Which changes each reader does not see (so another site may make them in its window).
_CHANGE = {"gap": "invisible", "raw": "typo-char", "folded": "spacing", "tokens": "lexical",
           "spaces": "whitespace", "layout": "position"}
_COMPATIBLE = {
    "gap": {"invisible", "typo-char", "spacing", "whitespace"},
    "tokens": {"invisible", "typo-char", "spacing", "whitespace"},
    "folded": {"invisible", "typo-char", "whitespace"},
    "raw": {"invisible", "whitespace"},
    "spaces": {"invisible", "typo-char"},
    # a shifted word is measured against its neighbours' glyphs and the spaces between them;
    # zero-width characters are left out of the copies that carry it
    "layout": {"invisible", "position"},
}


def _slots_changed(site: Site, tokens: Tokens) -> set[int]:
    """Slots (2i+1: token i, 2i: gap before token i) whose text a site may change."""
    slots: set[int] = set()
    for s, e in site.spans:
        i = tokens.index_at(s)  # first token ending after s
        if e == s:
            # insertion: inside token i if it has started, else the gap before it
            slots.add(2 * i + 1 if i < len(tokens) and tokens.starts[i] < s else 2 * i)
            continue
        j = i
        while j < len(tokens) and tokens.starts[j] < e:
            slots.add(2 * j + 1)
            if tokens.starts[j] >= s and j > 0:
                slots.add(2 * j)
            j += 1
        if j < len(tokens) and tokens.starts[j] >= e and e > (tokens.ends[j - 1] if j else 0):
            slots.add(2 * j)
        if i < len(tokens) and s < tokens.starts[i]:
            slots.add(2 * i)
    return slots


def _slots_observed(site: Site) -> set[int]:
    slots: set[int] = set()
    for a, b in site.windows:
        slots.update(range(2 * a - 1, 2 * b + 2))
    return slots


def _slots_around(site: Site, tokens: Tokens) -> set[int]:
    """Slots of a word, the words on either side of it and the spaces between them."""
    (s, e), = site.spans
    text = tokens.text
    lo = text.rfind(" ", 0, max(0, s - 1)) + 1
    hi = e + 1
    while hi < len(text) and not text[hi].isspace():
        hi += 1
    a, b = tokens.index_at(lo), tokens.index_at(max(lo, hi - 1)) + 1
    return set(range(2 * a, 2 * b + 1))


class SiteSet:
    """Accepts sites in priority order, refusing any that would disturb an accepted one."""

    def __init__(self, tokens: Tokens):
        self.tokens = tokens
        self.sites: list[Site] = []
        self._changed: dict[int, list[int]] = {}
        self._observed: dict[int, list[int]] = {}
        self._info: list[tuple[set[int], set[int], str]] = []

    def add(self, site: Site) -> bool:
        if site.reader == "layout":
            # a position, not text: it changes no slot, and watches its word and both neighbours
            changed: set[int] = set()
            observed = _slots_around(site, self.tokens)
        else:
            if not is_readable(site, self.tokens):
                return False
            changed = _slots_changed(site, self.tokens)
            observed = _slots_observed(site)
        change = _CHANGE[site.reader]
        for slot in changed:
            for k in self._changed.get(slot, ()):
                return False
            for k in self._observed.get(slot, ()):
                if change not in _COMPATIBLE[self.sites[k].reader]:
                    return False
        for slot in observed:
            for k in self._changed.get(slot, ()):
                if _CHANGE[self.sites[k].reader] not in _COMPATIBLE[site.reader]:
                    return False
        idx = len(self.sites)
        self.sites.append(site)
        for slot in changed:
            self._changed.setdefault(slot, []).append(idx)
        for slot in observed:
            self._observed.setdefault(slot, []).append(idx)
        return True
