"""Declared channel: alternatives the author writes into the original, `{{05:00|05:15}}`.

The unmarked original reads as the first alternative. Because the author vouches for
every alternative, a declared site may carry a number or a name, and it survives any
leak that keeps the fact: retyping, and paraphrase that repeats the detail.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..text.tokens import Tokens
from .sites import Channel, Site

MARKUP_RE = re.compile(r"\{\{([^{}|\n]+(?:\|[^{}|\n]+)+)\}\}")


@dataclass(frozen=True)
class Declared:
    start: int
    end: int
    alternatives: tuple[str, ...]


def resolve(original: str) -> tuple[str, list[Declared]]:
    """The base text (first alternatives) and where each declaration lies in it."""
    out: list[str] = []
    declared: list[Declared] = []
    pos = 0
    length = 0
    for m in MARKUP_RE.finditer(original):
        out.append(original[pos:m.start()])
        length += m.start() - pos
        alts = tuple(a.strip() for a in m.group(1).split("|"))
        out.append(alts[0])
        declared.append(Declared(length, length + len(alts[0]), alts))
        length += len(alts[0])
        pos = m.end()
    out.append(original[pos:])
    return "".join(out), declared


def _regions(original: str) -> list[tuple[int, int, int, int, str]]:
    """Every declaration as (base start, base end, original start, original end, first alternative)."""
    out, shift = [], 0
    for m in MARKUP_RE.finditer(original):
        first = m.group(1).split("|")[0].strip()
        out.append((m.start() - shift, m.start() - shift + len(first), m.start(), m.end(), first))
        shift += (m.end() - m.start()) - len(first)
    return out


def to_original(original: str, edits: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """A copy's edits of the base text as edits of the original, where every declaration
    `{{a|b}}` is replaced whole: by the variant an edit chose, else by its first alternative."""
    regions = _regions(original)
    starts = [r[0] for r in regions]
    chosen: dict[int, str] = {}
    out: list[tuple[int, int, str]] = []
    for s, e, rep in edits:
        k = bisect.bisect_right(starts, s) - 1
        if k >= 0 and (s, e) == regions[k][:2] and regions[k][1] > regions[k][0]:
            chosen[k] = rep
            continue
        # outside every declaration: shifted by all the markup before it (original end - base end
        # of the last declaration before it)
        before = k if k >= 0 and s >= regions[k][1] else k - 1
        delta = regions[before][3] - regions[before][1] if before >= 0 else 0
        if rep != original[s + delta:e + delta]:
            out.append((s + delta, e + delta, rep))
    out.extend((r[2], r[3], chosen.get(k, r[4])) for k, r in enumerate(regions))
    return sorted(out)


def base_to_original(original: str, pos: int) -> int:
    """The offset in the original of a base-text offset (inside a declaration: its start)."""
    return _translate(original, pos, to_base=False)


def original_to_base(original: str, pos: int) -> int:
    """The base-text offset of an offset of the original (inside a declaration: its start)."""
    return _translate(original, pos, to_base=True)


def _translate(original: str, pos: int, *, to_base: bool) -> int:
    shift = 0                       # original length - base length of the declarations before pos
    for bstart, bend, ostart, oend, _ in _regions(original):
        start, end, other = (ostart, oend, bstart) if to_base else (bstart, bend, ostart)
        if start >= pos:
            break
        if pos < end:
            return other
        shift = oend - bend
    return pos - shift if to_base else pos + shift


def find(tokens: Tokens, declared: list[Declared]) -> Iterator[Site]:
    for d in declared:
        alts = tuple(dict.fromkeys(d.alternatives))
        if len(alts) < 2:
            continue
        a = tokens.index_at(d.start)
        b = a
        while b < len(tokens) and tokens.starts[b] < d.end:
            b += 1
        yield Site(Channel.DECLARED, "declared", ((d.start, d.end),),
                   tuple((x,) for x in alts), ((a, b),), "tokens")
