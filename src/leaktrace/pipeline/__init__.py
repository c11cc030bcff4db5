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
    per_source = []
    for src in found.marked:
        issued = lib.issued_copies(src.doc)
        if not issued:
            per_source.append(verdict.unread(leak, src, src.match.document, lib.row(src.doc).base))
            continue
        candidates = scoring.candidates(src, issued)
        read = reading.read(lib, leak, src)
        per_source.append(verdict.for_source(leak, src, read, scoring.score(lib, read, candidates), len(issued)))
    return verdict.conclude(lib, leak, found, per_source)
