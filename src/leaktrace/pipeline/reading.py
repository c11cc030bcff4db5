"""Stage 3: every channel reads its sites of one source from the evidence the leak offers
(the alignment search computed; page images with word boxes)."""

from __future__ import annotations

from collections import Counter

import numpy as np

from ..marks import channels
from ..marks.read import NOT_COVERED
from .values import Artifact, Library, MarkedSource, Reading


def read(lib: Library, leak: Artifact, source: MarkedSource) -> Reading:
    doc, base, sites, code = lib.code(source.doc)
    al = source.alignment
    dtoks = source.doc_tokens
    evidence = channels.Evidence(dtoks, leak.tokens, al, leak.pages)
    reads = channels.read(sites, evidence)
    d2l = al.doc_to_leak
    covered: Counter[str] = Counter()
    got: Counter[str] = Counter()
    for i, site in enumerate(sites):
        # covered: the leak holds the site's place (its anchors, or words around it that were
        # compared with every variant), whether or not a variant could be read there
        if reads.status[i] != NOT_COVERED or all(d2l[a - 1] >= 0 and d2l[b] >= 0 for a, b in site.windows):
            covered[site.channel.value] += 1
        if reads.variant[i] >= 0:
            got[site.channel.value] += 1
    aligned_words = sum(1 for i in np.flatnonzero(d2l >= 0) if dtoks.skel[i][0].isalnum())
    return Reading(doc, base, sites, code, reads, dict(covered), dict(got), aligned_words)
