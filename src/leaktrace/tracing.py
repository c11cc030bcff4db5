"""Tracing: a workspace's leaks through the trace pipeline (see leaktrace.pipeline), with the
copy stamps checked against the key and every trace recorded in the audit trail."""

from __future__ import annotations

import gc
import hashlib
import os
from contextlib import contextmanager
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sqlalchemy import select

from . import formats, pipeline
from .documents import Documents
from .formats.stamp import StampFinding, parse, valid
from .ledger.book import Ledger
from .marking import Marking
from .marks.code import Code
from .marks.sites import Site
from .models import Document, TraceResult, doc_public_id
from .search import sources as search_sources
from .store import db
from .text.align import DocIndex


@contextmanager
def _without_collection_pauses():
    """A trace makes many short-lived objects (a content exposure of 10,000 holders is 20,000
    dicts) and no reference cycles worth collecting; a full garbage collection in the middle
    walks every cached site and index of the workspace, which doubled the time of a trace.
    Collection resumes when the trace ends."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class Tracer:
    """Traces leaks against the documents and copies of one workspace. It is what the pipeline
    and source search ask for documents, their codes and their copies (pipeline.Library)."""

    def __init__(self, engine, key: bytes, path: Path, documents: Documents, marking: Marking):
        self.engine = engine
        self.key = key
        self.path = path
        self.documents = documents
        self.marking = marking
        self._holders: dict[int, list] = {}     # for the trace under way: search and scoring share them

    # -- what source search and the pipeline read
    def row(self, doc: int):
        return self.documents.row(doc)

    def document(self, doc: int | str) -> Document:
        return self.documents.document(doc)

    def doc_index(self, doc: int) -> DocIndex:
        return self.documents.doc_index(doc)

    def sections(self, doc: int) -> list:
        return self.documents.sections(doc)

    def marked_sites(self, doc: int) -> list[Site] | None:
        return self.marking.code(doc)[2] if self.marking.is_marked(doc) else None

    def code(self, doc: int) -> tuple[Document, str, list[Site], Code]:
        return self.marking.code(doc)

    def holders(self, doc: int) -> list[tuple[str, str, str, str | None]]:
        if doc not in self._holders:
            self._holders[doc] = self.marking.holders(doc)
        return self._holders[doc]

    def issued_copies(self, doc: int) -> list[tuple[str, str, str]]:
        return [h[:3] for h in self.holders(doc)]

    def codewords(self, doc: int, recipient_ids: Sequence[str]) -> np.ndarray:
        return self.marking.codewords(doc, recipient_ids)

    # -- the entry points
    def search(self, text: str) -> search_sources.SearchResult:
        """Which registered documents, versions and sections a text reuses, passage by passage."""
        self._holders.clear()
        try:
            return search_sources.search(self, text)
        finally:
            self._holders.clear()

    def trace(self, text: str, *, audit: bool = True, stamps: Sequence[str] = (),
              source: formats.Extracted | None = None) -> TraceResult:
        """Trace a leak (its text, and the copy stamps its file carried); the trace itself is
        recorded in the ledger's audit trail."""
        leak = pipeline.artifact(text, extracted=source, stamps=self.verify_stamps(stamps))
        self._holders.clear()
        try:
            with _without_collection_pauses():
                result = pipeline.run(self, leak)
        finally:
            self._holders.clear()
        if audit:
            Ledger(self).record_audit("trace", details={
                "leak_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                "leak_words": result.leak_words, "verdict": result.verdict,
                "document": result.document["id"] if result.document else None,
                "identified_copies": [c.copy for r in [result, *result.other_sources]
                                      for c in r.copies if c.identified]})
        return result

    def trace_file(self, path: str | os.PathLike, *, audit: bool = True) -> TraceResult:
        ex = formats.read_leak(Path(path))
        return self.trace(ex.text, audit=audit, stamps=ex.stamps, source=ex)

    def verify_stamps(self, stamps: Sequence[str]) -> list[StampFinding]:
        """What each copy stamp found in a file says, checked with the workspace key."""
        out = []
        for raw in dict.fromkeys(s.strip() for s in stamps if s and s.strip()):
            parsed = parse(raw)
            if parsed is None:
                out.append(StampFinding(raw[:80], "malformed"))
                continue
            cid, mac = parsed
            with self.engine.connect() as conn:
                rows = conn.execute(select(db.copies.c.doc, db.copies.c.recipient, db.documents.c.uid)
                                    .join(db.documents, db.documents.c.id == db.copies.c.doc)
                                    .where(db.copies.c.copy_id == cid)).all()
            hit = next((r for r in rows if valid(self.key, r.uid, r.recipient, cid, mac)), None)
            if hit is not None:
                out.append(StampFinding(raw, "verified", doc_public_id(hit.doc), hit.recipient, cid))
            else:
                out.append(StampFinding(raw, "forged" if rows else "unknown-copy", copy=cid))
        return out
