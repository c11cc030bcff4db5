"""Stage 1: the artifact read into text (formats does the reading), tokenized once for every
later stage."""

from __future__ import annotations

from collections.abc import Sequence

from .. import budget
from ..formats import Extracted
from ..formats.stamp import StampFinding
from ..models import Page
from ..text.tokens import tokenize
from .values import Artifact


def artifact(text: str, *, extracted: Extracted | None = None, stamps: Sequence[StampFinding] = (),
             pages: Sequence[Page] | None = None) -> Artifact:
    """The leak as the pipeline sees it: `text` (what a reader extracted from the file, or pasted
    text), the file it came from with the page images OCR read, and its stamps as the workspace
    key verified them."""
    budget.check_words(text, extracted.name if extracted is not None else "the leak's text")
    tokens = tokenize(text)
    words = sum(1 for s in tokens.skel if s[0].isalnum())
    if extracted is None:
        source = {"format": "text"}
        notes: tuple[str, ...] = ()
    else:
        source = {"format": extracted.format, "name": extracted.name, "readers": list(extracted.readers),
                  "notes": list(extracted.notes)}
        if extracted.encoding:
            source["encoding"] = extracted.encoding
        if extracted.unread:
            source["unread"] = list(extracted.unread)
        notes = tuple(extracted.notes)
    if pages is None:
        pages = extracted.pages if extracted is not None else ()
    return Artifact(text, tokens, words, source, notes, tuple(stamps), tuple(pages))
