"""Marking: the code of a registered document (its sites, found once by every channel, and the
keyed biases) stored with the document, and each recipient's codeword and copy text from it."""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Sequence

import numpy as np
from sqlalchemy import select

from . import sections as secmod
from .documents import Documents, document_of, now, parse_doc_id
from .errors import MarkingError, WorkspaceError
from .marks import embed
from .marks.channels import find_sites, parse_channels
from .marks.code import Code, make_biases
from .marks.declared import resolve
from .marks.sites import Site
from .models import Capacity, Document, Scenario, doc_public_id
from .recipients import Recipients
from .store import db
from .text.protect import find_protected
from .text.tokens import tokenize

MARKING_VERSION = 1
MIN_WORDS = 40
MIN_SITES = 16


class Marking:
    """Codes of the documents of one workspace, created on first use and cached."""

    def __init__(self, engine, key: bytes, documents: Documents, recipients: Recipients):
        self.engine = engine
        self.key = key
        self.documents = documents
        self.recipients = recipients
        self._code_cache: dict[int, tuple] = {}
        self._codeword_cache: dict[int, tuple] = {}
        self._pdf_writers: dict[int, object] = {}     # the last document's PDF writer (its layout)

    def code(self, doc_id: str | int) -> tuple[Document, str, list[Site], Code]:
        """The document, its base text, sites and code; created (and stored) on first use."""
        row = self.documents.row(doc_id)
        cached = self._code_cache.get(row.id)
        if cached:
            return cached
        with self.engine.begin() as conn:
            stored = conn.execute(select(db.codes).where(db.codes.c.doc == row.id)).first()
            if stored is not None:
                if stored.tokens_digest != tokens_digest(row.base):
                    raise WorkspaceError(f"{doc_public_id(row.id)} was marked by a leaktrace whose tokenizer "
                                         "differs from this one; trace it with the version that marked it")
                sites = [Site.from_json(s) for s in json.loads(zlib.decompress(stored.sites))]
                qs = [s.q for s in sites]
                biases = np.frombuffer(zlib.decompress(stored.biases), dtype=np.float64).reshape(len(sites), -1)
            else:
                sites = self._find_sites(row)
                qs = [s.q for s in sites]
                biases = make_biases(self.key, row.uid, qs)
                conn.execute(db.codes.insert().values(
                    doc=row.id, version=MARKING_VERSION,
                    sites=zlib.compress(json.dumps([s.to_json() for s in sites],
                                                   ensure_ascii=False).encode("utf-8")),
                    biases=zlib.compress(biases.astype(np.float64).tobytes()),
                    tokens_digest=tokens_digest(row.base), created_at=now()))
        result = (document_of(row), row.base, sites, Code(self.key, row.uid, biases, qs))
        self._code_cache[row.id] = result
        return result

    def is_marked(self, doc: int) -> bool:
        """Whether the document's code exists (it is created when the first copy is made)."""
        if doc in self._code_cache:
            return True
        with self.engine.connect() as conn:
            return conn.execute(select(db.codes.c.doc).where(db.codes.c.doc == doc)).first() is not None

    def _find_sites(self, row) -> list[Site]:
        if row.words < MIN_WORDS:
            raise MarkingError(f"{doc_public_id(row.id)} is too short to mark ({row.words} words; "
                               f"at least {MIN_WORDS} are needed)")
        sites = self._sites_in(row, row.original, row.channels)
        if len(sites) < MIN_SITES:
            raise MarkingError(f"{doc_public_id(row.id)} has only {len(sites)} sites in channels "
                               f"{row.channels}; at least {MIN_SITES} are needed to mark it")
        return sites

    def _sites_in(self, row, original: str, channels: str) -> list[Site]:
        """The sites of a document's text as `original` declares its alternatives, in `channels`."""
        base, declared = resolve(original)
        protected = find_protected(base, extra=self.documents.fixed_spans(row))
        return find_sites(tokenize(base), protected, declared, parse_channels(channels), fmt=row.format)

    def capacity(self, doc_id: str | int, if_accepted: tuple[int, str] | None = None) -> Capacity:
        """What each leak type needs to identify a copy; beside it, the same without the
        document's declared alternatives and, given `if_accepted` (how many suggestions, and the
        original they would make), with those suggestions accepted."""
        from .capacity import capacity, probes_of, words_needed

        doc, base, sites, code = self.code(doc_id)
        issued = len(self.issued_copies(doc.id))
        n = issued or len(self.recipients.all())
        among = n or 1000
        scenarios = []
        auto = [i for i, s in enumerate(sites) if s.channel.value != "declared"]
        if len(auto) < len(sites):
            # the same probe copies, their declared sites left out
            sub = Code(self.key, code.doc_uid, code.biases[auto], code.qs[auto])
            words, read = words_needed(base, [sites[i] for i in auto], sub, among,
                                       [p[auto] for p in probes_of(code)])
            scenarios.append(Scenario("automatic", "without the declared alternatives (automatic channels only)",
                                      len(auto), words, among, read, _wordlike([sites[i] for i in auto])))
        if if_accepted and if_accepted[0]:
            row = self.documents.row(doc_id)
            if resolve(if_accepted[1])[0] == base:
                what = self._sites_in(row, if_accepted[1],
                                      ",".join(dict.fromkeys([*row.channels.split(","), "declared"])))
                qs = [s.q for s in what]
                what_code = Code(self.key, f"{row.uid}:if-accepted", make_biases(self.key, f"{row.uid}:if-accepted", qs),
                                 qs)
                words, read = words_needed(base, what, what_code, among)
                scenarios.append(Scenario(
                    "suggestions", f"with the {if_accepted[0]} keeps-meaning suggestions of `suggest` accepted",
                    len(what), words, among, read, _wordlike(what)))
        printed = None
        if any(s.channel.value == "layout" for s in sites):
            def printed(cw: np.ndarray):
                from .formats.pdfread import extract_pdf

                got = extract_pdf(self.pdf_copy(doc_id, cw), "probe.pdf")
                return got.text, got.pages
        return capacity(doc, base, sites, code, n, tuple(scenarios), printed=printed)

    def preview(self, doc_id: str | int, recipient_id: str) -> list[embed.Change]:
        """What the copy of one recipient changes, site by site."""
        doc, base, sites, code = self.code(doc_id)
        rec = self.recipients.by_id([recipient_id])[0]
        return embed.changes(base, sites, code.codeword(rec.id))

    def render_copy(self, doc_id: str | int, recipient_id: str,
                    sections: str | Sequence[str] | None = None) -> str:
        """The text of one recipient's copy (of the named sections only, when given)."""
        doc, base, sites, code = self.code(doc_id)
        chosen = secmod.select(self.documents.sections(doc.id), sections)
        if chosen is None:
            return embed.render(base, sites, code.codeword(recipient_id))
        return cut(base, embed.Renderer(base, sites).edits(code.codeword(recipient_id)), chosen)

    def pdf_copy(self, doc_id: str | int, codeword: np.ndarray) -> bytes:
        """The PDF copy a codeword gives, laid out as `mark --as pdf` lays it out (its layout marks
        included): for measuring what a printed copy carries."""
        from .formats.copies import CopyWriter
        from .marks import layout
        from .marks.channels import carried
        from .marks.declared import to_original

        doc, base, sites, code = self.code(doc_id)
        row = self.documents.row(doc_id)
        writer = self._pdf_writers.get(row.id)
        if writer is None:
            writer = CopyWriter(doc.format, "pdf", doc.title, row.blob)
            writer.lay_out(base, sites)
            self._pdf_writers = {row.id: writer}
        renderer = embed.Renderer(base, layout.for_pdf(sites))
        cw = carried(sites, codeword, "pdf")
        edits = to_original(row.original, renderer.edits(cw)) if writer.template is not None else ()
        return writer.write(renderer.render(cw), edits, codeword=cw)

    def holders(self, doc_id: str | int) -> list[tuple[str, str, str, str | None]]:
        """(recipient id, name, copy id, sections held as JSON or None for all) of every copy of
        a document, in recipient order."""
        n = parse_doc_id(doc_id)
        with self.engine.connect() as conn:
            q = (select(db.copies.c.recipient, db.recipients.c.name, db.copies.c.copy_id, db.copies.c.sections)
                 .join(db.recipients, db.recipients.c.id == db.copies.c.recipient)
                 .where(db.copies.c.doc == n).order_by(db.copies.c.recipient))
            return [tuple(r) for r in conn.execute(q).all()]

    def issued_copies(self, doc_id: str | int) -> list[tuple[str, str, str]]:
        """(recipient id, name, copy id) of every copy of a document, in recipient order."""
        return [h[:3] for h in self.holders(doc_id)]

    def codewords(self, doc_id: str | int, recipient_ids: Sequence[str]) -> np.ndarray:
        """Codewords of the given copies (rows in the given order), cached per document."""
        _, _, _, code = self.code(doc_id)
        key = (parse_doc_id(doc_id), tuple(recipient_ids))
        cached = self._codeword_cache.get(key[0])
        if cached is None or cached[0] != key[1]:
            cached = (key[1], code.codewords(recipient_ids))
            self._codeword_cache[key[0]] = cached
        return cached[1]

    def forget_codewords(self, doc: int) -> None:
        """New copies were issued: the cached codewords no longer list every holder."""
        self._codeword_cache.pop(doc, None)


def _wordlike(sites: Sequence[Site]) -> int:
    """Sites of the channels that live in the words (lexical, declared): what survives retyping."""
    return sum(s.channel.value in ("lexical", "declared") for s in sites)


def cut(base: str, edits: Sequence[tuple[int, int, str]], chosen: Sequence) -> str:
    """A copy holding only the chosen sections: each section's base text with its edits."""
    parts = []
    for sec in chosen:
        inside = [(a - sec.start, b - sec.start, rep) for a, b, rep in edits if sec.start <= a and b <= sec.end]
        parts.append(embed.apply_edits(base[sec.start:sec.end], inside).strip("\n"))
    return "\n\n".join(parts) + "\n"


def tokens_digest(base: str) -> str:
    """Fingerprint of the tokenization that site windows refer to."""
    t = tokenize(base)
    return hashlib.sha256(repr((t.starts, t.ends)).encode()).hexdigest()
