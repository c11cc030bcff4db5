"""Embedding: render a copy from the base text, the sites and one codeword."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .sites import Site


def render(base: str, sites: Sequence[Site], codeword: np.ndarray) -> str:
    edits: list[tuple[int, int, str]] = []
    for site, v in zip(sites, codeword.tolist()):
        if v:
            for (s, e), rep in zip(site.spans, site.variants[v]):
                edits.append((s, e, rep))
    edits.sort()
    out: list[str] = []
    pos = 0
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


def visible(s: str) -> str:
    """Show invisible and control characters as <U+XXXX> so a preview is honest."""
    import unicodedata

    out = []
    for ch in s:
        cat = unicodedata.category(ch)
        if cat in ("Cf", "Cc", "Co", "Cs", "Zl", "Zp") or ch in "\u00a0\u2010":
            out.append(f"<U+{ord(ch):04X}>")
        else:
            out.append(ch)
    return "".join(out)


def changes(base: str, sites: Sequence[Site], codeword: np.ndarray) -> list[Change]:
    out = []
    for site, v in zip(sites, codeword.tolist()):
        if not v:
            continue
        for (s, e), orig, rep in zip(site.spans, site.variants[0], site.variants[v]):
            lo = max(base.rfind("\n", 0, s) + 1, s - 30)
            hi = min(len(base) if base.find("\n", e) < 0 else base.find("\n", e), e + 30)
            ctx = base[lo:s] + "[" + rep + "]" + base[e:hi]
            out.append(Change(site.channel.value, site.kind, base.count("\n", 0, s) + 1,
                              visible(orig), visible(rep), visible(ctx)))
    return out
