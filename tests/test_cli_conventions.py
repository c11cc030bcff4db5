"""Conventions every command keeps: versioned --json output."""

import json
import random

import typer
from clirunner import run
from samples import MEMO, write_people

from leaktrace import simulate
from leaktrace.cli import app


def json_commands() -> set[str]:
    """Every command that takes --json, as its words under `leaktrace` ("case trace")."""
    found = set()

    def walk(cmd, path):
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, path + [name])
        if any("--json" in p.opts for p in getattr(cmd, "params", [])):
            found.add(" ".join(path))

    walk(typer.main.get_command(app), [])
    return found


def test_every_json_output_names_its_schema_and_version(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "memo.md").write_text(MEMO)
    (tmp_path / "other.md").write_text("# Canteen rota\n\nThe canteen opens at eight from Monday. "
                                       "Lunch is served until two, and the rota is on the board.\n")
    write_people(tmp_path / "people.csv", 8)
    (tmp_path / "access.csv").write_text("when,who,what,file\n2030-05-01T09:00:00Z,x@example.org,opened,memo.md\n")
    steps = [
        ("init",),
        ("doc", "add", tmp_path / "folder"),
        ("doc", "add", tmp_path / "other.md"),
        ("doc", "sections", "D1"), ("doc", "versions", "D1"), ("doc", "list"), ("doc", "capacity", "D1"),
        ("suggest", "D1", "--no-check"),
        ("recipients", "import", tmp_path / "people.csv"), ("recipients", "list"),
        ("mark", "D1", "--preview", "LEAD"), ("mark", "D1", "--out", tmp_path / "copies"),
        ("trace", tmp_path / "leak.txt"), ("search", tmp_path / "leak.txt"),
        ("semantic", "status"), ("semantic", "build"),
        ("ledger", "import", tmp_path / "access.csv", "--format", "csv",
         "--map", "time=when,actor=who,action=what,document=file"),
        ("ledger", "alias", "D1", "--name", "memo.md"), ("ledger", "events"), ("ledger", "verify"),
        ("ledger", "sign"), ("ledger", "head"), ("ledger", "prove", "1"),
        ("ledger", "export", tmp_path / "ledger.jsonl"),
        ("ledger", "public-key"),
        ("ledger", "verify-export", tmp_path / "ledger.jsonl", "--public-key", tmp_path / "ledger.pub"),
        ("protected", "add", "ig.example", "--label", "inspector general"), ("protected", "list"),
        ("case", "open", "Forum post", "--purpose", "find the copy"),
        ("case", "add", "C1", tmp_path / "leak.txt", "--obtained-from", "forum",
         "--obtained-at", "2031-01-02T00:00:00Z", "--first-seen", "2031-01-01T00:00:00Z"),
        ("case", "trace", "C1"), ("case", "joint", "C1"), ("case", "show", "C1"),
        ("case", "reveal", "C1", "PSEUDONYM", "--reason", "counsel asked"),
        ("case", "report", "C1", "--format", "json"), ("case", "list"),
        ("case", "close", "C1", "--disposition", "no-finding", "--reason", "test"),
        ("audit",), ("doc", "remove", "D2"),
    ]
    ran = set()
    for step in steps:
        step = tuple(str(a) for a in step)
        if step[:2] == ("mark", "D1") and "--preview" in step:
            lead = run(capsys, "recipients", "list", "--json").json()["items"][0]["id"]
            step = tuple(lead if a == "LEAD" else a for a in step)
        if step[0] == "trace":
            copy = (tmp_path / "copies" / f"{lead}.md").read_text()
            (tmp_path / "leak.txt").write_text(simulate.excerpt(copy, 60, random.Random(3)))
        if step[:2] == ("case", "reveal"):
            found = run(capsys, "case", "show", "C1", "--json").json()["findings"][0]
            step = tuple(found["copies"][0]["subject"]["pseudonym"] if a == "PSEUDONYM" else a for a in step)
        if step[:2] == ("ledger", "verify-export"):
            (tmp_path / "ledger.pub").write_text(run(capsys, "ledger", "public-key").out)
        r = run(capsys, *step, "--json")
        words = [a for a in step if not a.startswith("-") and a[:1].isalpha()]
        kind = next(k for k in sorted(json_commands(), key=len, reverse=True)
                    if words[:len(k.split())] == k.split())
        ran.add(kind)
        if step[:2] == ("semantic", "build") and r.code != 0:     # the optional extra is not installed
            doc = json.loads(r.err)
        else:
            assert r.code == 0, (step, r.err)
            doc = json.loads(r.out)
        assert isinstance(doc, dict) and doc["schema"] == f"leaktrace.{kind.replace(' ', '-')}/1", (step, doc)
        assert list(doc)[0] == "schema"
    assert ran == json_commands(), f"commands with --json not run here: {json_commands() - ran}"
    # the JSON files written for users say what they are the same way, each under its own kind (the
    # command's --json output is another shape: where the file was written)
    report = json.loads((tmp_path / "C1-report.json").read_text(encoding="utf-8"))
    assert list(report)[0] == "schema" and report["schema"] == "leaktrace.case-report-file/2"
    assert report["type"] == "leaktrace-case-report" and report["version"] == 2
    lines = (tmp_path / "ledger.jsonl").read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert list(header)[0] == "schema" and header["schema"] == "leaktrace.ledger-export-file/2"
    # an export of a schema this leaktrace does not know is refused, not misread
    newer = tmp_path / "newer.jsonl"
    newer.write_text("\n".join([json.dumps({**header, "schema": "leaktrace.ledger-export-file/3"})] + lines[1:]))
    r = run(capsys, "ledger", "verify-export", newer, "--public-key", tmp_path / "ledger.pub")
    assert r.code == 1 and "leaktrace.ledger-export-file/3" in r.err and "newer leaktrace" in r.err
    older = tmp_path / "older.jsonl"      # written before the header named its schema: still read
    older.write_text("\n".join([json.dumps({k: v for k, v in header.items() if k != "schema"})] + lines[1:]))
    r = run(capsys, "ledger", "verify-export", older, "--public-key", tmp_path / "ledger.pub", "--json")
    assert r.code == 0 and r.json()["ok"], r.err


def test_json_errors_and_lists_are_versioned_objects(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws"))
    assert run(capsys, "init").code == 0
    r = run(capsys, "doc", "list", "--json")
    assert r.json() == {"schema": "leaktrace.doc-list/1", "items": []}
    r = run(capsys, "doc", "capacity", "D9", "--json")
    err = json.loads(r.err)
    assert r.code == 1 and err["schema"] == "leaktrace.error/1" and err["code"] == 1


def test_help_shows_on_off_options_as_flags(capsys, monkeypatch):
    """A flag takes no value: --help shows no `<bool>` after it, in any command."""
    monkeypatch.setenv("COLUMNS", "200")
    paths = [[]]

    def walk(cmd, path):
        for name, sub in getattr(cmd, "commands", {}).items():
            paths.append(path + [name])
            walk(sub, path + [name])

    walk(typer.main.get_command(app), [])
    flags_seen = 0
    for path in paths:
        r = run(capsys, *path, "--help")
        assert r.code == 0, (path, r.err)
        assert "bool" not in r.out.lower(), (path, [ln for ln in r.out.splitlines() if "bool" in ln.lower()])
        flags_seen += r.out.count("--help")
    assert flags_seen == len(paths)
    r = run(capsys, "doc", "add", "--help")
    line = next(ln for ln in r.out.splitlines() if "--recursive" in ln)
    assert "-r" in line and "<" not in line          # the flag, then its help, nothing in between
    assert "<path>" in next(ln for ln in r.out.splitlines() if "--workspace" in ln)   # values keep their type


def test_a_closed_pipe_ends_quietly_with_the_sigpipe_status(tmp_path):
    """`leaktrace ... | head -1`: the reader goes away; the command stops without a word on stderr
    and exits 141 (128 + SIGPIPE), as cat or grep do in the shell."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import leaktrace
    from leaktrace import Workspace

    Workspace.create(tmp_path / "ws").close()
    env = {**os.environ, "PYTHONPATH": str(Path(leaktrace.__file__).parents[1])}
    for args in (["--help"], ["doc", "list", "--json"], ["recipients", "list"]):
        p = subprocess.Popen([sys.executable, "-m", "leaktrace.cli", "-w", str(tmp_path / "ws"), *args],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        p.stdout.close()        # before the command writes: its first write finds no reader
        err = p.stderr.read()
        assert p.wait(timeout=120) == 141 and err == b"", (args, err)
