"""Named sections of a document: by default its headings.

A section runs from its heading to the next heading of the same or a higher level. The level
that splits is the highest one that occurs at least twice (in a memo with one title and
several `##` headings, the `##` level); text before the first such heading is the section
"Preamble". Recipients of different compartments can receive different sections, and the
sections a leak touches narrow who could have seen it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import InputError

PREAMBLE = "Preamble"
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")


@dataclass(frozen=True)
class Section:
    index: int
    name: str
    start: int   # offsets in the document's base text
    end: int

    def to_json(self) -> dict:
        return {"index": self.index, "name": self.name, "start": self.start, "end": self.end}


def headings(text: str, fmt: str, kinds: Sequence[str] | None = None) -> list[tuple[int, int, str]]:
    """(offset, level, title) of every heading: Markdown `#` lines, or for structured formats
    the paragraphs whose kind (from the file's styles or tags) is h1..h6."""
    out = []
    pos = 0
    blocks = text.split("\n\n")
    for i, block in enumerate(blocks):
        first = block.strip("\n")
        lead = len(block) - len(block.lstrip("\n"))
        if kinds is not None:
            if i < len(kinds) and kinds[i].startswith("h") and first.strip():
                out.append((pos + lead, int(kinds[i][1]), " ".join(first.split())))
        elif fmt == "md":
            line = first.split("\n", 1)[0]
            m = _MD_HEADING.match(line)
            if m:
                out.append((pos + lead, len(m.group(1)), m.group(2).strip()))
        pos += len(block) + 2
    return out


def split(text: str, found: Sequence[tuple[int, int, str]]) -> list[Section]:
    """Sections of a text (its base text) from its headings; one section when there are none."""
    if not found:
        return [Section(0, PREAMBLE, 0, len(text))]
    counts = Counter(level for _, level, _ in found)
    level = min((lv for lv, n in counts.items() if n >= 2), default=min(counts))
    # a title above the splitting level at the very top belongs to the preamble
    cuts = [(off, title) for off, lv, title in found if lv == level or (lv < level and off > 0)]
    out: list[Section] = []
    if not cuts or cuts[0][0] > 0:
        first = cuts[0][0] if cuts else len(text)
        if text[:first].strip():
            out.append(Section(0, PREAMBLE, 0, first))
    seen: Counter[str] = Counter()
    for k, (off, title) in enumerate(cuts):
        end = cuts[k + 1][0] if k + 1 < len(cuts) else len(text)
        seen[title] += 1
        name = title if seen[title] == 1 else f"{title} ({seen[title]})"
        out.append(Section(len(out), name, off, end))
    return out


def select(sections: Sequence[Section], names: str | Sequence[str] | None) -> list[Section] | None:
    """The sections named (comma-separated or a list; case-insensitive), or None for all."""
    if names is None:
        return None
    wanted = [n.strip() for n in (names.split(",") if isinstance(names, str) else names) if n.strip()]
    if not wanted:
        raise InputError("no section named; `leaktrace doc sections DOC` lists them")
    by_name = {s.name.casefold(): s for s in sections}
    out = []
    for n in wanted:
        s = by_name.get(n.casefold())
        if s is None:
            known = ", ".join(repr(s.name) for s in sections)
            raise InputError(f"no section {n!r} in this document; its sections are {known}")
        if s not in out:
            out.append(s)
    return sorted(out, key=lambda s: s.index)


def touched(sections: Sequence[Section], spans: Sequence[tuple[int, int]]) -> list[Section]:
    """The sections that the given document spans overlap."""
    return [s for s in sections if any(a < s.end and b > s.start for a, b in spans)]
