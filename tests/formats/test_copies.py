"""Copies in real file formats: Word, HTML, PDF and e-mail, and what tracing reads back."""

from __future__ import annotations

import email
import io
import zipfile
from email import policy
from pathlib import Path

import docx
import numpy as np
import pypdfium2
import pytest
from office import memo_docx, memo_html
from pypdf import PdfReader

from leaktrace.errors import InputError, MarkingError
from leaktrace.formats import slots as slotmod
from leaktrace.formats import stamp as stampmod
from leaktrace.formats.copies import CopyWriter
from leaktrace.formats.docx import read as read_docx
from leaktrace.marks.embed import apply_edits


@pytest.fixture
def word(ws, tmp_path, people_file):
    ws.import_recipients(people_file)
    doc = ws.add_document(memo_docx(tmp_path / "memo.docx"))
    return doc, ws.mark(doc.id, out_dir=tmp_path / "copies")


def _runs(path: Path) -> list[list[tuple[bool | None, bool | None]]]:
    d = docx.Document(str(path))
    return [[(r.bold, r.italic) for r in p.runs] for p in d.paragraphs]


def test_word_copy_keeps_runs_styles_table_header_and_footer(ws, word, tmp_path):
    doc, res = word
    original = tmp_path / "memo.docx"
    for c in res.copies[:5]:
        assert _runs(Path(c.path)) == _runs(original)          # the same runs, bold and italic where they were
        copy = docx.Document(c.path)
        orig = docx.Document(str(original))
        assert [p.style.name for p in copy.paragraphs] == [p.style.name for p in orig.paragraphs]
        assert copy.sections[0].header.paragraphs[0].text == "RESTRICTED: operations leadership group"
        assert copy.sections[0].footer.paragraphs[0].text == "Depot consolidation plan, page footer"
        assert copy.tables[0].cell(1, 0).text == "Millbrook"
        # the copy's text is exactly the recipient's marked text
        text, stamps = read_docx(Path(c.path).read_bytes(), c.path)
        assert text == ws.render_copy(doc.id, c.recipient) and text != ws.code(doc.id)[1]
        assert stamps and stampmod.parse(stamps[0])[0] == c.copy


def test_word_copy_changes_only_the_body_and_adds_the_stamp(word, tmp_path):
    _, res = word
    orig = zipfile.ZipFile(tmp_path / "memo.docx")
    copy = zipfile.ZipFile(res.copies[0].path)
    changed = {n for n in orig.namelist() if orig.read(n) != copy.read(n)}
    assert changed <= {"word/document.xml", "[Content_Types].xml", "_rels/.rels"}
    assert "word/document.xml" in changed and "docProps/custom.xml" in copy.namelist()


def test_a_leaked_word_copy_is_an_exact_match_and_its_text_identifies_it(ws, word):
    _, res = word
    c = res.copies[7]
    r = ws.trace_file(c.path)
    assert r.verdict == "identified" and r.outcome == "exact"
    assert [x.recipient for x in r.copies if x.identified] == [c.recipient]
    assert r.stamps[0]["status"] == "verified" and r.stamps[0]["recipient"] == c.recipient
    stamp_detector = next(d for d in r.detectors if d["detector"] == "stamp")
    assert stamp_detector == {"detector": "stamp", "ran": True, "found": 1, "verified": 1}
    assert {d["detector"] for d in r.detectors} == {"stamp", "invisible", "typographic", "lexical", "declared",
                                                    "layout"}


def test_a_forged_or_transplanted_stamp_is_not_evidence(ws, word, tmp_path):
    _, res = word
    a, b = res.copies[0], res.copies[1]
    # a stamp naming copy b with a made-up MAC, in a's file
    forged = f"lt1.{b.copy}.{'0' * 20}"
    r = ws.trace(_docx_text(a.path), stamps=[forged])
    assert r.outcome == "high_confidence" and r.stamps[0]["status"] == "forged"
    assert any("fails the key check" in n for n in r.notes)
    # b's genuine stamp on a's text: the text marks still name a, and the conflict is reported
    genuine_b = _docx_stamp(b.path)
    r = ws.trace(_docx_text(a.path), stamps=[genuine_b])
    assert [x.recipient for x in r.copies if x.identified] == [a.recipient]
    assert any("moved into another copy's file" in n for n in r.notes)


def _docx_text(path: str) -> str:
    return read_docx(Path(path).read_bytes(), path)[0]


def _docx_stamp(path: str) -> str:
    return read_docx(Path(path).read_bytes(), path)[1][0]


def test_html_copy_keeps_the_markup_and_code(ws, tmp_path, people_file):
    ws.import_recipients(people_file)
    doc = ws.add_document(memo_html(tmp_path / "memo.html"))
    res = ws.mark(doc.id, out_dir=tmp_path / "copies")
    page = Path(res.copies[0].path).read_text(encoding="utf-8")
    original = (tmp_path / "memo.html").read_text(encoding="utf-8")
    assert page.count("<em>") == original.count("<em>") and "<code>depot-sync --all</code>" in page
    assert 'name="leaktrace-stamp"' in page and '<meta charset="utf-8">' in page
    from leaktrace.formats.htmldoc import read
    assert read(page.encode(), "copy")[0] == ws.render_copy(doc.id, res.copies[0].recipient)
    r = ws.trace_file(res.copies[3].path)
    assert r.outcome == "exact" and [c.recipient for c in r.copies if c.identified] == [res.copies[3].recipient]


def test_pdf_copies_embed_fonts_carry_the_stamp_and_footer(ws, word, tmp_path):
    doc, res = word
    who = [c.recipient for c in res.copies[:2]]
    pdfs = ws.mark(doc.id, to=who, out_dir=tmp_path / "pdf", as_format="pdf", footer=True)
    reader = PdfReader(pdfs.copies[0].path)
    fonts = [f.get_object() for p in reader.pages for f in p["/Resources"]["/Font"].values()]
    assert fonts and all("/FontFile2" in f["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                         or "/FontFile3" in f["/DescendantFonts"][0].get_object()["/FontDescriptor"] for f in fonts)
    name = ws.recipients()[[r.id for r in ws.recipients()].index(who[0])].name
    assert f"Prepared for {name}" in reader.pages[0].extract_text()
    r = ws.trace_file(pdfs.copies[0].path)
    assert r.outcome == "exact" and r.stamps[0]["recipient"] == who[0]
    assert r.source["format"] == "pdf"
    # PDF text keeps the lexical and typographic marks; no copy other than the leaker's clears the bar
    assert all(c.recipient == who[0] for c in r.copies if c.identified)


def _pixels(pdf: bytes) -> list[np.ndarray]:
    doc = pypdfium2.PdfDocument(pdf)
    return [np.asarray(doc[i].render(scale=100 / 72).to_pil().convert("L")) for i in range(len(doc))]


def test_the_invisible_channel_changes_no_pixel_of_a_pdf_copy(ws, memo_file, people_file, tmp_path):
    # zero-width marks would only nudge line fitting and cannot be read back from PDF text,
    # so PDF copies leave them out: the pages are pixel-identical to the original's
    ws.import_recipients(people_file)
    doc = ws.add_document(memo_file, channels="invisible")
    _, base, sites, code = ws.code(doc.id)
    writer = CopyWriter("md", "pdf", doc.title, None)
    original = _pixels(writer.write(base, []))
    for rid in [r.id for r in ws.recipients()[:3]]:
        text = ws.render_copy(doc.id, rid)
        assert text != base and sum(ch in "\u200b\u200c\u200d\u200e" for ch in text) > 50
        pdf = writer.write(text, [])
        assert not any(ch in "\u200b\u200c\u200d\u200e" for p in PdfReader(io.BytesIO(pdf)).pages
                       for ch in p.extract_text())
        copy = _pixels(pdf)
        assert len(copy) == len(original) and all(np.array_equal(a, b) for a, b in zip(original, copy))


def test_other_channels_change_few_pixels_of_a_pdf_copy(ws, memo_file, people_file):
    ws.import_recipients(people_file)
    doc = ws.add_document(memo_file)
    _, base, _, _ = ws.code(doc.id)
    writer = CopyWriter("md", "pdf", doc.title, None)
    original = _pixels(writer.write(base, []))
    copy = _pixels(writer.write(ws.render_copy(doc.id, ws.recipients()[0].id), []))
    changed_rows = sum(int((a != b).any(axis=1).sum()) for a, b in zip(original, copy))
    inked_rows = sum(int((a < 200).any(axis=1).sum()) for a in original)
    assert 0 < changed_rows < inked_rows      # some lines differ, the page as a whole does not


def test_email_copies_are_sent_through_smtp_and_recorded(ws, word, tmp_path):
    from aiosmtpd.controller import Controller

    class Sink:
        def __init__(self):
            self.got = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            self.got.append((envelope.rcpt_tos, envelope.content))
            return "250 OK"

    doc, res = word
    who = [c.recipient for c in res.copies[:3]]
    sink = Sink()
    port = _free_port()
    ctl = Controller(sink, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        from leaktrace.formats.mailcopy import SmtpServer
        sent = ws.mark(doc.id, to=who, out_dir=tmp_path / "mail", as_format="eml", sender="ops@example.org",
                       smtp=SmtpServer("127.0.0.1", port))
    finally:
        ctl.stop()
    assert len(sink.got) == 3 and len(sent.copies) == 3
    emails = {r.id: r.email for r in ws.recipients()}
    for (rcpts, content), rid in zip(sink.got, who):
        assert rcpts == [emails[rid]]
        msg = email.message_from_bytes(content, policy=policy.default)
        att = next(msg.iter_attachments())
        assert att.get_filename().endswith(".docx")
        r = ws.trace(_docx_text_bytes(att.get_content()), stamps=[msg["X-Leaktrace-Stamp"]])
        assert r.outcome == "exact" and [c.recipient for c in r.copies if c.identified] == [rid]
    ledger = [e for e in ws_ledger_events(ws) if e.kind == "distribution" and e.details.get("channel") == "email"]
    assert sorted(e.recipient for e in ledger) == sorted(who)


def _free_port() -> int:
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _docx_text_bytes(data: bytes) -> str:
    return read_docx(data, "attachment.docx")[0]


def ws_ledger_events(ws):
    from leaktrace.ledger.book import Ledger
    return Ledger(ws).events()


def test_an_unreachable_smtp_server_is_one_line_and_records_nothing(ws, word, tmp_path):
    from leaktrace.formats.mailcopy import SmtpServer
    doc, res = word
    port = _free_port()            # nothing listens there
    before = len(ws_ledger_events(ws))
    with pytest.raises(InputError, match="cannot reach SMTP server"):
        ws.mark(doc.id, to=[res.copies[0].recipient], out_dir=tmp_path / "mail", as_format="eml",
                sender="ops@example.org", smtp=SmtpServer("127.0.0.1", port, timeout=5))
    assert len(ws_ledger_events(ws)) == before
    assert not list((tmp_path / "mail").glob("*.eml"))


def test_copy_format_choices_and_their_errors(ws, word, tmp_path):
    doc, _ = word
    with pytest.raises(InputError, match="can be written as docx, pdf, eml"):
        ws.mark(doc.id, out_dir=tmp_path / "x", as_format="md")
    with pytest.raises(InputError, match="--from"):
        ws.mark(doc.id, out_dir=tmp_path / "x", as_format="eml")
    with pytest.raises(InputError, match="--footer"):
        ws.mark(doc.id, out_dir=tmp_path / "x", footer=True)


def test_a_pdf_original_is_registered_marked_and_traced(ws, people_file, tmp_path, memo_file):
    from leaktrace.formats import pdfwrite
    ws.import_recipients(people_file)
    pdf = pdfwrite.render(pdfwrite.page(pdfwrite.markdown_html(memo_file.read_text()), "Depot plan"))
    (tmp_path / "memo.pdf").write_bytes(pdf)
    doc = ws.add_document(tmp_path / "memo.pdf")
    assert doc.format == "pdf" and doc.words > 300
    res = ws.mark(doc.id, out_dir=tmp_path / "copies")
    assert res.copies[0].path.endswith(".pdf")
    r = ws.trace_file(res.copies[4].path)
    assert r.outcome == "exact" and r.document["id"] == doc.id


def test_slots_apply_edits_inside_runs_and_refuse_breaks():
    parts = [slotmod.Slot("The team "), slotmod.Slot("will"), slotmod.Slot(" move"),
             slotmod.Slot("\n\n", editable=False), slotmod.Slot("Next one.")]
    text = slotmod.joined(parts)
    edits = [(4, 4, "\u200b"), (8, 9, "\u00a0"), (9, 13, "shall"), (15, 15, "\u200c"), (20, 20, "\u200d")]
    new = slotmod.apply(parts, edits)
    assert "".join(new) == apply_edits(text, edits)
    assert new[3] == "\n\n" and new[1] == "shall"
    with pytest.raises(MarkingError):
        slotmod.apply(parts, [(17, 19, " ")])


@pytest.mark.parametrize("make, message", [
    (lambda: b"not a zip at all", "not a .docx"),
    (lambda: _zip({"hello.txt": b"x"}), "not a Word document"),
    (lambda: _zip({"word/document.xml": b"<" * 10 + b"\x00" * (30 * 1024 * 1024)}), "zip bomb"),
    (lambda: _zip({"word/document.xml": b"<w:document"}), "not well-formed"),
])
def test_bad_word_files_are_refused_in_one_line(tmp_path, ws, make, message):
    p = tmp_path / "bad.docx"
    p.write_bytes(make())
    with pytest.raises(InputError, match=message):
        ws.add_document(p)
    with pytest.raises(InputError, match=message):
        ws.trace_file(p)


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()
