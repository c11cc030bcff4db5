"""Reading: the variant a leak shows at every site of a document, or an erasure (-1).

Reads use the alignment's anchors, or the nearest aligned words around a site compared with
every variant; a whole group of sites of one kind that all
read the same variant is treated as erased, because that is what a normalizer
(a sanitizer stripping zero-width characters, a CMS straightening quotes) produces.
Every decision here looks at the leak alone, never at any copy's codeword, so the
score of an innocent copy keeps its exact null distribution.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from ..text.align import Alignment
from ..text.tokens import Tokens, invisible_chars
from .sites import Site, expected, observe

UNIFORM_GROUP = 3  # a group this large reading one variant throughout is erased


# why a site has no reading (Reads.status)
READ, NOT_COVERED, UNREADABLE, ERASED = 0, 1, 2, 3
STATUS = ("read", "not covered", "unreadable", "erased")
NEAR = 8   # how far (in document tokens) the nearest aligned token may be from a site's anchor


def read_text(sites: Sequence[Site], doc: Tokens, leak: Tokens, alignment: Alignment) -> np.ndarray:
    """The variant the leak's text shows at each site, or -1."""
    return read_text_status(sites, doc, leak, alignment)[0]


def read_text_status(sites: Sequence[Site], doc: Tokens, leak: Tokens, alignment: Alignment,
                     normalizable: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The variant the leak's text shows at each site or -1, and why there is none (STATUS).

    A site is read between its anchors where the alignment holds them. Where it does not (the
    alignment follows the original's words, so a copy's other variant next to a lone word,
    "Please handle these", leaves that word unaligned), the leak is compared with every
    variant: the document's words from the nearest aligned token on each side, with the
    variant in place, must be exactly what the leak holds there."""
    d2l = alignment.doc_to_leak
    text = leak.text
    out = np.full(len(sites), -1, dtype=np.int64)
    status = np.full(len(sites), NOT_COVERED, dtype=np.int8)
    used = np.zeros(len(leak) + 1, dtype=bool)
    used[d2l[d2l >= 0]] = True
    for i, site in enumerate(sites):
        if site.reader == "layout":
            continue    # a position on a page: the text does not show it (marks/layout.py reads it)
        obs = []
        ok = True
        for a, b in site.windows:
            j1, j2 = int(d2l[a - 1]), int(d2l[b])
            if j1 < 0 or j2 <= j1 or j2 - j1 - 1 > (b - a) + 4:
                ok = False
                break
            if site.reader == "gap" and j2 != j1 + 1:
                ok = False
                break
            obs.append(observe(site.reader, text[leak.ends[j1]:leak.starts[j2]]))
        if not ok:
            if site.reader == "tokens" and len(site.windows) == 1:
                found = _every_variant(site, doc, leak, d2l, used)
                if found is not None:
                    status[i] = READ if len(found) == 1 else UNREADABLE
                    if len(found) == 1:
                        out[i] = found[0]
            continue
        obs_t = tuple(obs)
        if site.reader == "gap":
            found = [v for v in range(site.q) if (site.variants[v][0],) == obs_t]
        else:
            found = [v for v in range(site.q) if expected(site, doc, v) == obs_t]
        if len(found) == 1:
            out[i] = found[0]
            status[i] = READ
        else:
            status[i] = UNREADABLE
    if normalizable:
        erased = out.copy()
        _erase_uniform_groups(sites, out, leak)
        status[(erased >= 0) & (out < 0)] = ERASED
    return out, status


def _every_variant(site: Site, doc: Tokens, leak: Tokens, d2l: np.ndarray, used: np.ndarray) -> list[int] | None:
    """The variants whose words, framed by the document's words out to the nearest aligned
    token on each side (or by the anchor itself on a side with none near), are exactly the
    leak's words there; None when the leak does not hold the site's place."""
    (a, b), = site.windows
    n = len(doc)
    p = next((k for k in range(a - 1, max(-1, a - 1 - NEAR), -1) if d2l[k] >= 0), None)
    q = next((k for k in range(b, min(n, b + NEAR)) if d2l[k] >= 0), None)
    if p is None and q is None:
        return None
    found = []
    for v in range(site.q):
        # the variant's words with the document's words from the anchors out to p and q
        wide = Site(site.channel, site.kind, site.spans, site.variants,
                    ((a if p is None else p + 1, b if q is None else q),), site.reader)
        want = expected(wide, doc, v)[0]
        lead = (doc.skel[a - 1],) if p is None else ()      # the anchor frames a one-sided match
        tail = (doc.skel[b],) if q is None else ()
        if p is not None:
            lo = int(d2l[p]) + 1
        else:
            lo = int(d2l[q]) - len(want) - 1
        hi = lo + len(lead) + len(want) + len(tail)
        if q is not None and hi != int(d2l[q]):
            continue
        if lo < 0 or hi > len(leak) or used[lo:hi].any():
            continue
        if tuple(leak.skel[lo:hi]) != lead + want + tail:
            continue
        # the same words read the way a window is read (invisible characters removed)
        if observe("tokens", leak.text[leak.starts[lo]:leak.ends[hi - 1]] if hi > lo else "") != lead + want + tail:
            continue
        found.append(v)
    # on one side only, a region that fits no variant is more likely text beyond the leak's end
    # (or before its start) than the site's place: not covered rather than unreadable
    return found if found or (p is not None and q is not None) else None


def _erase_uniform_groups(sites: Sequence[Site], symbols: np.ndarray, leak: Tokens) -> None:
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, site in enumerate(sites):
        if symbols[i] >= 0:
            groups[(site.channel.value, site.kind.split(":")[0])].append(i)
    for (channel, _), members in groups.items():
        values = {int(symbols[i]) for i in members}
        uniform = len(values) == 1 and len(members) >= UNIFORM_GROUP
        # A leak with no invisible character at all was stripped (or retyped): its "nothing
        # here" readings are not evidence. Likewise a character style (’, “, U+2010, …) that
        # appears nowhere in the leak was folded away, not chosen.
        stripped = channel == "invisible" and not invisible_chars(leak.text)
        if not stripped and sites[members[0]].reader == "raw":
            styled = {ch for i in members for v in sites[i].variants for part in v for ch in part
                      if not ch.isascii()}
            stripped = bool(styled) and not any(ch in leak.text for ch in styled)
        if uniform or stripped:
            symbols[members] = -1


read = read_text   # every text channel reads this way
