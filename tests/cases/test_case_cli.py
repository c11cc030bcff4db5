"""The case lifecycle through the command line: open, add with custody, trace, show, audit."""

from __future__ import annotations

import hashlib
import os

import pytest
from casekit import FIRST_SEEN, GENERIC_MAP, LEAKER, write_access_log
from clirunner import one_line_error, run

from leaktrace import Workspace
from leaktrace.ledger.book import Ledger


def open_case(capsys, **kw):
    r = run(capsys, "case", "open", "Depot plan in the Gazette", "--purpose", "Find the copy the article quotes",
            "--json")
    assert r.code == 0, r.err
    return r.json()["id"]


def add(capsys, case, leak, *extra):
    return run(capsys, "case", "add", case, leak, "--obtained-from", "Gazette website, saved by J. Doe",
               "--obtained-at", "2030-06-02T08:00:00Z", "--first-seen", FIRST_SEEN,
               "--url", "https://gazette.example/depots", *extra)


def test_lifecycle_open_add_trace_show_list_audit(env, capsys):
    wsp, leak, tmp = env
    case = open_case(capsys)
    assert case == "C1"
    r = add(capsys, case, leak, "--json")
    assert r.code == 0, r.err
    art = r.json()
    data = leak.read_bytes()
    assert art["id"] == "A1" and art["sha256"] == hashlib.sha256(data).hexdigest() and art["size"] == len(data)
    assert art["original_name"] == "article.txt" and art["first_seen"] == "2030-06-01T06:00:00.000Z"
    assert art["obtained_from"] == "Gazette website, saved by J. Doe" and art["url"] == "https://gazette.example/depots"
    stored = wsp / "artifacts" / art["sha256"]
    assert stored.read_bytes() == data and art["stored_as"] == str(stored)

    r = run(capsys, "case", "trace", case, "--json")
    assert r.code == 0, r.err
    [f] = r.json()["items"]
    assert f["verdict"] == "identified" and "A copy is not a person" in f["verdict_text"]
    assert [c["identified"] for c in f["copies"]][0] is True

    r = run(capsys, "case", "show", case)
    assert r.code == 0, r.err
    assert "IDENTIFIED" in r.out and "Recipient-" in r.out and "copy evidence" in r.out
    assert "content exposure" in r.out and "access events" in r.out
    assert LEAKER["id"] not in r.out and LEAKER["name"] not in r.out

    r = run(capsys, "case", "list", "--json")
    assert r.code == 0 and r.json()["items"][0]["artifacts"] == 1 and r.json()["items"][0]["traces"] == 1

    r = run(capsys, "audit", "--case", case, "--json")
    assert r.code == 0, r.err
    assert [e["action"] for e in r.json()["items"]] == ["case-open", "artifact-add", "trace"]
    trace = r.json()["items"][2]["details"]
    assert trace["case"] == "C1" and trace["artifact"] == "A1" and trace["verdict"] == "identified"
    r = run(capsys, "audit")
    assert r.code == 0 and "artifact-add" in r.out
    with Workspace.open(wsp) as ws:
        assert Ledger(ws).verify().ok


def test_the_stored_artifact_is_checked_against_its_hash_before_a_trace(env, capsys):
    wsp, leak, _ = env
    case = open_case(capsys)
    art = add(capsys, case, leak, "--json").json()
    stored = wsp / "artifacts" / art["sha256"]
    os.chmod(stored, 0o600)
    stored.write_bytes(stored.read_bytes() + b"tampered")
    assert "chain of custody is broken" in one_line_error(run(capsys, "case", "trace", case))
    assert run(capsys, "case", "list", "--json").json()["items"][0]["traces"] == 0


def test_access_events_before_and_after_first_seen(env, capsys):
    wsp, leak, tmp = env
    r = run(capsys, "ledger", "import", write_access_log(tmp / "dms.csv"), "--format", "csv", "--map", GENERIC_MAP)
    assert r.code == 0, r.err
    case = open_case(capsys)
    add(capsys, case, leak)
    [f] = run(capsys, "case", "trace", case, "--json").json()["items"]
    rows = {r["label"]: r for r in f["exposure"]}
    assert len([r for r in rows.values() if r["subject"]["kind"] == "recipient"]) == 13
    withaccess = {k: [e["action"] for e in r["access_events"]] for k, r in rows.items() if r["access_events"]}
    assert sorted(withaccess.values()) == [["download"], ["view", "print"]]
    accounts = [r for r in rows.values() if r["subject"]["kind"] == "account"]
    assert len(accounts) == 1 and accounts[0]["label"].startswith("Account-")
    assert accounts[0]["content_exposure"]["held_copy"] is False
    assert all(e["time"] < "2030-06-01T06" for r in rows.values() for e in r["access_events"])
    assert [e["before_first_seen"] for e in f["timeline"] if e["kind"] == "access"] == [True, True, True, False, False]


@pytest.mark.parametrize("args,message", [
    (["case", "show", "C9"], "no case C9"),
    (["case", "show", "case-one"], "not a case id"),
    (["case", "trace", "C1", "A7"], "has no artifact A7"),
    (["case", "reveal", "C1", "Recipient-ZZZZZZ", "--reason", "counsel asked"], "no one in C1"),
    (["case", "reveal", "C1", "Recipient-ZZZZZZ", "--reason", "  "], "needs a stated reason"),
    (["case", "report", "C1", "--format", "docx"], "unknown report format"),
    (["protected", "add", "not an address", "--label", "x"], "neither an e-mail address nor a domain"),
])
def test_bad_input_is_one_line(env, capsys, args, message):
    open_case(capsys)
    assert message in one_line_error(run(capsys, *args))


def test_bad_times_and_artifacts_leave_nothing_behind(env, capsys, monkeypatch):
    wsp, leak, tmp = env
    case = open_case(capsys)
    r = run(capsys, "case", "add", case, leak, "--obtained-from", "x", "--obtained-at", "yesterday-ish",
            "--first-seen", FIRST_SEEN)
    assert "--obtained-at: 'yesterday-ish' is not a time" in one_line_error(r)
    r = run(capsys, "case", "add", case, leak, "--obtained-from", "x", "--obtained-at", FIRST_SEEN,
            "--first-seen", "2030-13-45")
    assert "--first-seen" in one_line_error(r)
    r = run(capsys, "case", "add", case, leak, "--obtained-from", " ", "--obtained-at", FIRST_SEEN,
            "--first-seen", FIRST_SEEN)
    assert "--obtained-from" in one_line_error(r)
    for name, content, message in [("empty.txt", b"", "empty"), ("img.png", b"\x89PNG\r\n\x1a\n\x00\x00", "image"),
                                   ("page.html", b"<html><script>x</script></html>", "no readable text")]:
        (tmp / name).write_bytes(content)
        assert message in one_line_error(add(capsys, case, tmp / name))
    assert "no such file" in one_line_error(add(capsys, case, tmp / "missing.txt"))
    (tmp / "big.txt").write_text("word " * 5000)
    monkeypatch.setenv("LEAKTRACE_MAX_INPUT_MB", "0.01")
    assert "over the input limit" in one_line_error(add(capsys, case, tmp / "big.txt"))
    monkeypatch.delenv("LEAKTRACE_MAX_INPUT_MB")
    assert not (wsp / "artifacts").exists() or not any((wsp / "artifacts").iterdir())
    assert run(capsys, "case", "list", "--json").json()["items"][0]["artifacts"] == 0
    assert add(capsys, case, leak).code == 0
    assert "already artifact A1" in one_line_error(add(capsys, case, leak))
    assert [e["action"] for e in run(capsys, "audit", "--case", case, "--json").json()["items"]] == ["case-open", "artifact-add"]


def test_a_case_with_nothing_to_trace(env, capsys):
    case = open_case(capsys)
    assert "has no artifacts" in one_line_error(run(capsys, "case", "trace", case))
    r = run(capsys, "case", "show", case)
    assert r.code == 0 and "Not traced yet" in r.out


@pytest.mark.sqlite_file
def test_an_old_workspace_gets_the_case_tables_on_first_use(env, capsys):
    import sqlite3

    wsp, _, _ = env
    con = sqlite3.connect(wsp / "leaktrace.db")
    for t in ("case_reveals", "case_traces", "case_artifacts", "cases", "protected_channels"):
        con.execute(f"DROP TABLE {t}")
    con.commit()
    con.close()
    assert open_case(capsys) == "C1"
