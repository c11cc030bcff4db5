"""Embedding: render a copy from the base text, the sites and one codeword."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..text.display import visible
from .sites import Site


class Renderer:
    """Renders copies fast: the base text is cut once at every span, so a copy is one join."""

    def __init__(self, base: str, sites: Sequence[Site]):
        spans = sorted((s, e, i, k) for i, site in enumerate(sites) for k, (s, e) in enumerate(site.spans))
        self.segments: list[str] = []
        pos = 0
        for s, e, _, _ in spans:
            self.segments.append(base[pos:s])
            pos = e
        self.segments.append(base[pos:])
        self.span_site = np.array([i for _, _, i, _ in spans], dtype=np.int64)
        self.lengths = [e - s for s, e, _, _ in spans]
        # choices[j][v]: the text of span j under variant v of its site
        self.choices = [tuple(v[k] for v in sites[i].variants) for _, _, i, k in spans]

    def edits(self, codeword: np.ndarray) -> list[tuple[int, int, str]]:
        """The copy as (start, end, replacement) edits of the base text, every span included."""
        out, pos = [], 0
        for seg, n, (c, v) in zip(self.segments, self.lengths, zip(self.choices, codeword[self.span_site].tolist())):
            pos += len(seg)
            out.append((pos, pos + n, c[v]))
            pos += n
        return out

    def render(self, codeword: np.ndarray) -> str:
        pieces = [None] * (2 * len(self.choices) + 1)
        pieces[0::2] = self.segments
        pieces[1::2] = [c[v] for c, v in zip(self.choices, codeword[self.span_site].tolist())]
        return "".join(pieces)


def render(base: str, sites: Sequence[Site], codeword: np.ndarray) -> str:
    return Renderer(base, sites).render(codeword)


def apply_edits(base: str, edits: Sequence[tuple[int, int, str]]) -> str:
    """base with base[s:e] replaced by rep for every (s, e, rep), sorted and disjoint."""
    out, pos = [], 0
    for s, e, rep in edits:
        out.append(base[pos:s])
        out.append(rep)
        pos = e
    out.append(base[pos:])
    return "".join(out)


@dataclass(frozen=True)
class Change:
    """One difference between a copy and the original, for the author's preview."""

    channel: str
    kind: str
    line: int
    original: str
    copy: str
    context: str


def changes(base: str, sites: Sequence[Site], codeword: np.ndarray) -> list[Change]:
    out = []
    for site, v in zip(sites, codeword.tolist()):
        if not v or site.reader == "layout":   # a word moved on a PDF page: no change to the text
            continue
        for (s, e), orig, rep in zip(site.spans, site.variants[0], site.variants[v]):
            lo = max(base.rfind("\n", 0, s) + 1, s - 30)
            hi = min(len(base) if base.find("\n", e) < 0 else base.find("\n", e), e + 30)
            # about 30 characters each side, never a word cut in two
            if lo > 0 and not base[lo - 1].isspace() and " " in base[lo:s]:
                lo = base.index(" ", lo) + 1
            if hi < len(base) and not base[hi].isspace() and " " in base[e:hi]:
                hi = base.rindex(" ", e, hi)
            ctx = base[lo:s] + "[" + rep + "]" + base[e:hi]
            out.append(Change(site.channel.value, site.kind, base.count("\n", 0, s) + 1,
                              visible(orig), visible(rep), visible(ctx)))
    return out
