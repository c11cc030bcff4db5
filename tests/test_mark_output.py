"""`mark` never leaves half-written output: a Word original it could not write copies from is
refused when registered, a target that is a folder is refused before anything is written, and
a `mark` killed at any moment leaves in --out only copies the database records (its temporary
folder is removed by the next run)."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from clirunner import one_line_error, run
from office import memo_docx
from samples import MEMO, write_people

import leaktrace
from leaktrace import Workspace


@pytest.fixture
def env(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws"))
    assert run(capsys, "init").code == 0
    write_people(tmp_path / "p.csv", 6)
    assert run(capsys, "recipients", "import", tmp_path / "p.csv").code == 0
    return tmp_path


def _without(data: bytes, part: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != part:
                dst.writestr(info, src.read(info))
    return out.getvalue()


@pytest.mark.parametrize("part", ["[Content_Types].xml", "_rels/.rels"])
def test_a_word_file_copies_cannot_be_written_from_is_refused_at_doc_add(env, capsys, part):
    good = memo_docx(env / "good.docx").read_bytes()
    bad = env / "memo.docx"
    bad.write_bytes(_without(good, part))
    assert part in one_line_error(run(capsys, "doc", "add", bad))
    assert run(capsys, "doc", "list", "--json").json()["items"] == []


@pytest.mark.sqlite_file
def test_mark_of_a_registered_word_file_it_cannot_write_leaves_no_folder(env, capsys):
    good = memo_docx(env / "memo.docx")
    assert run(capsys, "doc", "add", good).code == 0
    # registered by an older version that did not check: the stored original lacks the part
    from sqlalchemy import update

    from leaktrace.store import db

    with Workspace.open(env / "ws") as ws, ws.engine.begin() as conn:
        conn.execute(update(db.documents).values(blob=_without(good.read_bytes(), "[Content_Types].xml")))
    assert "[Content_Types].xml" in one_line_error(run(capsys, "mark", "D1", "--out", env / "out"))
    assert not (env / "out").exists()


def test_mark_force_onto_a_folder_is_refused_and_writes_nothing(env, capsys):
    (env / "memo.md").write_text(MEMO)
    assert run(capsys, "doc", "add", env / "memo.md").code == 0
    out = env / "copies"
    assert run(capsys, "mark", "D1", "--out", out).code == 0
    victim = sorted(n for n in os.listdir(out) if n != "manifest.json")[3]
    (out / victim).unlink()
    (out / victim).mkdir()
    # the same bytes would be written again: the files' inodes tell whether any was replaced
    before = {p.name: p.stat().st_ino for p in out.iterdir() if p.is_file()}
    err = one_line_error(run(capsys, "mark", "D1", "--out", out, "--force"))
    assert err.startswith("error:") and f"{victim} is a folder" in err
    assert {p.name: p.stat().st_ino for p in out.iterdir() if p.is_file()} == before
    assert not [n for n in os.listdir(out) if n.startswith(".leaktrace-")]
    with Workspace.open(env / "ws") as ws:
        assert len(ws.issued_copies("D1")) == 6


# A `mark` in another process that kills itself (SIGKILL, as the kernel's OOM killer or `kill -9`
# would) at the k-th call of one of the functions it writes with: a copy written into its
# temporary folder (write_bytes), or a file moved into --out (os.replace).
_KILLED = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    import {where}
    counted = {where}.{name}
    calls = []
    def killing(*args, **kwargs):
        calls.append(1)
        if len(calls) == {k}:
            os.kill(os.getpid(), signal.SIGKILL)
        return counted(*args, **kwargs)
    {where}.{name} = killing
    from leaktrace import Workspace
    with Workspace.open(sys.argv[1]) as ws:
        ws.mark("D1", "all", sys.argv[2])
""")


@pytest.mark.parametrize("where,name,k", [("pathlib", "Path.write_bytes", 15), ("os", "replace", 12)])
def test_a_killed_mark_leaves_only_recorded_copies_and_the_next_run_cleans_up(tmp_path, where, name, k):
    write_people(tmp_path / "p.csv", 30)
    (tmp_path / "memo.md").write_text(MEMO)
    with Workspace.create(tmp_path / "ws") as ws:
        ws.import_recipients(tmp_path / "p.csv")
        ws.add_document(tmp_path / "memo.md")
    out = tmp_path / "copies"
    script = _KILLED.format(where=where, name=name, k=k)
    env = {**os.environ, "PYTHONPATH": str(Path(leaktrace.__file__).parents[1])}
    p = subprocess.run([sys.executable, "-c", script, str(tmp_path / "ws"), str(out)], env=env,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == -signal.SIGKILL, p.stderr
    with Workspace.open(tmp_path / "ws") as ws:
        recorded = {rid for rid, _, _ in ws.issued_copies("D1")}
    in_out = {f.stem for f in out.iterdir() if f.is_file() and f.suffix == ".md"} if out.exists() else set()
    assert in_out <= recorded
    assert not (out / "manifest.json").exists() or len(recorded) == 30
    with Workspace.open(tmp_path / "ws") as ws:
        ws.mark("D1", "all", out, overwrite=True)
        assert len(ws.issued_copies("D1")) == 30
    assert not [n for n in os.listdir(out) if n.startswith(".leaktrace-")]
    assert len([f for f in out.iterdir() if f.suffix == ".md"]) == 30 and (out / "manifest.json").exists()
