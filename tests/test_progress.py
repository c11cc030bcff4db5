"""Progress on stderr for the operations that take a while (folders of documents, copies,
imports, reports): shown on a terminal, never in a pipe or a log, never with --json."""

from __future__ import annotations

import pytest
from clirunner import run
from samples import MEMO, write_people


@pytest.fixture
def ws(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws"))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "memo.md").write_text(MEMO)
    write_people(tmp_path / "people.csv", 6)
    (tmp_path / "access.csv").write_text("when,who,what,file\n2030-05-01T09:00:00Z,x@example.org,opened,memo.md\n")
    (tmp_path / "leak.txt").write_text(MEMO[200:900])
    assert run(capsys, "init").code == 0
    return tmp_path


def steps(tmp):
    """(label the progress shows, the command)"""
    return [("registering", ["doc", "add", tmp / "docs", "--recursive"]),
            (None, ["recipients", "import", tmp / "people.csv"]),
            ("marking", ["mark", "D1", "--out", tmp / "copies", "--force"]),
            ("importing access.csv", ["ledger", "import", tmp / "access.csv", "--format", "csv",
                                      "--map", "time=when,actor=who,action=what,document=file"]),
            (None, ["case", "open", "Forum post", "--purpose", "find the copy"]),
            (None, ["case", "add", "C1", tmp / "leak.txt", "--obtained-from", "forum",
                    "--obtained-at", "2030-06-02T00:00:00Z"]),
            ("writing the json report", ["case", "report", "C1", "--format", "json", "--out", tmp / "r.json",
                                         "--force"])]


def test_progress_shows_on_a_terminal(ws, capsys, monkeypatch):
    monkeypatch.setenv("TTY_COMPATIBLE", "1")        # rich: this stderr is a terminal
    for label, cmd in steps(ws):
        r = run(capsys, *cmd)
        assert r.code == 0, (cmd, r.err)
        if label:
            assert label in r.err, (cmd, r.err)


def test_no_progress_in_a_pipe_or_with_json(ws, capsys, monkeypatch):
    monkeypatch.setenv("TTY_COMPATIBLE", "0")        # a pipe or a log file
    for label, cmd in steps(ws):
        r = run(capsys, *cmd)
        assert r.code == 0 and r.err == "", (cmd, r.err)    # not even an empty line
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    for label, cmd in steps(ws)[2:3] + steps(ws)[-1:]:
        r = run(capsys, *cmd, "--json")
        assert r.code == 0 and r.err == "", (cmd, r.err)
        assert r.json()["schema"].startswith("leaktrace.")
