"""One document, several files: the same text in another format is refused with a pointer to the
document it is (two would split its leaks between them), and a document can be archived
(`doc remove`) with a clear statement of what becomes of its copies and the ledger."""

from __future__ import annotations

import docx
from clirunner import one_line_error, run
from samples import MEMO, write_people

from leaktrace import Workspace
from leaktrace.ledger.book import Ledger


def word_file(path, text: str):
    d = docx.Document()
    for para in text.split("\n\n"):
        if para.strip():
            d.add_paragraph(" ".join(para.strip().lstrip("#").replace("**", "").split()))
    d.save(path)
    return path


def test_the_same_memo_as_markdown_and_word_is_one_document(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws"))
    run(capsys, "init")
    (tmp_path / "memo.md").write_text(MEMO)
    assert run(capsys, "doc", "add", tmp_path / "memo.md").code == 0
    err = one_line_error(run(capsys, "doc", "add", word_file(tmp_path / "memo.docx", MEMO)))
    assert "has the same words as D1" in err and "memo.md" in err and "doc remove D1" in err
    assert [d["id"] for d in run(capsys, "doc", "list", "--json").json()["items"]] == ["D1"]
    # a folder with both: the second is left out with --skip-existing, refused without
    (tmp_path / "both").mkdir()
    (tmp_path / "both" / "a.md").write_text(MEMO.replace("Depot", "Yard"))
    word_file(tmp_path / "both" / "b.docx", MEMO.replace("Depot", "Yard"))
    assert "has the same words as" in one_line_error(run(capsys, "doc", "add", tmp_path / "both"))
    r = run(capsys, "doc", "add", tmp_path / "both", "--skip-existing", "--json")
    assert r.code == 0 and len(r.json()["items"]) == 1


def test_archiving_a_document_takes_it_out_of_tracing_and_keeps_its_record(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws"))
    run(capsys, "init")
    (tmp_path / "memo.md").write_text(MEMO)
    run(capsys, "doc", "add", tmp_path / "memo.md")
    run(capsys, "recipients", "import", write_people(tmp_path / "people.csv", 5))
    assert run(capsys, "mark", "D1", "--out", tmp_path / "copies").code == 0
    leak = tmp_path / "leak.txt"
    with Workspace.open(tmp_path / "ws") as ws:
        leak.write_text(ws.render_copy("D1", ws.recipients()[0].id))
        events = Ledger(ws).count()
    assert run(capsys, "trace", leak, "--json").json()["verdict"] == "identified"
    err = one_line_error(run(capsys, "doc", "remove", "D1"))
    assert "has 5 issued copies" in err and "--force" in err
    r = run(capsys, "doc", "remove", "D1", "--force")
    assert r.code == 0 and "no longer a candidate source" in r.out and "nothing in the ledger is deleted" in r.out
    assert run(capsys, "trace", leak, "--json").json()["verdict"] == "no_match"
    (d,) = run(capsys, "doc", "list", "--json").json()["items"]
    assert d["archived_at"]
    with Workspace.open(tmp_path / "ws") as ws:
        assert Ledger(ws).count() > events and len(ws.issued_copies("D1")) == 5
    # the Word file of the same text may now replace it
    r = run(capsys, "doc", "add", word_file(tmp_path / "memo.docx", MEMO), "--json")
    assert r.code == 0 and r.json()["id"] == "D2"
    assert "already archived" in one_line_error(run(capsys, "doc", "remove", "D1", "--force"))
