"""Stage 2: source search (candidates, passages, reuse verdict), and the derived sources whose
marks are read, each with the alignment search already computed."""

from __future__ import annotations

from ..search.sources import MIN_DERIVED_WORDS, MIN_EXACT_RUN, MIN_PASSAGE_WORDS, find_sources
from ..text.align import Alignment
from .values import Artifact, Found, Library, MarkedSource


def copied(al: Alignment) -> bool:
    """Whether an alignment shows copied text rather than a rewording with a few shared phrases."""
    strength = sum(p.words for p in al.passages if p.words >= MIN_PASSAGE_WORDS)
    return strength >= MIN_DERIVED_WORDS and any(p.longest_run >= MIN_EXACT_RUN for p in al.passages)


def find(lib: Library, leak: Artifact) -> Found:
    result, aligned = find_sources(lib, leak.text, leak.tokens)
    marked = []
    for m in result.sources:
        doc = int(m.document["id"][1:])
        al = aligned.get(doc)
        if m.derived and al is not None:
            marked.append(MarkedSource(doc, m, lib.doc_index(doc).doc, al, copied(al)))
    return Found(result, tuple(marked), aligned)
