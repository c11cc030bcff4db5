"""A leak saved as UTF-16 (with its byte-order mark) or as Windows-1252 is read in its encoding
and traced, and the case keeps the file's original bytes as evidence, not the text read from them."""

from __future__ import annotations

import hashlib

import pytest

from leaktrace.cases.book import ARTIFACTS_DIR, Cases


@pytest.mark.parametrize("encoding,name", [("utf-16", "post.txt"), ("cp1252", "answer.txt")])
def test_the_case_keeps_the_original_bytes_and_traces_them(marked, tmp_path, encoding, name):
    ws, doc = marked
    holder = ws.recipients()[4].id
    leak = "\n\n".join(ws.render_copy(doc.id, holder).split("\n\n")[1:7])
    if encoding == "cp1252":
        leak = leak.replace("'", "\u2019")
    data = leak.replace("\n", "\r\n").encode(encoding, errors="ignore")
    path = tmp_path / name
    path.write_bytes(data)
    res = ws.trace_file(path, audit=False)
    assert res.source["encoding"] == encoding and res.copies[0].recipient == holder
    cs = Cases(ws)
    case = cs.open("Encoded leak", "test")
    art = cs.add_artifact(case.id, path, obtained_from="a forum", obtained_at="2030-06-02T00:00:00Z",
                          first_seen="2030-06-01T00:00:00Z")
    stored = ws.path / ARTIFACTS_DIR / art.sha256
    assert stored.read_bytes() == data and art.sha256 == hashlib.sha256(data).hexdigest()
    assert [e for e in cs.audit(case.id) if e.action == "artifact-add"][-1].details["encoding"] == encoding
    traced = cs.trace(case.id)
    assert traced[0].result.copies[0].recipient == holder
