"""Stage 2: source search (candidates, passages, reuse verdict), and the derived sources whose
marks are read, each with the alignment search already computed."""

from __future__ import annotations

from dataclasses import replace

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
            src = MarkedSource(doc, m, lib.doc_index(doc).doc, al, copied(al))
            marked += [src, *_same_words(lib, src)]
    return Found(result, tuple(marked), aligned)


def _same_words(lib: Library, src: MarkedSource) -> list[MarkedSource]:
    """The other versions of the source with the very same base text (a version that only adds
    declared alternatives: `suggest --apply`): source search names one version per series, but
    each of these has copies of its own, read with its own code, so every one is a source."""
    base = lib.row(src.doc).base
    out = []
    for v in src.match.versions:
        doc = int(v["id"][1:])
        if doc == src.doc or not v["contains"]:
            continue
        row = lib.row(doc)
        if row.base != base:
            continue
        match = replace(src.match, document={**src.match.document, "id": v["id"], "title": row.title,
                                             "version": v["version"]})
        out.append(MarkedSource(doc, match, src.doc_tokens, src.alignment, src.copied))
    return out
