"""Reading: the variant a leak shows at every site of a document, or an erasure (-1).

Reads use the alignment's anchors only; a whole group of sites of one kind that all
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


def read_text(sites: Sequence[Site], doc: Tokens, leak: Tokens, alignment: Alignment) -> np.ndarray:
    """The variant the leak's text shows at each site, or -1."""
    d2l = alignment.doc_to_leak
    text = leak.text
    out = np.full(len(sites), -1, dtype=np.int64)
    for i, site in enumerate(sites):
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
            continue
        obs_t = tuple(obs)
        if site.reader == "gap":
            found = [v for v in range(site.q) if (site.variants[v][0],) == obs_t]
        else:
            found = [v for v in range(site.q) if expected(site, doc, v) == obs_t]
        if len(found) == 1:
            out[i] = found[0]
    _erase_uniform_groups(sites, out, leak)
    return out


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
