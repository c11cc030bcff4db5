"""Real-world encodings: a leak or a document saved on Windows (cp1252 curly quotes and dashes)
or as UTF-16 is read in its encoding, which the trace, the document and the custody record
state; only what cannot be text in any encoding is refused."""

from __future__ import annotations

import pytest
from clirunner import one_line_error, run
from samples import MEMO

from leaktrace import simulate
from leaktrace.cases.book import Cases
from leaktrace.formats import decode

WINDOWS = MEMO.replace("'", "\u2019")     # what a Windows editor saves: curly apostrophes


def test_windows_and_utf16_text_is_read_in_its_encoding():
    text = "He said \u201cthe plan\u201d isn\u2019t final \u2013 caf\u00e9 on Friday.\n"
    assert decode(text.encode("cp1252"), "a.txt").text == text
    assert decode(text.encode("cp1252"), "a.txt").encoding == "cp1252"
    assert decode(text.encode("cp1252"), "a.txt").note == "read as cp1252 (detected; the file is not UTF-8)"
    assert decode(text.encode("utf-16"), "a.txt").text == text
    assert decode(text.encode("utf-8"), "a.txt").note is None
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8"), "a.txt").text == text


def test_a_leak_saved_on_windows_is_traced_and_says_how_it_was_read(marked, tmp_path, capsys):
    ws, doc = marked
    ids = [r.id for r in ws.recipients()]
    copy = ws.render_copy(doc.id, ids[6])
    leak = simulate.sanitize("\n\n".join(copy.split("\n\n")[1:5])).replace("'", "\u2019")
    path = tmp_path / "answer.txt"
    path.write_bytes(leak.replace("\n", "\r\n").encode("cp1252"))
    res = ws.trace_file(path, audit=False)
    assert res.source["encoding"] == "cp1252"
    assert "read as cp1252 (detected; the file is not UTF-8)" in res.notes
    assert res.document["id"] == doc.id and res.copies[0].recipient == ids[6]
    r = run(capsys, "trace", path, "--workspace", ws.path)
    assert r.code == 0 and "read as cp1252" in r.out


def test_a_document_saved_on_windows_is_registered_with_its_encoding(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws"))
    assert run(capsys, "init").code == 0
    path = tmp_path / "memo.md"
    path.write_bytes(WINDOWS.encode("cp1252"))
    r = run(capsys, "doc", "add", path)
    assert r.code == 0 and "read as cp1252" in r.out
    (d,) = run(capsys, "doc", "list", "--json").json()["items"]
    assert d["encoding"] == "cp1252"
    from leaktrace import Workspace

    with Workspace.open(tmp_path / "ws") as ws:
        assert ws.base_text(d["id"]).startswith(WINDOWS.split("\n")[0])
        assert "\u2019" in ws.base_text(d["id"])


def test_the_custody_record_states_the_encoding(marked, tmp_path):
    ws, doc = marked
    path = tmp_path / "post.txt"
    path.write_bytes(ws.render_copy(doc.id, ws.recipients()[2].id).replace("'", "\u2019")
                     .encode("cp1252", errors="ignore"))
    cs = Cases(ws)
    case = cs.open("Windows post", "test")
    cs.add_artifact(case.id, path, obtained_from="a forum", obtained_at="2030-06-02T00:00:00Z",
                    first_seen="2030-06-01T00:00:00Z")
    entry = [e for e in cs.audit(case.id) if e.action == "artifact-add"][-1]
    assert entry.details["encoding"] == "cp1252"


@pytest.mark.parametrize("data", [bytes(range(128, 256)) * 8, b"\x00\x01\x02" * 100])
def test_what_cannot_be_text_is_refused_on_one_line(tmp_path, capsys, monkeypatch, data):
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws"))
    run(capsys, "init")
    path = tmp_path / "blob.txt"
    path.write_bytes(data)
    err = one_line_error(run(capsys, "trace", path))
    assert "text" in err and "blob.txt" in err
