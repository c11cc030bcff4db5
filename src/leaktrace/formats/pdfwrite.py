"""Marked copies as PDF, laid out by WeasyPrint with embedded fonts.

A copy's text (Markdown, plain text, the paragraphs of a Word file, or an HTML page) becomes
an HTML page with a fixed stylesheet and is rendered with the DejaVu fonts from Debian, which
WeasyPrint embeds; zero-width characters have no glyph to draw, so the invisible channel
shows nothing. Nothing is fetched: external images, stylesheets and fonts are refused. The
copy stamp goes into the document information, and an optional footer names the recipient.

The layout marks (marks/layout.py) arrive as private-use characters around a word; here they
become spans whose margins move the word by a fraction of a point and give it back after it,
so that the line's width, how lines are filled and the order of the text layer stay those of
the unmarked rendering (relative positioning would paint the word after the rest of the page,
and text extractors would read it out of place).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
import re
from html import escape

from ..marks.layout import END, LEFT, MARKERS, RIGHT, SHIFT_PT

_SHIFTED = re.compile(f"([{LEFT}{RIGHT}])([^{MARKERS}<>]*){END}")
_SPAN = {LEFT: '<span class="lt-l">', RIGHT: '<span class="lt-r">'}

CSS = """
@page { size: A4; margin: 22mm 20mm 24mm 20mm;
        @bottom-center { content: var(--footer); font: 8pt "DejaVu Sans"; color: #555; } }
html { font-family: "DejaVu Serif", serif; font-size: 11pt; line-height: 1.45; color: #111; }
h1, h2, h3, h4, h5, h6 { font-family: "DejaVu Sans", sans-serif; line-height: 1.2; margin: 1.1em 0 0.4em; }
h1 { font-size: 18pt; } h2 { font-size: 14pt; } h3 { font-size: 12pt; } h4, h5, h6 { font-size: 11pt; }
p, li { margin: 0 0 0.6em; text-align: left; }
pre, code { font-family: "DejaVu Sans Mono", monospace; font-size: 9.5pt; }
pre { white-space: pre-wrap; }
table { border-collapse: collapse; } td, th { border: 0.5pt solid #999; padding: 2pt 4pt; }
blockquote { margin: 0 0 0.6em 1.5em; }
.lt-l { margin: 0 %(shift)spt 0 -%(shift)spt; } .lt-r { margin: 0 -%(shift)spt 0 %(shift)spt; }
""" % {"shift": SHIFT_PT}


def refuse(url: str, *args, **kwargs):
    raise ValueError(f"leaktrace does not fetch {url[:60]!r} while rendering a copy")


def blocks_html(blocks: Sequence[tuple[str, str]]) -> str:
    """HTML for (kind, text) blocks: kind h1..h6, p, li, pre."""
    out, in_list = [], False
    for kind, text in blocks:
        if kind == "li" and not in_list:
            out.append("<ul>")
            in_list = True
        elif kind != "li" and in_list:
            out.append("</ul>")
            in_list = False
        body = escape(text, quote=False)
        if kind == "pre":
            out.append(f"<pre>{body}</pre>")
        else:
            body = body.replace("\n", "<br>")
            out.append(f"<{kind}>{body}</{kind}>")
    if in_list:
        out.append("</ul>")
    return "\n".join(out)


def markdown_html(text: str) -> str:
    """Markdown as HTML; raw HTML in the Markdown is shown as text, never passed through."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").render(text)


def page(body_html: str, title: str) -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
            f"<body>{body_html}</body></html>")


def render(html_page: str, *, stamp: str | None = None, footer: str | None = None) -> bytes:
    """The PDF of a page, with the copy stamp in its metadata and the footer on every page."""
    from weasyprint import CSS as WCSS
    from weasyprint import HTML

    html_page = shift_words(html_page)
    pdf = HTML(string=html_page, url_fetcher=refuse).write_pdf(stylesheets=[WCSS(string=stylesheet(footer))])
    return add_stamp(pdf, stamp) if stamp else pdf


def stylesheet(footer: str | None) -> str:
    """The copies' stylesheet, with the footer's text (none: an empty footer)."""
    return CSS + (f":root {{ --footer: {_css_string(footer)}; }}" if footer else ":root { --footer: ''; }")


def shift_words(html_page: str) -> str:
    """The layout marks as positioned spans; a marker anywhere else (the document's own text may
    hold private-use characters) is dropped rather than trusted."""
    html_page = _SHIFTED.sub(lambda m: f"{_SPAN[m.group(1)]}{m.group(2)}</span>", html_page)
    return html_page.translate(dict.fromkeys(map(ord, MARKERS)))


def add_stamp(pdf: bytes, stamp: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    from .base import STAMP_PDF_KEY

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_metadata({STAMP_PDF_KEY: stamp})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _css_string(text: str) -> str:
    """A CSS string literal: every character outside plain ASCII letters, digits and space
    is escaped, so a recipient's name can never end the string or the rule."""
    out = []
    for ch in text:
        if ch.isascii() and (ch.isalnum() or ch in " .,-_@()"):
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):06x}")
    return '"' + "".join(out) + '"'
