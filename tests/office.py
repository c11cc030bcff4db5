"""Word and HTML originals built for the tests from the sample memo."""

from __future__ import annotations

import re
from pathlib import Path

import docx
from docx.shared import Pt
from samples import MEMO


def memo_blocks() -> list[tuple[str, str]]:
    out = []
    for block in MEMO.strip().split("\n\n"):
        m = re.match(r"^(#+) (.*)$", block)
        out.append((f"h{len(m.group(1))}", m.group(2)) if m else ("p", block))
    return out


def memo_docx(path: Path) -> Path:
    """The memo as a Word file: title and headings by style, paragraphs split into several runs
    (bold and italic words), a table, and a header and footer that copies must keep."""
    d = docx.Document()
    d.styles["Normal"].font.size = Pt(11)
    for kind, text in memo_blocks():
        if kind != "p":
            d.add_heading(text, level=0 if kind == "h1" else int(kind[1]) - 1)
            continue
        p = d.add_paragraph()
        words = text.split(" ")
        # runs of 1-7 words, every third one bold, so that marks must land inside runs
        i, k = 0, 0
        while i < len(words):
            n = 1 + (k * 5) % 7
            run = p.add_run(" ".join(words[i:i + n]) + (" " if i + n < len(words) else ""))
            run.bold = k % 3 == 1
            run.italic = k % 5 == 4
            i, k = i + n, k + 1
    t = d.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "Site", (0, 1): "Move week",
                         (1, 0): "Millbrook", (1, 1): "the second week of the plan"}.items():
        t.cell(r, c).text = text
    d.sections[0].header.paragraphs[0].text = "RESTRICTED: operations leadership group"
    d.sections[0].footer.paragraphs[0].text = "Depot consolidation plan, page footer"
    d.save(path)
    return path


def memo_html(path: Path) -> Path:
    """The memo as an HTML page with inline markup, a list and a code span."""
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>Depot plan</title>",
             "<style>body { font-family: serif }</style></head><body>"]
    for kind, text in memo_blocks():
        text = text.replace("&", "&amp;").replace("<", "&lt;")
        if kind == "p":
            words = text.split(" ")
            text = " ".join(f"<em>{w}</em>" if i % 9 == 4 else w for i, w in enumerate(words))
        parts.append(f"<{kind}>\n  {text}\n</{kind}>")
    parts.append("<p>Run <code>depot-sync --all</code> after the move.</p><script>alert('x')</script>")
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
