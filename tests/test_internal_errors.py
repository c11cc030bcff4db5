"""Input that once ended in an internal error (exit 70, a Python exception's name) gets the
one-line error of any bad input, or is handled, and leaves nothing half-written."""

from __future__ import annotations

import json

import pytest
from clirunner import one_line_error, run
from samples import MEMO, write_people

LATE = "9999-12-31T23:59:59-14:00"     # a valid ISO time whose UTC form is past year 9999


@pytest.fixture
def env(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws"))
    assert run(capsys, "init").code == 0
    return tmp_path


def test_a_time_past_year_9999_in_utc_is_refused_on_one_line(env, capsys):
    log = env / "log.jsonl"
    log.write_text(json.dumps({"id": "e1", "ts": LATE, "user": "a@b.example", "event": "view",
                               "file": "memo.md"}) + "\n")
    err = one_line_error(run(capsys, "ledger", "import", log, "--format", "jsonl",
                             "--map", "time=ts,actor=user,action=event,document=file,event_id=id"))
    assert "log.jsonl:1" in err and "out of range" in err
    assert "--before" in one_line_error(run(capsys, "ledger", "events", "--before", LATE))
    (env / "leak.txt").write_text(MEMO)
    assert run(capsys, "case", "open", "Leak", "--purpose", "test").code == 0
    err = one_line_error(run(capsys, "case", "add", "C1", env / "leak.txt", "--obtained-from", "a forum",
                             "--obtained-at", "2030-06-02T00:00:00Z", "--first-seen", LATE))
    assert "--first-seen" in err
    assert run(capsys, "case", "show", "C1", "--json").json()["case"]["artifacts"] == 0
