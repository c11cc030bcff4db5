"""Reading leaked web pages: the article's paragraphs, without the page around them."""

from __future__ import annotations

import pytest

from leaktrace.errors import InputError
from leaktrace.formats.web import extract_html, html_main_text

ARTICLE = [
    "Harbour plan surfaces before the board meets",
    ("The Northwind Harbour Authority intends to close the eastern quay for “six weeks” of "
     "dredging next spring, according to an internal memo seen by the Gull Island Gazette."),
    ("Crews from the Marlow & Finch yard would work in two shifts, and the island ferry would "
     "sail from the western pier instead. A spokesperson declined to comment on the memo."),
    ("The memo puts the cost below the figure approved in March, with a contingency of eight "
     "percent held back for surprises in the harbour mud."),
]

PAGE = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Gazette</title>
<script>document.write("tracking beacon loaded");</script>
<style>.ad {{ color: red }}</style></head><body>
<nav><ul><li><a href="/">Front page</a></li><li><a href="/island">Island news</a></li>
<li><a href="/subscribe">Subscribe to the Gazette</a></li></ul></nav>
<div class="ad">Advertisement: ferry tickets half price this weekend</div>
<article><h1>{ARTICLE[0]}</h1>
<p>The Northwind Harbour Authority intends to close the eastern quay for &ldquo;six weeks&rdquo;
of dredging next spring, according to an internal memo seen by the Gull Island Gazette.</p>
<p>Crews from the Marlow &amp; Finch yard would work in two shifts, and the island ferry would
sail from the western pier instead.<br>A spokesperson declined to comment on the memo.</p>
<p>The memo puts the cost below the figure approved in March, with a contingency of eight
percent held back for surprises in the harbour mud.</p>
<script>var leaked = "script text must never be read";</script>
</article>
<aside><h3>Related stories</h3><ul><li><a href="/a">Lighthouse keepers vote on a new rota</a></li>
<li><a href="/b">Fish market reopens after the storm</a></li></ul></aside>
<footer><p>© Gull Island Gazette. All rights reserved.</p><a href="/privacy">Privacy policy</a></footer>
</body></html>"""


def test_the_article_paragraphs_come_back_without_the_page_around_them():
    text = html_main_text(PAGE)
    assert text.split("\n\n") == ARTICLE
    for boilerplate in ("Front page", "Subscribe", "Lighthouse keepers", "Fish market", "Privacy",
                        "All rights reserved", "tracking beacon", "script text", "color"):
        assert boilerplate not in text


def test_a_fragment_with_no_article_falls_back_to_its_visible_text():
    fragment = "<div>Ana,</div><div>the quay plan is <b>attached</b>.<script>x()</script></div>"
    assert html_main_text(fragment) == "Ana,\n\nthe quay plan is attached."
    assert html_main_text("<p>Quay.</p>") == "Quay."


def test_visible_text_is_used_when_trafilatura_fails(monkeypatch):
    import trafilatura

    def fail(*args, **kwargs):
        raise ValueError("no tree")

    monkeypatch.setattr(trafilatura, "bare_extraction", fail)
    assert html_main_text(PAGE).split("\n\n")[:3] == ["Front page", "Island news", "Subscribe to the Gazette"]


def test_a_page_is_decoded_in_its_declared_charset():
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
            "</head><body><p>Café on the quay: dredging begins in April, the harbour master "
            "says.</p></body></html>").encode("latin-1")
    got = extract_html(page, "leak.html")
    assert got.text == "Café on the quay: dredging begins in April, the harbour master says."
    assert got.format == "html" and got.notes == ()


def test_an_undeclared_legacy_page_is_decoded_as_windows_1252_with_a_note():
    got = extract_html("<p>Smart “quotes” from an old editor.</p>".encode("cp1252"), "leak.html")
    assert got.text == "Smart “quotes” from an old editor." and "Windows-1252" in got.notes[0]


@pytest.mark.parametrize("data, says", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    (b"<html><body><script>only()</script></body></html>", "has no readable text"),
])
def test_binary_and_empty_pages_are_refused(data, says):
    with pytest.raises(InputError, match=says):
        extract_html(data, "leak.html")
