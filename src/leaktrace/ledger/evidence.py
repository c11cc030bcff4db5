"""Evidence tables bound to the ledger entries that commit to them.

Who holds which copy (`copies`, and the holder's row in `recipients`), what a case's trace
found (`case_traces`), whom a case revealed (`case_reveals`) and how it was closed
(`case_closures`) are evidence; each row is committed to by a ledger entry, which the signed
tree heads cover, so that editing the row in the database is caught by `ledger verify`:
- a copy: its distribution entry (document, recipient, copy id, SHA-256, path, sections; for
  mark's copies, that the row exists) and the holder's identity (a hash of their id, name and
  e-mail), renewed by a `recipients-update` entry when `recipients import --update` changes it;
- a stored trace: its `trace` audit entry (the row's id and a hash of its content);
- a reveal and a closure: the audit entry their `audit_seq` names.
Rows written before leaktrace bound them (an older workspace) are checked as far as their
entries say.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ..store import db
from .chain import Entry, Problem, canonical


def holder_hash(rid: str, name: str, email: str) -> str:
    """Who a recipient id stands for, as a distribution entry commits to it."""
    return hashlib.sha256(canonical({"id": rid, "name": name, "email": email})).hexdigest()


def trace_hash(case_id: int, artifact_id: int, result: str, traced_by: str, traced_at: str) -> str:
    return hashlib.sha256(canonical({"case": case_id, "artifact": artifact_id, "result": result,
                                     "traced_by": traced_by, "traced_at": traced_at})).hexdigest()


def _copy_fields(doc, recipient, copy_id, sha256, path, sections) -> dict:
    return {"document": doc, "recipient": recipient, "copy_id": copy_id, "sha256": sha256, "path": path,
            "sections": sections}


class Bindings:
    """Collects, from the entries as they stream past, what each evidence row must be; then
    checks the tables against it."""

    def __init__(self) -> None:
        self.copies: dict[tuple[int, str], tuple[int, dict]] = {}
        self.stored: set[tuple[int, str]] = set()     # copies whose entry says their row is in `copies`
        self.holders: dict[str, tuple[int, str]] = {}
        self.traces: dict[int, tuple[int, str]] = {}
        self.first_bound_trace: int | None = None
        self.audits: dict[int, Entry] = {}        # reveal and close entries, by seq

    def see(self, e: Entry) -> None:
        d = e.details if isinstance(e.details, dict) else {}
        if e.kind == "distribution" and e.document is not None and e.recipient:
            self.copies[(e.document, e.recipient)] = (e.seq, _copy_fields(
                e.document, e.recipient, d.get("copy_id"), d.get("sha256"), d.get("path"), d.get("sections")))
            if d.get("copies_row") is True:
                self.stored.add((e.document, e.recipient))
            else:
                self.stored.discard((e.document, e.recipient))
            if isinstance(d.get("holder"), str):
                self.holders[e.recipient] = (e.seq, d["holder"])
        elif e.kind == "audit":
            if e.action == "recipients-update" and isinstance(d.get("holders"), dict):
                for rid, h in d["holders"].items():
                    self.holders[rid] = (e.seq, h)
            elif e.action == "trace" and isinstance(d.get("trace_row"), int):
                self.traces[d["trace_row"]] = (e.seq, d.get("trace_sha256"))
                if self.first_bound_trace is None or d["trace_row"] < self.first_bound_trace:
                    self.first_bound_trace = d["trace_row"]
            elif e.action in ("reveal", "case-close"):
                self.audits[e.seq] = e

    def check(self, conn: Connection) -> list[Problem]:
        from ..cases.tables import CASE_TABLES, case_closures, case_reveals, case_traces

        out: list[Problem] = []
        tables = db.inspect_tables(conn)

        # who holds which copy
        rows = {}
        for r in conn.execute(select(db.copies)):
            sections = json.loads(r.sections) if r.sections else None
            rows[(r.doc, r.recipient)] = _copy_fields(r.doc, r.recipient, r.copy_id, r.sha256, r.path, sections)
        for key, row in sorted(rows.items()):
            bound = self.copies.get(key)
            where = f"the copies row of D{key[0]} for {key[1]}"
            if bound is None:
                out.append(Problem("evidence", 0, f"{where} was not recorded by any distribution entry: "
                                                  "added to the database outside leaktrace"))
            elif bound[1] != row:
                changed = ", ".join(k for k in row if row[k] != bound[1][k])
                out.append(Problem("evidence", bound[0], f"{where} differs from distribution entry {bound[0]} "
                                                         f"({changed}): the copies table was altered"))
        for key, (seq, _) in sorted(self.copies.items(), key=lambda kv: kv[1][0]):
            if key not in rows and key in self.stored:
                out.append(Problem("evidence", seq, f"the copy of D{key[0]} for {key[1]} recorded by distribution "
                                                    f"entry {seq} is missing from the copies table"))

        # the holders' identities
        if self.holders:
            people = {r.id: holder_hash(r.id, r.name, r.email) for r in conn.execute(
                select(db.recipients.c.id, db.recipients.c.name, db.recipients.c.email)
                .where(db.recipients.c.id.in_(list(self.holders))))}
            for rid, (seq, h) in sorted(self.holders.items(), key=lambda kv: kv[1][0]):
                if people.get(rid) != h:
                    out.append(Problem("evidence", seq, f"the recipients row of {rid}, who holds a copy, is not the "
                                                        f"one ledger entry {seq} recorded (name or e-mail changed "
                                                        "outside leaktrace)"))

        if not {t.name for t in CASE_TABLES} <= tables:
            return out
        # stored traces
        seen = set()
        for r in conn.execute(select(case_traces).order_by(case_traces.c.id)):
            seen.add(r.id)
            bound = self.traces.get(r.id)
            h = trace_hash(r.case_id, r.artifact_id, r.result, r.traced_by, r.traced_at)
            if bound is not None and bound[1] != h:
                out.append(Problem("evidence", bound[0], f"the case_traces row {r.id} (C{r.case_id}, A{r.artifact_id}) "
                                                         f"is not the result that audit entry {bound[0]} recorded: "
                                                         "the stored trace was altered"))
            elif bound is None and self.first_bound_trace is not None and r.id > self.first_bound_trace:
                out.append(Problem("evidence", 0, f"the case_traces row {r.id} (C{r.case_id}, A{r.artifact_id}) was "
                                                  "recorded by no trace entry: added outside leaktrace"))
        for rid, (seq, _) in sorted(self.traces.items()):
            if rid not in seen:
                out.append(Problem("evidence", seq, f"the case_traces row {rid} recorded by audit entry {seq} is "
                                                    "missing"))

        # reveals and closures: the audit entry each names
        named = set()
        for r in conn.execute(select(case_reveals)):
            named.add(r.audit_seq)
            e = self.audits.get(r.audit_seq)
            d = e.details if e is not None and isinstance(e.details, dict) else {}
            subject = e.recipient if d.get("kind") == "recipient" else d.get("account")
            if e is None or e.action != "reveal" or (d.get("case"), d.get("pseudonym"), d.get("kind"), subject,
                                                     d.get("reason")) != (f"C{r.case_id}", r.pseudonym, r.subject_kind,
                                                                          r.subject, r.reason):
                out.append(Problem("evidence", r.audit_seq, f"the case_reveals row of {r.pseudonym} in C{r.case_id} is "
                                                            f"not the reveal that audit entry {r.audit_seq} recorded: "
                                                            "the reveals table was altered"))
        for r in conn.execute(select(case_closures)):
            named.add(r.audit_seq)
            e = self.audits.get(r.audit_seq)
            d = e.details if e is not None and isinstance(e.details, dict) else {}
            if e is None or e.action != "case-close" or (d.get("case"), d.get("disposition"), d.get("reason"),
                                                         d.get("names"), d.get("evidence")) != (
                    f"C{r.case_id}", r.disposition, r.reason, json.loads(r.names), json.loads(r.evidence)):
                out.append(Problem("evidence", r.audit_seq, f"the case_closures row of C{r.case_id} is not the closing "
                                                            f"that audit entry {r.audit_seq} recorded: the table was "
                                                            "altered"))
        for seq, e in sorted(self.audits.items()):
            if seq not in named:
                what = "reveal" if e.action == "reveal" else "closing"
                out.append(Problem("evidence", seq, f"the {what} recorded by audit entry {seq} is missing from the "
                                                    "case tables"))
        return out
