"""Cases: open an investigation, attach artifacts under chain of custody, trace them, and view
the evidence in three separate columns (copy evidence, content exposure, access events) under
pseudonyms until a name is revealed with a stated reason.

Every act (open, add, trace, reveal, report) is written to the ledger's audit trail in the
same transaction as the case's own rows, so the log and the case never disagree.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tempfile
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from .. import formats
from ..errors import ConflictError, InputError, NotFoundError, WorkspaceError
from ..ledger import chain, importers
from ..ledger.book import Ledger
from ..ledger.evidence import trace_hash
from ..ledger.tables import ledger
from ..models import TraceResult
from ..store import db
from .evidence import CopyEvidence
from .exposure import CopyContains, Exposed, exposure_set
from .protected import ProtectedChannel, Protection, normalize_channel
from .pseudonyms import Pseudonyms, Subject, pseudonym
from .series import joint
from .tables import (CASE_TABLES, case_artifacts, case_closures, case_reveals, case_traces, cases,
                     protected_channels)

ARTIFACTS_DIR = "artifacts"
CAVEAT = ("A copy is not a person: a copy may have been forwarded, shared, printed and left on a desk, "
          "or stolen. Copy evidence says whose copy the text came from, never who leaked it.")


# -------------------------------------------------------------------- values
@dataclass(frozen=True)
class Case:
    id: str
    title: str
    purpose: str
    opened_by: str
    opened_at: str
    artifacts: int = 0
    traces: int = 0
    status: str = "open"                  # open | closed
    disposition: str | None = None        # when closed: no-finding, inconclusive, referred, personnel-action, other
    closing_reason: str | None = None
    names: tuple[str, ...] = ()           # pseudonyms the disposition names (each with copy evidence over the bar)
    closed_by: str | None = None
    closed_at: str | None = None

    def to_json(self) -> dict:
        return asdict(self)


DISPOSITIONS = ("no-finding", "inconclusive", "referred", "personnel-action", "other")


@dataclass(frozen=True)
class Artifact:
    """An artifact under chain of custody: the bytes as obtained, and where, when and from whom."""

    id: str
    case: str
    sha256: str
    size: int
    original_name: str
    obtained_from: str
    obtained_at: str
    first_seen: str                    # the exposure cut-off: obtained_at when first_seen_known is false
    url: str | None
    added_by: str
    added_at: str
    stored_as: str
    warnings: tuple[str, ...] = ()     # what was odd about its custody when it was added
    first_seen_known: bool = True      # false: nobody knows when it was first public

    @property
    def first_seen_text(self) -> str:
        """The first-seen time as a person should read it: a time, or what stands for an unknown one."""
        if self.first_seen_known:
            return self.first_seen
        return f"unknown; exposure up to when it was obtained ({self.obtained_at})"

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Reveal:
    case: str
    pseudonym: str
    kind: str
    subject: str
    reason: str
    revealed_by: str
    revealed_at: str
    audit_seq: int
    copy_evidence: bool = True   # the subject's copy clears the bar in this case's evidence

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ExposureRow:
    """One person or account in the exposure set, with the three columns kept apart."""

    subject: Subject
    copy_evidence: CopyEvidence | None       # None: their copy was not among those the trace lists
    copy: str | None                         # column 2: the copy containing the leaked passages
    distributed_at: str | None
    accesses: tuple[dict, ...]               # column 3: access events before the first-seen time
    protected: str | None = None
    held_copy: bool = False                  # `copy` is None under a pseudonym: whether there is one

    def to_json(self) -> dict:
        return {"subject": self.subject.to_json(), "label": self.subject.label,
                "copy_evidence": self.copy_evidence.to_json() if self.copy_evidence else None,
                "content_exposure": {"held_copy": self.held_copy or self.copy is not None, "copy": self.copy,
                                     "distributed_at": self.distributed_at},
                "access_events": list(self.accesses), "protected_channel": self.protected}


@dataclass(frozen=True)
class Finding:
    """What one artifact's latest trace shows, pseudonymized."""

    artifact: Artifact
    traced_at: str
    verdict: str
    verdict_text: str
    result: TraceResult                      # as stored; real ids inside: never print it as is
    copies: tuple[CopyEvidence, ...]
    exposure: tuple[ExposureRow, ...]
    protected_holders: tuple[ExposureRow, ...]
    timeline: tuple[dict, ...]
    # per passage: (start, end, sites) of the read sites, offsets in doc_text
    highlights: tuple[tuple[tuple[int, int, tuple[int, ...]], ...], ...]
    artifact_text: str = ""                                # the text traced (hostile: escape it to show it)
    notes: tuple[str, ...] = ()                            # the trace's notes, under pseudonyms


@dataclass(frozen=True)
class CaseView:
    case: Case
    artifacts: tuple[Artifact, ...]
    findings: tuple[Finding, ...]
    reveals: tuple[Reveal, ...]


# -------------------------------------------------------------------- the library
class Cases:
    def __init__(self, ws, *, contains: CopyContains | None = None):
        self.ws = ws
        self.engine = ws.engine
        self.ledger = Ledger(ws)
        self.contains = contains or self._held
        self._ready = False

    def _held(self, document: int, recipient: str, copy: str, spans, details: dict) -> bool:
        """A copy holds the leaked spans unless it was a copy of other sections only."""
        held = details.get("sections")
        if held is None:
            return True
        from ..sections import touched

        needed = {s.name for s in touched(self.ws.sections(document), spans)}
        return needed <= set(held)

    # ---------------------------------------------------------------- storage
    def _ensure(self, conn: Connection) -> None:
        """Workspaces created before cases existed get their tables on first use."""
        if not self._ready:
            db.metadata.create_all(conn, tables=list(CASE_TABLES), checkfirst=True)
            self._ready = True

    @contextmanager
    def _begin(self):
        # the tree heads of what the transaction appends to the ledger go to the head file after it commits
        with self.ledger.transaction() as c:
            self._ensure(c)
            yield c

    def _audit(self, conn: Connection, action: str, details: dict, recipient: str | None = None) -> int:
        return self.ledger.record_audit(action, investigator(), details, recipient=recipient, conn=conn).seq

    # ---------------------------------------------------------------- cases
    def open(self, title: str, purpose: str) -> Case:
        title, purpose = (title or "").strip(), (purpose or "").strip()
        if not title:
            raise InputError("a case needs a title")
        if not purpose:
            raise InputError("a case needs a stated purpose: --purpose \"...\"")
        with self._begin() as c:
            now = chain.now()
            n = c.execute(cases.insert().values(title=title, purpose=purpose, opened_by=investigator(),
                                                opened_at=now)).inserted_primary_key[0]
            self._audit(c, "case-open", {"case": f"C{n}", "title": title, "purpose": purpose})
        return self.get(f"C{n}")

    def list(self) -> list[Case]:
        with self._begin() as c:
            ids = c.execute(select(cases.c.id).order_by(cases.c.id)).scalars().all()
        return [self.get(i) for i in ids]

    def get(self, case_id: str | int) -> Case:
        n = parse_case_id(case_id)
        with self._begin() as c:
            r = c.execute(select(cases).where(cases.c.id == n)).first()
            if r is None:
                raise NotFoundError(f"no case C{n}; `leaktrace case list` shows the open ones")
            arts = c.execute(select(case_artifacts.c.id).where(case_artifacts.c.case_id == n)).all()
            trs = c.execute(select(case_traces.c.id).where(case_traces.c.case_id == n)).all()
            closed = c.execute(select(case_closures).where(case_closures.c.case_id == n)).first()
        case = Case(f"C{r.id}", r.title, r.purpose, r.opened_by, r.opened_at, len(arts), len(trs))
        if closed is None:
            return case
        return replace(case, status="closed", disposition=closed.disposition, closing_reason=closed.reason,
                       names=tuple(json.loads(closed.names)), closed_by=closed.closed_by, closed_at=closed.closed_at)

    def _open_case(self, case_id: str | int) -> Case:
        """The case, refused once it is closed: its evidence no longer changes."""
        case = self.get(case_id)
        if case.status == "closed":
            raise ConflictError(f"{case.id} was closed ({case.disposition}) on {case.closed_at}; "
                                "open a new case for new evidence")
        return case

    def close(self, case_id: str | int, disposition: str, reason: str, names: tuple[str, ...] = ()) -> Case:
        """Close the case with a disposition and a reason (audited). A disposition that names a
        person needs, for each name, copy evidence over the bar recorded in this case."""
        case = self._open_case(case_id)
        kind = "-".join((disposition or "").strip().lower().replace("_", " ").split())
        if kind not in DISPOSITIONS:
            raise InputError(f"unknown disposition {disposition!r}; choose from {', '.join(DISPOSITIONS)}")
        reason = (reason or "").strip()
        if not reason:
            raise InputError("closing a case needs a stated reason: --reason \"...\"")
        names = tuple(dict.fromkeys(x.strip() for x in names if x and x.strip()))
        if kind == "personnel-action" and not names:
            raise InputError("a personnel action names a person: give --names PSEUDONYM (with copy evidence "
                             "over the bar in this case)")
        view = self.view(case.id)
        evidence = {}
        for name in names:
            best = [(f.artifact.id, x) for f in view.findings for x in f.copies
                    if x.subject.pseudonym.casefold() == name.casefold()]
            over = [(a, x) for a, x in best if x.identified]
            if not over:
                have = (f"its best is a false-accusation bound of {min(x.false_accusation_bound for _, x in best):.1e}"
                        if best else "no copy evidence about them at all")
                raise InputError(f"{name}: a disposition that names a person needs copy evidence over the bar "
                                 f"recorded in {case.id}, and there is {have}; close it without --names, or "
                                 "trace the artifacts that carry that evidence first")
            evidence[over[0][1].subject.pseudonym] = [{"artifact": a, "copy": x.copy,
                                                       "false_accusation_bound": x.false_accusation_bound}
                                                      for a, x in over]
        with self._begin() as c:
            now = chain.now()
            seq = self._audit(c, "case-close", {"case": case.id, "disposition": kind, "reason": reason,
                                                "names": list(evidence), "evidence": evidence})
            c.execute(case_closures.insert().values(
                case_id=parse_case_id(case.id), disposition=kind, reason=reason, names=json.dumps(list(evidence)),
                evidence=json.dumps(evidence), closed_by=investigator(), closed_at=now, audit_seq=seq))
        return self.get(case.id)

    # ---------------------------------------------------------------- artifacts
    def add_artifact(self, case_id: str | int, path: str | os.PathLike, *, obtained_from: str,
                     obtained_at: str, first_seen: str | None = None, url: str | None = None) -> Artifact:
        """Copy the file's bytes into the workspace (content-addressed) and record its custody.
        `first_seen` None or "unknown": nobody knows when the content was first public, so anyone who
        could have seen it before the artifact was obtained is in its exposure set."""
        case = self._open_case(case_id)
        n = parse_case_id(case.id)
        obtained_from = (obtained_from or "").strip()
        if not obtained_from:
            raise InputError("say where the artifact was obtained: --obtained-from \"...\"")
        when_obtained = parse_time(obtained_at, "--obtained-at")
        seen_known = (first_seen or "").strip().lower() not in ("", "unknown")
        when_seen = parse_time(first_seen, "--first-seen") if seen_known else when_obtained
        warnings = []
        if when_obtained > chain.now():
            # a wrong clock or time zone, or a story told ahead of time: said, recorded, not refused
            warnings.append(f"--obtained-at {when_obtained} is in the future (this machine's clock says "
                            f"{chain.now()}); check the time and its time zone")
        if when_seen > when_obtained:
            raise InputError(f"--first-seen {when_seen} is after --obtained-at {when_obtained}: content is "
                             "public before (or when) it is obtained; check both times and their time zones")
        path = Path(path)
        data = formats.read_file_bytes(path)       # refuses missing files, folders, files over the limit
        # refuses empty input, what cannot be text in any encoding, pages with no text
        encoding = leak_text(data, path.name).encoding
        sha = hashlib.sha256(data).hexdigest()
        store = Path(self.ws.path) / ARTIFACTS_DIR
        store.mkdir(exist_ok=True)
        target = store / sha
        created = False
        with self._begin() as c:
            dup = c.execute(select(case_artifacts.c.id).where(case_artifacts.c.case_id == n)
                            .where(case_artifacts.c.sha256 == sha)).first()
            if dup is not None:
                raise ConflictError(f"{path.name}: these bytes are already artifact A{dup.id} of {case.id}")
            try:
                if not target.exists():
                    _write_atomically(target, data)
                    created = True
                now = chain.now()
                a = c.execute(case_artifacts.insert().values(
                    case_id=n, sha256=sha, size=len(data), original_name=path.name, obtained_from=obtained_from,
                    obtained_at=when_obtained, first_seen=when_seen, first_seen_unknown=not seen_known,
                    url=(url or "").strip() or None,
                    added_by=investigator(), added_at=now)).inserted_primary_key[0]
                self._audit(c, "artifact-add", {"case": case.id, "artifact": f"A{a}", "sha256": sha,
                                                "size": len(data), "name": path.name,
                                                "obtained_from": obtained_from, "obtained_at": when_obtained,
                                                "first_seen": when_seen if seen_known else "unknown",
                                                "url": (url or "").strip() or None,
                                                "encoding": encoding, "warnings": warnings})
            except BaseException:
                if created:
                    target.unlink(missing_ok=True)
                raise
        return replace(self.artifact(case.id, f"A{a}"), warnings=tuple(warnings))

    def artifacts(self, case_id: str | int) -> list[Artifact]:
        n = parse_case_id(case_id)
        self.get(n)
        with self._begin() as c:
            rows = c.execute(select(case_artifacts).where(case_artifacts.c.case_id == n)
                             .order_by(case_artifacts.c.id)).all()
        return [self._artifact(r) for r in rows]

    def artifact(self, case_id: str | int, artifact_id: str | int) -> Artifact:
        n, a = parse_case_id(case_id), parse_artifact_id(artifact_id)
        self.get(n)
        with self._begin() as c:
            r = c.execute(select(case_artifacts).where(case_artifacts.c.id == a)
                          .where(case_artifacts.c.case_id == n)).first()
        if r is None:
            raise NotFoundError(f"case C{n} has no artifact A{a}; `leaktrace case show C{n}` lists its artifacts")
        return self._artifact(r)

    def _artifact(self, r) -> Artifact:
        return Artifact(f"A{r.id}", f"C{r.case_id}", r.sha256, r.size, r.original_name, r.obtained_from,
                        r.obtained_at, r.first_seen, r.url, r.added_by, r.added_at,
                        str(Path(self.ws.path) / ARTIFACTS_DIR / r.sha256),
                        first_seen_known=not r.first_seen_unknown)   # NULL: recorded before it could be unknown

    def artifact_bytes(self, art: Artifact) -> bytes:
        """The stored bytes, checked against the SHA-256 recorded when they were obtained."""
        p = Path(art.stored_as)
        if not p.is_file():
            raise WorkspaceError(f"the stored bytes of {art.id} ({p}) are missing; restore them from backup")
        data = p.read_bytes()
        if hashlib.sha256(data).hexdigest() != art.sha256:
            raise WorkspaceError(f"the stored bytes of {art.id} ({p}) no longer match their recorded SHA-256; "
                                 "the chain of custody is broken: restore the file from backup")
        return data

    # ---------------------------------------------------------------- tracing
    def trace(self, case_id: str | int, artifact_id: str | int | None = None) -> list[Finding]:
        """Trace one artifact (or every artifact of the case) and store the result with the case."""
        case = self._open_case(case_id)
        arts = [self.artifact(case.id, artifact_id)] if artifact_id is not None else self.artifacts(case.id)
        if not arts:
            raise InputError(f"{case.id} has no artifacts; attach one with `leaktrace case add {case.id} FILE ...`")
        texts = [(a, leak_text(self.artifact_bytes(a), a.original_name)) for a in arts]
        results = [(a, ex.text, self.ws.trace(ex.text, audit=False, stamps=ex.stamps, source=ex))
                   for a, ex in texts]
        with self._begin() as c:
            for a, t, res in results:
                stored = {**res.to_json(), "leak_text": t}   # kept: an OCR'd artifact is read once
                row = {"case_id": parse_case_id(case.id), "artifact_id": parse_artifact_id(a.id),
                       "result": json.dumps(stored, ensure_ascii=False), "traced_by": investigator(),
                       "traced_at": chain.now()}
                tid = c.execute(case_traces.insert().values(**row)).inserted_primary_key[0]
                # the audit entry commits to the stored result, so that editing it is caught
                seq = self._audit(c, "trace", {
                    "case": case.id, "artifact": a.id, "artifact_sha256": a.sha256,
                    "leak_sha256": hashlib.sha256(t.encode("utf-8")).hexdigest(), "leak_words": res.leak_words,
                    "verdict": res.verdict, "document": res.document["id"] if res.document else None,
                    "identified_copies": [x.copy for r in (res, *res.other_sources) for x in r.copies
                                          if x.identified],
                    "first_seen": a.first_seen if a.first_seen_known else "unknown",
                    "trace_row": tid, "trace_sha256": trace_hash(row["case_id"], row["artifact_id"], row["result"],
                                                                 row["traced_by"], row["traced_at"])})
                c.execute(case_traces.update().where(case_traces.c.id == tid).values(audit_seq=seq))
        done = {a.id for a in arts}
        return [f for f in self.view(case.id).findings if f.artifact.id in done]

    def joint(self, case_id: str | int) -> list:
        """Evidence across the case's series of leaks: per document that two or more artifacts
        derive from, every copy scored over all of them (cases.series)."""
        view = self.view(case_id)
        recips = {r.id: r for r in self.ws.recipients()}
        ps = Pseudonyms(self.ws.key, {(r.kind, r.subject) for r in view.reveals},
                        {k: v.name for k, v in recips.items()}, view.case.id)
        protection = self.protection()

        def label(rid: str) -> str | None:
            ch = protection.match(recips[rid].email if rid in recips else None)
            return ch.label if ch else None

        found = joint(self.ws, view, ps, label)
        with self._begin() as c:
            self._audit(c, "joint", {"case": view.case.id, "documents": [
                {"document": j.document["id"], "artifacts": list(j.artifacts), "marks_read": j.marks_read,
                 "identified_copies": list(j.identified_copies)} for j in found]})
        return found

    # ---------------------------------------------------------------- views
    def view(self, case_id: str | int) -> CaseView:
        """The case as an investigator sees it: every name behind a pseudonym unless revealed here."""
        case = self.get(case_id)
        n = parse_case_id(case.id)
        arts = self.artifacts(n)
        reveals = self.reveals(n)
        recips = {r.id: r for r in self.ws.recipients()}
        ps = Pseudonyms(self.ws.key, {(r.kind, r.subject) for r in reveals},
                        {k: v.name for k, v in recips.items()}, case.id)
        protection = self.protection()
        emails = {k: v.email for k, v in recips.items()}
        with self._begin() as c:
            latest = {}
            for r in c.execute(select(case_traces).where(case_traces.c.case_id == n).order_by(case_traces.c.id)):
                latest[r.artifact_id] = r
            for r in latest.values():
                self._check_bound(c, r)
        findings = []
        for a in arts:
            r = latest.get(parse_artifact_id(a.id))
            if r is not None:
                stored = json.loads(r.result)
                text = stored.pop("leak_text", None)
                res = trace_from_json(stored)
                # a leak that reuses several marked documents is one finding per document
                for one in (res, *per_source(res)):
                    findings.append(self._finding(a, r.traced_at, one, ps, protection, emails, text))
        view = CaseView(case, tuple(arts), tuple(findings), tuple(reveals))
        return replace(view, reveals=tuple(replace(r, copy_evidence=self._has_copy_evidence(view, r.pseudonym))
                                           for r in reveals))

    def _check_bound(self, conn: Connection, r) -> None:
        """A stored trace must be the one its audit entry recorded: an edited result would name
        whoever the editor chose. (Rows stored before traces were bound have no audit_seq.)"""
        if r.audit_seq is None:
            return
        e = conn.execute(select(ledger.c.action, ledger.c.details).where(ledger.c.seq == r.audit_seq)).first()
        try:
            d = json.loads(e.details) if e is not None else {}
        except ValueError:
            d = {}
        want = trace_hash(r.case_id, r.artifact_id, r.result, r.traced_by, r.traced_at)
        if e is None or e.action != "trace" or d.get("trace_row") != r.id or d.get("trace_sha256") != want:
            raise WorkspaceError(f"the stored trace of A{r.artifact_id} in C{r.case_id} is not the one ledger entry "
                                 f"{r.audit_seq} recorded: the workspace database was altered; run "
                                 "`leaktrace ledger verify`")

    def _finding(self, art: Artifact, traced_at: str, res: TraceResult, ps: Pseudonyms,
                 protection: Protection, emails: dict[str, str], text: str | None = None) -> Finding:
        def prot(rid: str) -> str | None:
            ch = protection.match(emails.get(rid))
            return ch.label if ch else None

        copies = tuple(CopyEvidence(who, ps.copy(who, x.copy), x.score, x.false_accusation_bound,
                                    x.agreed, x.read, x.identified, prot(x.recipient))
                       for x, who in ((x, ps.recipient(x.recipient)) for x in res.copies))
        by_copy = {x.copy: ev for x, ev in zip(res.copies, copies)}
        rows: tuple[ExposureRow, ...] = ()
        holders: tuple[ExposureRow, ...] = ()
        timeline: list[dict] = []
        highlights: tuple = tuple(() for _ in res.passages)
        if res.document is not None:
            doc_n = int(res.document["id"][1:])
            spans = [(p.doc_start, p.doc_end) for p in res.passages]
            entries = self.ledger.events(document=doc_n)
            ex = exposure_set(doc_n, art.first_seen, entries, spans, protection, emails, self.contains)
            rows = tuple(self._row(x, ps, by_copy) for x in ex.members)
            holders = tuple(self._row(x, ps, by_copy) for x in ex.protected_holders)
            timeline = _timeline(entries, art.first_seen, ps, protection, emails)
            highlights = self._highlights(doc_n, res)
        return Finding(art, traced_at, res.verdict, verdict_text(res, copies, art), res, copies, rows, holders,
                       tuple(timeline), highlights,
                       text if text is not None else leak_text(self.artifact_bytes(art), art.original_name).text,
                       notes=_masked_notes(res, ps))

    def _row(self, x: Exposed, ps: Pseudonyms, by_copy: dict[str, CopyEvidence]) -> ExposureRow:
        subj = ps.subject(x.kind, x.subject)
        # under a pseudonym, no ledger entry number: the ledger export names each entry's person
        accesses = tuple({"time": e.occurred_at, "action": e.action, "source": e.source,
                          "seq": e.seq if subj.revealed else None} for e in x.accesses)
        first = x.distributions[0].occurred_at if x.distributions else None
        return ExposureRow(subj, by_copy.get(x.copy) if x.copy else None, ps.copy(subj, x.copy), first, accesses,
                           x.protected, held_copy=x.copy is not None)

    def _highlights(self, doc_n: int, res: TraceResult) -> tuple:
        """Where the sites read lie in each passage's document text (offsets within doc_text), with
        the sites each highlighted span holds, so a report can say what the leak and the copy show there."""
        if not res.site_reads:
            return tuple(() for _ in res.passages)
        _, _, sites, _ = self.ws.code(doc_n)
        spans = []
        for r in res.site_reads:
            if r.status == "read" and 0 <= r.site < len(sites):
                for s, e in sites[r.site].spans:
                    spans.append(((s - 1, s) if e <= s else (s, e), r.site))   # a gap site: mark the space before it
        out = []
        for p in res.passages:
            inside = sorted((max(s, p.doc_start) - p.doc_start, min(e, p.doc_end) - p.doc_start, site)
                            for (s, e), site in spans if e > p.doc_start and s < p.doc_end)
            merged: list[tuple[int, int, tuple[int, ...]]] = []
            for s, e, site in inside:
                if merged and s <= merged[-1][1]:
                    ps, pe, held = merged[-1]
                    merged[-1] = (ps, max(pe, e), held if site in held else held + (site,))
                else:
                    merged.append((s, e, (site,)))
            out.append(tuple(merged))
        return tuple(out)

    # ---------------------------------------------------------------- reveals
    @staticmethod
    def _has_copy_evidence(view: "CaseView", pseudonym: str) -> bool:
        """Whether a copy held by this subject clears the bar in the case's findings."""
        return any(x.identified and x.subject.pseudonym == pseudonym for f in view.findings for x in f.copies)

    def reveals(self, case_id: str | int) -> list[Reveal]:
        n = parse_case_id(case_id)
        with self._begin() as c:
            rows = c.execute(select(case_reveals).where(case_reveals.c.case_id == n)
                             .order_by(case_reveals.c.revealed_at)).all()
        # the pseudonym as derived now (a reveal recorded by an older version stored a shorter one)
        return [Reveal(f"C{r.case_id}", pseudonym(self.ws.key, r.subject_kind, r.subject), r.subject_kind, r.subject,
                       r.reason, r.revealed_by, r.revealed_at, r.audit_seq) for r in rows]

    def reveal(self, case_id: str | int, pseudonym: str, reason: str) -> Reveal:
        """Show the name behind a pseudonym in this case from now on; the reason goes to the audit log.
        Revealing someone whose copy does not clear the bar is allowed (an interview may need it) but
        the Reveal says so, and so do the audit entry and the report."""
        case = self._open_case(case_id)
        n = parse_case_id(case.id)
        reason = (reason or "").strip()
        if not reason:
            raise InputError("a reveal needs a stated reason: --reason \"...\"")
        wanted = (pseudonym or "").strip()
        view = self.view(case.id)
        subjects: dict[str, Subject] = {}
        for f in view.findings:
            for s in [x.subject for x in f.copies] + [x.subject for x in f.exposure + f.protected_holders]:
                subjects[s.pseudonym.casefold()] = s
        subj = subjects.get(wanted.casefold())
        if subj is None:
            raise NotFoundError(f"no one in {case.id} has the pseudonym {wanted!r}; "
                                f"`leaktrace case show {case.id}` lists the pseudonyms in this case")
        if subj.revealed:
            raise ConflictError(f"{subj.pseudonym} is already revealed in {case.id}")
        ps = Pseudonyms(self.ws.key, set(), {})
        for f in view.findings:  # the real subject behind the pseudonym, from the stored evidence
            for x in f.result.copies:
                ps.recipient(x.recipient)
        self._subjects_of(view, ps)
        kind, who = ps.known[subj.pseudonym]
        with self._begin() as c:
            now = chain.now()
            evidence = self._has_copy_evidence(view, subj.pseudonym)
            seq = self._audit(c, "reveal", {"case": case.id, "pseudonym": subj.pseudonym, "kind": kind,
                                            "reason": reason, "copy_evidence": evidence,
                                            **({"account": who} if kind == "account" else {})},
                              recipient=who if kind == "recipient" else None)
            c.execute(case_reveals.insert().values(case_id=n, pseudonym=subj.pseudonym, subject_kind=kind,
                                                   subject=who, reason=reason, revealed_by=investigator(),
                                                   revealed_at=now, audit_seq=seq))
        return replace(next(r for r in self.reveals(case.id) if r.pseudonym == subj.pseudonym),
                       copy_evidence=evidence)

    def _subjects_of(self, view: CaseView, ps: Pseudonyms) -> None:
        """Register every subject of the case's exposure sets on `ps` (to map pseudonyms back)."""
        protection = self.protection()
        emails = {r.id: r.email for r in self.ws.recipients()}
        for f in view.findings:
            if f.result.document is None:
                continue
            doc_n = int(f.result.document["id"][1:])
            spans = [(p.doc_start, p.doc_end) for p in f.result.passages]
            ex = exposure_set(doc_n, f.artifact.first_seen, self.ledger.events(document=doc_n), spans,
                              protection, emails, self.contains)
            for x in ex.members + ex.protected_holders:
                ps.subject(x.kind, x.subject)

    # ---------------------------------------------------------------- protected channels
    def protect(self, value: str, label: str) -> ProtectedChannel:
        v, kind = normalize_channel(value)
        label = (label or "").strip()
        if not label:
            raise InputError("say what the channel is: --label \"inspector general\"")
        with self._begin() as c:
            if c.execute(select(protected_channels.c.value).where(protected_channels.c.value == v)).first():
                raise ConflictError(f"{v} is already a protected channel")
            now = chain.now()
            c.execute(protected_channels.insert().values(value=v, kind=kind, label=label, added_by=investigator(),
                                                         added_at=now))
            self._audit(c, "protected-add", {"channel": v, "kind": kind, "label": label})
        return ProtectedChannel(v, kind, label, now)

    def unprotect(self, value: str) -> None:
        v, _ = normalize_channel(value)
        with self._begin() as c:
            if c.execute(delete(protected_channels).where(protected_channels.c.value == v)).rowcount == 0:
                raise NotFoundError(f"{v} is not a protected channel; `leaktrace protected list` shows them")
            self._audit(c, "protected-remove", {"channel": v})

    def protected(self) -> list[ProtectedChannel]:
        with self._begin() as c:
            return [ProtectedChannel(r.value, r.kind, r.label, r.added_at)
                    for r in c.execute(select(protected_channels).order_by(protected_channels.c.value))]

    def protection(self) -> Protection:
        return Protection(self.protected())

    # ---------------------------------------------------------------- audit
    def record(self, action: str, details: dict) -> int:
        """Record an investigator's act that leaves the workspace (a report, an export)."""
        with self._begin() as c:
            return self._audit(c, action, details)

    def audit(self, case_id: str | int | None = None) -> list:
        """Audit entries of the ledger, oldest first; with a case, only those about it."""
        entries = self.ledger.events(kind="audit")
        if case_id is None:
            return entries
        cid = self.get(case_id).id
        return [e for e in entries if isinstance(e.details, dict) and e.details.get("case") == cid]


# -------------------------------------------------------------------- helpers
def verdict_text(res: TraceResult, copies: tuple[CopyEvidence, ...], art: Artifact) -> str:
    """The verdict in plain words, with pseudonyms (the trace's own summary names people)."""
    if res.verdict == "no_match" or res.document is None:
        return (f"The text of {art.id} does not come from any registered document, so it says nothing about "
                "any copy or person.")
    doc = f"{res.document['id']} “{res.document['title']}”"
    head = f"The text of {art.id} comes from {doc} ({len(res.passages)} passage(s), {res.aligned_words} words)."
    ident = [x for x in copies if x.identified]
    if ident:
        parts = []
        for x in ident:
            who = f"the copy issued to {x.subject.label}"
            if x.protected:
                who += f" (a protected channel: {x.protected}; never evidence that anyone leaked)"
            parts.append(f"{who} ({f'copy {x.copy}; ' if x.copy else ''}the chance that an innocent copy "
                         "matches this well is at most "
                         f"{_odds(x.false_accusation_bound)})")
        many = (" Several copies clear the bar: the text mixes copies, or they were combined."
                if len(ident) > 1 else "")
        return f"{head} Its hidden marks match {'; and '.join(parts)}.{many} {CAVEAT}"
    if not res.copies and "no copies issued" in res.notes:
        return f"{head} No marked copies of it were issued, so no copy can be identified. Nobody is identified."
    # the same reason `trace` gives (its inconclusive summaries name no one)
    reason = re.sub(r"^Derived from D\d+ “.*?”(?: \([^)]*\))?,? but ", "", res.summary, flags=re.S)
    reason = reason[:1].upper() + reason[1:]
    return f"{head} {reason} The result is inconclusive and nobody is identified."


def _odds(p: float) -> str:
    if p <= 0 or not math.isfinite(p):
        return "1 in more than 10^300" if p <= 0 else str(p)
    if p < 1e-3:
        return f"1 in {1 / p:.1e} ({p:.1e})"
    return f"{p:.3f}"


def _timeline(entries, first_seen: str, ps: Pseudonyms, protection: Protection,
              emails: dict[str, str]) -> list[dict]:
    """Distributions and access events of the document, protected communications left out."""
    out = []
    for e in entries:
        details = e.details if isinstance(e.details, dict) else {}
        if e.kind == "distribution" and e.recipient:
            ch = protection.match(emails.get(e.recipient))
            subj = ps.recipient(e.recipient)
        elif e.kind == "access":
            if protection.event(e.actor, details) is not None:
                continue
            ch = None
            subj = ps.recipient(e.recipient) if e.recipient else ps.account(e.actor)
        else:
            continue
        sections = details.get("sections") if e.kind == "distribution" else None
        out.append({"time": e.occurred_at, "kind": e.kind, "action": e.action, "label": subj.label,
                    "pseudonym": subj.pseudonym, "before_first_seen": e.occurred_at < first_seen,
                    "protected_channel": ch.label if ch else None, "seq": e.seq if subj.revealed else None,
                    "source": e.source,
                    "copy": ps.copy(subj, details.get("copy_id") or None) if e.kind == "distribution" else None,
                    "sections": list(sections) if isinstance(sections, (list, tuple)) else None})
    return out


def _masked_notes(res: TraceResult, ps: Pseudonyms) -> tuple[str, ...]:
    """The trace's notes with the recipient ids and copy ids they name (a stamp's, say) replaced
    by the pseudonym, unless revealed."""
    pairs = {(x.recipient, x.copy) for r in (res, *res.other_sources) for x in r.copies}
    pairs |= {(s.get("recipient"), s.get("copy")) for s in res.stamps if s.get("recipient")}
    notes = list(res.notes)
    for rid, cid in sorted(pairs, key=lambda p: -len(p[0] or "")):
        who = ps.recipient(rid)
        if who.revealed:
            continue
        for old, new in ((cid, f"of {who.pseudonym}"), (rid, who.pseudonym)):
            if old:
                notes = [re.sub(rf"(?<![\w.@+-]){re.escape(old)}(?![\w@+-]|\.\w)", new, n) for n in notes]
    return tuple(notes)


def leak_text(data: bytes, name: str) -> formats.Extracted:
    """The text of an artifact by its file type, with the copy stamps it carries (never rendered)."""
    ex = formats.extract_leak(data, name)
    if not ex.text.strip():
        raise InputError(f"{name}: has no text to trace")
    return ex


def parse_time(value: str, option: str) -> str:
    try:
        return importers.parse_time(value)
    except importers.BadRecord:
        raise InputError(f"{option}: {value!r} is not a time (use ISO 8601, e.g. 2024-05-01T09:30:00Z)") from None


def parse_case_id(case_id: str | int) -> int:
    if isinstance(case_id, int):
        return case_id
    m = re.fullmatch(r"[Cc]?(\d{1,12})", str(case_id).strip())
    if not m:
        raise NotFoundError(f"{case_id!r} is not a case id (they look like C1, C2, ...)")
    return int(m.group(1))


def parse_artifact_id(artifact_id: str | int) -> int:
    if isinstance(artifact_id, int):
        return artifact_id
    m = re.fullmatch(r"[Aa]?(\d{1,12})", str(artifact_id).strip())
    if not m:
        raise NotFoundError(f"{artifact_id!r} is not an artifact id (they look like A1, A2, ...)")
    return int(m.group(1))


def investigator() -> str:
    try:
        import getpass

        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "unknown"


def trace_from_json(d: dict) -> TraceResult:
    return TraceResult.from_json(d)


def per_source(res: TraceResult) -> list[TraceResult]:
    """The verdicts on the other marked sources of a trace, each with what the trace found of the
    artifact as a whole (its file, stamps, search results)."""
    return [replace(o, source=res.source, stamps=res.stamps, reuse=res.reuse, sources=res.sources,
                    content_exposure=res.content_exposure, other_sources=[]) for o in res.other_sources]


def _write_atomically(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
