"""PDF copies written into one layout of their document (formats/pdftemplate.py): the text a
copy's text layer reads, what its file holds, its stamp, its bookmarks, and the copies that are
laid out on their own instead."""

from __future__ import annotations

import io
import re
import zlib
from unittest import mock

import numpy as np
import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from leaktrace.formats import pdftemplate, pdfwrite
from leaktrace.formats.copies import CopyWriter
from leaktrace.marks import layout
from leaktrace.marks.channels import carried
from leaktrace.marks.embed import Renderer
from leaktrace.marks.sites import Channel, Site
from samples import MEMO, write_people

COPIES = 12


@pytest.fixture
def memo(ws, tmp_path):
    path = tmp_path / "memo.md"
    path.write_text(MEMO, encoding="utf-8")
    doc = ws.add_document(path)
    ws.import_recipients(write_people(tmp_path / "people.csv", COPIES))
    return doc


def _lines_pdfium(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return [line for i in range(len(doc)) for line in doc[i].get_textpage().get_text_range().splitlines()]
    finally:
        doc.close()


def _lines_pypdf(pdf: bytes) -> list[str]:
    return [line for page in PdfReader(io.BytesIO(pdf)).pages for line in page.extract_text().splitlines()]


def words(lines: list[str]) -> list[str]:
    """The words of a text layer, its lines joined: a line that ends inside a word (after a
    hyphen or a dash between letters) joins the next without a space, since two layouts may
    break lines in different places; list bullets are left out (a page draws them after its
    text, so they fall where that layout's page breaks fall)."""
    text = ""
    for line in (x.strip() for x in lines):
        if not line:
            continue
        text += ("" if re.search(r"\w[-\u2010\u2014]$", text) or not text else " ") + line
    return [w for w in text.split() if w not in ("•", "◦", "▪")]


def _template_and_rendered(ws, doc, recipient: str) -> tuple[bytes, bytes]:
    _, base, sites, code = ws.code(doc.id)
    cw = carried(sites, code.codeword(recipient), "pdf")
    text = Renderer(base, layout.for_pdf(sites)).render(cw)
    writer = CopyWriter("md", "pdf", doc.title, None)
    assert writer.lay_out(base, sites), writer.unavailable
    laid_out = writer.write(text, (), codeword=cw)
    assert writer.written == {"layout": 1}
    return laid_out, CopyWriter("md", "pdf", doc.title, None).write(text, ())


def test_mark_lays_a_pdf_document_out_once(ws, memo, tmp_path):
    from weasyprint import HTML

    calls = []
    real = HTML.render

    def render(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    with mock.patch.object(HTML, "render", render):
        res = ws.mark(memo.id, out_dir=tmp_path / "pdf", as_format="pdf")
    assert len(res.copies) == COPIES and len(calls) == 1
    for c in res.copies[:3]:
        r = ws.trace_file(c.path, audit=False)
        assert r.outcome == "exact" and r.stamps[0]["recipient"] == c.recipient
        assert [x.recipient for x in r.copies if x.identified] == [c.recipient]


def test_a_copy_written_into_the_layout_reads_as_a_copy_laid_out_on_its_own(ws, memo):
    """Both text extractors read the same words, in the same order, from a copy written into the
    document's layout as from the same copy laid out by WeasyPrint; only where the lines break
    may differ (the layout sets every place with its widest variant)."""
    _, base, sites, code = ws.code(memo.id)
    differ = 0
    for r in ws.recipients()[:6]:
        laid_out, rendered = _template_and_rendered(ws, memo, r.id)
        for extract in (_lines_pdfium, _lines_pypdf):
            assert words(extract(laid_out)) == words(extract(rendered))
        differ += words(_lines_pypdf(laid_out)) != words(_lines_pypdf(_template_and_rendered(ws, memo, "x")[0]))
    # the copies differ from one another: their variants are in the text layer
    assert differ == 6


def test_a_copys_file_holds_its_own_pages_and_nothing_else(ws, memo):
    """One revision, every object reachable from the catalog or the document information, and
    no text object but those of its pages: the layouts of the other variants are not in it."""
    laid_out, rendered = _template_and_rendered(ws, memo, ws.recipients()[0].id)
    assert laid_out.count(b"startxref") == 1 and laid_out.count(b"%%EOF") == 1
    reader = PdfReader(io.BytesIO(laid_out), strict=True)
    assert len(reader.pages) == len(PdfReader(io.BytesIO(rendered)).pages)
    reachable: set[int] = set()

    def visit(obj):
        if isinstance(obj, IndirectObject):
            if obj.idnum in reachable:
                return
            reachable.add(obj.idnum)
            obj = obj.get_object()
        if isinstance(obj, dict):
            for v in obj.values():
                visit(v)
        elif isinstance(obj, list):
            for v in obj:
                visit(v)

    visit(reader.trailer.raw_get("/Root"))
    visit(reader.trailer.raw_get("/Info"))
    in_use = {num for num, _ in reader.xref[0].items()} if reader.xref else set()
    assert in_use and in_use <= reachable
    texts = 0
    for m in re.finditer(rb"stream\n(.*?)\nendstream", laid_out, re.S):
        try:
            data = zlib.decompress(m.group(1))
        except zlib.error:
            continue
        texts += b" Tm" in data and b" TJ" in data
    assert texts == len(reader.pages)


def test_the_layout_words_move_half_a_point_and_nothing_else_moves(ws, memo):
    """Each layout word stands 0.5 pt left or right of where the layout has it, as its codeword
    says; every other word stays (the unmoved copy is the same copy with moved=False)."""
    _, base, sites, code = ws.code(memo.id)
    writer = CopyWriter("md", "pdf", memo.title, None)
    assert writer.lay_out(base, sites)
    cw = carried(sites, code.codeword(ws.recipients()[2].id), "pdf")
    moved, still = (_glyph_lefts(writer.laid_out.write(cw, moved=m)) for m in (True, False))
    assert [w for w, _ in moved] == [w for w, _ in still]
    shifts = np.array([a - b for (_, a), (_, b) in zip(moved, still)])
    shown = [s for s in sites if s.channel is Channel.LAYOUT]
    want = sorted(0.5 if cw[sites.index(s)] else -0.5 for s in shown)
    got = sorted(shifts[np.abs(shifts) > 0.01].round(2).tolist())
    assert got == want and np.all((np.abs(shifts) < 0.01) | (np.abs(np.abs(shifts) - 0.5) < 0.01))


def test_a_variant_narrower_than_the_layouts_closes_up_its_line(ws, memo):
    """What follows a place on its line moves by the difference in width: the gaps between the
    words of a line stay those of the font (they differ by bearings and the half-point shifts,
    never by the width of a word the copy does not have)."""
    _, base, sites, code = ws.code(memo.id)
    writer = CopyWriter("md", "pdf", memo.title, None)
    assert writer.lay_out(base, sites)
    for r in ws.recipients()[:4]:
        pdf = writer.laid_out.write(carried(sites, code.codeword(r.id), "pdf"))
        for line in _word_boxes_by_line(pdf):
            gaps = [b[0] - a[1] for a, b in zip(line, line[1:])]
            assert len(gaps) < 2 or max(gaps) - min(gaps) < 4.0


def _word_boxes_by_line(pdf: bytes) -> list[list[tuple[float, float]]]:
    """Each line's words as (left, right) of their glyph boxes, in points."""
    doc = pdfium.PdfDocument(pdf)
    lines: list[list[tuple[float, float]]] = []
    try:
        for i in range(len(doc)):
            tp = doc[i].get_textpage()
            n = tp.count_chars()
            line: list[tuple[float, float]] = []
            word = None
            for j, ch in enumerate(tp.get_text_range()[:n] + "\n"):
                if ch.isspace():
                    if word:
                        line.append(word)
                    word = None
                    if ch in "\r\n" and line:
                        lines.append(line)
                        line = []
                    continue
                box = tp.get_charbox(j)
                word = (box[0], box[2]) if word is None else (word[0], box[2])
    finally:
        doc.close()
    return lines


def _glyph_lefts(pdf: bytes) -> list[tuple[str, float]]:
    """Every word of every page with the left edge of its first glyph's box, in points."""
    doc = pdfium.PdfDocument(pdf)
    out = []
    try:
        for i in range(len(doc)):
            tp = doc[i].get_textpage()
            text = tp.get_text_range()
            start = None
            for j, ch in enumerate(text[:tp.count_chars()] + " "):
                if ch.isspace():
                    if start is not None:
                        out.append((text[start:j], tp.get_charbox(start)[0]))
                    start = None
                elif start is None:
                    start = j
    finally:
        doc.close()
    return out


def test_a_heading_bookmark_carries_the_copys_variant():
    """A site in a heading (a Word original's heading paragraph): the bookmark's title is
    written per copy, as a copy laid out on its own would title it."""
    base = "We will begin in June\n\n" + "The crews will report to one manager and share one rota. " * 20 + "\n"
    site = Site(Channel.LEXICAL, "contraction", ((0, 7),), (("We will",), ("We’ll",)), ((0, 2),), "tokens")
    paras = [p for p in base.split("\n\n") if p.strip()]

    def body(text):
        parts = [p for p in text.split("\n\n") if p.strip()]
        return pdfwrite.blocks_html(list(zip(["h2", "p"], parts)))

    tpl = pdftemplate.PdfTemplate(base, [site], body, lambda b: pdfwrite.page(b, "t"), pdfwrite.stylesheet(None),
                                  pdfwrite.refuse)
    for v, want in ((0, "We will begin in June"), (1, "We’ll begin in June")):
        pdf = tpl.write(np.array([v]))
        reader = PdfReader(io.BytesIO(pdf))
        assert [o.title for o in reader.outline] == [want]
        assert reader.pages[0].extract_text().splitlines()[0] == want
        rendered = pdfwrite.render(pdfwrite.page(body(want + "\n\n" + paras[1]), "t"))
        assert [o.title for o in PdfReader(io.BytesIO(rendered)).outline] == [want]


@pytest.mark.parametrize("case", ["footer", "sections", "private-use", "html", "crossing the margin"])
def test_copies_the_layout_cannot_take_are_laid_out_on_their_own(ws, tmp_path, case, monkeypatch):
    """Each such copy is laid out by WeasyPrint as before, and is a valid copy: its stamp verifies
    and its marks name it."""
    ws.import_recipients(write_people(tmp_path / "people.csv", 4))
    kwargs = {}
    if case == "html":
        path = tmp_path / "memo.html"
        path.write_bytes(pdfwrite.page(pdfwrite.markdown_html(MEMO), "Depot plan").encode("utf-8"))
    else:
        path = tmp_path / "memo.md"
        path.write_text(MEMO.replace("group.", "group.\ue001") if case == "private-use" else MEMO, encoding="utf-8")
    doc = ws.add_document(path)
    if case == "footer":
        kwargs["footer"] = True
    if case == "sections":
        kwargs["sections"] = [ws.sections(doc.id)[1].name]
    if case == "crossing the margin":
        # the layout set with the narrowest variants: copies with wider ones would pass the margin
        monkeypatch.setattr(pdftemplate, "_estimate", lambda text: -len(text))
    writers = []
    real_init = CopyWriter.__init__

    def init(self, *args, **kw):
        real_init(self, *args, **kw)
        writers.append(self)

    monkeypatch.setattr(CopyWriter, "__init__", init)
    res = ws.mark(doc.id, out_dir=tmp_path / "pdf", as_format="pdf", **kwargs)
    written = writers[0].written
    if case == "crossing the margin":
        assert written["rendered"] >= 1
    else:
        assert written == {"rendered": 4}
    if case in ("private-use", "html"):
        assert writers[0].unavailable
    for c in res.copies:
        r = ws.trace_file(c.path, audit=False)
        assert r.outcome == "exact" and r.stamps[0]["recipient"] == c.recipient
