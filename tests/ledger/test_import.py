"""Importing: all or nothing, quarantine, idempotence, progress, bounded memory; distributions; queries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from ledgerkit import FIXTURES, JSONL_MAP, access_events, assert_import_audit, import_audits, write_jsonl_events

from leaktrace.errors import InputError
from leaktrace.ledger.book import Ledger
from leaktrace.ledger.chain import GENESIS
from leaktrace.ledger.evidence import holder_hash


def _with_bad_lines(tmp_path, bad: dict[int, str], n=10):
    p = write_jsonl_events(tmp_path / "log.jsonl", n)
    lines = p.read_text().splitlines(keepends=True)
    for lineno, text in bad.items():
        lines[lineno - 1] = text + "\n"
    p.write_text("".join(lines))
    return p


def test_all_or_nothing(led, tmp_path):
    p = _with_bad_lines(tmp_path, {8: '{"id": "x", "ts": "2024-04-09T10:00:00Z", "user": "a@b.example"}'})
    with pytest.raises(InputError, match=r"log.jsonl:8: missing event \(action\)"):
        led.import_file(p, "jsonl", JSONL_MAP)
    assert led.count() == 0 and led.digests() == []
    assert not (tmp_path / "log.jsonl.quarantine.jsonl").exists()


def test_skip_invalid_quarantines_the_rejected_rows(led, tmp_path):
    p = _with_bad_lines(tmp_path, {3: "{not json", 7: '{"id": "e7", "ts": "tomorrow", "user": "a@b.example", '
                                                     '"event": "view", "file": "f"}'})
    r = led.import_file(p, "jsonl", JSONL_MAP, skip_invalid=True)
    assert (r.added, r.rejected) == (8, 2)
    assert_import_audit(import_audits(led)[-1], r, events=8, added=8, rejected=2)
    q = tmp_path / "log.jsonl.quarantine.jsonl"
    assert r.quarantine == str(q)
    rows = [json.loads(x) for x in q.read_text().splitlines()]
    assert [(x["line"], x["reason"].split(" (")[0]) for x in rows] == [(3, "not valid JSON"),
                                                                       (7, "bad timestamp 'tomorrow'")]
    assert rows[0]["raw"] == "{not json" and rows[0]["file"] == str(p)
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".log.jsonl")]  # no temporary file left
    # Again: nothing new is added, the quarantine is rewritten with the same rows.
    r = led.import_file(p, "jsonl", JSONL_MAP, skip_invalid=True, quarantine=tmp_path / "q.jsonl")
    assert (r.added, r.duplicates, r.rejected) == (0, 8, 2)
    assert len(access_events(led)) == 8 and len(import_audits(led)) == 2
    assert_import_audit(import_audits(led)[-1], r, events=8, added=0, duplicates=8, rejected=2)
    assert len((tmp_path / "q.jsonl").read_text().splitlines()) == 2


def test_a_failed_import_leaves_no_quarantine_and_no_entries(led, tmp_path):
    p = write_jsonl_events(tmp_path / "log.jsonl", 5)
    with p.open("a") as f:
        f.write("{broken\n")
    with pytest.raises(InputError, match="log.jsonl:6: not valid JSON"):
        led.import_file(p, "jsonl", JSONL_MAP)
    with pytest.raises(InputError, match="no such folder for the quarantine"):
        led.import_file(p, "jsonl", JSONL_MAP, skip_invalid=True, quarantine=tmp_path / "nope" / "q.jsonl")
    assert led.count() == 0


def test_reimport_adds_nothing_and_an_extended_file_adds_only_the_new_events(led, tmp_path):
    p = write_jsonl_events(tmp_path / "log.jsonl", 1200)  # more than one batch
    r1 = led.import_file(p, "jsonl", JSONL_MAP)
    assert (r1.added, r1.first_seq, r1.last_seq) == (1200, 1, 1200)
    [a1] = import_audits(led)  # the import's own audit entry follows its events, and is signed with them
    assert_import_audit(a1, r1, events=1200, added=1200, duplicates=0)
    assert a1.seq == 1201 and led.count() == 1201
    assert len(led.digests()) == 1 and led.digests()[-1].upto_seq == a1.seq
    r2 = led.import_file(p, "jsonl", JSONL_MAP)
    assert (r2.added, r2.duplicates) == (0, 1200)
    assert (r2.first_seq, r2.last_seq) == (None, None)
    # No access event is added, but the re-import is itself recorded: exactly one audit entry, signed.
    assert len(access_events(led)) == 1200
    a1_again, a2 = import_audits(led)
    assert a1_again == a1 and led.count() == 1202 and a2.seq == 1202
    assert_import_audit(a2, r2, events=1200, added=0, duplicates=1200, ignored=0, rejected=0)
    assert a2.details["sha256"] == a1.details["sha256"]  # the same file
    assert len(led.digests()) == 2 and led.digests()[-1].upto_seq == a2.seq
    write_jsonl_events(tmp_path / "more.jsonl", 1300)
    r3 = led.import_file(tmp_path / "more.jsonl", "jsonl", JSONL_MAP)
    assert (r3.added, r3.duplicates, r3.first_seq) == (100, 1200, a2.seq + 1)
    assert_import_audit(import_audits(led)[-1], r3, events=1300, added=100, duplicates=1200)
    assert len(access_events(led)) == 1300 and [e.source_ref for e in access_events(led)[-100:]] == [
        f"evt-{i}" for i in range(1200, 1300)]
    assert led.count() == 1300 + 3 and len(import_audits(led)) == 3 and led.verify().ok


def test_duplicates_inside_one_file_are_added_once(led, tmp_path):
    p = write_jsonl_events(tmp_path / "log.jsonl", 3)
    p.write_text(p.read_text() * 2)
    r = led.import_file(p, "jsonl", JSONL_MAP)
    assert (r.events, r.added, r.duplicates) == (6, 3, 3)
    assert len(access_events(led)) == 3


def test_progress_reports_bytes(led, tmp_path):
    p = write_jsonl_events(tmp_path / "log.jsonl", 30000)  # a few MB
    calls = []
    led.import_file(p, "jsonl", JSONL_MAP, progress=lambda done, total: calls.append((done, total)))
    size = p.stat().st_size
    assert len(calls) >= 3 and calls[-1] == (size, size)
    assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:])) and all(t == size for _, t in calls)


def test_streaming_keeps_memory_bounded(lws, tmp_path):
    """~50 MB of JSON Lines imported in a fresh process: its peak memory grows by far less than the file."""
    p = tmp_path / "big.jsonl"
    pad = "x" * 420
    with p.open("w") as f:
        for i in range(100_000):
            f.write(json.dumps({"id": f"e{i}", "ts": f"2024-04-{1 + i % 28:02d}T10:{i % 60:02d}:00Z",
                                "user": "ana.ashby@depot.example", "event": "view", "file": "depot-plan.md",
                                "agent": pad}) + "\n")
    size = p.stat().st_size
    assert size > 48 * 2**20
    lws.close()
    script = textwrap.dedent(f"""
        import json, resource
        from leaktrace import Workspace
        from leaktrace.ledger.book import Ledger
        ws = Workspace.open({str(lws.path)!r})
        led = Ledger(ws)
        led.count()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        r = led.import_file({str(p)!r}, "jsonl", {JSONL_MAP!r})
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({{"added": r.added, "growth_kb": after - before}}))
    """)
    # the bound is on memory; the timeout only stops a hang (100,000 rows into a PostgreSQL
    # server on a busy 2-core machine took over two minutes)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert res["added"] == 100_000
    assert res["growth_kb"] * 1024 < size / 4, res  # ru_maxrss is in kilobytes on Linux


def test_record_distributions_inside_the_callers_transaction(lws, led):
    with lws.engine.begin() as conn:
        out = led.record_distributions(conn, 1, [("ana.ashby", "c-ana", "aa" * 32, "copies/ana.ashby.md"),
                                                 ("ben.brook", "c-ben", "bb" * 32, "copies/ben.brook.md")])
    assert [e.seq for e in out] == [1, 2] and out[0].prev_hash == GENESIS and out[1].prev_hash == out[0].hash
    e = led.events(kind="distribution")[0]
    assert (e.kind, e.action, e.recipient, e.document, e.source) == ("distribution", "distribute", "ana.ashby", 1, "mark")
    ana = next(r for r in lws.recipients() if r.id == "ana.ashby")
    assert e.details == {"copy_id": "c-ana", "sha256": "aa" * 32, "path": "copies/ana.ashby.md", "channel": "file",
                         "holder": holder_hash(ana.id, ana.name, ana.email)}   # who holds the copy (issue 18)
    assert len(led.digests()) == 1 and led.digests()[0].upto_seq == 2
    # A transaction that fails records nothing.
    with pytest.raises(RuntimeError):
        with lws.engine.begin() as conn:
            led.record_distribution(conn, 1, "chen.cole", "c-chen", "cc" * 32, "copies/chen.cole.md")
            raise RuntimeError("mark failed after recording")
    assert led.count() == 2 and len(led.digests()) == 1 and led.verify().ok


def test_audit_entries_share_the_chain(led):
    led.record_audit("trace", "investigator@depot.example", {"artifact": "sha256:ab"}, document=1)
    e = led.events(kind="audit")[0]
    assert (e.kind, e.action, e.actor, e.document) == ("audit", "trace", "investigator@depot.example", 1)
    assert led.verify().ok


@pytest.mark.sqlite_file
def test_exposure_query(led, lws):
    led.add_alias("D1", "path", "s3://depot-docs-example/plans/depot-plan.md")
    with lws.engine.begin() as conn:
        led.record_distributions(conn, 1, [("ana.ashby", "c1", "aa" * 32, "a.md"), ("ben.brook", "c2", "bb" * 32, "b.md")],
                                 occurred_at="2024-03-01T09:00:00.000Z")
    led.import_file(FIXTURES / "m365.json", "m365-json")
    led.import_file(FIXTURES / "cloudtrail.json", "cloudtrail")
    before = led.events(document="D1", before="2024-03-05")
    assert [(e.occurred_at[:10], e.kind, e.recipient, e.action) for e in before] == [
        ("2024-03-01", "distribution", "ana.ashby", "distribute"),
        ("2024-03-01", "distribution", "ben.brook", "distribute"),
        ("2024-03-04", "access", "ana.ashby", "view"),
        ("2024-03-04", "access", "ben.brook", "view"),
        ("2024-03-04", "access", "ana.ashby", "download"),
    ]
    assert {e.recipient for e in led.events(document=1, recipient="chen.cole")} == {"chen.cole"}
    assert len(led.events(document="D1", after="2024-03-08")) == 1
    with pytest.raises(InputError, match="--before: 'last week' is not a time"):
        led.events(before="last week")
    # The query is an index lookup, not a scan.
    from sqlalchemy import text
    with lws.engine.connect() as c:
        plan = " ".join(r[-1] for r in c.execute(text(
            "EXPLAIN QUERY PLAN SELECT * FROM ledger WHERE document = 1 AND occurred_at < '2024-03-05' "
            "ORDER BY occurred_at")))
    assert "ix_ledger_document_time" in plan


def test_aliases(led):
    led.add_alias("D1", "name", "Depot Plan FINAL.docx")
    led.add_alias("D1", "name", "depot plan final.docx")  # the same name: once
    led.add_alias(1, "sha256", "AB" * 32)
    assert ("D1", "name", "depot plan final.docx") in led.aliases("D1")
    assert ("D1", "sha256", "ab" * 32) in led.aliases()
    with pytest.raises(InputError, match="not a usable sha256"):
        led.add_alias("D1", "sha256", "xyz")
    with pytest.raises(InputError, match="unknown alias kind 'url'"):
        led.add_alias("D1", "url", "https://x.example")
    from leaktrace.errors import NotFoundError
    with pytest.raises(NotFoundError, match="no document D9"):
        led.add_alias("D9", "name", "x")


def test_an_old_workspace_gets_the_ledger_tables_on_first_use(lws):
    from sqlalchemy import text
    with lws.engine.begin() as c:
        for t in ("ledger", "ledger_digests", "document_aliases"):
            c.execute(text(f"DROP TABLE {t}"))
    led = Ledger(lws)
    assert led.count() == 0
    led.import_file(FIXTURES / "m365.json", "m365-json")
    assert led.verify().ok


def test_non_utf8_rows_are_rejected_at_their_line(led, tmp_path):
    src = (FIXTURES / "gws_drive.csv").read_bytes().splitlines(keepends=True)
    src[2] = src[2].replace(b"Depot consolidation plan", b"D\xe9p\xf4t plan")
    p = tmp_path / "drive.csv"
    p.write_bytes(b"".join(src))
    with pytest.raises(InputError, match=r"drive.csv:3: not valid UTF-8"):
        led.import_file(p, "gws-drive-csv")
    r = led.import_file(p, "gws-drive-csv", skip_invalid=True)
    assert (r.added, r.rejected) == (5, 1)
    assert json.loads((tmp_path / "drive.csv.quarantine.jsonl").read_text())["line"] == 3


def test_a_killed_import_records_nothing_and_the_ledger_still_verifies(lws, led, tmp_path):
    """`ledger import` killed (SIGKILL) in the middle of its rows: the import is one transaction,
    so nothing of it is recorded, the ledger and its signed heads still verify, and the same file
    imported again is recorded whole."""
    import signal

    p = write_jsonl_events(tmp_path / "log.jsonl", 20)
    before = led.count()
    lws.close()
    # the import kills itself once its rows are written into its transaction, before the commit
    script = textwrap.dedent(f"""
        import os, signal
        from leaktrace import Workspace
        from leaktrace.ledger import book
        ws = Workspace.open({str(lws.path)!r})
        flush = book._Writer.flush
        def flush_then_die(self, *a, **k):
            flush(self, *a, **k)
            os.kill(os.getpid(), signal.SIGKILL)
        book._Writer.flush = flush_then_die
        book.Ledger(ws).import_file({str(p)!r}, "jsonl", {JSONL_MAP!r})
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert out.returncode == -signal.SIGKILL, out.stderr
    from leaktrace import Workspace

    with Workspace.open(lws.path) as again:
        again_led = Ledger(again)
        assert again_led.count() == before
        assert again_led.verify().ok
        r = again_led.import_file(p, "jsonl", JSONL_MAP)
        assert r.added == 20 and again_led.count() == before + 20 + 1 and again_led.verify().ok
