"""Pseudonyms are keyed and stable; a reveal needs a reason, is audited, and shows the name after."""

from __future__ import annotations

import re

from casekit import FIRST_SEEN, LEAKER
from clirunner import one_line_error, run

from leaktrace import Workspace
from leaktrace.cases.book import Cases
from leaktrace.cases.pseudonyms import pseudonym
from leaktrace.ledger.book import Ledger


def test_pseudonyms_are_keyed_stable_and_well_formed():
    k1, k2 = b"\x01" * 32, b"\x02" * 32
    p = pseudonym(k1, "recipient", "ana.ashby")
    assert re.fullmatch(r"Recipient-[0-9A-HJKMNP-TV-Z]{16}", p)
    assert pseudonym(k1, "recipient", "ana.ashby") == p
    assert pseudonym(k2, "recipient", "ana.ashby") != p
    assert pseudonym(k1, "recipient", "ben.brook") != p
    assert pseudonym(k1, "account", "X@Agency.example").startswith("Account-")
    assert pseudonym(k1, "account", "X@Agency.example") == pseudonym(k1, "account", "x@agency.example")
    codes = {pseudonym(k1, "recipient", f"r{i}") for i in range(2000)}
    assert len(codes) == 2000


def _traced_case(ws, leak, title="Gazette"):
    cs = Cases(ws)
    c = cs.open(title, purpose="find the copy")
    cs.add_artifact(c.id, leak, obtained_from="web", obtained_at=FIRST_SEEN, first_seen=FIRST_SEEN)
    [f] = cs.trace(c.id)
    return cs, c, f


def test_same_person_same_pseudonym_in_every_case_and_revealed_only_where_asked(investigation, capsys):
    wsp, leak, _ = investigation
    with Workspace.open(wsp) as ws:
        cs, c1, f1 = _traced_case(ws, leak)
        _, c2, f2 = _traced_case(ws, leak, "Second look")
        p = f1.copies[0].subject.pseudonym
        assert f2.copies[0].subject.pseudonym == p == pseudonym(ws.key, "recipient", LEAKER["id"])
        assert f1.copies[0].subject.id is None and f1.copies[0].subject.name is None

        r = cs.reveal(c1.id, p.lower(), "counsel needs the name for the interview")
        assert (r.pseudonym, r.kind, r.subject) == (p, "recipient", LEAKER["id"])
        v1, v2 = cs.view(c1.id), cs.view(c2.id)
        s1, s2 = v1.findings[0].copies[0].subject, v2.findings[0].copies[0].subject
        assert s1.revealed and s1.label == f"{LEAKER['name']} ({p})"
        assert not s2.revealed and s2.label == p
        assert LEAKER["name"] in v1.findings[0].verdict_text and LEAKER["name"] not in v2.findings[0].verdict_text

        [entry] = [e for e in cs.audit(c1.id) if e.action == "reveal"]
        assert entry.details["reason"] == "counsel needs the name for the interview"
        assert entry.details["pseudonym"] == p and entry.recipient == LEAKER["id"] and entry.seq == r.audit_seq
        assert not [e for e in cs.audit(c2.id) if e.action == "reveal"]
        assert Ledger(ws).verify().ok


def test_reveal_through_the_cli(investigation, capsys, monkeypatch):
    wsp, leak, tmp = investigation
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(wsp))
    with Workspace.open(wsp) as ws:
        _, c, f = _traced_case(ws, leak)
        p = f.copies[0].subject.pseudonym
    r = run(capsys, "case", "reveal", c.id, p)
    assert r.code == 2 and "--reason" in r.err   # a usage error: the option is required
    assert "needs a stated reason" in one_line_error(run(capsys, "case", "reveal", c.id, p, "--reason", ""))
    r = run(capsys, "case", "reveal", c.id, p, "--reason", "subpoena 2030-17", "--json")
    assert r.code == 0, r.err
    assert r.json()["subject"] == LEAKER["id"]
    assert "already revealed" in one_line_error(run(capsys, "case", "reveal", c.id, p, "--reason", "again"))
    r = run(capsys, "case", "show", c.id)
    assert LEAKER["name"] in r.out and "subpoena 2030-17" in r.out
    audit = run(capsys, "audit", "--case", c.id, "--json").json()["items"]
    assert [e["action"] for e in audit] == ["case-open", "artifact-add", "trace", "reveal"]
    assert audit[-1]["details"]["reason"] == "subpoena 2030-17"
    assert run(capsys, "ledger", "verify").code == 0
