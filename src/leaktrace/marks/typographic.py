"""Typographic channel: natural style choices that survive plain-text sanitizing.

Apostrophe style inside words, double-quote style (the pair changes together),
hyphen character in compounds, ellipsis style, spacing around em dashes, and one or
two spaces between sentences. Quote and hyphen characters change under ASCII
folding; sentence spacing survives sanitizers but not HTML rendering or retyping;
dash spacing survives even retyping, since it is read with typography folded away.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..text.protect import Protected
from ..text.tokens import Tokens
from .sites import Channel, Site

_APOSTROPHES = ("'", "’")
_HYPHENS = ("-", "\u2010")
_ELLIPSES = ("…", "...")
# A full stop after these is not the end of a sentence.
_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "prof", "inc", "ltd", "co", "vs", "no",
                            "nos", "fig", "figs", "p", "pp", "vol", "etc", "e", "g", "i", "al",
                            "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
                            "nov", "dec", "approx", "dept", "est", "gen", "gov", "jr", "sr", "rev"})


def _pair(first: str, choices: tuple[str, ...]) -> tuple[tuple[str], ...]:
    return ((first,),) + tuple((c,) for c in choices if c != first)


def find(tokens: Tokens, protected: Protected) -> Iterator[Site]:
    text = tokens.text
    n = len(tokens)
    for i in range(1, n - 1):
        tok = tokens.raw[i]
        start = tokens.starts[i]
        # apostrophe inside a word: don't / don’t, the utility's / utility’s
        if tok[0].isalnum():
            for j, ch in enumerate(tok):
                if ch in _APOSTROPHES and not protected.overlaps(start, tokens.ends[i]):
                    p = start + j
                    yield Site(Channel.TYPOGRAPHIC, "apostrophe", ((p, p + 1),),
                               _pair(ch, _APOSTROPHES), ((i, i + 1),), "raw")
                    break
            continue
        # hyphen in a compound word: long-term with U+002D or U+2010
        if tok in _HYPHENS and tokens.starts[i] == tokens.ends[i - 1] and tokens.ends[i] == tokens.starts[i + 1]:
            if (tokens.raw[i - 1][-1].isalpha() and tokens.raw[i + 1][0].isalpha()
                    and not protected.overlaps(tokens.starts[i - 1], tokens.ends[i + 1])):
                yield Site(Channel.TYPOGRAPHIC, "hyphen", ((start, start + 1),),
                           _pair(tok, _HYPHENS), ((i, i + 1),), "raw")
            continue
        if tok in (".", "!", "?"):
            site = _sentence_spacing(tokens, protected, i)
            if site:
                yield site
            continue
        if tok in _ELLIPSES and not protected.overlaps(start, tokens.ends[i]):
            yield Site(Channel.TYPOGRAPHIC, "ellipsis", ((start, tokens.ends[i]),),
                       _pair(tok, _ELLIPSES), ((i, i + 1),), "raw")
            continue
        # em dash between words: unspaced "a—b" or spaced "a — b"
        if tok == "—" and tokens.raw[i - 1][-1].isalnum() and tokens.raw[i + 1][0].isalnum():
            lo, hi = tokens.ends[i - 1], tokens.starts[i + 1]
            gap = text[lo:hi]
            if gap in ("—", " — ") and not protected.overlaps(lo, hi):
                yield Site(Channel.TYPOGRAPHIC, "dash-spacing", ((lo, hi),),
                           _pair(gap, ("—", " — ")), ((i, i + 1),), "folded")
            continue
    yield from _quote_pairs(tokens, protected)


def _sentence_spacing(tokens: Tokens, protected: Protected, i: int) -> Site | None:
    """One or two spaces after a full stop, question or exclamation mark ending a sentence."""
    text = tokens.text
    end, nxt = tokens.ends[i], tokens.starts[i + 1]
    prev = tokens.raw[i - 1]
    if text[end:nxt] != " " or tokens.ends[i - 1] != tokens.starts[i]:
        return None
    if not prev[-1].isalpha() or len(prev) < 2 or prev.lower() in _ABBREVIATIONS:
        return None
    if not tokens.raw[i + 1][0].isupper() or protected.overlaps(end, nxt + 1):
        return None
    return Site(Channel.TYPOGRAPHIC, "sentence-spacing", ((end, nxt),), ((" ",), ("  ",)),
                ((i + 1, i + 1),), "spaces")


def _quote_pairs(tokens: Tokens, protected: Protected) -> Iterator[Site]:
    """Straight "…" or curly “…” double quotes around a quotation (the quotation is protected)."""
    n = len(tokens)
    open_i = None
    for i in range(1, n - 1):
        tok = tokens.raw[i]
        if tok == "“" or (tok == '"' and open_i is None):
            open_i = i
        elif (tok == "”" or tok == '"') and open_i is not None:
            a = open_i
            open_i = None
            first = tokens.raw[a]
            if (first == '"') != (tok == '"') or i - a < 2:
                continue
            if tokens.text.count("\n", tokens.starts[a], tokens.ends[i]):
                continue
            spans = ((tokens.starts[a], tokens.ends[a]), (tokens.starts[i], tokens.ends[i]))
            straight, curly = ('"', '"'), ("“", "”")
            variants = (straight, curly) if first == '"' else (curly, straight)
            yield Site(Channel.TYPOGRAPHIC, "double-quotes", spans, variants,
                       ((a, a + 1), (i, i + 1)), "raw")
