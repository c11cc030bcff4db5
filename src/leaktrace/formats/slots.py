"""Text held in pieces of a structured file, and marks applied to those pieces.

A DOCX paragraph keeps its text in runs, an HTML page in text nodes. A format lists those
pieces in reading order as slots: editable ones (a run's text) and fixed ones (a paragraph
break, a tab). The document's text is the slots joined; a copy's edits, given in that text's
offsets, land inside the editable slots, so runs, styles and markup stay as they were.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..errors import MarkingError


@dataclass
class Slot:
    text: str
    editable: bool = True
    # called with the slot's new text when a copy is written; None for fixed slots
    write: Callable[[str], None] | None = field(default=None, repr=False)


def joined(slots: Sequence[Slot]) -> str:
    return "".join(s.text for s in slots)


def apply(slots: Sequence[Slot], edits: Sequence[tuple[int, int, str]]) -> list[str]:
    """The new text of every slot after the edits (sorted, disjoint, in joined-text offsets).

    An edit lands in the editable slot where it starts (an insertion at a boundary goes to the
    end of the slot before it when that one is editable); the text it replaces in later slots
    is removed from them. An edit that would have to change a fixed slot is refused.
    """
    starts, pos = [], 0
    for s in slots:
        starts.append(pos)
        pos += len(s.text)
    new = [[s.text] for s in slots]        # pieces per slot, rebuilt from the right
    for s, e, rep in sorted(edits, reverse=True):
        i = _slot_at(starts, slots, s, insertion=(s == e))
        j = i
        while j + 1 < len(slots) and starts[j + 1] < e:
            j += 1
        for k in range(i, j + 1):
            if not slots[k].editable and (s < starts[k] + len(slots[k].text) and e > starts[k]):
                raise MarkingError("a mark would change a paragraph break or a tab; "
                                   "this document cannot be marked in its own format")
        # last slot first, so that offsets in earlier slots stay valid
        for k in range(j, i, -1):
            cut = e - starts[k]
            new[k] = [_text(new[k])[cut:]]
        head = _text(new[i])
        a = s - starts[i]
        b = min(e, starts[i] + len(slots[i].text)) - starts[i]
        new[i] = [head[:a], rep, head[b:]]
    return [_text(p) for p in new]


def write(slots: Sequence[Slot], edits: Sequence[tuple[int, int, str]]) -> None:
    """Apply the edits and hand every changed slot its new text."""
    for slot, text in zip(slots, apply(slots, edits)):
        if text != slot.text:
            assert slot.write is not None
            slot.write(text)


def _text(pieces: list[str]) -> str:
    return "".join(pieces)


def _slot_at(starts: list[int], slots: Sequence[Slot], pos: int, *, insertion: bool) -> int:
    i = max(0, bisect_right(starts, pos) - 1)   # the last slot starting at or before pos
    if insertion and i > 0 and starts[i] == pos and slots[i - 1].editable and slots[i - 1].text:
        return i - 1
    return i


def offsets(slots: Sequence[Slot]) -> list[int]:
    """Where every slot starts in the joined text (and, last, where the text ends)."""
    out, pos = [], 0
    for s in slots:
        out.append(pos)
        pos += len(s.text)
    out.append(pos)
    return out


def extent(slots: Sequence[Slot], starts: Sequence[int], i: int, j: int) -> tuple[int, int] | None:
    """The span of the joined text that slots i..j-1 hold, from their first to their last
    non-blank slot; None when they hold no visible text."""
    shown = [k for k in range(i, j) if slots[k].text.strip()]
    if not shown:
        return None
    return starts[shown[0]], starts[shown[-1]] + len(slots[shown[-1]].text)


def placement(keep: Sequence[tuple[int, int]], span: tuple[int, int] | None, at: int) -> str:
    """Whether a piece of a structured file survives in a copy of some sections only (`keep`:
    the kept spans of the joined text): "keep" when its text lies inside one kept span, "drop"
    when it lies outside all of them, "mixed" otherwise. A piece with no text (an image, an
    empty paragraph) is kept when its position `at` is inside or at the edge of a kept span."""
    if span is None:
        return "keep" if any(a <= at <= b for a, b in keep) else "drop"
    s, e = span
    if any(a <= s and e <= b for a, b in keep):
        return "keep"
    if not any(a < e and b > s for a, b in keep):
        return "drop"
    return "mixed"
