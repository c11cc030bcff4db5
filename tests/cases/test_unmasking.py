"""Pseudonyms that cannot unmask: long enough (80 bits, keyed) that two subjects practically
never share one, and a clash refused when it happens; and pseudonymized outputs (case show, the
report and its lists) carry no identifier of an unrevealed person that the outputs which name
people (ledger export, manifest.json) link to them: no copy id, no ledger entry number."""

from __future__ import annotations

import json
import re

import pytest
from casekit import FIRST_SEEN, GENERIC_MAP, LEAKER, PEOPLE, write_access_log
from clirunner import one_line_error, run
from sqlalchemy import select

from leaktrace import Workspace
from leaktrace.cases import pseudonyms
from leaktrace.cases.book import Cases
from leaktrace.cases.pseudonyms import pseudonym
from leaktrace.cases.tables import case_reveals


def test_pseudonyms_carry_80_bits():
    p = pseudonym(b"\x01" * 32, "recipient", "ana.ashby")
    assert re.fullmatch(r"Recipient-[0-9A-HJKMNP-TV-Z]{16}", p)


def _case(env, capsys):
    wsp, leak, tmp = env
    assert run(capsys, "ledger", "import", write_access_log(tmp / "log.csv"), "--format", "csv",
               "--map", GENERIC_MAP).code == 0
    assert run(capsys, "case", "open", "Gazette", "--purpose", "find the copy").code == 0
    assert run(capsys, "case", "add", "C1", leak, "--obtained-from", "web", "--obtained-at", FIRST_SEEN,
               "--first-seen", FIRST_SEEN).code == 0
    assert run(capsys, "case", "trace", "C1").code == 0
    return wsp, tmp


def test_a_clash_of_pseudonyms_is_refused(env, capsys, monkeypatch):
    _case(env, capsys)
    monkeypatch.setattr(pseudonyms, "_LENGTH", 1)     # 32 pseudonyms for 13 recipients and 2 accounts
    err = one_line_error(run(capsys, "case", "show", "C1"))
    assert "share the pseudonym" in err and "C1" in err


def _linked_ids(wsp, tmp, capsys) -> dict[str, set[str]]:
    """Per recipient id: the identifiers the outputs that name people link to them."""
    manifest = json.loads((tmp / "copies" / "manifest.json").read_text())
    assert run(capsys, "ledger", "export", tmp / "ledger.jsonl").code == 0
    out: dict[str, set[str]] = {}
    for c in manifest["copies"]:
        out.setdefault(c["recipient"], set()).add(c["copy"])
    for line in (tmp / "ledger.jsonl").read_text().splitlines():
        e = json.loads(line)
        if e.get("recipient") and e.get("kind") in ("distribution", "access"):
            out.setdefault(e["recipient"], set()).add(f"seq {e['seq']}")
            if (e.get("details") or {}).get("copy_id"):
                out[e["recipient"]].add(e["details"]["copy_id"])
    return out


def _pseudonymized_outputs(tmp, capsys) -> str:
    show = run(capsys, "case", "show", "C1")
    as_json = run(capsys, "case", "show", "C1", "--json")
    assert show.code == as_json.code == 0
    data = as_json.json()
    seqs = [f"seq {e['seq']}" for f in data["findings"] for e in f["timeline"] if e.get("seq") is not None]
    seqs += [f"seq {e['seq']}" for f in data["findings"] for r in f["exposure"] for e in r["access_events"]
             if e.get("seq") is not None]
    assert run(capsys, "case", "report", "C1", "--out", tmp / "report.html", "--force").code == 0
    lists = "".join(p.read_text() for p in tmp.glob("report-*.csv"))
    return "\n".join([show.out, as_json.out, (tmp / "report.html").read_text(), lists, *seqs])


def test_no_output_under_pseudonyms_links_an_unrevealed_person(env, capsys):
    wsp, tmp = _case(env, capsys)
    linked = _linked_ids(wsp, tmp, capsys)
    text = _pseudonymized_outputs(tmp, capsys)
    for rid, ids in linked.items():
        for x in ids:
            assert not re.search(rf"(?<![0-9A-Za-z]){re.escape(x)}(?![0-9A-Za-z])", text), (rid, x)
    # once revealed in this case, the person's copy is named beside their name
    with Workspace.open(wsp) as ws:
        p = pseudonym(ws.key, "recipient", LEAKER["id"])
    assert run(capsys, "case", "reveal", "C1", p, "--reason", "counsel asked").code == 0
    text = _pseudonymized_outputs(tmp, capsys)
    leaker_copy = next(x for x in linked[LEAKER["id"]] if not x.startswith("seq "))
    assert leaker_copy in text
    for rid, ids in linked.items():
        if rid != LEAKER["id"]:
            assert not any(re.search(rf"(?<![0-9A-Za-z]){re.escape(x)}(?![0-9A-Za-z])", text) for x in ids), rid


def test_a_reveal_made_under_the_old_six_character_pseudonyms_still_applies(env, capsys):
    wsp, tmp = _case(env, capsys)
    with Workspace.open(wsp) as ws:
        p = pseudonym(ws.key, "recipient", LEAKER["id"])
        assert run(capsys, "case", "reveal", "C1", p, "--reason", "counsel asked").code == 0
        with ws.engine.begin() as c:     # as an older version stored it
            c.execute(case_reveals.update().values(pseudonym="Recipient-7QX2KM"))
        view = Cases(ws).view("C1")
        [x] = [x for x in view.findings[0].copies if x.identified]
        assert x.subject.revealed and x.subject.name == LEAKER["name"] and x.subject.pseudonym == p
        assert view.reveals[0].pseudonym == p
        assert not any(y.subject.revealed for y in view.findings[0].copies if y is not x)
        assert [r.subject for r in ws.engine.connect().execute(select(case_reveals))] == [LEAKER["id"]]
    assert PEOPLE
