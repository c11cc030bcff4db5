"""The resource budget (leaktrace.budget): every hostile artifact of issue 18, scaled down, gets a
one-line error naming the limit it exceeds, or is read in time that grows with its size. No test
here measures wall-clock time: limits are lowered, or work is counted."""

from __future__ import annotations

import io
import json
import random
import time

import pytest
from clirunner import one_line_error, run
from samples import MEMO

from leaktrace import budget, formats
from leaktrace.errors import InputError
from leaktrace.formats import pdfread, web
from leaktrace.ledger import readers


@pytest.fixture
def env(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws"))
    assert run(capsys, "init").code == 0
    return tmp_path


def _random_words(n: int, seed: int = 18) -> str:
    rnd = random.Random(seed)
    vocabulary = ["".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(2, 9)))
                  for _ in range(2000)]
    return " ".join(rnd.choice(vocabulary) for _ in range(n))


def _blank_pdf(pages: int) -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    for _ in range(pages):
        w.add_blank_page(612, 792)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


# ------------------------------------------------------------------ the budget itself

def test_the_budget_comes_from_the_environment_over_the_workspace_settings(monkeypatch):
    assert budget.Budget.load().seconds == 60 and budget.Budget.load().memory_mb == 2048
    assert budget.Budget.load({"seconds": 120}).seconds == 120
    monkeypatch.setenv("LEAKTRACE_BUDGET_SECONDS", "30")
    assert budget.Budget.load({"seconds": 120}).seconds == 30
    monkeypatch.setenv("LEAKTRACE_MAX_WORDS", "none")
    with pytest.raises(InputError, match="LEAKTRACE_MAX_WORDS must be a positive number"):
        budget.Budget.load()


def test_workspace_settings_set_the_budget_and_bad_ones_are_refused_in_one_line(env, capsys):
    settings = env / "ws" / "settings.json"
    data = json.loads(settings.read_text())
    (env / "leak.txt").write_text(_random_words(300))
    settings.write_text(json.dumps({**data, "budget": {"words": 100}}))
    assert "over the limit of 100 words" in one_line_error(run(capsys, "trace", env / "leak.txt"))
    settings.write_text(json.dumps({**data, "budget": {"minutes": 3}}))
    assert "unknown budget setting 'minutes'" in one_line_error(run(capsys, "doc", "list"))


def test_a_reader_that_runs_past_the_time_budget_is_stopped(monkeypatch):
    """A reader stuck in code that never returns (a C parser, a page of noise under OCR) is
    stopped at the deadline, not waited for."""
    monkeypatch.setenv("LEAKTRACE_BUDGET_SECONDS", "1")
    monkeypatch.setattr(formats, "_extract_any", lambda data, name: time.sleep(60))
    with pytest.raises(budget.BudgetExceeded, match=r"longer than the limit of 1 s \(set LEAKTRACE_BUDGET_SECONDS"):
        formats.extract_leak(b"hello there", "leak.txt")


def test_a_reader_that_needs_more_memory_than_the_budget_is_stopped(monkeypatch):
    monkeypatch.setenv("LEAKTRACE_BUDGET_MEMORY_MB", "64")

    def greedy(data, name):
        hoard = []
        for _ in range(64):               # 1 GB in all, 16 MB at a time
            hoard.append(bytearray(16 << 20))
        return hoard

    monkeypatch.setattr(formats, "_extract_any", greedy)
    with pytest.raises(budget.BudgetExceeded, match="more memory than the limit of 64 MB .*LEAKTRACE_BUDGET_MEMORY_MB"):
        formats.extract_leak(b"hello there", "leak.txt")


def test_errors_of_a_bounded_reader_are_the_readers_own():
    with pytest.raises(InputError, match="leak.txt: is empty"):
        formats.extract_leak(b"   ", "leak.txt")
    assert formats.extract_leak(MEMO.encode(), "leak.md").text.startswith(MEMO.strip()[:40])


# ------------------------------------------------------------------ text size

def test_text_over_the_word_limit_is_refused_by_trace_doc_add_and_case_add(env, capsys, monkeypatch):
    """A 10 MB text of random words took 1.7 GB and one repeated sentence 163 s: every stage
    after reading grows with the words, so they are capped (here scaled down)."""
    monkeypatch.setenv("LEAKTRACE_MAX_WORDS", "1000")
    (env / "leak.txt").write_text(_random_words(3000))
    (env / "repeat.txt").write_text("The depot will close at noon on Friday for the audit. " * 300)
    for f in ("leak.txt", "repeat.txt"):
        line = one_line_error(run(capsys, "trace", env / f))
        assert "words, over the limit of 1,000 words (set LEAKTRACE_MAX_WORDS to raise it)" in line
    assert "LEAKTRACE_MAX_WORDS" in one_line_error(run(capsys, "doc", "add", env / "leak.txt"))
    assert run(capsys, "case", "open", "Leak", "--purpose", "a test").code == 0
    assert "LEAKTRACE_MAX_WORDS" in one_line_error(run(capsys, "case", "add", "C1", env / "leak.txt",
                                                        "--obtained-from", "a journalist",
                                                        "--obtained-at", "2024-05-01T09:00:00Z"))


def test_pasted_text_over_the_word_limit_is_refused_by_the_library(ws, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_MAX_WORDS", "1000")
    with pytest.raises(budget.BudgetExceeded, match="the leak's text: has 3,000 words"):
        ws.trace(_random_words(3000))


def test_a_large_word_file_is_refused_by_its_words(env, capsys, monkeypatch):
    """A 7 MB Word file took 2 GB: its text is held to the same word limit."""
    from docx import Document

    d = Document()
    for _ in range(60):
        d.add_paragraph(_random_words(50))
    d.save(env / "big.docx")
    monkeypatch.setenv("LEAKTRACE_MAX_WORDS", "1000")
    assert "over the limit of 1,000 words" in one_line_error(run(capsys, "trace", env / "big.docx"))


# ------------------------------------------------------------------ PDF pages and OCR

def test_a_pdf_of_many_blank_pages_is_refused_before_any_ocr(env, capsys, monkeypatch):
    """500 blank pages took 164 s of OCR; pages to read by OCR are capped (here 2)."""
    monkeypatch.setenv("LEAKTRACE_MAX_OCR_PAGES", "2")
    (env / "blank.pdf").write_bytes(_blank_pdf(3))
    line = one_line_error(run(capsys, "trace", env / "blank.pdf"))
    assert "3 pages have no text layer and would be read by OCR, over the limit of 2 pages" in line
    assert "LEAKTRACE_MAX_OCR_PAGES" in line


def test_a_blank_page_is_not_handed_to_tesseract(monkeypatch):
    import pytesseract

    calls = []
    monkeypatch.setattr(pytesseract.pytesseract, "run_and_get_multiple_output",
                        lambda *a, **k: calls.append(1) or ("", ""))
    with pytest.raises(InputError, match="OCR found no text"):
        pdfread.extract_pdf(_blank_pdf(2), "blank.pdf")
    assert calls == []


def test_ocr_of_a_pdf_stops_at_the_time_budget(monkeypatch):
    """A PDF of noise kept OCR busy for over 10 minutes: OCR shares the artifact's time. Here
    each page's OCR takes 0.6 s and the budget is 1 s: the third page is never started."""
    from leaktrace.models import Page

    started = []

    def slow_ocr(img, name, number=1):
        started.append(number)
        time.sleep(0.6)
        return "", Page(number, 1, 1, ())

    monkeypatch.setattr(pdfread, "ocr_page", slow_ocr)
    monkeypatch.setenv("LEAKTRACE_BUDGET_SECONDS", "1")
    with pytest.raises(budget.BudgetExceeded, match="LEAKTRACE_BUDGET_SECONDS"):
        budget.bounded(pdfread.extract_pdf, _blank_pdf(5), "noise.pdf", what="noise.pdf")


def test_tesseract_gets_only_the_time_left(monkeypatch):
    import pytesseract
    from PIL import Image

    from leaktrace.formats import image

    timeouts = []
    monkeypatch.setattr(pytesseract.pytesseract, "run_and_get_multiple_output",
                        lambda *a, timeout, **k: timeouts.append(timeout) or ("", ""))
    monkeypatch.setenv("LEAKTRACE_BUDGET_SECONDS", "30")
    noise = Image.frombytes("L", (200, 200), random.Random(1).randbytes(40000))
    token = budget._deadline.set(time.monotonic() + 5)      # as inside a reading with 5 s left
    try:
        image.ocr_page(noise, "noise.png")
    finally:
        budget._deadline.reset(token)
    assert len(timeouts) == 1 and timeouts[0] <= 5


# ------------------------------------------------------------------ HTML

def test_a_table_row_of_many_cells_is_not_handed_to_trafilatura(monkeypatch):
    """A row of 160,000 cells took 132 s: trafilatura counts a row's cells again for every cell.
    A page beyond its bounds is read by the plain extractor, whose time grows with the page."""
    import trafilatura

    calls = []
    real = trafilatura.bare_extraction
    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *a, **k: calls.append(1) or real(*a, **k))
    row = "<html><body><p>Quarterly figures.</p><table><tr>" + "<td>x" * 5000 + "</table></body></html>"
    got = web.extract_html(row.encode(), "table.html")
    assert calls == [] and got.text.startswith("Quarterly figures.") and got.text.count("x") == 5000
    web.extract_html(f"<html><body><p>{MEMO}</p></body></html>".encode(), "page.html")
    assert calls == [1]         # an ordinary page still gets the main-content extraction


def test_a_page_of_many_elements_is_read_in_one_pass(monkeypatch):
    monkeypatch.setattr(web, "MAX_MAIN_ELEMENTS", 1000)
    assert not web._fits_trafilatura("<div>" + "<span>x</span>" * 2000 + "</div>")
    assert web._fits_trafilatura(f"<html><body><p>{MEMO}</p></body></html>")


# ------------------------------------------------------------------ e-mail

def test_a_mail_with_a_huge_folded_header_is_refused_before_it_is_parsed(env, capsys):
    """A 2.4 MB folded Subject took 104 s: the header parser's time grows with the square of the
    header. Headers over the limit (64 KB) are refused before any is parsed."""
    subject = "\n ".join(["word word word"] * 6000)          # 94 KB, folded
    (env / "leak.eml").write_text(f"From: a@example.org\nSubject: {subject}\n\n{MEMO}")
    line = one_line_error(run(capsys, "trace", env / "leak.eml"))
    assert "its Subject header has 94 KB, over the limit of 64 KB (set LEAKTRACE_MAX_HEADER_KB" in line


def test_a_folded_header_within_the_limit_is_read(env):
    subject = "\n ".join(["word"] * 100)
    got = formats.extract_leak(f"From: a@example.org\nSubject: {subject}\n\n{MEMO}".encode(), "leak.eml")
    assert got.text.startswith("Subject: word word")


# ------------------------------------------------------------------ audit logs

def _records(data: bytes, prefix: str) -> list[readers.Record]:
    return list(readers.json_items(io.BufferedReader(io.BytesIO(data)), prefix, "log.json"))


def test_a_json_array_nested_deep_is_set_aside_not_built():
    """200 KB of nested brackets grew to 24 GB in ijson.items, 20,000 levels of CloudTrail to 1 GB
    (a prefix string per level); the items are now built from basic events with the depth capped.
    Scaled down to 5,000 levels."""
    for data, prefix in ((b"[" * 5000 + b"]" * 5000, "item"),
                         (b'{"Records":' + b"[" * 5000 + b"]" * 5000 + b"}", "Records.item")):
        got = _records(data, prefix)
        assert len(got) == 1 and got[0].data is None
        assert got[0].error.startswith("nested deeper than the limit of 64 levels (set LEAKTRACE_MAX_JSON_DEPTH")


def test_items_around_a_skipped_one_are_read_and_the_size_of_one_is_capped(monkeypatch):
    monkeypatch.setenv("LEAKTRACE_MAX_RECORD_MB", "0.01")
    doc = {"Records": [{"a": 1}, {"b": ["y" * 100] * 200}, {"c": [[[]]]}, {"d": {"e": "f"}}]}
    got = _records(json.dumps(doc).encode(), "Records.item")
    assert [r.data for r in got] == [{"a": 1}, None, {"c": [[[]]]}, {"d": {"e": "f"}}]
    assert got[1].error.startswith("larger than the limit of 0.01 MB (set LEAKTRACE_MAX_RECORD_MB")


def test_items_are_read_as_ijson_reads_them():
    import ijson

    rnd = random.Random(7)

    def value(depth=0):
        c = rnd.random()
        if depth > 3 or c < 0.4:
            return rnd.choice([1, 2.5, "s", None, True, "ü", -3])
        if c < 0.7:
            return [value(depth + 1) for _ in range(rnd.randint(0, 3))]
        return {rnd.choice("abcde"): value(depth + 1) for _ in range(rnd.randint(0, 3))}

    for _ in range(300):
        items = [value() for _ in range(rnd.randint(0, 4))]
        for doc, prefix in ((items, "item"), ({"x": {"Records": 1}, "Records": items, "z": [items]}, "Records.item")):
            data = json.dumps(doc).encode()
            expected = list(ijson.items(io.BytesIO(data), prefix, use_float=True))
            assert [r.data if r.error is None else r.raw for r in _records(data, prefix)] == expected


@pytest.mark.parametrize("content,fmt", [
    ("[" * 5000 + "]" * 5000 + "\n", "m365-json"),
    ('{"Records":' + "[" * 5000 + "]" * 5000 + "}", "cloudtrail"),
    ('{"a":' * 5000 + "1" + "}" * 5000 + "\n", "m365-json"),
    ('{"a":' * 5000 + "1" + "}" * 5000 + "\n", "jsonl"),
])
def test_ledger_import_of_deeply_nested_json_is_one_line(env, capsys, content, fmt):
    """The deeply nested object gave a RecursionError (exit 70)."""
    (env / "log.json").write_text(content)
    args = ["--map", "time=t,actor=a,action=x,document=d"] if fmt == "jsonl" else []
    line = one_line_error(run(capsys, "ledger", "import", env / "log.json", "--format", fmt, *args))
    assert "nested deeper than the limit of 64 levels (set LEAKTRACE_MAX_JSON_DEPTH to raise it)" in line


def test_a_json_line_over_the_record_limit_is_refused_without_reading_it_whole(monkeypatch):
    monkeypatch.setenv("LEAKTRACE_MAX_RECORD_MB", "0.001")
    stream = io.BufferedReader(io.BytesIO(b'{"a": 1}\n{"b": "' + b"x" * 5000 + b'"}\n'))
    got = readers.json_lines(stream, "log.jsonl")
    assert next(got).data == {"a": 1}
    with pytest.raises(budget.BudgetExceeded, match="log.jsonl:2: a line longer than the limit of 0.001 MB"):
        next(got)
