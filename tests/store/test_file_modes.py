"""The workspace's files are the owner's alone: the folder 0700, the database and its write-ahead
log 0600 like the key (the database names every recipient and holds every original), also in a
workspace made by an older version, once it is opened."""

from __future__ import annotations

import os
import stat

import pytest
from clirunner import run
from samples import write_people

from leaktrace import Workspace


def _mode(p) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


@pytest.mark.sqlite_file
def test_the_database_and_its_log_are_readable_by_the_owner_only(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws"))
    os.umask(0o022)
    assert run(capsys, "init").code == 0
    write_people(tmp_path / "p.csv", 3)
    with Workspace.open(tmp_path / "ws") as ws:
        ws.import_recipients(tmp_path / "p.csv")
        ws_files = sorted(p.name for p in (tmp_path / "ws").iterdir())
        assert "leaktrace.db-wal" in ws_files
        for p in (tmp_path / "ws").iterdir():
            assert _mode(p) & 0o077 == 0, (p.name, oct(_mode(p)))
    assert _mode(tmp_path / "ws") == 0o700


@pytest.mark.sqlite_file
def test_an_older_workspace_is_tightened_when_opened(tmp_path):
    os.umask(0o022)
    Workspace.create(tmp_path / "ws").close()
    db = tmp_path / "ws" / "leaktrace.db"
    os.chmod(db, 0o644)
    with Workspace.open(tmp_path / "ws") as ws:
        ws.recipients()
    assert _mode(db) == 0o600
