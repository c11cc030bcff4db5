"""The values that pass between the trace pipeline's stages, and what the pipeline needs of a
workspace."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..formats.stamp import StampFinding
from ..marks.channels import Page, Reads
from ..marks.code import Code
from ..marks.score import ScoreModel
from ..marks.sites import Site
from ..models import Document
from ..search import sources as search_sources
from ..search.sources import SearchResult, SourceMatch
from ..text.align import Alignment
from ..text.tokens import Tokens


class Library(search_sources.Library, Protocol):
    """What tracing needs of a workspace, beyond what source search needs."""

    def document(self, doc: int | str) -> Document: ...

    def code(self, doc: int) -> tuple[Document, str, list[Site], Code]: ...

    def issued_copies(self, doc: int) -> list[tuple[str, str, str]]: ...

    def codewords(self, doc: int, recipient_ids: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class Artifact:
    """Stage 1, the artifact read: its text, tokenized (each token's character offsets are the
    map from what is read back to the text), page images with word boxes when it is an image,
    and the copy stamps its file carried, checked with the key."""

    text: str
    tokens: Tokens
    words: int
    source: dict                              # format, name, readers, notes
    notes: tuple[str, ...] = ()
    stamps: tuple[StampFinding, ...] = ()
    pages: tuple[Page, ...] = ()


@dataclass(frozen=True)
class MarkedSource:
    """A derived source whose marks are read: the alignment source search computed for it."""

    doc: int
    match: SourceMatch    # what search found of it
    doc_tokens: Tokens
    alignment: Alignment
    copied: bool          # the leak copies text of it (not only rewords it)


@dataclass(frozen=True)
class Found:
    """Stage 2, source search: candidates, passages and the reuse verdict, and the derived
    sources to read marks of, most reused first."""

    search: SearchResult
    marked: tuple[MarkedSource, ...]
    aligned: Mapping[int, Alignment]


@dataclass(frozen=True)
class Reading:
    """Stage 3, every channel's reading of one source's sites."""

    doc: Document
    base: str
    sites: Sequence[Site]
    code: Code
    reads: Reads
    covered: Mapping[str, int]        # sites whose anchors the leak holds, by channel
    read: Mapping[str, int]           # sites whose variant was read, by channel
    aligned_words: int

    @property
    def symbols(self) -> np.ndarray:
        return self.reads.variant


@dataclass(frozen=True)
class Scores:
    """Stage 4, every issued copy of the source scored against the reading."""

    issued: Sequence[tuple[str, str, str]]   # recipient id, name, copy id
    codewords: np.ndarray
    model: ScoreModel
    scores: np.ndarray
    order: np.ndarray                        # copies, best first
