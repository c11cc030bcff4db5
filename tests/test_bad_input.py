"""Bad input gets a one-line error, a non-zero exit, no traceback, and nothing half-written."""

import os

import pytest
from clirunner import one_line_error, run
from samples import MEMO, write_people


@pytest.fixture
def env(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws"))
    assert run(capsys, "init").code == 0
    return tmp_path


def test_no_workspace(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "missing"))
    assert "no workspace" in one_line_error(run(capsys, "doc", "list"))


def test_init_twice_and_init_over_a_non_empty_folder(env, capsys, tmp_path):
    assert "already" in one_line_error(run(capsys, "init"))
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "x.txt").write_text("x")
    assert "not an empty folder" in one_line_error(run(capsys, "init", "-w", tmp_path / "other"))


@pytest.mark.parametrize("content,message", [
    (b"", "empty"),
    (b"   \n\n ", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (bytes(range(128, 256)) * 8, "cannot be read as text in any encoding"),
    (b"\x1f\x8b\x08\x00" + bytes(range(1, 200)) * 4, "binary"),
])
def test_bad_documents_and_leaks(env, capsys, content, message):
    p = env / "bad.md"
    p.write_bytes(content)
    assert message in one_line_error(run(capsys, "doc", "add", p))
    assert message in one_line_error(run(capsys, "trace", p))
    assert run(capsys, "doc", "list", "--json").json()["items"] == []


def test_huge_input_is_refused_by_the_documented_limit(env, capsys, monkeypatch):
    p = env / "big.txt"
    p.write_text("word " * 5000)
    monkeypatch.setenv("LEAKTRACE_MAX_INPUT_MB", "0.01")
    assert "over the input limit" in one_line_error(run(capsys, "doc", "add", p))
    assert "over the input limit" in one_line_error(run(capsys, "trace", p))


def test_missing_file_folder_and_unsupported_format(env, capsys):
    assert "no such file" in one_line_error(run(capsys, "doc", "add", env / "nope.md"))
    assert "folder" in one_line_error(run(capsys, "trace", env))
    (env / "memo.pdfx").write_text(MEMO)
    assert "unsupported document format" in one_line_error(run(capsys, "doc", "add", env / "memo.pdfx"))


def test_duplicate_document(env, capsys):
    (env / "memo.md").write_text(MEMO)
    assert run(capsys, "doc", "add", env / "memo.md").code == 0
    assert "already registered as D1" in one_line_error(run(capsys, "doc", "add", env / "memo.md"))


def test_document_too_short_to_mark(env, capsys):
    (env / "short.txt").write_text("Meet at the depot on Monday.")
    write_people(env / "p.csv", 3)
    run(capsys, "recipients", "import", env / "p.csv")
    assert run(capsys, "doc", "add", env / "short.txt").code == 0
    err = one_line_error(run(capsys, "mark", "D1", "--out", env / "out"))
    assert "too short to mark" in err
    assert not (env / "out").exists()


def test_unknown_and_malformed_document_ids(env, capsys):
    assert "no document D9" in one_line_error(run(capsys, "mark", "D9"))
    assert "not a document id" in one_line_error(run(capsys, "doc", "capacity", "../../etc"))


@pytest.mark.parametrize("csv_text,message", [
    ("name,email\nA,a@x.org\n", "missing column"),
    ("id,name,email\nann,Ann,a@x.org\nann,Ann B,b@x.org\n", "duplicate recipient id 'ann'"),
    ("id,name,email\n../evil,Eve,e@x.org\n", "invalid recipient id"),
    ("id,name,email\n,Nobody,n@x.org\n", "invalid recipient id"),
    ("id,name,email\nann,Ann,a@x.org,extra\n", "more fields"),
    ("id,name,email\n", "no recipients"),
])
def test_bad_recipient_files_import_nothing(env, capsys, csv_text, message):
    p = env / "people.csv"
    p.write_text(csv_text)
    assert message in one_line_error(run(capsys, "recipients", "import", p))
    assert run(capsys, "recipients", "list", "--json").json()["items"] == []


def test_existing_recipients_need_update(env, capsys):
    write_people(env / "p.csv", 3)
    assert run(capsys, "recipients", "import", env / "p.csv").code == 0
    assert "already exists" in one_line_error(run(capsys, "recipients", "import", env / "p.csv"))
    assert run(capsys, "recipients", "import", env / "p.csv", "--update").code == 0
    assert len(run(capsys, "recipients", "list", "--json").json()["items"]) == 3


def test_unknown_recipients_and_no_recipients(env, capsys):
    (env / "memo.md").write_text(MEMO)
    run(capsys, "doc", "add", env / "memo.md")
    assert "no recipients in this workspace" in one_line_error(run(capsys, "mark", "D1", "--out", env / "o"))
    write_people(env / "p.csv", 3)
    run(capsys, "recipients", "import", env / "p.csv")
    assert "unknown recipient 'ghost'" in one_line_error(run(capsys, "mark", "D1", "--to", "ghost", "--out", env / "o"))
    assert "unknown recipient" in one_line_error(run(capsys, "mark", "D1", "--preview", "ghost"))
    assert not (env / "o").exists() or not any((env / "o").iterdir())


def test_mark_refuses_to_overwrite_and_leaves_nothing_half_written(env, capsys):
    (env / "memo.md").write_text(MEMO)
    run(capsys, "doc", "add", env / "memo.md")
    write_people(env / "p.csv", 4)
    run(capsys, "recipients", "import", env / "p.csv")
    out = env / "copies"
    assert run(capsys, "mark", "D1", "--out", out).code == 0
    before = sorted(os.listdir(out))
    assert "already exists" in one_line_error(run(capsys, "mark", "D1", "--out", out))
    assert sorted(os.listdir(out)) == before
    assert run(capsys, "mark", "D1", "--out", out, "--force").code == 0
    (env / "afile").write_text("x")
    assert "not a folder" in one_line_error(run(capsys, "mark", "D1", "--out", env / "afile"))
    assert not any(name.startswith(".leaktrace-") for name in os.listdir(out))


@pytest.mark.sqlite_file
def test_corrupted_or_foreign_key_and_corrupted_database(env, capsys, tmp_path):
    key = tmp_path / "ws" / "key"
    original = key.read_bytes()
    key.write_bytes(original[:10])
    assert "corrupted" in one_line_error(run(capsys, "doc", "list"))
    key.write_bytes(bytes(32))
    assert "does not belong" in one_line_error(run(capsys, "doc", "list"))
    key.unlink()
    assert "no key file" in one_line_error(run(capsys, "doc", "list"))
    key.write_bytes(original)
    assert run(capsys, "doc", "list").code == 0
    (tmp_path / "ws" / "leaktrace.db").write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        p = tmp_path / "ws" / f"leaktrace.db{suffix}"
        if p.exists():
            p.unlink()
    assert "corrupted" in one_line_error(run(capsys, "doc", "list"))


def test_hostile_unicode_leak_is_traced_and_printed_escaped(env, capsys):
    (env / "memo.md").write_text(MEMO)
    run(capsys, "doc", "add", env / "memo.md")
    hostile = "\u202eevil\u202c [bold]markup[/bold] \x1b[31mred\x1b[0m " + "\u0000".replace("\u0000", "") + "z\u0301" * 50
    p = env / "hostile.txt"
    p.write_text(hostile)
    r = run(capsys, "trace", p)
    assert r.code == 0 and "NO MATCH" in r.out
    assert "\x1b[31m" not in r.out and "\u202e" not in r.out
    r = run(capsys, "trace", p, "--json")
    assert r.json()["verdict"] == "no_match"


def test_usage_errors_exit_non_zero_without_traceback(env, capsys):
    r = run(capsys, "mark")
    assert r.code == 2 and "Traceback" not in r.err
