"""Declared channel: alternatives the author writes into the original, `{{05:00|05:15}}`.

The unmarked original reads as the first alternative. Because the author vouches for
every alternative, a declared site may carry a number or a name, and it survives any
leak that keeps the fact: retyping, and paraphrase that repeats the detail.
"""

from __future__ import annotations

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
