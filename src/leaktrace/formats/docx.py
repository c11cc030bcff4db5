"""Word (.docx) files: their text for registration and tracing, and marked copies.

The file is read as what it is, a zip of XML parts, with limits against zip bombs and an XML
parser that resolves no entities and fetches nothing. The text is the body's paragraphs
(tables included, in reading order), one paragraph per block; headers, footers, comments and
deleted tracked changes are not part of it. A copy changes only the text of `w:t` elements
of the body and adds a custom property with the copy's stamp: every other part of the file,
styles, tables, headers, footers, images, is copied byte for byte.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Sequence

from lxml import etree

from ..errors import InputError
from .base import STAMP_PROPERTY, Extracted
from .slots import Slot, extent, joined, offsets, placement
from .slots import write as write_slots

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = {"w": W}
_BODY = "word/document.xml"
_CUSTOM = "docProps/custom.xml"
_CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

MAX_MEMBERS = 5000
MAX_UNCOMPRESSED = 256 * 1024 * 1024     # all parts together
MAX_PART = 64 * 1024 * 1024              # one XML part
MAX_RATIO = 200                          # uncompressed / compressed, per part

# subtrees whose text is not part of the body text
_SKIP = {f"{{{W}}}{t}" for t in ("del", "moveFrom", "txbxContent", "instrText", "delText",
                                  "footnoteReference", "endnoteReference", "commentReference")}
_SKIP |= {"{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback",
          "{http://schemas.openxmlformats.org/drawingml/2006/main}graphic"}
_P, _T, _TAB, _BR, _CR, _NBH = (f"{{{W}}}{t}" for t in ("p", "t", "tab", "br", "cr", "noBreakHyphen"))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=False)


def open_zip(data: bytes, name: str) -> zipfile.ZipFile:
    """The file as a zip, after checking it is one and that unpacking it stays bounded."""
    if not data.startswith(b"PK"):
        raise InputError(f"{name}: is not a .docx file (not a zip archive)")
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError) as e:
        raise InputError(f"{name}: is a damaged .docx file ({e})") from None
    if len(infos) > MAX_MEMBERS:
        raise InputError(f"{name}: has {len(infos)} parts; over the limit of {MAX_MEMBERS}")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_PART or info.file_size > MAX_RATIO * max(info.compress_size, 1024):
            raise InputError(f"{name}: part {info.filename!r} unpacks to {info.file_size:,} bytes "
                             "(a zip bomb?); refused")
    if total > MAX_UNCOMPRESSED:
        raise InputError(f"{name}: unpacks to {total:,} bytes; over the limit of {MAX_UNCOMPRESSED:,}")
    if _BODY not in z.namelist():
        raise InputError(f"{name}: is a zip file but not a Word document (no {_BODY})")
    return z


def _read_xml(z: zipfile.ZipFile, part: str, name: str) -> etree._Element:
    try:
        with z.open(part) as f:
            raw = f.read(MAX_PART + 1)
        return etree.fromstring(raw, _parser())
    except (etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError) as e:
        raise InputError(f"{name}: {part} is not well-formed ({str(e).splitlines()[0][:120]})") from None


def body_slots(root: etree._Element, paragraphs: list | None = None) -> list[Slot]:
    """The body's text as slots: `w:t` texts editable; tabs, breaks, paragraph breaks fixed.
    `paragraphs`, when given, receives (w:p element, first slot, end slot) of every paragraph."""
    body = root.find("w:body", _NS)
    if body is None:
        return []
    out: list[Slot] = []
    for p in body.iter(_P):
        if _inside_skipped(p):
            continue
        para: list[Slot] = []
        _collect(p, para)
        if "".join(s.text for s in para).strip():
            if out:
                out.append(Slot("\n\n", editable=False))
            if paragraphs is not None:
                paragraphs.append((p, len(out), len(out) + len(para)))
            out.extend(para)
        elif paragraphs is not None:
            paragraphs.append((p, len(out), len(out)))
    return out


def _keep_only(root: etree._Element, slots: Sequence[Slot], paragraphs: list,
               keep: Sequence[tuple[int, int]]) -> None:
    """Remove from the body what lies outside the kept spans of its text (a copy of some
    sections): whole paragraphs, tables and images; a table that holds kept text too keeps
    its cells, with the paragraphs outside emptied (a cell must keep a paragraph)."""
    body = root.find("w:body", _NS)
    starts = offsets(slots)
    tops: dict = {}                      # top-level body element -> its paragraphs' text spans
    where: dict = {}                     # paragraph -> placement
    pos = 0
    for p, i, j in paragraphs:
        span = extent(slots, starts, i, j)
        where[p] = placement(keep, span, pos)
        pos = span[1] if span else pos
        top = p
        while top.getparent() is not body:
            top = top.getparent()
        if span is not None:
            tops.setdefault(top, []).append(span)
    pos = 0
    for child in list(body):
        if child.tag == f"{{{W}}}sectPr":
            continue
        spans = tops.get(child, [])
        span = (spans[0][0], spans[-1][1]) if spans else None
        verdict = placement(keep, span, pos)
        pos = span[1] if span else pos
        if verdict == "drop":
            body.remove(child)
        elif verdict == "mixed":
            for p in child.iter(_P):
                if where.get(p) == "drop":
                    for el in list(p):
                        if el.tag != f"{{{W}}}pPr":
                            p.remove(el)


def _inside_skipped(el: etree._Element) -> bool:
    parent = el.getparent()
    while parent is not None:
        if parent.tag in _SKIP:
            return True
        parent = parent.getparent()
    return False


def _collect(el: etree._Element, out: list[Slot]) -> None:
    for child in el:
        tag = child.tag
        if tag in _SKIP or tag == _P:          # nested paragraphs (text boxes) are their own
            continue
        if tag == _T:
            out.append(Slot(child.text or "", write=_writer(child)))
        elif tag == _TAB:
            out.append(Slot("\t", editable=False))
        elif tag in (_BR, _CR):
            out.append(Slot("\n", editable=False))
        elif tag == _NBH:
            out.append(Slot("\u2011", editable=False))
        else:
            _collect(child, out)


def _writer(t: etree._Element):
    def write(text: str) -> None:
        t.text = text
        if text != text.strip() or "  " in text:
            t.set(_XML_SPACE, "preserve")
    return write


def read(data: bytes, name: str) -> tuple[str, list[str]]:
    """The body text of a .docx file, and the copy stamps in its custom properties."""
    z = open_zip(data, name)
    text = joined(body_slots(_read_xml(z, _BODY, name)))
    stamps: list[str] = []
    if _CUSTOM in z.namelist():
        props = _read_xml(z, _CUSTOM, name)
        for prop in props.iter(f"{{{_CUSTOM_NS}}}property"):
            if prop.get("name") == STAMP_PROPERTY:
                stamps.append("".join(prop.itertext()).strip())
    return text, stamps


def extract(data: bytes, name: str) -> Extracted:
    text, stamps = read(data, name)
    if not text.strip():
        raise InputError(f"{name}: the document has no text")
    return Extracted(text, "docx", name, tuple(stamps), (), ("docx",))


class Template:
    """A registered .docx original, parsed once, from which copies are written."""

    def __init__(self, data: bytes, name: str = "original.docx"):
        self.data = data
        z = open_zip(data, name)
        try:
            self.members = [(i, z.read(i.filename)) for i in z.infolist()]
        except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError) as e:
            raise InputError(f"{name}: is a damaged .docx file ({str(e).splitlines()[0][:120]})") from None
        self.body = self._member(_BODY)
        self.text = joined(body_slots(_read_xml(z, _BODY, name)))
        # the parts a copy's stamp is written into: checked when the original is registered,
        # so that `mark` cannot fail on them halfway through
        for part in ("[Content_Types].xml", "_rels/.rels", _CUSTOM):
            if part in z.namelist():
                _read_xml(z, part, name)
            elif part != _CUSTOM:
                raise InputError(f"{name}: is not a complete Word document (it has no {part}); "
                                 "open it in Word and save it again")

    def _member(self, part: str) -> bytes | None:
        return next((d for i, d in self.members if i.filename == part), None)

    def render(self, edits: Sequence[tuple[int, int, str]], stamp: str | None = None,
               keep: Sequence[tuple[int, int]] | None = None) -> bytes:
        """A copy: the body text with the edits applied inside its runs, the stamp in custom.xml;
        with `keep` (spans of the text), only what lies inside them."""
        root = etree.fromstring(self.body, _parser())
        paragraphs: list = []
        slots = body_slots(root, paragraphs)
        write_slots(slots, edits)
        if keep is not None:
            _keep_only(root, slots, paragraphs, keep)
        parts = {_BODY: etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)}
        if stamp is not None:
            parts.update(self._stamp_parts(stamp))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            written = set()
            for info, data in self.members:
                new = parts.get(info.filename)
                z.writestr(info, new if new is not None else data)
                written.add(info.filename)
            for part, data in parts.items():
                if part not in written:
                    z.writestr(part, data)
        return out.getvalue()

    def _stamp_parts(self, stamp: str) -> dict[str, bytes]:
        parts: dict[str, bytes] = {}
        existing = self._member(_CUSTOM)
        props = etree.fromstring(existing, _parser()) if existing else etree.Element(
            f"{{{_CUSTOM_NS}}}Properties", nsmap={None: _CUSTOM_NS, "vt": _VT})
        pids = [int(p.get("pid", "1")) for p in props]
        for p in list(props):
            if p.get("name") == STAMP_PROPERTY:
                props.remove(p)
        prop = etree.SubElement(props, f"{{{_CUSTOM_NS}}}property", {
            "fmtid": "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}", "pid": str(max(pids + [1]) + 1),
            "name": STAMP_PROPERTY})
        etree.SubElement(prop, f"{{{_VT}}}lpwstr").text = stamp
        parts[_CUSTOM] = etree.tostring(props, xml_declaration=True, encoding="UTF-8", standalone=True)
        if existing is None:
            ct = etree.fromstring(self._member("[Content_Types].xml"), _parser())
            etree.SubElement(ct, f"{{{_CT}}}Override", {"PartName": "/" + _CUSTOM, "ContentType": _CUSTOM_TYPE})
            parts["[Content_Types].xml"] = etree.tostring(ct, xml_declaration=True, encoding="UTF-8",
                                                          standalone=True)
            rels = etree.fromstring(self._member("_rels/.rels"), _parser())
            ids = {r.get("Id") for r in rels}
            rid = next(f"rIdLt{n}" for n in range(1, 1000) if f"rIdLt{n}" not in ids)
            etree.SubElement(rels, f"{{{_PKG_REL}}}Relationship", {"Id": rid, "Type": _CUSTOM_REL,
                                                                    "Target": _CUSTOM})
            parts["_rels/.rels"] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
        return parts


def paragraph_kinds(data: bytes, name: str = "document.docx") -> list[str]:
    """For each paragraph of the text: "h1".."h6" for headings and titles, "li" for list items,
    else "p"; used to lay a copy out as a PDF."""
    z = open_zip(data, name)
    body = _read_xml(z, _BODY, name).find("w:body", _NS)
    kinds = []
    for p in ([] if body is None else body.iter(_P)):
        if _inside_skipped(p):
            continue
        para: list[Slot] = []
        _collect(p, para)
        if not "".join(s.text for s in para).strip():
            continue
        style = p.find("w:pPr/w:pStyle", _NS)
        val = (style.get(f"{{{W}}}val") if style is not None else "") or ""
        low = val.lower()
        if low == "title":
            kinds.append("h1")
        elif low.startswith("heading") and low[7:].isdigit():
            kinds.append(f"h{min(6, int(low[7:]) + 1)}")
        elif p.find("w:pPr/w:numPr", _NS) is not None or low.startswith("list"):
            kinds.append("li")
        else:
            kinds.append("p")
    return kinds


def from_markdown(text: str, title: str, stamp: str | None = None) -> bytes:
    """A Word file of a Markdown copy: headings by style (# as Title, ## as Heading 1, ...), lists,
    block quotes, code and tables, bold and italic runs; every character of the copy's text,
    invisible ones included, lands in a `w:t` as the Markdown rendering leaves it (the marks
    stay where they are). Raw HTML in the Markdown is kept as text, never interpreted."""
    import docx as python_docx
    from docx.shared import Pt
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark", {"html": False}).enable("table").parse(text)
    d = python_docx.Document()
    d.core_properties.title = title
    lists: list[str] = []               # "List Bullet" / "List Number", innermost last
    quote = 0
    rows: list[list] | None = None      # the cells (inline tokens) of the table being read
    for k, tok in enumerate(tokens):
        t = tok.type
        if t in ("bullet_list_open", "ordered_list_open"):
            lists.append("List Bullet" if t == "bullet_list_open" else "List Number")
        elif t in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif t == "blockquote_open":
            quote += 1
        elif t == "blockquote_close":
            quote -= 1
        elif t == "table_open":
            rows = []
        elif t == "tr_open" and rows is not None:
            rows.append([])
        elif t == "table_close" and rows:
            table = d.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            for cells, inlines in zip(table.rows, rows):
                for cell, inline in zip(cells.cells, inlines):
                    _runs(cell.paragraphs[0], inline)
            rows = None
        elif t == "inline" and rows is not None:
            rows[-1].append(tok)
        elif t == "inline":
            opener = tokens[k - 1]
            if opener.type == "heading_open":
                level = int(opener.tag[1])
                p = d.add_heading("", level=0 if level == 1 else level - 1)
            else:
                p = d.add_paragraph(style=lists[-1] if lists else "Quote" if quote else None)
            _runs(p, tok)
        elif t in ("fence", "code_block"):
            p = d.add_paragraph()
            lines = tok.content.rstrip("\n").split("\n")
            for i, line in enumerate(lines):
                run = p.add_run(line)
                run.font.name, run.font.size = "Courier New", Pt(9.5)
                if i < len(lines) - 1:
                    run.add_break()
    out = io.BytesIO()
    d.save(out)
    data = out.getvalue()
    return Template(data).render((), stamp) if stamp is not None else data


def _runs(p, inline) -> None:
    """The inline tokens of one Markdown block as runs of a Word paragraph."""
    bold = italic = 0
    for c in inline.children or ():
        if c.type == "strong_open":
            bold += 1
        elif c.type == "strong_close":
            bold -= 1
        elif c.type == "em_open":
            italic += 1
        elif c.type == "em_close":
            italic -= 1
        elif c.type in ("text", "code_inline", "html_inline"):
            run = p.add_run(c.content)
            run.bold, run.italic = bool(bold) or None, bool(italic) or None
        elif c.type == "softbreak":
            p.add_run(" ")
        elif c.type == "hardbreak":
            p.add_run().add_break()
        elif c.type == "image":
            p.add_run(c.content)
