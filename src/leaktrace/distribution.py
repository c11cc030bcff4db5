"""Distribution: one marked copy per recipient, written in the chosen format (or sent by
e-mail), with its manifest, its copy record and its ledger entry, all or nothing."""

from __future__ import annotations

import hashlib
import json
import os
import re
import contextlib
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import delete

from . import formats
from . import sections as secmod
from . import workdir
from .documents import Documents, now, parse_doc_id
from .errors import ConflictError, InputError
from .formats import mailcopy, stamp
from .formats.copies import CopyWriter
from .ledger.book import Ledger
from .marking import MARKING_VERSION, Marking, cut
from .marks import embed, layout
from .marks.channels import carried
from .marks.code import copy_id
from .marks.declared import base_to_original, to_original
from .models import Document, IssuedCopy, MarkResult, Recipient
from .recipients import Recipients
from .store import db

# manifest.json names its schema first, as every JSON leaktrace writes does ("leaktrace.<kind>/<version>");
# its own kind: `mark --json` prints another shape (what was written) as leaktrace.mark/1.
MANIFEST_SCHEMA = "leaktrace.mark-manifest/1"


class Distribution:
    """Writes and records the marked copies of one workspace's documents."""

    def __init__(self, engine, key: bytes, path: Path, documents: Documents, recipients: Recipients,
                 marking: Marking):
        self.engine = engine
        self.key = key
        self.path = path          # the ledger signs with the workspace's key files
        self.documents = documents
        self.recipients = recipients
        self.marking = marking

    def mark(self, doc_id: str | int, to: str | Sequence[str] = "all", out_dir: str | os.PathLike = "copies",
             *, overwrite: bool = False, as_format: str | None = None, footer: bool = False,
             sender: str | None = None, smtp=None, sections: str | Sequence[str] | None = None,
             progress=None) -> MarkResult:
        """Write one marked copy per recipient into out_dir, plus manifest.json; record the distribution.

        as_format: the copies' file format (the original's by default; also pdf, or eml for
        e-mail). footer: print "Prepared for NAME" on every PDF page. smtp: a
        formats.mailcopy.SmtpServer to send the e-mail copies through (from `sender`).
        sections: only these named sections go into the copies, in every format (a Word or
        HTML copy loses the paragraphs, tables and images of the other sections); the ledger
        records which. progress(k, n) is called as copies are written (PDF copies take a while)."""
        doc, base, sites, code = self.marking.code(doc_id)
        row = self.documents.row(doc_id)
        recs = self.recipients.choose(to)
        writer = CopyWriter(doc.format, as_format, doc.title, row.blob)
        chosen = secmod.select(self.documents.sections(doc.id), sections)
        keep = None if chosen is None else [(base_to_original(row.original, x.start),
                                             base_to_original(row.original, x.end)) for x in chosen]
        if footer and writer.format not in ("pdf", "eml"):
            raise InputError("--footer needs PDF copies (--as pdf)")
        if writer.format == "eml" and not sender:
            raise InputError("e-mail copies need a sender address (--from)")
        if smtp is not None and writer.format != "eml":
            raise InputError("sending needs e-mail copies (--as eml)")
        attach = None
        if writer.format == "eml" and doc.format in ("docx", "html", "pdf"):
            attach = CopyWriter(doc.format, None, doc.title, row.blob)
        out = Path(out_dir)
        ext = formats.extension(writer.format)
        if out.exists() and not out.is_dir():
            raise InputError(f"{out} exists and is not a folder")
        targets = [out / f"{r.id}{ext}" for r in recs] + [out / "manifest.json"]
        folder = next((t for t in targets if t.is_dir()), None)
        if folder:
            raise InputError(f"{folder} is a folder, where a copy would be written; move it or choose another --out")
        if not overwrite:
            clash = next((t for t in targets if t.exists() or t.is_symlink()), None)
            if clash:
                raise ConflictError(f"{clash} already exists; use --force to overwrite or choose another --out")
        created = not out.exists()
        out.mkdir(parents=True, exist_ok=True)
        workdir.clean(out)
        tmp, lock = workdir.make(out)
        done = False
        issued: list[IssuedCopy] = []
        messages = []
        issued_at = now()
        n = parse_doc_id(doc.id)
        # a PDF copy (or a PDF attached to an e-mail copy) carries the layout marks: its words are
        # shifted where the text says so (formats.pdfwrite)
        laid_out = "pdf" if writer.format == "pdf" or (attach is not None and attach.format == "pdf") else None
        renderer = embed.Renderer(base, layout.for_pdf(sites) if laid_out else sites)
        structured = writer.template is not None or attach is not None
        if chosen is None:
            # PDF copies of the whole document are written into one layout of it
            for w in (writer, attach):
                if w is not None and w.format == "pdf" and not footer:
                    w.lay_out(base, sites)
        try:
            for r in recs:
                cw = carried(sites, code.codeword(r.id), laid_out or writer.format)
                text = renderer.render(cw) if chosen is None else cut(base, renderer.edits(cw), chosen)
                edits = to_original(row.original, renderer.edits(cw)) if structured else ()
                cid = copy_id(self.key, code.doc_uid, r.id)
                st = stamp.make(self.key, code.doc_uid, r.id, cid)
                if writer.format == "eml":
                    msg = self._mail_copy(doc, r, text, edits, st, sender, attach, footer, keep, cw)
                    messages.append(msg)
                    data = msg.as_bytes()
                else:
                    data = writer.write(text, edits, stamp=st, keep=keep, codeword=cw,
                                        footer=f"Prepared for {r.name or r.id}" if footer else None)
                (tmp / f"{r.id}{ext}").write_bytes(data)
                issued.append(IssuedCopy(r.id, cid, str(out / f"{r.id}{ext}"), hashlib.sha256(data).hexdigest()))
                if progress is not None:
                    progress(len(issued), len(recs))
            sent: list[int] = []
            failure = None
            if smtp is not None:
                try:
                    mailcopy.send(smtp, messages, on_sent=sent.append)
                except InputError as e:
                    failure = e
                issued = [issued[i] for i in sent]
            self._record_copies(n, issued, tmp, out, issued_at, writer.format, len(sites),
                                channel="email" if smtp is not None else "file",
                                sections=None if chosen is None else [x.name for x in chosen])
            done = True
            if failure is not None:
                raise failure
        finally:
            workdir.remove(tmp, lock)
            if created and not done:
                with contextlib.suppress(OSError):
                    out.rmdir()         # only if empty: a folder this run made, and nothing in it
        return MarkResult(doc, tuple(issued), str(out / "manifest.json"), len(sites))

    def _mail_copy(self, doc: Document, r: Recipient, text: str, edits, st: str, sender: str, attach,
                   footer: bool, keep=None, codeword=None):
        if attach is None:
            return mailcopy.message(sender=sender, name=r.name, email=r.email, subject=doc.title, body=text,
                                    stamp=st)
        data = attach.write(text, edits, stamp=st, keep=keep, codeword=codeword,
                            footer=f"Prepared for {r.name or r.id}" if footer and attach.format == "pdf" else None)
        body = (f"{doc.title}\n\nThe attached copy was prepared for {r.name or r.id}. "
                "Please do not forward it.\n")
        filename = f"{_safe_filename(doc.title)}{formats.extension(attach.format)}"
        return mailcopy.message(sender=sender, name=r.name, email=r.email, subject=doc.title, body=body,
                                attachment=(filename, data, attach.format), stamp=st)

    def _record_copies(self, n: int, issued: list[IssuedCopy], tmp: Path, out: Path, now: str, fmt: str,
                       sites: int, channel: str, sections: list[str] | None) -> None:
        """Store the copies and their ledger entries, then move the files and the manifest in
        place: a copy appears in --out only once the database records it (a run killed before
        the commit leaves nothing there; one killed after it, copies the database holds, and no
        manifest until every copy is in place)."""
        doc = self.documents.document(n)
        manifest = {"schema": MANIFEST_SCHEMA, "document": doc.to_json(), "marking_version": MARKING_VERSION,
                    "created_at": now, "format": fmt, "channel": channel, "sites": sites, "sections": sections,
                    "copies": [c.__dict__ for c in issued]}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        held = None if sections is None else json.dumps(sections, ensure_ascii=False)
        rows = [{"doc": n, "recipient": c.recipient, "copy_id": c.copy, "sha256": c.sha256, "path": c.path,
                 "created_at": now, "sections": held} for c in issued]
        self.marking.forget_codewords(n)
        keep = {Path(c.path).name for c in issued} | {"manifest.json"}
        led = Ledger(self)
        with led.transaction() as conn:
            conn.execute(delete(db.copies).where(db.copies.c.doc == n)
                         .where(db.copies.c.recipient.in_([c.recipient for c in issued])))
            for i in range(0, len(rows), 1000):
                conn.execute(db.copies.insert(), rows[i:i + 1000])
            led.record_distributions(conn, n, issued, channel=channel, sections=sections, copies_row=True)
        for f in sorted(tmp.iterdir(), key=lambda f: f.name == "manifest.json"):   # the manifest last
            if f.name in keep:
                os.replace(f, out / f.name)


def _safe_filename(title: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._ -]+", "", title).strip(" .")[:80]
    return name.replace(" ", "-") or "document"


