"""`leaktrace ledger ...` driven as a user would: JSON output, exit codes, one-line errors."""

from __future__ import annotations

import json
import sqlite3

import pytest
from clirunner import one_line_error, run
from ledgerkit import DRIVE_DOC_ID, FIXTURES, JSONL_MAP, write_jsonl_events
from samples import MEMO


@pytest.fixture
def env(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws"))
    (tmp_path / "depot-plan.md").write_text(MEMO)
    assert run(capsys, "init").code == 0
    assert run(capsys, "doc", "add", tmp_path / "depot-plan.md").code == 0
    assert run(capsys, "recipients", "import", FIXTURES / "recipients.csv").code == 0
    return tmp_path


def test_import_events_verify_export(env, capsys):
    r = run(capsys, "ledger", "import", FIXTURES / "m365.json", "--format", "m365-json", "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert (data["added"], data["ignored"], data["rejected"], data["quarantine"]) == (8, 2, 0, None)
    r = run(capsys, "ledger", "import", FIXTURES / "m365.json", "--format", "m365-json")
    assert r.code == 0 and "Imported 0 access events" in r.out and "8 already in the ledger" in r.out

    r = run(capsys, "ledger", "alias", "D1", "--file-id", DRIVE_DOC_ID, "--json")
    assert r.code == 0 and {"document": "D1", "kind": "file_id", "value": DRIVE_DOC_ID} in r.json()["items"]
    assert run(capsys, "ledger", "import", FIXTURES / "gws_drive.csv", "-f", "gws-drive-csv").code == 0

    r = run(capsys, "ledger", "events", "--document", "D1", "--before", "2024-03-05T00:00:00Z", "--json")
    assert r.code == 0
    assert [(e["recipient"], e["action"], e["document"]) for e in r.json()["items"]] == [
        ("ana.ashby", "view", "D1"), ("ana.ashby", "view", "D1"), ("ben.brook", "view", "D1")]
    r = run(capsys, "ledger", "events", "--recipient", "dara.dunn")
    assert r.code == 0 and "3 entries." in r.out

    # 14 access events (8 + 6) and one audit entry per import, the re-import that added nothing included
    assert len(run(capsys, "ledger", "events", "--kind", "access", "--json").json()["items"]) == 14
    audits = run(capsys, "ledger", "events", "--kind", "audit", "--json").json()["items"]
    assert [(a["action"], a["details"]["format"], a["details"]["added"], a["details"]["duplicates"])
            for a in audits] == [("import", "m365-json", 8, 0), ("import", "m365-json", 0, 8),
                                 ("import", "gws-drive-csv", 6, 0)]
    n = 14 + 3
    r = run(capsys, "ledger", "verify", "--json")
    assert r.code == 0 and r.json()["ok"] and r.json()["entries"] == n
    assert r.json()["head_seq"] == max(a["seq"] for a in audits) == n
    r = run(capsys, "ledger", "verify")
    assert r.code == 0 and f"Ledger OK: {n} entries" in r.out

    pub = env / "ledger.pub"
    r = run(capsys, "ledger", "public-key")
    assert r.code == 0 and r.out.startswith("-----BEGIN PUBLIC KEY-----")
    pub.write_text(r.out)
    r = run(capsys, "ledger", "export", env / "ledger.jsonl", "--json")
    assert r.code == 0 and r.json()["entries"] == n
    r = run(capsys, "ledger", "verify-export", env / "ledger.jsonl", "--public-key", pub, "--json")
    assert r.code == 0 and r.json()["ok"] and r.json()["signed_upto"] == n
    assert "already exists" in one_line_error(run(capsys, "ledger", "export", env / "ledger.jsonl"))


@pytest.mark.sqlite_file
def test_verify_reports_tampering_with_exit_status_1(env, capsys):
    p = write_jsonl_events(env / "log.jsonl", 6)
    assert run(capsys, "ledger", "import", p, "--format", "jsonl", "--map", JSONL_MAP).code == 0
    con = sqlite3.connect(env / "ws" / "leaktrace.db")
    with con:
        assert con.execute("SELECT kind FROM ledger WHERE seq=4").fetchone() == ("access",)
        con.execute("UPDATE ledger SET recipient=NULL WHERE seq=4")
    con.close()
    r = run(capsys, "ledger", "verify", "--json")
    assert r.code == 1 and not r.json()["ok"]
    assert [(p["kind"], p["seq"]) for p in r.json()["problems"]] == [("edited", 4)]
    r = run(capsys, "ledger", "verify")
    assert r.code == 1 and "TAMPERED" in r.out and "edited" in r.out


def test_skip_invalid_and_quarantine(env, capsys):
    p = write_jsonl_events(env / "log.jsonl", 5)
    with p.open("a") as f:
        f.write('{"id": "x", "ts": "2024-04-01T00:00:00Z", "user": "a@b.example", "event": "teleport", "file": "f"}\n')
    err = one_line_error(run(capsys, "ledger", "import", p, "--format", "jsonl", "--map", JSONL_MAP))
    assert f"{p}:6: unknown action 'teleport'" in err
    assert run(capsys, "ledger", "events", "--json").json()["items"] == []
    q = env / "rejected.jsonl"
    r = run(capsys, "ledger", "import", p, "--format", "jsonl", "--map", JSONL_MAP, "--skip-invalid",
            "--quarantine", q)
    assert r.code == 0 and "Imported 5 access events" in r.out and "1 malformed rows set aside" in r.out
    assert json.loads(q.read_text())["line"] == 6


@pytest.mark.parametrize("args,message", [
    (["import", "{f}", "--format", "splunk"], "unknown format 'splunk'"),
    (["import", "{f}", "--format", "csv"], "need a column mapping"),
    (["import", "{d}/missing.json", "--format", "m365-json"], "no such file"),
    (["import", "{d}", "--format", "m365-json"], "is a folder"),
    (["events", "--before", "last tuesday"], "is not a time"),
    (["events", "--document", "memo"], "is not a document id"),
    (["alias", "D1"], "give at least one of --file-id"),
    (["alias", "D7", "--name", "x.md"], "no document D7"),
    (["verify-export", "{f}", "--public-key", "{d}/nokey.pem"], "no such file"),
])
def test_one_line_errors(env, capsys, args, message):
    args = [a.format(f=FIXTURES / "m365.json", d=env) for a in args]
    assert message in one_line_error(run(capsys, "ledger", *args))


def test_no_workspace(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "missing"))
    assert "no workspace" in one_line_error(run(capsys, "ledger", "verify"))


def test_mark_records_the_distribution(env, capsys):
    assert run(capsys, "mark", "D1", "--to", "all", "--out", env / "copies").code == 0
    r = run(capsys, "ledger", "events", "--document", "D1", "--json")
    got = sorted((e["kind"], e["recipient"]) for e in r.json()["items"])
    assert got == [("distribution", rid) for rid in ("ana.ashby", "ben.brook", "chen.cole", "dara.dunn")]
    assert run(capsys, "ledger", "verify", "--json").json()["signed_upto"] == 4
