"""The trace pipeline: one path from a leak to a verdict, in stages with typed values between
them (see values.py):

    artifact  (formats)   the leak read into text, page images with word boxes, stamps
    sources   (search)    candidates, passages, reuse verdict; the alignment of each derived source
    reading   (channels)  every channel reads its sites of each marked source from that evidence
    scoring               every issued copy of that source scored against the reading
    verdict               the copies that clear the bar (or why none does), per source, and the result

A leak that reuses several marked documents gets marks read, copies scored and a verdict for
each (`TraceResult.other_sources` beside the first).
"""

from __future__ import annotations

from ..models import TraceResult
from . import reading, scoring, sources, verdict
from .artifact import artifact
from .values import Artifact, Found, Library, MarkedSource, Reading, Scores

__all__ = ["Artifact", "Found", "Library", "MarkedSource", "Reading", "Scores", "artifact", "run"]


def run(lib: Library, leak: Artifact) -> TraceResult:
    """Trace one artifact through every stage."""
    found = sources.find(lib, leak)
    issued = {src.doc: lib.issued_copies(src.doc) for src in found.marked}
    candidates = {src.doc: scoring.candidates(src, issued[src.doc]) for src in found.marked if issued[src.doc]}
    # every copy scored in this trace, of every source (two versions with the same text, or two
    # documents the leak quotes): one false-accusation bound over all of them
    in_trace = sum(len(c) for c in candidates.values())
    per_source = []
    for src in found.marked:
        if not issued[src.doc]:
            per_source.append(verdict.unread(leak, src, src.match.document, lib.row(src.doc).base))
            continue
        read = reading.read(lib, leak, src)
        per_source.append(verdict.for_source(leak, src, read, scoring.score(lib, read, candidates[src.doc]),
                                             len(issued[src.doc]), in_trace))
    return verdict.conclude(lib, leak, found, per_source)
