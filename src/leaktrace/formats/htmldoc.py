"""HTML originals: their visible text as slots, and marked copies with the markup kept.

The page is parsed with lxml (no network, no entity expansion, nothing executed). Its text is
the visible text of the body, block elements separated by blank lines and whitespace
collapsed as a browser collapses it. A copy changes only text nodes; a changed node is
written with its whitespace collapsed, which a browser displays the same. Preformatted and
code text is part of the text but never marked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml import etree, html

from ..errors import InputError
from .slots import Slot, extent, joined, offsets, placement
from .slots import write as write_slots
from .web import text_codec

STAMP_META = "leaktrace-stamp"

_SKIP = {"script", "style", "template", "noscript", "head", "svg", "iframe", "object", "embed",
         "math", "canvas", "select", "textarea", "button"}
_BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
          "section", "article", "header", "footer", "nav", "aside", "tr", "td", "th", "table", "pre",
          "hr", "main", "figure", "figcaption", "dd", "dt", "dl", "address", "details", "summary",
          "caption", "body", "form", "fieldset", "legend"}
_FIXED = {"pre", "code", "kbd", "samp", "tt", "var"}
_WS = re.compile(r"[ \t\n\r\f]+")


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


def decode(data: bytes, name: str) -> str:
    """The page as text, in the charset it declares (UTF-8 when it declares none); a label that
    names no character set Python knows (or a codec that is none, such as "idna") counts as
    undeclared, and the bytes are read as a text file's are (byte-order mark, UTF-8, detection)."""
    m = _CHARSET.search(data[:4096])
    charset = m.group(1).decode("ascii") if m else "utf-8"
    codec = text_codec(charset)
    if codec is None:
        from . import decode as decode_text_file

        return decode_text_file(data, name).text
    try:
        return data.decode(codec).lstrip("\ufeff")
    except UnicodeDecodeError as e:
        raise InputError(f"{name}: is not valid {charset} (bad byte at offset {e.start})") from None


def _parse(data: bytes | str, name: str) -> etree._Element:
    if isinstance(data, bytes):
        data = decode(data, name)
    if "\x00" in data:
        raise InputError(f"{name}: looks like a binary file (it contains NUL bytes), not HTML")
    data = re.sub(r"^\s*<\?xml[^>]*>", "", data)
    try:
        parser = html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
        root = html.document_fromstring(data, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as e:
        raise InputError(f"{name}: is not a readable HTML page ({e})") from None
    return root


class _Builder:
    """Walks the tree in reading order and lays the visible text out as slots.

    Whitespace collapses as in a browser: a run of spaces between words becomes one space,
    kept in the slot of the node that had it (so a node's writer gets it back), and
    whitespace at the edges of a block disappears.
    """

    def __init__(self) -> None:
        self.slots: list[Slot] = []
        self.fixed: list[tuple[int, int]] = []
        self.block_open = False          # text has been written in the current block
        self.pending: Slot | None = None   # the slot whose node ended in whitespace
        self.pending_lead = False        # or: whitespace seen since, in a node with no word

    @property
    def pos(self) -> int:
        return sum(len(s.text) for s in self.slots)

    def brk(self) -> None:
        if self.block_open:
            self.slots.append(Slot("\n\n", editable=False))
        self.block_open = False
        self.pending, self.pending_lead = None, False

    def _space(self) -> str:
        """Place the collapsed space before new text: in the node that had it, else as a prefix."""
        if not self.block_open:
            self.pending, self.pending_lead = None, False
            return ""
        if self.pending is not None:
            self.pending.text += " "
            self.pending, self.pending_lead = None, False
            return ""
        if self.pending_lead:
            self.pending_lead = False
            return " "
        return ""

    def text(self, raw: str | None, setter, fixed: bool) -> None:
        if not raw:
            return
        if fixed:
            shown = raw.replace("\r\n", "\n")
            if not self.block_open:
                shown = shown.lstrip("\n")
            if not shown.strip():
                return
            prefix = self._space()
            if prefix:
                self.slots.append(Slot(prefix, editable=False))
            start = self.pos
            self.slots.append(Slot(shown, editable=False))
            self.fixed.append((start, self.pos))
            self.block_open = True
            return
        collapsed = _WS.sub(" ", raw)
        core = collapsed.strip(" ")
        if not core:
            if self.block_open and self.pending is None:
                self.pending_lead = True
            return
        if collapsed.startswith(" ") and self.pending is None:
            self.pending_lead = True
        prefix = self._space()
        slot = Slot(prefix + core, write=setter)
        self.slots.append(slot)
        self.block_open = True
        if collapsed.endswith(" "):
            self.pending = slot


def _walk(el: etree._Element, b: _Builder, fixed: bool, marks: dict | None = None) -> None:
    """Lay out el's visible text; `marks`, when given, receives the slot range of every element
    (key: the element) and of every text node (key: (element, "text" or "tail"))."""
    tag = el.tag if isinstance(el.tag, str) else ""
    tag = tag.lower()
    first = len(b.slots)
    if tag in _SKIP:
        if marks is not None:                  # no text, but a place: it goes with its section
            marks[el] = (first, first)
        return
    block = tag in _BLOCK
    if block:
        b.brk()
    inner_fixed = fixed or tag in _FIXED
    _text(b, el, "text", lambda t, e=el: setattr(e, "text", t), inner_fixed, marks)
    for child in el:
        if isinstance(child.tag, str):
            _walk(child, b, inner_fixed, marks)
        _text(b, child, "tail", lambda t, c=child: setattr(c, "tail", t), inner_fixed, marks)
    if block:
        b.brk()
    if marks is not None:
        marks[el] = (first, len(b.slots))


def _text(b: _Builder, el: etree._Element, attr: str, setter, fixed: bool, marks: dict | None) -> None:
    first = len(b.slots)
    b.text(getattr(el, attr), setter, fixed)
    if marks is not None:
        marks[(el, attr)] = (first, len(b.slots))


def _build(root: etree._Element, marks: dict | None = None) -> _Builder:
    b = _Builder()
    body = root.find("body")
    _walk(body if body is not None else root, b, False, marks)
    # a trailing paragraph break belongs to no text
    while b.slots and not b.slots[-1].editable and b.slots[-1].text == "\n\n":
        b.slots.pop()
    return b


def _keep_only(root: etree._Element, b: _Builder, marks: dict, keep: Sequence[tuple[int, int]]) -> None:
    """Remove what lies outside the kept spans of the text (a copy of some sections): elements
    whose text all lies outside are removed whole (images and other elements without text go
    with the text around them), text nodes outside are emptied, the rest is walked into."""
    starts = offsets(b.slots)
    n = len(b.slots)

    def where(key) -> str:
        i, j = marks[key]
        i, j = min(i, n), min(j, n)
        return placement(keep, extent(b.slots, starts, i, j), starts[i])

    def cut(el: etree._Element) -> None:
        if (el, "text") in marks and el.text and where((el, "text")) == "drop":
            el.text = None
        for child in list(el):
            if child in marks:
                verdict = where(child)
                if verdict == "mixed":
                    cut(child)
                elif verdict == "drop":
                    tail = child.tail if (child, "tail") in marks and where((child, "tail")) != "drop" else None
                    _remove(child, tail)
                    continue
            if (child, "tail") in marks and child.tail and where((child, "tail")) == "drop":
                child.tail = None

    body = root.find("body")
    cut(body if body is not None else root)


def _remove(el: etree._Element, tail: str | None) -> None:
    """Remove an element, keeping `tail` (its tail text, or None to drop that too)."""
    parent = el.getparent()
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def read(data: bytes | str, name: str) -> tuple[str, list[tuple[int, int]]]:
    """The visible text of the page and the spans of preformatted or code text in it."""
    b = _build(_parse(data, name))
    return joined(b.slots), b.fixed


def stamps(data: bytes | str, name: str) -> list[str]:
    """Copy stamps in the page's <meta name="leaktrace-stamp"> elements."""
    root = _parse(data, name)
    return [m.get("content", "").strip() for m in root.iter("meta") if m.get("name") == STAMP_META]


def block_kinds(data: bytes | str, name: str, text: str) -> list[str]:
    """For each paragraph of the page's text: "h1".."h6" when it is a heading, else "p"."""
    root = _parse(data, name)
    heads = {}
    for el in root.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        heads.setdefault(" ".join("".join(el.itertext()).split()), el.tag)
    return [heads.get(" ".join(block.split()), "p") for block in text.split("\n\n")]


class Template:
    """A registered HTML original from which copies are written."""

    def __init__(self, data: bytes, name: str = "original.html"):
        self.data = data
        self.name = name
        self.text, self.fixed = read(data, name)

    def render(self, edits: Sequence[tuple[int, int, str]], stamp: str | None = None,
               keep: Sequence[tuple[int, int]] | None = None) -> bytes:
        """A copy: the edits applied inside text nodes, the stamp in a meta element; with
        `keep` (spans of the text), only what lies inside them."""
        root = _parse(self.data, self.name)
        marks: dict | None = {} if keep is not None else None
        b = _build(root, marks)
        write_slots(b.slots, edits)
        if marks is not None:
            _keep_only(root, b, marks, keep)
        head = root.find("head")
        if head is None:
            head = etree.Element("head")
            root.insert(0, head)
        for old in head.findall("meta"):
            if old.get("charset") or (old.get("http-equiv") or "").lower() == "content-type" \
                    or old.get("name") == STAMP_META:
                head.remove(old)
        head.insert(0, etree.Element("meta", charset="utf-8"))
        if stamp is not None:
            etree.SubElement(head, "meta", name=STAMP_META, content=stamp)
        return html.tostring(root, doctype="<!DOCTYPE html>", encoding="utf-8", method="html")
