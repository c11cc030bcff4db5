"""The layout channel: words of a PDF copy shifted between their neighbours, read back from a
photographed or scanned page, with the false-accusation bound intact whatever the image."""

from __future__ import annotations

import io
import math

from unittest import mock

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageFilter

from leaktrace.formats import pdfwrite
from leaktrace.formats.copies import CopyWriter
from leaktrace.formats.image import extract_image
from leaktrace.marks import layout
from leaktrace.marks.channels import carried
from leaktrace.marks.embed import Renderer
from leaktrace.marks.score import BAR, ScoreModel
from leaktrace.marks.sites import Channel
from leaktrace.pipeline import artifact
from leaktrace.pipeline import sources as search
from requires import need_tesseract
from samples import series_memo, write_people

COPIES = 12


@pytest.fixture(scope="module")
def marked(tmp_path_factory):
    from leaktrace import Workspace

    root = tmp_path_factory.mktemp("layout")
    ws = Workspace.create(root / "ws", key=b"L" * 32)
    memo = root / "memo.md"
    memo.write_text(series_memo(n_paras=4), encoding="utf-8")
    doc = ws.add_document(memo)
    ws.import_recipients(write_people(root / "people.csv", COPIES))
    # every copy is written into one layout of the document (formats.pdftemplate), none laid out anew
    with mock.patch.object(pdfwrite, "render", side_effect=AssertionError("a copy laid out anew")):
        res = ws.mark(doc.id, out_dir=root / "pdf", as_format="pdf")
    return ws, doc, res


def pages_of(pdf: bytes, dpi: int) -> list[Image.Image]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].render(scale=dpi / 72).to_pil().convert("L") for i in range(len(doc))]
    finally:
        doc.close()


def text_lines(pdf: bytes) -> list[list[str]]:
    """Each page's lines of text (a line may end in a space the eye cannot see: left out)."""
    doc = pdfium.PdfDocument(pdf)
    try:
        return [[line.rstrip() for line in doc[i].get_textpage().get_text_range().splitlines()]
                for i in range(len(doc))]
    finally:
        doc.close()


def photo(img: Image.Image, angle: float, blur: float, quality: int) -> bytes:
    """The page as a phone would keep it: turned, slightly out of focus, a JPEG."""
    out = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    out = out.filter(ImageFilter.GaussianBlur(blur))
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def unshifted(ws, doc, rid: str) -> bytes:
    """The same copy laid out without its layout marks (every other mark as in the copy)."""
    _, base, sites, code = ws.code(doc.id)
    cw = carried(sites, code.codeword(rid), "pdf")
    return CopyWriter("md", "pdf", doc.title, None).write(Renderer(base, sites).render(cw), ())


def test_a_document_has_layout_sites_between_plain_neighbours(marked):
    ws, doc, _ = marked
    _, base, sites, _ = ws.code(doc.id)
    shifts = [s for s in sites if s.channel == Channel.LAYOUT]
    words = len(base.split())
    assert len(shifts) > 0.2 * words
    for s in shifts:
        (a, b), = s.spans
        assert s.variants == ((base[a:b],), (base[a:b],)) and base[a - 1] == " " == base[b]
    # the heading is set in another font: no word of it moves
    heading_end = base.index("\n")
    assert all(s.spans[0][0] > heading_end for s in shifts)


@pytest.mark.parametrize("how", ["one layout", "laid out per copy"])
def test_a_pdf_copy_has_the_unmarked_renderings_text_lines_and_pages(marked, how):
    """The copy against the same copy without its layout marks: written into the document's one
    layout (as `mark` writes them), and laid out on its own (as copies that cannot use it are)."""
    ws, doc, res = marked
    _, base, sites, code = ws.code(doc.id)
    writer = CopyWriter("md", "pdf", doc.title, None)
    if how == "one layout":
        assert writer.lay_out(base, sites)
    for c in res.copies[:3]:
        cw = carried(sites, code.codeword(c.recipient), "pdf")
        if how == "one layout":
            pdf = open(c.path, "rb").read()
            plain = writer.laid_out.write(cw, moved=False)
        else:
            pdf = writer.write(Renderer(base, layout.for_pdf(sites)).render(cw), ())
            plain = unshifted(ws, doc, c.recipient)
        assert text_lines(pdf) == text_lines(plain)
        # only words' ink differs, never the margins or the space between lines, and at most one
        # word in two (a shifted word's neighbours stay where they were)
        for k, (shifted, same) in enumerate(zip(pages_of(pdf, 150), pages_of(plain, 150))):
            diff = np.abs(np.asarray(shifted, dtype=np.int16) - np.asarray(same, dtype=np.int16)) > 40
            boxes = word_boxes(plain, k, 150)
            inside = np.zeros_like(diff)
            for l, t, r, b in boxes:
                inside[max(0, t - 2):b + 2, max(0, l - 2):r + 2] = True
            assert diff.any() and not (diff & ~inside).any()
            moved = sum(1 for l, t, r, b in boxes if diff[t:b, l:r].any())
            assert moved <= 0.5 * len(boxes) + 1


def word_boxes(pdf: bytes, page: int, dpi: int) -> list[tuple[int, int, int, int]]:
    """The ink box of every word on a page, in pixels at `dpi`."""
    doc = pdfium.PdfDocument(pdf)
    try:
        pg = doc[page]
        tp, height, k = pg.get_textpage(), pg.get_height(), dpi / 72
        boxes, word = [], []
        for i in range(tp.count_chars() + 1):
            ch = tp.get_text_range(i, 1) if i < tp.count_chars() else " "
            if ch.isspace():
                if word:
                    boxes.append((math.floor(min(b[0] for b in word) * k), math.floor((height - max(b[3] for b in word)) * k),
                                  math.ceil(max(b[2] for b in word) * k), math.ceil((height - min(b[1] for b in word)) * k)))
                word = []
            else:
                word.append(tp.get_charbox(i))
        return boxes
    finally:
        doc.close()


def test_a_photographed_page_names_its_copy_by_its_layout_marks(marked):
    need_tesseract()
    ws, doc, res = marked
    c = res.copies[5]
    page = pages_of(open(c.path, "rb").read(), 200)[0]
    ex = extract_image(photo(page, 2.5, 0.8, 80), "photo.jpg")
    r = ws.trace(ex.text, audit=False, source=ex)
    assert r.verdict == "identified" and [x.recipient for x in r.copies if x.identified] == [c.recipient]
    shifts = [s for s in r.site_reads if s.channel == "layout" and s.status == "read"]
    assert r.sites_read["layout"] >= 30 and sum(s.agrees for s in shifts) >= 0.95 * len(shifts)
    assert next(d for d in r.detectors if d["detector"] == "layout")["ran"]


def test_a_page_turned_three_degrees_loses_no_line(marked):
    need_tesseract()
    _, _, res = marked
    pdf = open(res.copies[0].path, "rb").read()
    page = pages_of(pdf, 200)[0]
    ex = extract_image(photo(page, 3.0, 0.5, 90), "tilted.jpg")
    want = " ".join(text_lines(pdf)[0]).split()
    assert len(ex.text.split()) >= 0.97 * len(want)


def test_the_unmarked_original_photographed_accuses_no_one(marked):
    need_tesseract()
    ws, doc, _ = marked
    _, base, _, _ = ws.code(doc.id)
    original = CopyWriter("md", "pdf", doc.title, None).write(base, ())
    page = pages_of(original, 200)[0]
    for angle, blur in ((0.0, 0.3), (1.5, 1.0)):
        ex = extract_image(photo(page, angle, blur, 75), "original.jpg")
        r = ws.trace(ex.text, audit=False, source=ex)
        assert not any(x.identified for x in r.copies)


def test_an_innocent_copys_score_keeps_its_bound_at_any_image_quality(marked):
    """Readings from one copy's page at three image qualities, scored against 4,000 copies that
    were never issued (innocent by construction): at every score, the share of them scoring that
    high stays under the Chernoff bound the verdict uses."""
    need_tesseract()
    ws, doc, res = marked
    _, base, sites, code = ws.code(doc.id)
    page = pages_of(open(res.copies[3].path, "rb").read(), 150)[0]
    innocent = code.codewords([f"never-issued-{k}" for k in range(4000)])
    for angle, blur, quality in ((0.0, 0.4, 90), (2.0, 1.0, 70), (3.5, 1.6, 50)):
        ex = extract_image(photo(page, angle, blur, quality), "page.jpg")
        leak = artifact(ex.text, extracted=ex)
        src = search.find(ws.tracer, leak).marked[0]
        reading = np.full(len(sites), -1, dtype=np.int64)
        idx = [i for i, s in enumerate(sites) if s.channel == Channel.LAYOUT]
        got, _, _ = layout.read([sites[i] for i in idx], src.doc_tokens, leak.tokens,
                                src.alignment.doc_to_leak, leak.pages)
        reading[idx] = got
        model = ScoreModel.build(code.biases, reading)
        assert len(model) >= 20
        scores = model.scores(innocent, reading)
        for s in np.quantile(scores, [0.5, 0.9, 0.99]):
            if s > 0:
                assert np.mean(scores >= s) <= math.exp(model.log_tail(s)) + 3 / math.sqrt(len(innocent))
        assert (scores < model.gain.sum()).all()
        assert math.exp(model.log_tail(float(scores.max()))) * len(innocent) > BAR


def test_a_pdf_copy_stripped_of_its_stamp_is_named_by_where_its_words_stand(marked, tmp_path):
    """The copy's file with its document information gone (no stamp): the text layer's glyph
    positions carry the layout marks."""
    from pypdf import PdfReader, PdfWriter

    ws, _, res = marked
    c = res.copies[4]
    writer = PdfWriter()
    for page in PdfReader(c.path).pages:
        writer.add_page(page)
    stripped = tmp_path / "forwarded.pdf"
    with open(stripped, "wb") as f:
        writer.write(f)
    r = ws.trace_file(stripped, audit=False)
    assert not r.stamps
    assert [x.recipient for x in r.copies if x.identified] == [c.recipient]
    shifts = [s for s in r.site_reads if s.channel == "layout" and s.status == "read"]
    assert len(shifts) >= 60 and all(s.agrees for s in shifts)


def test_a_rasterized_pdf_copy_is_read_by_ocr_and_named_by_its_layout_marks(marked, tmp_path):
    need_tesseract()
    ws, _, res = marked
    c = res.copies[9]
    page = pages_of(open(c.path, "rb").read(), 200)[0]
    scanned = tmp_path / "scanned.pdf"
    page.save(scanned, "PDF", resolution=200)
    r = ws.trace_file(scanned, audit=False)
    assert [x.recipient for x in r.copies if x.identified] == [c.recipient]
    assert r.sites_read["layout"] >= 30


def test_capacity_says_what_a_printed_page_of_a_pdf_copy_carries(marked):
    ws, doc, _ = marked
    cap = ws.capacity(doc.id)
    pdf = next(p for p in cap.profiles if p.leak_type == "printed PDF copy")
    text_only = next(p for p in cap.profiles if p.leak_type == "printed or photographed")
    assert cap.pdf_pages >= 1 and cap.layout_per_page >= 50
    assert pdf.sites >= text_only.sites + cap.layout_per_page
    assert pdf.words_for_recipients is not None
    assert text_only.words_for_recipients is None or pdf.words_for_recipients < text_only.words_for_recipients
    data = cap.to_json()
    assert data["layout_marks_per_page"] == cap.layout_per_page and data["pdf_pages"] == cap.pdf_pages
