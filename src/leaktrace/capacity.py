"""Capacity: how many sites a document has, and how many words of each kind of leak identify
one copy among the current recipients and among 1,000.

Measured, not assumed: probe copies (codewords no recipient holds) are rendered, put through
what each kind of leak does to text (copy-paste, a sanitizer, retyping with typos, the text
OCR reads off a clean print), aligned and read by the channels exactly as tracing reads a
leak, and scored with tracing's false-accusation bound. A paraphrase keeps only the details
the author declared, if it keeps them at all; that row is the best case.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Callable

import numpy as np

from . import simulate
from .marks import channels, embed
from .marks.code import Code
from .marks.score import BAR, ScoreModel
from .marks.sites import Site
from .models import Capacity, Document, LeakProfile, Scenario
from .text.align import DocIndex, align
from .text.tokens import tokenize

PROBES = 5


def _printed(text: str, rng: random.Random) -> str:
    """What OCR reads off a clean print: ASCII letters and quotes, lines rejoined, no marks that
    live in characters a page does not show. (A photo loses more to OCR errors; bench/PHOTO.md.)"""
    return simulate.retype(text, rng, typo_rate=0.0)


# leak type, what survives it, what it does to a copy's text (None: only declared details count)
LEAK_TYPES: tuple[tuple[str, str, Callable[[str, random.Random], str] | None], ...] = (
    ("copy-paste", "all channels", lambda text, rng: text),
    ("sanitized", "dash and sentence spacing, lexical, declared", lambda text, rng: simulate.sanitize(text)),
    ("retyped", "dash spacing, lexical, declared (1% typos)", simulate.retype),
    ("printed or photographed", "lexical, declared, dash spacing, as OCR reads a clean print", _printed),
    ("paraphrased", "declared details the paraphrase keeps (best case)", None),
)


def probes_of(code: Code) -> list[np.ndarray]:
    """The probe copies' codewords: copies no recipient holds."""
    return [code.codeword(f"\x00capacity-probe-{k}") for k in range(PROBES)]


def _readings(base: str, sites: list[Site], probes: list[np.ndarray]):
    """Per leak type (name, what survives it), what tracing reads of each probe copy leaked
    whole that way, and the median of the marks read."""
    renderer = embed.Renderer(base, sites)
    index = DocIndex(tokenize(base))
    for name, survives, transform in LEAK_TYPES:
        readings = [_reading(renderer, index, sites, p, transform, random.Random(f"{name}:{k}"))
                    for k, p in enumerate(probes)]
        yield name, survives, readings, int(np.median([(r >= 0).sum() for r in readings]))


def words_needed(base: str, sites: list[Site], code: Code, n: int,
                 probes: list[np.ndarray] | None = None) -> tuple[dict[str, int | None], dict[str, int]]:
    """For each leak type, the fewest leading words that identify a probe copy among n, and the
    marks a whole-document leak of that type keeps (median over the probes)."""
    probes = probes_of(code) if probes is None else probes
    word_pos = _word_positions(base, sites)
    words, read = {}, {}
    for name, _, readings, marks in _readings(base, sites, probes):
        read[name] = marks
        words[name] = _words_for(code, readings, probes, word_pos, n)
    return words, read


PRINTED_PDF = ("printed PDF copy", "layout (words moved on the page), with the text marks OCR reads of a clean print")


def capacity(doc: Document, base: str, sites: list[Site], code: Code, recipients: int = 0,
             scenarios: tuple[Scenario, ...] = (), printed=None) -> Capacity:
    """printed: probe codeword -> (text, pages) of its PDF copy as leaktrace lays it out, when the
    document has layout sites; the printed row then adds the marks its pages carry."""
    by_channel = Counter(s.channel.value for s in sites)
    by_kind = Counter(f"{s.channel.value}:{s.kind.split(':')[0]}" for s in sites)
    probes = probes_of(code)
    word_pos = _word_positions(base, sites)
    profiles = []
    rows = list(_readings(base, sites, probes))
    pages = per_page = None
    if printed is not None:
        text_rows = {name: readings for name, _, readings, _ in rows}
        readings, pages, per_page = _printed_pdf(base, sites, probes, printed, text_rows["printed or photographed"])
        rows.append((*PRINTED_PDF, readings, int(np.median([(r >= 0).sum() for r in readings]))))
    for name, survives, readings, read in rows:
        tails = sorted(_log_tail(code, r, p) for r, p in zip(readings, probes))
        lt = tails[len(tails) // 2]
        separable = BAR / math.exp(lt) if lt > -700 else math.inf
        words_1000 = _words_for(code, readings, probes, word_pos, 1000)
        words_n = _words_for(code, readings, probes, word_pos, recipients) if recipients else None
        profiles.append(LeakProfile(name, survives, read, separable, words_1000, words_n,
                                    _advice(name, doc, read, separable, words_n, recipients)))
    return Capacity(doc, doc.words, dict(by_channel), dict(sorted(by_kind.items())), tuple(profiles), recipients,
                    tuple(scenarios), pages, per_page)


def _printed_pdf(base: str, sites: list[Site], probes: list[np.ndarray], printed,
                 text_readings: list[np.ndarray]) -> tuple[list[np.ndarray], int, float]:
    """What a clean scan of each probe's PDF copy gives: the text marks OCR reads of a print, and
    the layout marks wherever the first probe's pages let a shifted word be measured (its word and
    both neighbours on one line), read from the PDF's own glyph positions. The pages are laid out
    alike for every copy, so the sites measurable there are measurable in all. Also the pages,
    and the layout sites measurable on a median page."""
    from .marks import layout
    from .marks.sites import Channel

    text, pages = printed(probes[0])
    index = DocIndex(tokenize(base))
    leak = tokenize(text)
    shifted = [i for i, s in enumerate(sites) if s.channel is Channel.LAYOUT]
    z, _, on_page = layout.measure([sites[i] for i in shifted], index.doc, leak,
                                   align(index, leak).doc_to_leak, tuple(pages))
    read = layout.readable(z)
    measurable = np.array(shifted, dtype=np.int64)[read]
    readings = []
    for probe, reading in zip(probes, text_readings):
        r = reading.copy()
        r[measurable] = probe[measurable]
        readings.append(r)
    by_page = np.bincount(on_page[read], minlength=len(pages)).tolist()
    full = by_page[:-1] if len(by_page) > 1 else by_page     # the last page is rarely full
    return readings, len(pages), float(np.median(full)) if full else 0.0


def _reading(renderer: embed.Renderer, index: DocIndex, sites: list[Site], probe: np.ndarray,
             transform, rng: random.Random) -> np.ndarray:
    """The variants tracing would read in a whole-document leak of this kind of the probe copy."""
    if transform is None:
        reading = np.full(len(sites), -1, dtype=np.int64)
        declared = [i for i, s in enumerate(sites) if s.channel.value == "declared"]
        reading[declared] = probe[declared]
        return reading
    leak = tokenize(transform(renderer.render(probe), rng))
    return channels.read(sites, channels.Evidence(index.doc, leak, align(index, leak))).variant


def _log_tail(code: Code, reading: np.ndarray, probe: np.ndarray) -> float:
    model = ScoreModel.build(code.biases, reading)
    return model.log_tail(float(model.scores(probe[None, :], reading)[0]))


def _word_positions(base: str, sites: list[Site]) -> np.ndarray:
    """Approximate word index of each site (words before its start)."""
    starts = [m.start() for m in re.finditer(r"\w+", base)]
    return np.searchsorted(np.array(starts), [s.start for s in sites])


def _words_for(code: Code, readings, probes, word_pos: np.ndarray, n: int) -> int | None:
    """Fewest leading words of the document whose marks, as this kind of leak leaves them,
    identify a probe copy among n (median over probes); None when the whole document does not."""
    target = math.log(BAR / max(n, 1))
    order = np.argsort(word_pos, kind="stable")

    def ok(k: int) -> bool:
        tails = []
        for r, p in zip(readings, probes):
            head = np.full(len(r), -1, dtype=np.int64)
            head[order[:k]] = r[order[:k]]
            tails.append(_log_tail(code, head, p))
        return sorted(tails)[len(tails) // 2] <= target

    lo, hi = 1, len(order)
    if not hi or not ok(hi):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return int(word_pos[order[lo - 1]]) + 1


def _advice(name: str, doc: Document, read: int, separable: float, words: int | None, n: int) -> str:
    if not n:
        return "import recipients to see how many words identify one of their copies"
    if words is not None:
        return f"about {words} words of such a leak identify one copy among {n}"
    reach = ("not enough to single out any copy" if separable < 2 else
             f"enough to single out one of about {separable:,.0f} copies")
    return (f"out of reach: even the whole document leaked this way keeps about {read} marks, {reach}, "
            f"not one of {n}. Declare alternatives in the passages most "
            "likely to be quoted ({{first|second}}, two to four phrasings that say the same), or "
            "distribute fewer copies of this version")
