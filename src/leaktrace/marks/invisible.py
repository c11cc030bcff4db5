"""Invisible channel: zero-width characters after an ordinary space between two words.

Each such space is a site with 16 variants: nothing, one of four zero-width
characters, or an ordered pair of them. After a space they render as nothing and
change no line break; they survive copy-paste and are lost to sanitizers.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import product

from ..text.protect import Protected
from ..text.tokens import Tokens
from .sites import Channel, Site

# zero-width space, non-joiner, joiner, left-to-right mark
ALPHABET = ("\u200b", "\u200c", "\u200d", "\u200e")
VARIANTS: tuple[str, ...] = (("",) + ALPHABET + tuple(a + b for a, b in product(ALPHABET, ALPHABET)))[:16]


def find(tokens: Tokens, protected: Protected) -> Iterator[Site]:
    text = tokens.text
    for i in range(1, len(tokens) - 2):
        end, nxt = tokens.ends[i], tokens.starts[i + 1]
        if nxt != end + 1 or text[end] != " ":
            continue
        if not (tokens.raw[i][-1].isalnum() and tokens.raw[i + 1][0].isalnum()):
            continue
        # the space itself must be outside protected text: a mark beside a name or a
        # quotation is fine, one between two words of a name or inside a quotation is not
        if protected.overlaps(end, nxt):
            continue
        yield Site(Channel.INVISIBLE, "zero-width", ((nxt, nxt),),
                   tuple((v,) for v in VARIANTS), ((i + 1, i + 1),), "gap")
