"""The command line with real file formats: Word in, PDF and e-mail out, and what trace says."""

from __future__ import annotations

import email
from email import policy

from clirunner import run
from office import memo_docx
from samples import write_people


def _setup(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws"))
    write_people(tmp_path / "people.csv", 12)
    assert run(capsys, "init").code == 0
    assert run(capsys, "recipients", "import", tmp_path / "people.csv").code == 0
    r = run(capsys, "doc", "add", memo_docx(tmp_path / "memo.docx"), "--json")
    assert r.code == 0, r.err
    return r.json()


def test_word_original_pdf_copies_and_a_traced_pdf(tmp_path, capsys, monkeypatch):
    doc = _setup(tmp_path, capsys, monkeypatch)
    assert doc["format"] == "docx" and doc["title"] == "Depot consolidation plan"
    r = run(capsys, "mark", doc["id"], "--as", "pdf", "--footer", "--out", tmp_path / "pdf", "--json")
    assert r.code == 0, r.err
    copies = r.json()["copies"]
    assert all(c["path"].endswith(".pdf") for c in copies)
    r = run(capsys, "trace", copies[2]["path"], "--json")
    res = r.json()
    assert res["outcome"] == "exact" and res["source"]["format"] == "pdf"
    assert res["stamps"][0]["recipient"] == copies[2]["recipient"]
    r = run(capsys, "trace", copies[2]["path"])
    assert "outcome: exact" in r.out and "Detectors: stamp 1/1 verified" in r.out


def test_email_copies_written_without_sending(tmp_path, capsys, monkeypatch):
    doc = _setup(tmp_path, capsys, monkeypatch)
    r = run(capsys, "mark", doc["id"], "--as", "eml", "--from", "ops@example.org", "--out", tmp_path / "mail",
            "--json")
    assert r.code == 0, r.err
    first = r.json()["copies"][0]
    msg = email.message_from_bytes((tmp_path / "mail" / f"{first['recipient']}.eml").read_bytes(),
                                   policy=policy.default)
    assert msg["To"].addresses[0].addr_spec == f"{first['recipient']}@example.org"
    assert msg["From"].addresses[0].addr_spec == "ops@example.org"
    assert msg["X-Leaktrace-Stamp"].startswith(f"lt1.{first['copy']}.")
    r = run(capsys, "trace", tmp_path / "mail" / f"{first['recipient']}.eml", "--json")
    res = r.json()
    assert res["outcome"] == "exact" and res["verdict"] == "identified"
    assert [c["recipient"] for c in res["copies"] if c["identified"]] == [first["recipient"]]


def test_format_errors_are_one_line(tmp_path, capsys, monkeypatch):
    doc = _setup(tmp_path, capsys, monkeypatch)
    for args, message in [(["--as", "md"], "can be written as"), (["--as", "eml"], "--from"),
                          (["--as", "eml", "--from", "a@b.example", "--smtp", "nohostport:x"], "HOST:PORT"),
                          (["--smtp", "127.0.0.1:25"], "--as eml"), (["--footer"], "--footer")]:
        r = run(capsys, "mark", doc["id"], "--out", tmp_path / "x", *args)
        assert r.code == 1 and message in r.err and len(r.err.strip().splitlines()) == 1, (args, r.err)
    assert not (tmp_path / "x").exists() or not any((tmp_path / "x").iterdir())
