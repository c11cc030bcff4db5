"""The layout channel: words shifted a fraction of a point left or right between fixed
neighbours, in the copies leaktrace lays out (PDF).

This is word-shift coding (Brassil, Low, Maxemchuk and O'Gorman, IEEE JSAC 1995): the text,
its line breaks and its page breaks stay exactly what they are without the shifts, and one
word in two between two plain neighbours on a line moves by ``SHIFT_PT`` to the left
(variant 0) or to the right (variant 1). The shift never changes how lines are filled: the
per-copy writer gives the word an inline margin on one side and takes it back on the other
(formats.pdfwrite), the one-layout writer moves the word's glyphs on the page
(formats.pdftemplate). It survives printing, scanning, photographing and
screenshots, since it lives in the geometry of the page, and nothing in the text shows it.

Reading needs page images with word boxes (a photo, a scan, a rasterized PDF): at each site
whose word and both neighbours OCR read on one line, the gap before the word minus the gap
after it, in units of the line's own type size (measured from the words' widths), less what
the glyphs' own side bearings make of those gaps (from the font's metrics), is the shift
times two. A clear sign is a reading; anything near zero or far past the shift is an
erasure. Every decision looks at the leak alone, never at any copy's codeword, so an
innocent copy's score keeps its exact null distribution whatever the image quality.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..models import Page
from ..text.tokens import Tokens
from .read import NOT_COVERED, READ, UNREADABLE
from .sites import Channel, Site

SHIFT_PT = 0.5          # how far a word moves, in points (1/144 inch)
BODY_PT = 11.0          # the body size of leaktrace's PDF copies (formats.pdfwrite)
SHIFT_EM = SHIFT_PT / BODY_PT
CLEAR = 0.4             # |measured / expected| below this: too close to call, an erasure
WILD = 2.6              # above this: the boxes are wrong (a misread word, a merged box)
LEFT, RIGHT, END = "\ue000", "\ue001", "\ue002"   # PDF writing: where a shifted word starts and ends
MARKERS = LEFT + RIGHT + END

# a chunk that renders as itself in the body font: letters, digits and light punctuation only,
# two characters at least (OCR boxes a lone letter loosely)
_PLAIN = re.compile(r"[^\W_][\w'’.,;:!?\-–—]+", re.UNICODE)
_CHUNK = re.compile(r"\S+")
# text rendered in another font or not as running text: headings, tables, code, emphasis, HTML
_OTHER_FONT = [
    re.compile(r"^[ \t]*#{1,6}[ \t].*$", re.M),
    re.compile(r"^[ \t]*\|.*$", re.M),
    re.compile(r"^(?:```|~~~).*?^(?:```|~~~)[^\n]*$", re.M | re.S),
    re.compile(r"(?:(?<=\n\n)|^)(?:(?: {4}|\t)[^\n]*(?:\n|$))+"),
    re.compile(r"(\*\*?|__?)(?=\S)[^\n]*?\S\1"),
    re.compile(r"\[[^\]\n]*\]"),
    re.compile(r"<[^<>\n]{1,200}>"),
]


CONTEXT = 4             # chunks on each side that must make a site's place unique in the document


def find(tokens: Tokens) -> Iterable[Site]:
    """One site at every second plain word between plain neighbours on a line of running text,
    where the words around it occur once in the document (a passage the document repeats
    would leave the reading unsure which of its places a page shows)."""
    text = tokens.text
    mask = bytearray(len(text))
    for pattern in _OTHER_FONT:
        for m in pattern.finditer(text):
            mask[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    chunks = [(m.start(), m.end()) for m in _CHUNK.finditer(text)]
    words = [text[s:e].lower() for s, e in chunks]
    place = {s: k for k, (s, _) in enumerate(chunks)}
    contexts = Counter(_context(words, k) for k in range(len(words)))
    run: list[tuple[int, int]] = []

    def flush():
        # interior chunks at odd positions of a run: each has its own two plain neighbours
        for k in range(1, len(run) - 1, 2):
            if contexts[_context(words, place[run[k][0]])] == 1:
                yield _site(tokens, run[k])

    for s, e in chunks:
        plain = _PLAIN.fullmatch(text[s:e]) is not None and 1 not in mask[s:e]
        joined = bool(run) and text[run[-1][1]:s] == " "
        if plain and joined:
            run.append((s, e))
            continue
        yield from flush()
        run = [(s, e)] if plain else []
    yield from flush()


def _context(words: list[str], k: int) -> tuple[str, ...]:
    return tuple(words[max(0, k - CONTEXT):k + CONTEXT + 1])


def _site(tokens: Tokens, chunk: tuple[int, int]) -> Site:
    s, e = chunk
    a = tokens.index_at(s)
    b = tokens.index_at(e - 1) + 1
    word = tokens.text[s:e]
    return Site(Channel.LAYOUT, "word-shift", ((s, e),), ((word,), (word,)), ((a, b),), "layout")


def for_pdf(sites: Sequence[Site]) -> list[Site]:
    """The sites as a PDF copy writes them: a layout site's variants mark where the shifted word
    starts (left or right) and ends, for formats.pdfwrite to turn into positioned spans."""
    out = []
    for site in sites:
        if site.channel is Channel.LAYOUT:
            (word,), _ = site.variants
            site = Site(site.channel, site.kind, site.spans,
                        ((LEFT + word + END,), (RIGHT + word + END,)), site.windows, site.reader)
        out.append(site)
    return out


def neighbours(tokens: Tokens, site: Site) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]] | None:
    """The character ranges of the word before the site's word, the word, and the word after."""
    (s, e), = site.spans
    text = tokens.text
    if s < 2 or text[s - 1] != " " or e + 1 >= len(text) or text[e] != " ":
        return None
    p0 = text.rfind(" ", 0, s - 1) + 1
    n1 = e + 1
    while n1 < len(text) and not text[n1].isspace():
        n1 += 1
    return (p0, s - 1), (s, e), (e + 1, n1)


# ---------------------------------------------------------------------------- font metrics

_FONT_FILES = ("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",)


@dataclass(frozen=True)
class Metrics:
    """Advance width and side bearings of the body font's glyphs, in em."""

    advance: dict
    lsb: dict
    rsb: dict
    default: tuple[float, float, float]

    def of(self, ch: str) -> tuple[float, float, float]:
        return (self.advance.get(ch, self.default[0]), self.lsb.get(ch, self.default[1]),
                self.rsb.get(ch, self.default[2]))

    def ink_width(self, word: str) -> float:
        """The width of a word's ink, from its first glyph's left edge to its last's right edge."""
        if not word:
            return 0.0
        total = sum(self.of(ch)[0] for ch in word)
        return total - self.of(word[0])[1] - self.of(word[-1])[2]


@lru_cache(maxsize=1)
def metrics() -> Metrics | None:
    """The body font's metrics (DejaVu Serif, which formats.pdfwrite embeds), or None where the
    font is not installed (layout marks are then not read)."""
    path = next((p for p in _FONT_FILES if Path(p).is_file()), None)
    if path is None:
        return None
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True)
    upem = font["head"].unitsPerEm
    cmap = font.getBestCmap()
    hmtx, glyf = font["hmtx"], font["glyf"]
    adv, lsb, rsb = {}, {}, {}
    for code, name in cmap.items():
        if code > 0x2FFF:
            continue
        width, _ = hmtx[name]
        g = glyf[name]
        if not hasattr(g, "xMin") or g.numberOfContours == 0:
            continue
        ch = chr(code)
        adv[ch], lsb[ch], rsb[ch] = width / upem, g.xMin / upem, (width - g.xMax) / upem
    default = (float(np.median(list(adv.values()))), float(np.median(list(lsb.values()))),
               float(np.median(list(rsb.values()))))
    return Metrics(adv, lsb, rsb, default)


# ---------------------------------------------------------------------------- reading

@dataclass(frozen=True)
class Box:
    page: int
    index: int        # the word's position among its page's words
    line: int
    left: float
    right: float


def _boxes_in_text(pages: Sequence[Page], text: str) -> dict[tuple[int, int], Box]:
    """Each OCR'd word's character range in the leak's text (the words are in the order the
    text was written from them; a word that cannot be found close ahead is left out)."""
    out: dict[tuple[int, int], Box] = {}
    pos = 0
    for pg, page in enumerate(pages):
        for k, w in enumerate(page.words):
            at = text.find(w.text, pos, pos + len(w.text) + 200)
            if at < 0:
                continue
            out[(at, at + len(w.text))] = Box(pg, k, w.line, float(w.left), float(w.left + w.width))
            pos = at + len(w.text)
    return out


def _line_scales(pages: Sequence[Page], m: Metrics) -> dict[tuple[int, int], float]:
    """Pixels per em on each line: the median over its words of the box width over the ink
    width the font gives that word."""
    widths: dict[tuple[int, int], list[float]] = {}
    for pg, page in enumerate(pages):
        for w in page.words:
            word = w.text
            if len(word) < 3 or not word.isalpha():
                continue
            ink = m.ink_width(word)
            if ink > 0.5:
                widths.setdefault((pg, w.line), []).append(w.width / ink)
    return {k: float(np.median(v)) for k, v in widths.items() if len(v) >= 3}


def measure(sites: Sequence[Site], doc: Tokens, leak: Tokens, d2l: np.ndarray,
            pages: Sequence[Page]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """At every layout site, the measured shift in units of the shift a copy makes (about +1
    for a word moved right, -1 for one moved left, near 0 for one not moved; NaN where it
    cannot be measured), the site's status (covered by the pages or not), and the index in
    `pages` of the page it was measured on (-1 where it was not)."""
    n = len(sites)
    z = np.full(n, np.nan)
    status = np.full(n, NOT_COVERED, dtype=np.int8)
    on_page = np.full(n, -1, dtype=np.int64)
    m = metrics()
    if not pages or m is None or not any(p.words for p in pages):
        return z, status, on_page
    boxes = _boxes_in_text(pages, leak.text)
    scales = _line_scales(pages, m)
    text = doc.text
    for i, site in enumerate(sites):
        words = neighbours(doc, site)
        if words is None:
            continue
        found = []
        for s, e in words:
            a, b = doc.index_at(s), doc.index_at(e - 1)
            ja, jb = int(d2l[a]), int(d2l[b])
            if ja < 0 or jb < 0 or jb - ja != b - a:
                break
            box = boxes.get((leak.starts[ja], leak.ends[jb]))
            if box is None:
                break
            found.append(box)
        if len(found) < 3:
            continue
        prev, word, nxt = found
        status[i] = UNREADABLE
        if not (prev.page == word.page == nxt.page and prev.line == word.line == nxt.line
                and word.index == prev.index + 1 and nxt.index == word.index + 1):
            continue
        scale = scales.get((word.page, word.line))
        if not scale:
            continue
        (ps, pe), (ws, we), (ns, ne) = words
        bearing = (m.of(text[pe - 1])[2] + m.of(text[ws])[1]) - (m.of(text[we - 1])[2] + m.of(text[ns])[1])
        asym = ((word.left - prev.right) - (nxt.left - word.right)) / scale - bearing
        z[i] = asym / (2 * SHIFT_EM)
        on_page[i] = word.page
    return z, status, on_page


def readable(z: np.ndarray) -> np.ndarray:
    """Which measured shifts are readings: a clear sign, not far past the shift a copy makes."""
    clear = np.nan_to_num(np.abs(z), nan=0.0)
    return (clear >= CLEAR) & (clear <= WILD)


def read(sites: Sequence[Site], doc: Tokens, leak: Tokens, d2l: np.ndarray,
         pages: Sequence[Page]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Variant (or -1), confidence and status at every layout site, from the pages' word boxes:
    a clear sign of the measured shift is a reading, anything else an erasure."""
    z, status, _ = measure(sites, doc, leak, d2l, pages)
    clear = np.nan_to_num(np.abs(z), nan=0.0)
    ok = readable(z)
    variant = np.where(ok, (np.nan_to_num(z) > 0).astype(np.int64), -1)
    status = np.where(ok, READ, status).astype(np.int8)
    return variant, np.where(ok, np.minimum(1.0, clear), 0.0), status
