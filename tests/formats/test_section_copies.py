"""Copies of some sections only, in Word, HTML and PDF: the other sections' paragraphs,
tables and images are gone, what is kept is untouched, and the copy still traces."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from office import memo_docx, memo_html
from pypdf import PdfReader

from leaktrace.formats.docx import read as read_docx
from leaktrace.formats.htmldoc import read as read_html
from leaktrace.text.tokens import strip_invisible


@pytest.fixture
def people(ws, people_file):
    ws.import_recipients(people_file)
    return [r.id for r in ws.recipients()]


def _styles(path: Path) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in docx.Document(str(path)).paragraphs]


def test_a_word_copy_of_one_section_holds_that_section_only(ws, people, tmp_path):
    original = memo_docx(tmp_path / "memo.docx")
    doc = ws.add_document(original)
    assert [s.name for s in ws.sections(doc.id)] == ["Preamble", "Why we are doing this", "What changes",
                                                      "Timing and risks"]
    res = ws.mark(doc.id, to=people[:3], out_dir=tmp_path / "changes", sections="What changes")
    c = res.copies[0]
    text, stamps = read_docx(Path(c.path).read_bytes(), c.path)
    assert text + "\n" == ws.render_copy(doc.id, c.recipient, sections="What changes")
    assert strip_invisible(text).startswith("What changes\n\n") and "Timing and risks" not in text and stamps
    copy = docx.Document(c.path)
    assert copy.tables == []                     # the table is in "Timing and risks"
    # the header and footer stay; the kept paragraphs keep their styles and runs
    assert copy.sections[0].header.paragraphs[0].text == "RESTRICTED: operations leadership group"
    names = [s.name for s in ws.sections(doc.id)]
    styles = [st for st, t in _styles(original) if t]
    first = [t for _, t in _styles(original)].index("What changes")
    last = [t for _, t in _styles(original)].index("Timing and risks")
    assert [st for st, t in _styles(Path(c.path)) if t] == styles[first:last] and "Preamble" in names
    changed = {n for n in zipfile.ZipFile(original).namelist()
               if zipfile.ZipFile(original).read(n) != zipfile.ZipFile(c.path).read(n)}
    assert changed <= {"word/document.xml", "[Content_Types].xml", "_rels/.rels"}
    # the last section keeps its table
    last = ws.mark(doc.id, to=people[3:4], out_dir=tmp_path / "timing", sections="Timing and risks")
    copy = docx.Document(last.copies[0].path)
    assert copy.tables and copy.tables[0].cell(1, 0).text == "Millbrook"
    assert "What changes" not in read_docx(Path(last.copies[0].path).read_bytes(), "x")[0]
    # the copy traces to its holder, and its content to the copies that held that section
    r = ws.trace_file(c.path)
    assert r.outcome == "exact" and [x.recipient for x in r.copies if x.identified] == [c.recipient]
    assert sorted(e["recipient"] for e in r.content_exposure) == sorted(people[:3])


def test_an_html_copy_of_some_sections_drops_the_others_elements(ws, people, tmp_path):
    doc = ws.add_document(memo_html(tmp_path / "memo.html"))
    res = ws.mark(doc.id, to=people[:2], out_dir=tmp_path / "c", sections="Preamble, What changes")
    page = Path(res.copies[0].path).read_text(encoding="utf-8")
    text, _ = read_html(page.encode(), "copy")
    assert text + "\n" == ws.render_copy(doc.id, res.copies[0].recipient, sections="Preamble,What changes")
    assert "<h2>Why we are doing this</h2>" not in page and "Timing and risks" not in page
    # the code paragraph and the script at the end belong to the last section
    assert "depot-sync" not in page and "<script" not in page
    assert "<title>Depot plan</title>" in page and 'name="leaktrace-stamp"' in page and "<em>" in page
    r = ws.trace_file(res.copies[1].path)
    assert r.outcome == "exact" and [x.recipient for x in r.copies if x.identified] == [res.copies[1].recipient]


def test_pdf_copies_of_a_word_section_keep_its_headings(ws, people, tmp_path):
    doc = ws.add_document(memo_docx(tmp_path / "memo.docx"))
    res = ws.mark(doc.id, to=people[:1], out_dir=tmp_path / "pdf", sections="Why we are doing this",
                  as_format="pdf")
    page = PdfReader(res.copies[0].path).pages[0]
    words = page.extract_text().split()
    assert " ".join(words[:5]) == "Why we are doing this" and "fault desk" not in " ".join(words)
    sizes: dict[str, float] = {}

    def seen(text, cm, tm, font, size):
        if text.strip():
            sizes.setdefault(text.strip().split()[0], size * tm[0])

    page.extract_text(visitor_text=seen)
    # the heading is still laid out as a heading, larger than the body text
    assert sizes["Why"] > sizes[words[5]]
