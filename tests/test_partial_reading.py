"""A file read only in part (an e-mail past its part limit or nested too deep, a part that could
not be read) makes the trace partial: what was not read may be where the text comes from, so the
verdict is never "no match"."""

from __future__ import annotations

from email.message import EmailMessage

from clirunner import run

from leaktrace.formats.mail import MAX_DEPTH, MAX_PARTS


def _message(subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "tomas@northwind-harbour.example"
    msg["To"] = "ana@northwind-harbour.example"
    msg["Subject"] = subject
    msg.set_content(body)
    return msg


def _leak(ws, doc) -> str:
    copy = ws.render_copy(doc.id, ws.recipients()[5].id)
    return "\n\n".join(copy.split("\n\n")[1:8])


def _after_many_parts(leak: str) -> bytes:
    msg = _message("Notes", "Weekly notes, nothing to see.")
    for i in range(MAX_PARTS + 5):
        msg.add_attachment(f"Filler note number {i} about lunch.\n", filename=f"note{i}.txt")
    msg.add_attachment(leak, filename="plan.txt")
    return msg.as_bytes()


def _nested(leak: str) -> bytes:
    inner = _message("Innermost", leak)
    for depth in range(MAX_DEPTH + 2):
        outer = _message(f"Fwd {depth}", "See the attached message.")
        outer.add_attachment(inner)
        inner = outer
    return inner.as_bytes()


def test_a_mail_read_in_part_is_a_partial_trace_never_no_match(marked, tmp_path, capsys):
    ws, doc = marked
    leak = _leak(ws, doc)
    for name, data in [("many.eml", _after_many_parts(leak)), ("deep.eml", _nested(leak))]:
        path = tmp_path / name
        path.write_bytes(data)
        res = ws.trace_file(path, audit=False)
        assert res.verdict == "inconclusive" and res.partial, (name, res.summary)
        assert "not read" in res.summary and res.source["unread"]
        r = run(capsys, "trace", path, "--workspace", ws.path, "--json")
        assert r.json()["verdict"] == "inconclusive" and r.json()["partial"] is True
    whole = tmp_path / "whole.eml"
    whole.write_bytes(_message("Plan", leak).as_bytes())
    res = ws.trace_file(whole, audit=False)
    assert res.verdict == "identified" and not res.partial


def test_a_part_labelled_charset_undefined_is_read(marked, tmp_path):
    ws, doc = marked
    leak = _leak(ws, doc)
    raw = (f"From: tomas@northwind-harbour.example\nSubject: Plan\nMIME-Version: 1.0\n"
           f"Content-Type: text/plain; charset=undefined\nContent-Transfer-Encoding: 8bit\n\n{leak}\n").encode()
    path = tmp_path / "undefined.eml"
    path.write_bytes(raw)
    res = ws.trace_file(path, audit=False)
    assert res.verdict == "identified" and not res.partial
    assert any("declared charset 'undefined' unknown" in n for n in res.notes)
