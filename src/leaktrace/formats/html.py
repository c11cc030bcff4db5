"""Text of an HTML page, for tracing: visible text only, block elements on their own lines.

A minimal, safe extraction with the standard library: nothing is fetched, executed or
rendered; script, style and template contents are dropped and entities are decoded.
"""

from __future__ import annotations

from html.parser import HTMLParser

_SKIP = {"script", "style", "template", "noscript", "head", "svg", "iframe", "object"}
_BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
          "section", "article", "header", "footer", "nav", "aside", "tr", "table", "pre", "hr",
          "main", "figure", "figcaption", "dd", "dt", "title"}


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        if tag in _SKIP:
            self.skip += 1
        elif tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):  # noqa: ANN001
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data):  # noqa: ANN001
        if not self.skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    p = _Extractor()
    p.feed(html)
    p.close()
    paragraphs = [" ".join(block.split()) for block in "".join(p.parts).split("\n\n")]
    return "\n\n".join(b for b in paragraphs if b)
