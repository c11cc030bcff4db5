"""PDF copies of a whole document written from one layout: WeasyPrint lays the document out
once, and each copy is that layout with its own variants written into the content streams.

Laying out every copy again costs about a second a copy; writing one into a laid-out page is a
matter of milliseconds. The template is rendered with every place that varies between copies
in a span of its own, so that each becomes one text object (BT … ET) with its own text matrix:
a *group* (a text site's span widened to the word it touches, or several sites that touch one
another) and every word of the layout channel. The body of the document is laid out once more
for every other variant a group can show (pages after the first copy of the body, later cut
from the page tree), which gives each variant's glyphs as Pango shaped them in the same font
and context, its width, and fonts whose subsets, widths and ToUnicode maps hold every glyph any
copy needs.

A copy then takes each group's glyphs from the layout of its variant, moves what follows on the
same line by the difference in width (the text is ragged-right; a line that would pass the
right edge of its block has its spaces narrowed, evenly, which keeps a shifted word's gaps
symmetric), moves each layout word half a point left or right as marks/layout.py says, and is
written as a new file holding only the objects its pages use: no earlier revision, no other
variant's text. Line and page breaks are those of the unmarked document, the same in every
copy. Where a layout cannot be used (`Unavailable`), or a copy would not fit it (`write`
returns None), the copy is laid out on its own as before (formats.pdfwrite).
"""

from __future__ import annotations

import hashlib
import re
import threading
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..marks.layout import SHIFT_PT
from ..marks.sites import Channel, Site

PX_PT = 0.75                      # WeasyPrint's content streams are in CSS px: 0.75 pt
SHIFT_PX = SHIFT_PT / PX_PT
MAX_LAYOUTS = 16                  # layouts of the body at most (the later ones hold only the blocks that need them)
DEFLATE_LEVEL = 1                 # content streams: fast, about 4:1 on text

# private-use characters: where a group or a layout word starts (followed by its number in
# hexadecimal digits and _MID) and ends; the original must hold none of them
_OPEN, _MID, _CLOSE = "\ue003", "\ue004", "\ue005"
_DIGITS = "".join(chr(0xE010 + k) for k in range(16))
_PRIVATE = re.compile("[\ue000-\ue0ff]")
_MARKED = re.compile(f"{_OPEN}([{_DIGITS}]+){_MID}([^<>{_OPEN}{_MID}{_CLOSE}]*){_CLOSE}")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u2060\ufeff"))
_WORD = re.compile(r"[\w'’\-‐.,;:!?%]")
_SPACE = re.compile(r"\s+")

CSS = """
.lt-g { white-space: nowrap; }
.lt-rep { break-before: page; }
.lt-rep h1, .lt-rep h2, .lt-rep h3, .lt-rep h4, .lt-rep h5, .lt-rep h6 { bookmark-level: none; }
"""


class Unavailable(Exception):
    """Why a document's PDF copies cannot be written from one layout (each is laid out anew)."""


@dataclass(frozen=True)
class _Group:
    start: int                        # the span of the base text it covers
    end: int
    sites: tuple[int, ...]            # the sites whose variants show in it (mixed radix, first slowest)
    radix: tuple[int, ...]            # their numbers of variants
    texts: tuple[str, ...]            # its text under each combination of their variants
    order: tuple[int, ...] = (0,)     # the combinations by the layout that shows them: the widest first
    layout: bool = False              # a word of the layout channel (moved, never rewritten)


def _shown(text: str) -> str:
    return _SPACE.sub(" ", text.translate(_ZERO_WIDTH))


def groups(base: str, sites: Sequence[Site]) -> list[_Group]:
    """The places where copies differ on a page: every layout word, and every text site whose
    variants look different on a page (two spaces after a full stop collapse into one, a
    zero-width character shows nothing), its spans widened to the word they touch (an inserted
    word gets its neighbour; a spaced dash its two words) so that no variant is an empty text
    object or a space at the edge of one; spans that then touch or overlap make one group."""
    spans: list[tuple[int, int, int]] = []
    out: list[_Group] = []
    for i, site in enumerate(sites):
        if site.channel is Channel.LAYOUT:
            (s, e), = site.spans
            out.append(_Group(s, e, (i,), (1,), (base[s:e],), layout=True))
            continue
        if all(len({_shown(v[k]) for v in site.variants}) == 1 for k in range(len(site.spans))):
            continue
        for s, e in site.spans:
            while s > 0 and _WORD.match(base[s - 1]):
                s -= 1
            while e < len(base) and _WORD.match(base[e]):
                e += 1
            spans.append((s, e, i))
    spans.sort()
    merged: list[list] = []
    for s, e, i in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
            merged[-1][2].append(i)
        else:
            merged.append([s, e, [i]])
    layout_at = [(g.start, g.end) for g in out]
    for s, e, members in merged:
        if any(a < e and s < b for a, b in layout_at):
            raise Unavailable("a layout word touches a text site")
        members = list(dict.fromkeys(members))
        radix = tuple(sites[i].q for i in members)
        if int(np.prod(radix)) > 4 * MAX_LAYOUTS:
            raise Unavailable(f"{int(np.prod(radix))} variants of one place")
        texts = []
        for combo in np.ndindex(*radix):
            edits = sorted((a, b, sites[i].variants[v][k]) for i, v in zip(members, combo)
                           for k, (a, b) in enumerate(sites[i].spans) if s <= a and b <= e)
            text, pos = [], s
            for a, b, rep in edits:
                text.append(base[pos:a])
                text.append(rep)
                pos = b
            text.append(base[pos:e])
            texts.append("".join(text))
        if any(not _shown(t).strip() for t in texts):
            raise Unavailable("a variant that shows nothing")
        # the widest first; past MAX_LAYOUTS, a copy showing one of the others is laid out on its own
        order = tuple(sorted(range(len(texts)), key=lambda c: -_estimate(texts[c])))[:MAX_LAYOUTS]
        out.append(_Group(s, e, tuple(members), radix, tuple(texts), order))
    out.sort(key=lambda g: g.start)
    for a, b in zip(out, out[1:]):
        if b.start < a.end:
            raise Unavailable("overlapping places")
    return out


def _estimate(text: str) -> float:
    """A text's width in the body font, in em, to lay out each place with its widest variant:
    a copy's lines can then only end earlier than the template's, never pass the margin."""
    from ..marks.layout import metrics

    m = metrics()
    shown = _shown(text)
    if m is None:
        return float(len(shown))
    return sum(0.318 if ch == " " else m.of(ch)[0] for ch in shown)


def _number(k: int) -> str:
    return "".join(_DIGITS[int(d, 16)] for d in f"{k:x}")


def _marked_text(base: str, places: Sequence[_Group], layout: int | None) -> str:
    """The base text with every place marked, showing the variants of one layout of the body
    (None: the original's)."""
    out, pos = [], 0
    for k, g in enumerate(places):
        out.append(base[pos:g.start])
        text = g.texts[0 if layout is None else g.order[min(layout, len(g.order) - 1)]]
        out.append(f"{_OPEN}{_number(k)}{_MID}{text}{_CLOSE}")
        pos = g.end
    out.append(base[pos:])
    return "".join(out).translate(_ZERO_WIDTH)


def _spans(html: str, layout: int) -> str:
    return _MARKED.sub(lambda m: f'<span class="lt-g" data-lt="{layout}.'
                                 f'{"".join("%x" % _DIGITS.index(c) for c in m.group(1))}">{m.group(2)}</span>',
                       html)


def _needed(html: str, places: Sequence[_Group], layout: int) -> str:
    """Of a later layout of the body, the top-level blocks that show a variant no earlier layout
    showed: each whole, so that its places are set in the same fonts as in the first layout."""
    from lxml import html as lhtml

    want = {f"{layout}.{g:x}" for g, p in enumerate(places) if not p.layout and len(p.order) > layout}
    out = []
    for block in lhtml.fragments_fromstring(html):
        if isinstance(block, str):
            continue
        if any(el.get("data-lt") in want for el in block.iter("span")):
            out.append(lhtml.tostring(block, encoding="unicode"))
    return "\n".join(out)


# ---------------------------------------------------------------------------- capturing a layout

class _Drawn:
    """What WeasyPrint drew for one text box: its operators, kept apart in the content stream."""

    def __init__(self, ops: list, box):
        self.ops = ops
        self.box = box

    @property
    def data(self) -> bytes:
        return b"\n".join(_bytes(op) for op in self.ops)


def _bytes(item) -> bytes:
    if isinstance(item, bytes):
        return item
    if isinstance(item, float):
        return str(int(item)).encode() if item.is_integer() else f"{item:f}".rstrip("0").encode()
    if hasattr(item, "data"):
        return item.data
    return str(item).encode("ascii")


_HOOK = threading.Lock()


def _render(html: str, stylesheet: str, fetcher) -> tuple:
    """Lay the page out and draw it, keeping each text box's operators apart; returns the
    document (its boxes) and the PDF objects just before WeasyPrint would write them."""
    import pydyf
    import weasyprint.draw as draw
    from weasyprint import CSS as WCSS
    from weasyprint import HTML

    document = HTML(string=html, url_fetcher=fetcher).render(stylesheets=[WCSS(string=stylesheet)])
    wanted: set[int] = set()
    for page in document.pages:
        for box in page._page_box.descendants():
            if type(box).__name__ == "TextBox":
                wanted.add(id(box))
    original = draw.draw_text

    class Drawn(_Drawn, pydyf.Object):
        pass

    def draw_text(stream, textbox, *args, **kwargs):
        if id(textbox) not in wanted:
            return original(stream, textbox, *args, **kwargs)
        if stream.stream and stream.stream[-1] == b"ET":
            stream.stream.append(Drawn([], None))     # no text object continues into this one
        start = len(stream.stream)
        original(stream, textbox, *args, **kwargs)
        ops = stream.stream[start:]
        del stream.stream[start:]
        stream.stream.append(Drawn(ops, textbox))

    captured = {}

    class _Done(Exception):
        pass

    def finisher(doc, pdf):
        captured["pdf"] = pdf
        raise _Done

    with _HOOK:
        if getattr(draw, "draw_text", None) is not original or not callable(original):
            raise Unavailable("this WeasyPrint draws text differently")
        draw.draw_text = draw_text
        try:
            document.write_pdf(finisher=finisher)
        except _Done:
            pass
        finally:
            draw.draw_text = original
    if "pdf" not in captured:
        raise Unavailable("WeasyPrint did not hand over the PDF")
    return document, captured["pdf"], Drawn


_REF = re.compile(rb"(\d+) 0 R")
_TM = re.compile(rb"^(\S+ \S+ \S+ \S+ )(\S+)( \S+ Tm)$")
_PATH_OPS = (b" m", b" l", b" re", b" c", b" v", b" y")
_LINE_OP = re.compile(rb"^(-?[\d.]+) (-?[\d.]+) ([ml])$")


def _moved(op: bytes, dx: float, grow: float) -> bytes:
    """A path operator of a text box's lines, moved by dx (a line's end also by `grow`)."""
    m = _LINE_OP.match(op)
    if m is None:
        return op
    x = float(m.group(1)) + dx + (grow if m.group(3) == b"l" else 0.0)
    return b"%.6f %s %s" % (x, m.group(2), m.group(3))


@dataclass
class _Slot:
    """One text box of the template's pages: where it is in its stream and how to rewrite it."""

    stream: int          # object number of its content stream
    part: int            # index among the stream's parts
    line: int            # index of its line
    x: float             # its text matrix's x, in px
    head: bytes          # operators up to the text matrix's x
    tail: bytes          # the text matrix's y and Tm
    body: bytes          # operators after the text matrix, to the end of the text object
    post: bytes          # the end of the text object and what is drawn after it
    movable: bool        # nothing drawn with it but text and lines (underlines), which move with it
    drawn: tuple[list[bytes], list[bytes]] | None = None   # its operators before and after, with lines

    def rewrite(self, x: float, body: bytes, grow: float = 0.0) -> bytes:
        """The box with its text at x and `body` for text, its lines moved along (and lengthened
        by `grow`, the change in its width)."""
        if self.drawn is None:
            return b"".join((self.head, b"%.6f" % x, self.tail, b"\n", body, b"\n", self.post))
        dx = x - self.x
        pre, post = ([_moved(op, dx, grow) for op in ops] for ops in self.drawn)
        return b"\n".join(pre + [self.head.rsplit(b"\n", 1)[-1] + b"%.6f" % x + self.tail, body] + post)


@dataclass
class _Line:
    slots: list[int]
    right: float         # where its text ends in the template, in px
    limit: float         # the right edge of its block's content, in px
    align: float | None  # share of a width change the line's start takes back (None: justified)
    spaces: int          # spaces between its words (for narrowing a crowded line)


class PdfTemplate:
    """One document laid out once; `write` gives a copy for one codeword."""

    def __init__(self, base: str, sites: Sequence[Site], body_for: Callable[[str], str],
                 page_for: Callable[[str], str], stylesheet: str, fetcher):
        if _PRIVATE.search(base):
            raise Unavailable("the text holds private-use characters")
        self.sites = list(sites)
        self.places = groups(base, sites)
        plain = body_for(base.translate(_ZERO_WIDTH))
        layouts = max([len(g.texts) for g in self.places if not g.layout] or [1])
        unmarked = dict.fromkeys(map(ord, _OPEN + _MID + _CLOSE + _DIGITS))
        if body_for(_marked_text(base, self.places, None)).translate(unmarked) != plain:
            raise Unavailable("marking the places changes how the text is read")
        bodies = []
        for k in range(layouts):
            marked = body_for(_marked_text(base, self.places, k))
            html = _spans(marked, k)
            if _PRIVATE.search(html):
                raise Unavailable("a place crosses the markup")
            bodies.append(html if k == 0 else f'<div class="lt-rep">{_needed(html, self.places, k)}</div>')
        document, pdf, drawn_type = _render(page_for("".join(bodies)), stylesheet + CSS, fetcher)
        self._capture(document, pdf, drawn_type, layouts)

    # -- building

    def _capture(self, document, pdf, drawn_type, layouts: int) -> None:
        from weasyprint.formatting_structure import boxes

        n_places = len(self.places)
        found: dict[tuple[int, int], object] = {}        # (layout, place) -> text box
        lines: dict[int, tuple] = {}                     # id(line box) -> (line box, block)
        line_of: dict[int, int] = {}
        block_of: dict[int, object] = {}                # id(text box) -> its block
        texts_of: dict[int, list] = {}                   # id(block) -> its text boxes
        first_rep = None

        def walk(box, block, line, page):
            nonlocal first_rep
            if isinstance(box, boxes.LineBox):
                line = box
                lines.setdefault(id(box), (box, block))
            elif isinstance(box, boxes.BlockContainerBox):
                block = box
            el = box.element
            if (isinstance(box, boxes.BlockBox) and el is not None and hasattr(el, "get")
                    and el.get("class") == "lt-rep" and first_rep is None):
                first_rep = page
            if isinstance(box, boxes.TextBox):
                if line is not None:
                    line_of[id(box)] = id(line)
                block_of[id(box)] = block
                texts_of.setdefault(id(block), []).append(box)
                if el is not None and hasattr(el, "get") and el.get("class") == "lt-g" and el.get("data-lt"):
                    k, g = (int(x, 16) for x in el.get("data-lt").split("."))
                    if (k, g) in found:
                        raise Unavailable("a place broken over two lines")
                    found[(k, g)] = box
            for child in getattr(box, "children", ()):
                walk(child, block, line, page)

        for p, page in enumerate(document.pages):
            walk(page._page_box, None, None, p)
        n0 = first_rep if first_rep is not None else len(document.pages)
        if n0 == 0:
            raise Unavailable("nothing on the first page")

        # the text boxes' operators, per stream object
        drawn_at: dict[int, tuple[int, int]] = {}        # id(text box) -> (stream number, item index)
        for obj in pdf.objects:
            items = getattr(obj, "stream", None)
            if isinstance(items, list):
                for j, item in enumerate(items):
                    if isinstance(item, drawn_type) and item.box is not None:
                        drawn_at[id(item.box)] = (obj.number, j)

        def ops_of(box):
            where = drawn_at.get(id(box))
            if where is None:
                raise Unavailable("a text box not found in the content streams")
            return pdf.objects[where[0]].stream[where[1]].ops

        # every place's glyphs and width under every variant it needs
        self.width = np.zeros((layouts, n_places))
        self.bodies: list[list[bytes | None]] = [[None] * n_places for _ in range(layouts)]
        for g, place in enumerate(self.places):
            for k in range(1 if place.layout else len(place.texts)):
                box = found.get((k, g))
                if box is None:
                    raise Unavailable("a place that is not drawn")
                want = _shown(place.texts[place.order[k]]).strip()
                if " ".join(box.text.split()) != want:
                    raise Unavailable("a place drawn in pieces")
                if k and want.endswith(" ") != box.text.endswith(" "):
                    continue
                _, _, body, _ = _split(ops_of(box))
                self.bodies[k][g] = body
                self.width[k, g] = box.width

        # the pages kept: the first layout of the body
        kids = pdf.pages["Kids"]
        page_numbers = [kids[i] for i in range(0, len(kids), 3)]
        if len(page_numbers) != len(document.pages):
            raise Unavailable("pages and page objects differ")
        pdf.pages["Kids"] = type(kids)([x for n in page_numbers[:n0] for x in (n, 0, "R")])
        pdf.pages["Count"] = n0

        # the objects a copy holds: those reachable from the catalog
        data: dict[int, bytes] = {}
        refs: dict[int, list[int]] = {}
        for obj in pdf.objects[1:]:
            if obj.free == "f":
                continue
            items = getattr(obj, "stream", None)
            head = _dict_bytes(obj.extra) if isinstance(items, list) else obj.data
            refs[obj.number] = [int(m.group(1)) for m in _REF.finditer(head)]
        reach, todo = set(), [pdf.catalog.number]
        while todo:
            n = todo.pop()
            if n in reach or n not in refs:
                continue
            reach.add(n)
            todo.extend(refs[n])
        self.catalog = pdf.catalog.number
        self.size = len(pdf.objects) + 1                 # the last number is the information dictionary
        self.info = dict(pdf.info)

        # streams with text boxes are written per copy; everything else once
        self.slots: list[_Slot] = []
        self.lines: list[_Line] = []
        self.streams: dict[int, tuple[bytes, list[bytes]]] = {}
        self.static: dict[int, bytes] = {}
        line_index: dict[int, int] = {}
        slot_of_box: dict[int, int] = {}
        for n in sorted(reach):
            obj = pdf.objects[n]
            items = getattr(obj, "stream", None)
            if not (isinstance(items, list) and any(isinstance(i, drawn_type) for i in items)):
                self.static[n] = obj.indirect + b"\n"
                continue
            parts: list[bytes] = []
            run: list[bytes] = []
            for item in items:
                if not isinstance(item, drawn_type):
                    run.append(_bytes(item))
                    continue
                if item.box is None:
                    continue
                if not any(_bytes(op).endswith(b" Tm") for op in item.ops):
                    run.append(item.data)          # a box with nothing to draw
                    continue
                if run:
                    parts.append(b"\n".join(run))
                    run = []
                box = item.box
                pre, tm, body, post = _split(item.ops)
                m = _TM.match(tm)
                if m is None:
                    raise Unavailable("a text matrix leaktrace cannot read")
                lid = line_of.get(id(box))
                if lid is None:
                    raise Unavailable("a text box outside any line")
                if lid not in line_index:
                    line_box, block = lines[lid]
                    line_index[lid] = len(self.lines)
                    self.lines.append(_Line([], 0.0, _limit(block), _align(block), 0))
                line = self.lines[line_index[lid]]
                line.slots.append(len(self.slots))
                line.right = max(line.right, box.position_x + box.width)
                line.spaces += box.text.count(" ")
                lines_drawn = any(op.endswith((b" m", b" l")) for op in pre + post)
                moves = not any(op.endswith(_PATH_OPS) and not _LINE_OP.match(op) for op in pre + post)
                slot_of_box[id(box)] = len(self.slots)
                self.slots.append(_Slot(n, len(parts), line_index[lid], float(m.group(2)),
                                        b"\n".join(pre + [m.group(1)]), m.group(3), body,
                                        b"\n".join(post), moves, (pre, post) if lines_drawn else None))
                parts.append(b"\n".join(pre + [tm, body] + post))
            if run:
                parts.append(b"\n".join(run))
            self.streams[n] = (_dict_bytes(obj.extra), parts)
        for line in self.lines:
            line.limit = max(line.limit, line.right)
        self.place_slot = []
        for g, place in enumerate(self.places):
            box = found[(0, g)]
            s = slot_of_box.get(id(box))
            if s is None:
                raise Unavailable("a place outside the kept pages")
            self.place_slot.append(s)
        if any(n not in reach for n in self.streams):
            raise Unavailable("a content stream outside the pages")
        self._bookmarks(pdf, reach, found, block_of, texts_of, line_of)
        # a layout word moved left and moved right, on a line whose text keeps its width
        self.word_at = {s: tuple(self.slots[s].rewrite(self.slots[s].x + d, self.slots[s].body) for d in (-SHIFT_PX, SHIFT_PX))
                        for g, s in enumerate(self.place_slot) if self.places[g].layout}

    def _bookmarks(self, pdf, reach, found, block_of, texts_of, line_of) -> None:
        """A heading's bookmark shows its text: where a place lies in a bookmarked heading, the
        bookmark's title is written per copy with the copy's variants."""
        import pydyf

        headings: list[tuple[str, list[int]]] = []      # (title in the template, its places)
        seen: set[int] = set()
        inside = {id(found[(0, h)]): h for h in range(len(self.places)) if not self.places[h].layout}
        for g, place in enumerate(self.places):
            if place.layout:
                continue
            block = block_of.get(id(found[(0, g)]))
            if block is None or block.style["bookmark_level"] == "none" or id(block) in seen:
                continue
            seen.add(id(block))
            boxes_ = texts_of[id(block)]
            text = "".join((" " if k and line_of.get(id(b)) != line_of.get(id(boxes_[k - 1])) else "") + b.text
                           for k, b in enumerate(boxes_))
            headings.append((" ".join(text.split()),
                             [inside[id(b)] for b in boxes_ if id(b) in inside]))
        self.titles: dict[int, tuple[dict, str, list[int]]] = {}
        if not headings:
            return
        items = [pdf.objects[n] for n in sorted(reach)
                 if isinstance(pdf.objects[n], dict) and "Title" in pdf.objects[n] and "Parent" in pdf.objects[n]]
        taken: set[int] = set()
        for title, places in headings:
            item = next((o for o in items if o.number not in taken and hasattr(o["Title"], "string")
                         and " ".join(o["Title"].string.split()) == title), None)
            if item is None:
                raise Unavailable("a heading with a variant and no bookmark of its text")
            taken.add(item.number)
            self.titles[item.number] = (pydyf.Dictionary(item), title, places)
            self.static.pop(item.number, None)

    def _title(self, n: int, chosen: dict[int, int]) -> bytes:
        """A bookmark's object with the copy's variants in its title."""
        import pydyf

        item, title, places = self.titles[n]
        out, pos = [], 0
        for g in places:
            place = self.places[g]
            was = " ".join(_shown(place.texts[place.order[0]]).split())
            at = title.find(was, pos)
            if at < 0:
                continue
            out.append(title[pos:at])
            out.append(" ".join(_shown(place.texts[place.order[chosen.get(g, 0)]]).split()))
            pos = at + len(was)
        out.append(title[pos:])
        copy = pydyf.Dictionary(item)
        copy["Title"] = pydyf.String("".join(out))
        return f"{n} 0 obj\n".encode() + copy.data + b"\nendobj\n"

    # -- writing a copy

    def write(self, codeword: np.ndarray, stamp: str | None = None, *, moved: bool = True) -> bytes | None:
        """The copy of one codeword (variant per site, as the copy carries them), or None when
        its variants do not fit the layout (the caller lays that copy out on its own).
        moved=False leaves the layout words where the template has them (for comparisons)."""
        cw = np.asarray(codeword)
        parts = {n: list(p) for n, (_, p) in self.streams.items()}
        shift: dict[int, float] = {}          # slot -> px moved, on lines whose text changed width
        body: dict[int, bytes] = {}
        grow: dict[int, list[tuple[int, float]]] = {}   # line -> (slot, width change)
        wider: dict[int, float] = {}
        chosen: dict[int, int] = {}                     # place -> the layout that shows its variant
        words: dict[int, int] = {}                      # slot of a layout word -> its variant
        for g, place in enumerate(self.places):
            s = self.place_slot[g]
            if place.layout:
                if moved:
                    words[s] = int(cw[place.sites[0]])
                continue
            combo = 0
            for i, q in zip(place.sites, place.radix):
                combo = combo * q + int(cw[i])
            if combo not in place.order:
                return None
            k = place.order.index(combo)
            if k == 0:
                continue
            chosen[g] = k
            new = self.bodies[k][g]
            if new is None:
                return None
            body[s] = new
            d = self.width[k, g] - self.width[0, g]
            if abs(d) > 1e-6:
                grow.setdefault(self.slots[s].line, []).append((s, d))
                wider[s] = d
        for li, changes in grow.items():
            line = self.lines[li]
            total = sum(d for _, d in changes)
            if line.align is None:
                return None             # justified: the spaces would have to change
            if line.right + total * (1 - line.align) - line.limit > 0.01:
                return None             # past the margin (the template's variant was not the widest)
            at = dict(changes)
            move = -total * line.align
            for s in line.slots:
                if move:
                    if not self.slots[s].movable:
                        return None
                    shift[s] = move
                move += at.get(s, 0.0)
        for s, v in words.items():
            if s not in shift and s not in body:
                slot = self.slots[s]
                parts[slot.stream][slot.part] = self.word_at[s][v]
            else:
                shift[s] = shift.get(s, 0.0) + (SHIFT_PX if v else -SHIFT_PX)
        for s in set(shift) | set(body):
            slot = self.slots[s]
            parts[slot.stream][slot.part] = slot.rewrite(slot.x + shift.get(s, 0.0), body.get(s, slot.body),
                                                         wider.get(s, 0.0))
        titles = {n: self._title(n, chosen) for n in self.titles}
        return self._file(parts, titles, stamp)

    def _file(self, parts: dict[int, list[bytes]], titles: dict[int, bytes], stamp: str | None) -> bytes:
        import pydyf

        out = [b"%PDF-1.7\n%\xf0\x9f\x96\xa4\n"]
        pos = len(out[0])
        offsets: dict[int, int] = {}
        digest = hashlib.md5()
        for n in range(1, self.size - 1):
            if n in self.static:
                chunk = self.static[n]
            elif n in titles:
                chunk = titles[n]
            elif n in parts:
                extra, _ = self.streams[n]
                content = zlib.compress(b"\n".join(parts[n]), DEFLATE_LEVEL)
                digest.update(content)
                chunk = b"".join((f"{n} 0 obj\n".encode(), extra[:-2], b"/Filter /FlateDecode/Length ",
                                  str(len(content)).encode(), b">>\nstream\n", content, b"\nendstream\nendobj\n"))
            else:
                continue
            offsets[n] = pos
            out.append(chunk)
            pos += len(chunk)
        info = pydyf.Dictionary(self.info)
        if stamp is not None:
            from .base import STAMP_PDF_KEY

            info[STAMP_PDF_KEY.lstrip("/")] = pydyf.String(stamp)
        info_n = self.size - 1
        chunk = f"{info_n} 0 obj\n".encode() + info.data + b"\nendobj\n"
        digest.update(chunk)
        offsets[info_n] = pos
        out.append(chunk)
        pos += len(chunk)
        xref = [f"xref\n0 {self.size}\n".encode()]
        free = [n for n in range(1, self.size) if n not in offsets]
        chain = dict(zip([0, *free], [*free, 0]))
        for n in range(self.size):
            if n in offsets:
                xref.append(b"%010d 00000 n \n" % offsets[n])
            else:
                xref.append(b"%010d %05d f \n" % (chain[n], 65535 if n == 0 else 0))
        ident = digest.hexdigest().encode()
        out.extend(xref)
        out.append(b"trailer\n<</Size %d/Root %d 0 R/Info %d 0 R/ID [<%s><%s>]>>\nstartxref\n%d\n%%%%EOF\n"
                   % (self.size, self.catalog, info_n, ident, ident, pos))
        return b"".join(out)


def _dict_bytes(extra: dict) -> bytes:
    import pydyf

    return pydyf.Dictionary({k: v for k, v in extra.items() if k not in ("Length", "Filter")}).data


def _split(ops: list) -> tuple[list[bytes], bytes, bytes, list[bytes]]:
    """A text box's operators: before its text matrix, the matrix, the text (fonts and glyphs)
    up to the end of the text object, and from there on."""
    ops = [_bytes(op) for op in ops]
    tm = next((i for i, op in enumerate(ops) if op.endswith(b" Tm")), None)
    et = max((i for i, op in enumerate(ops) if op == b"ET"), default=None)
    if tm is None or et is None or et < tm:
        raise Unavailable("a text box without a text object")
    return ops[:tm], ops[tm], b"\n".join(ops[tm + 1:et]), ops[et:]


def _limit(block) -> float:
    return block.content_box_x() + block.width if block is not None else float("inf")


def _align(block) -> float | None:
    if block is None:
        return 0.0
    align = block.style["text_align_all"]
    rtl = block.style["direction"] == "rtl"
    if align in ("left", "start") and not rtl or align == "end" and rtl:
        return 0.0
    if align == "center":
        return 0.5
    if align in ("right", "end", "start"):
        return 1.0
    return None
