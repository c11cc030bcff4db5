"""A page or a mail part may declare a "charset" that is a Python codec but no character set
(idna, punycode, undefined): it is treated as unknown, and the bytes are read as if undeclared."""

from __future__ import annotations

import pytest
from clirunner import run

from leaktrace.formats import extract_leak
from leaktrace.formats.mail import decode_part
from leaktrace.formats.web import text_codec

TEXT = "Caf\u00e9 crews close the eastern quay for six weeks of dredging next spring, the memo says."


def _page(label: str) -> bytes:
    return (f'<html><head><meta charset="{label}"><title>Quay</title></head>'
            f"<body><article><p>{TEXT}</p></article></body></html>").encode("utf-8")


@pytest.mark.parametrize("label", ["idna", "punycode", "undefined", "unicode_escape", "raw-unicode-escape"])
def test_a_codec_that_is_no_character_set_is_unknown(label):
    assert text_codec(label) is None
    assert TEXT in extract_leak(_page(label), "page.html").text
    text, note = decode_part(TEXT.encode("utf-8"), label)
    assert text == TEXT and "unknown" in note


@pytest.mark.parametrize("label", ["idna", "punycode", "undefined"])
def test_trace_case_add_and_doc_add_read_such_a_page(tmp_path, capsys, monkeypatch, label):
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws"))
    assert run(capsys, "init").code == 0
    page = tmp_path / f"{label}.html"
    page.write_bytes(_page(label))
    assert run(capsys, "trace", page).code == 0
    assert run(capsys, "case", "open", "Quay", "--purpose", "test").code == 0
    r = run(capsys, "case", "add", "C1", page, "--obtained-from", "a forum",
            "--obtained-at", "2030-06-02T00:00:00Z", "--first-seen", "2030-06-01T00:00:00Z")
    assert r.code == 0, r.err
    r = run(capsys, "doc", "add", page, "--json")
    assert r.code == 0, r.err
    from leaktrace import Workspace

    with Workspace.open(tmp_path / "ws") as ws:
        assert TEXT in ws.base_text(r.json()["id"])
