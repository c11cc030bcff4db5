"""Appends to the ledger are serialized across processes: a `trace` while another process is
appending (an import, a mark) waits for it and records its audit entry after it, on SQLite and
on PostgreSQL, instead of failing on a duplicate `seq` and losing the trace."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import leaktrace
from leaktrace.ledger.book import Ledger

# Another process appends two access events in one transaction and, between them, waits until
# the trace (in a third process) is about to record its audit entry, and a little longer.
_APPENDING = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from leaktrace import Workspace
    from leaktrace.ledger.book import Ledger, NewEntry
    here = Path(sys.argv[2])
    def entries():
        yield NewEntry("access", "2030-01-01T00:00:00.000Z", "a@b.example", "view", "test", "generic",
                       source_ref="e1", details={})
        (here / "appending").touch()
        while not (here / "auditing").exists():
            time.sleep(0.05)
        time.sleep(6)      # longer than SQLite's busy timeout: the trace waits on
        yield NewEntry("access", "2030-01-01T00:00:01.000Z", "a@b.example", "view", "test", "generic",
                       source_ref="e2", details={})
    with Workspace.open(sys.argv[1]) as ws:
        Ledger(ws).append(entries())
""")

# The trace, which says when it is about to record its audit entry.
_TRACING = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from leaktrace import Workspace
    from leaktrace.ledger.book import Ledger
    here = Path(sys.argv[2])
    record_audit = Ledger.record_audit
    def announced(self, *args, **kwargs):
        (here / "auditing").touch()
        return record_audit(self, *args, **kwargs)
    Ledger.record_audit = announced
    with Workspace.open(sys.argv[1]) as ws:
        print(json.dumps({"verdict": ws.trace_file(here / "leak.txt").verdict}))
""")


def test_a_trace_during_another_append_waits_and_both_are_recorded(marked, tmp_path):
    ws, doc = marked
    leak = tmp_path / "leak.txt"
    leak.write_text("\n\n".join(ws.render_copy(doc.id, ws.recipients()[3].id).split("\n\n")[1:5]))
    before = Ledger(ws).count()
    env = {**os.environ, "PYTHONPATH": str(Path(leaktrace.__file__).parents[1])}
    appending = subprocess.Popen([sys.executable, "-c", _APPENDING, str(ws.path), str(tmp_path)], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (tmp_path / "appending").exists():
        assert appending.poll() is None, appending.communicate()[1]
        assert time.monotonic() < deadline
        time.sleep(0.05)
    trace = subprocess.run([sys.executable, "-c", _TRACING, str(ws.path), str(tmp_path)], env=env,
                           capture_output=True, text=True, timeout=300)
    _, err = appending.communicate(timeout=300)
    assert appending.returncode == 0, err
    assert trace.returncode == 0, trace.stderr
    assert json.loads(trace.stdout)["verdict"] == "identified"
    led = Ledger(ws)
    entries = sorted(led.events(), key=lambda e: e.seq)[before:]
    assert [(e.kind, e.action) for e in entries] == [("access", "view"), ("access", "view"), ("audit", "trace")]
    assert led.verify().ok


def test_two_marks_and_a_trace_at_once_all_record_and_the_ledger_verifies(marked, tmp_path):
    """Two `mark` runs of two documents and a `trace`, in three processes started together: each
    finishes, every copy of both runs is recorded once, the trace's audit entry is there, and
    the ledger (chain, signed heads, evidence rows) verifies."""
    from samples import series_memo

    ws, doc = marked
    leak = tmp_path / "leak.txt"
    leak.write_text("\n\n".join(ws.render_copy(doc.id, ws.recipients()[5].id).split("\n\n")[1:5]))
    (tmp_path / "works.md").write_text(series_memo(n_paras=3), encoding="utf-8")
    second = ws.add_document(tmp_path / "works.md")
    before = Ledger(ws).count()
    env = {**os.environ, "PYTHONPATH": str(Path(leaktrace.__file__).parents[1])}
    cli = [sys.executable, "-m", "leaktrace.cli", "-w", str(ws.path)]
    procs = [subprocess.Popen(cli + args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for args in (["mark", doc.id, "--out", str(tmp_path / "again"), "--json"],
                          ["mark", second.id, "--out", str(tmp_path / "works"), "--json"],
                          ["trace", str(leak), "--json"])]
    outs = [p.communicate(timeout=600) for p in procs]
    for p, (_, err) in zip(procs, outs):
        assert p.returncode == 0, err
    assert json.loads(outs[2][0])["verdict"] == "identified"
    n = len(ws.recipients())
    assert [len(json.loads(o)["copies"]) for o, _ in outs[:2]] == [n, n]
    led = Ledger(ws)
    added = sorted(led.events(), key=lambda e: e.seq)[before:]
    kinds = [(e.kind, e.action) for e in added]
    assert kinds.count(("audit", "trace")) == 1
    assert sum(1 for e in added if e.kind == "distribution") == 2 * n
    assert led.verify().ok
