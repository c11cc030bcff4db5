"""One document, copies in several formats: a Markdown original marked as Word, HTML and text
copies (`mark DOC --as docx`), each traced to the same document and the right copy."""

from __future__ import annotations

import random

import docx
from clirunner import one_line_error, run
from office import memo_docx
from samples import MEMO, write_people

from leaktrace import formats, simulate


def marked(tmp_path, capsys, monkeypatch, fmt: str) -> tuple[dict, str]:
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws"))
    (tmp_path / "memo.md").write_text(MEMO)
    write_people(tmp_path / "people.csv", 12)
    assert run(capsys, "init").code == 0
    assert run(capsys, "doc", "add", tmp_path / "memo.md", "--title", "Depot plan").code == 0
    assert run(capsys, "recipients", "import", tmp_path / "people.csv").code == 0
    r = run(capsys, "mark", "D1", "--as", fmt, "--out", tmp_path / "copies", "--json")
    assert r.code == 0, r.err
    res = r.json()
    assert res["document"]["id"] == "D1" and len(res["copies"]) == 12
    return res, res["copies"][7]["recipient"]


def test_a_word_copy_of_a_markdown_document_traces_to_it_and_to_the_right_copy(tmp_path, capsys, monkeypatch):
    res, rid = marked(tmp_path, capsys, monkeypatch, "docx")
    copy_id = next(c["copy"] for c in res["copies"] if c["recipient"] == rid)
    path = tmp_path / "copies" / f"{rid}.docx"
    word = docx.Document(str(path))           # a real Word file: headings by style, the memo's words
    styles = [p.style.name for p in word.paragraphs if p.text.strip()]
    assert styles[0] == "Title" and styles.count("Heading 1") == 3
    assert "Depot consolidation plan" in word.paragraphs[0].text
    r = run(capsys, "trace", path, "--json")
    assert r.code == 0, r.err
    t = r.json()
    assert t["verdict"] == "identified" and t["document"]["id"] == "D1"
    assert t["copies"][0]["recipient"] == rid and t["copies"][0]["copy"] == copy_id
    assert [c for c in t["copies"] if c["identified"]] == [t["copies"][0]]
    # a paste of 80 words of the Word copy's text, without the file: the marks alone name the copy
    text = formats.read_leak(path).text
    leak = tmp_path / "paste.txt"
    leak.write_text("Seen in a chat: " + simulate.excerpt(text, 80, random.Random(11)))
    t = run(capsys, "trace", leak, "--json").json()
    assert t["verdict"] == "identified" and t["document"]["id"] == "D1"
    assert t["copies"][0]["recipient"] == rid and t["copies"][0]["copy"] == copy_id
    assert t["stamps"] == [] or all(s.get("copy") in (None, copy_id) for s in t["stamps"])


def test_html_and_text_copies_of_a_markdown_document(tmp_path, capsys, monkeypatch):
    res, rid = marked(tmp_path, capsys, monkeypatch, "html")
    page = (tmp_path / "copies" / f"{rid}.html").read_text()
    assert "<h1>" in page and "# Depot" not in page
    t = run(capsys, "trace", tmp_path / "copies" / f"{rid}.html", "--json").json()
    assert t["verdict"] == "identified" and t["copies"][0]["recipient"] == rid
    r = run(capsys, "mark", "D1", "--as", "txt", "--out", tmp_path / "text", "--json")
    assert r.code == 0, r.err
    t = run(capsys, "trace", tmp_path / "text" / f"{rid}.txt", "--json").json()
    assert t["verdict"] == "identified" and t["copies"][0]["recipient"] == rid


def test_a_copy_format_that_cannot_say_the_same_is_refused(tmp_path, capsys, monkeypatch):
    marked(tmp_path, capsys, monkeypatch, "md")
    r = run(capsys, "mark", "D1", "--as", "xlsx", "--out", tmp_path / "x")
    assert "can be written as md, pdf, eml, docx, html, txt, not 'xlsx'" in one_line_error(r)
    assert run(capsys, "doc", "add", memo_docx(tmp_path / "memo.docx"), "--title", "Word memo").code == 0   # D2
    err = one_line_error(run(capsys, "mark", "D2", "--as", "html", "--out", tmp_path / "x"))
    assert "not 'html'" in err and "no faithful HTML form" in err
    (tmp_path / "notes.txt").write_text(
        "Plain notes from the canteen committee. The canteen opens at eight, *not* at nine, from Monday; "
        "lunch is served until two, and the rota for the coming month is on the board by the door. "
        "Questions about the menu go to the committee, and complaints about the coffee go to nobody at all.\n")
    assert run(capsys, "doc", "add", tmp_path / "notes.txt").code == 0                                   # D3
    err = one_line_error(run(capsys, "mark", "D3", "--as", "md", "--out", tmp_path / "x"))
    assert "not 'md'" in err and "Markdown can change what it says" in err
    assert not (tmp_path / "x").exists()
