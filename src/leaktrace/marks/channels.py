"""Channels: families of sites with one robustness, all behind one interface.

A channel finds its sites in a registered document, says which copy formats carry its
variants and how a variant is written into a copy, and reads the variant at each of its
sites from the evidence a leak offers (its text aligned to the document; page images with
word boxes), or an erasure. Tracing asks every registered channel the same questions, so a
channel that reads page geometry plugs in beside the text channels without a special case.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from ..errors import InputError
from ..models import Page, WordBox  # noqa: F401  (part of the channel interface)
from ..text.align import Alignment
from ..text.protect import Protected
from ..text.tokens import Tokens
from . import declared as declared_channel
from . import invisible, layout, lexical, typographic
from .declared import Declared
from .read import NOT_COVERED, read_text_status
from .sites import Channel, Site, SiteSet

# every format a copy can be written in
COPY_FORMATS = frozenset({"txt", "md", "html", "docx", "pdf", "eml"})


@dataclass(frozen=True)
class DocumentText:
    """What a channel sees of a registered document when it looks for sites."""

    tokens: Tokens
    protected: Protected
    declared: tuple[Declared, ...] = ()
    format: str = "txt"


@dataclass(frozen=True)
class Evidence:
    """Everything a leak offers for reading the marks of one source document."""

    doc: Tokens                       # the document's base text, tokenized
    leak: Tokens                      # the leak's text, tokenized
    alignment: Alignment              # as source search computed it
    pages: tuple[Page, ...] = ()      # page images with word boxes, when the leak is an image


@dataclass(frozen=True)
class Reads:
    """A channel's readings of its sites: a variant index, or -1 for an erasure, each with a
    confidence in [0, 1] (0 for erasures), and why a site has no reading (read.STATUS: not
    covered by the leak, unreadable there, or erased as a normalized group)."""

    variant: np.ndarray
    confidence: np.ndarray
    status: np.ndarray

    @classmethod
    def erased(cls, n: int) -> "Reads":
        return cls(np.full(n, -1, dtype=np.int64), np.zeros(n), np.full(n, NOT_COVERED, dtype=np.int8))


class MarkChannel:
    """The interface. Subclasses set `channel`, `formats` and `needs`, and implement `find`;
    text channels inherit `edits` and `read`."""

    channel: ClassVar[Channel]
    formats: ClassVar[frozenset[str]] = COPY_FORMATS   # copy formats that carry its variants
    needs: ClassVar[frozenset[str]] = frozenset({"text"})   # evidence it reads: text, pages
    normalizable: ClassVar[bool] = True    # a normalizer may rewrite all its sites of a kind alike

    def find(self, doc: DocumentText) -> Iterable[Site]:
        raise NotImplementedError

    def usable(self, site: Site, doc: DocumentText) -> bool:
        """Whether an accepted site can carry a mark in this document (after conflicts are settled,
        so that leaving one out never lets another site in)."""
        return True

    def carries(self, fmt: str) -> bool:
        return fmt in self.formats

    def edits(self, site: Site, variant: int) -> list[tuple[int, int, str]]:
        """The variant as edits of the base text; every format writer applies text edits inside
        its runs, text nodes or lines."""
        return [(s, e, rep) for (s, e), rep in zip(site.spans, site.variants[variant])]

    def read(self, sites: Sequence[Site], evidence: Evidence) -> Reads:
        if "text" not in self.needs:
            return Reads.erased(len(sites))
        variant, status = read_text_status(sites, evidence.doc, evidence.leak, evidence.alignment,
                                           self.normalizable)
        return Reads(variant, (variant >= 0).astype(np.float64), status)


class DeclaredChannel(MarkChannel):
    channel = Channel.DECLARED
    normalizable = False   # each site is the author's own pair of phrasings

    def find(self, doc: DocumentText) -> Iterable[Site]:
        return declared_channel.find(doc.tokens, list(doc.declared))


class LexicalChannel(MarkChannel):
    channel = Channel.LEXICAL

    def find(self, doc: DocumentText) -> Iterable[Site]:
        return lexical.find(doc.tokens, doc.protected)


class TypographicChannel(MarkChannel):
    channel = Channel.TYPOGRAPHIC

    def find(self, doc: DocumentText) -> Iterable[Site]:
        return typographic.find(doc.tokens, doc.protected)

    def usable(self, site: Site, doc: DocumentText) -> bool:
        # a browser collapses spaces, so two spaces after a full stop never show on a page
        return not (doc.format == "html" and site.kind == "sentence-spacing")


class InvisibleChannel(MarkChannel):
    channel = Channel.INVISIBLE
    # zero-width characters cannot be read back from a PDF's text and nudge its line fitting
    formats = COPY_FORMATS - {"pdf"}

    def find(self, doc: DocumentText) -> Iterable[Site]:
        return invisible.find(doc.tokens, doc.protected)


@dataclass
class Registry:
    """The channels, most robust first: that order decides which site wins where two
    would disturb each other."""

    channels: list[MarkChannel] = field(default_factory=list)

    def register(self, impl: MarkChannel) -> None:
        self.channels = [c for c in self.channels if c.channel != impl.channel] + [impl]

    def get(self, channel: Channel | str) -> MarkChannel:
        name = channel.value if isinstance(channel, Channel) else channel
        for impl in self.channels:
            if impl.channel.value == name:
                return impl
        raise KeyError(name)

    def names(self) -> tuple[str, ...]:
        return tuple(c.channel.value for c in self.channels)


class LayoutChannel(MarkChannel):
    """Words shifted between their neighbours on the page (marks/layout.py): only copies that
    leaktrace lays out carry it, and only page images with word boxes show it."""

    channel = Channel.LAYOUT
    formats = frozenset({"pdf"})
    needs = frozenset({"pages"})
    normalizable = False

    def find(self, doc: DocumentText) -> Iterable[Site]:
        return layout.find(doc.tokens)

    def read(self, sites: Sequence[Site], evidence: Evidence) -> Reads:
        variant, confidence, status = layout.read(sites, evidence.doc, evidence.leak,
                                                  evidence.alignment.doc_to_leak, evidence.pages)
        return Reads(variant, confidence, status)


# the text channels first: a layout site never takes a word's place from a text site
REGISTRY = Registry([DeclaredChannel(), LexicalChannel(), TypographicChannel(), InvisibleChannel(),
                     LayoutChannel()])
ALL_CHANNELS: tuple[Channel, ...] = tuple(Channel)


def parse_channels(spec: str | Iterable[str] | None) -> tuple[Channel, ...]:
    """Channels named on a command line or in settings ("lexical,declared"), in enum order."""
    if spec is None:
        return ALL_CHANNELS
    names = [s.strip().lower() for s in (spec.split(",") if isinstance(spec, str) else spec) if s.strip()]
    out = []
    for name in names:
        try:
            out.append(Channel(name))
        except ValueError:
            valid = ", ".join(c.value for c in Channel)
            raise InputError(f"unknown channel {name!r}; choose from {valid}") from None
    if not out:
        raise InputError("no channel chosen; choose from " + ", ".join(c.value for c in Channel))
    return tuple(c for c in ALL_CHANNELS if c in out)


def find_sites(tokens: Tokens, protected: Protected, declared: Sequence[Declared] = (),
               channels: Sequence[Channel] = ALL_CHANNELS, *, fmt: str = "txt",
               registry: Registry | None = None) -> list[Site]:
    """All sites of a text in the chosen channels, most robust first, without conflicts."""
    registry = registry or REGISTRY
    doc = DocumentText(tokens, protected, tuple(declared), fmt)
    accepted = SiteSet(tokens)
    for impl in registry.channels:
        if impl.channel in channels:
            for site in impl.find(doc):
                accepted.add(site)
    kept = [s for s in accepted.sites if registry.get(s.channel).usable(s, doc)]
    return sorted(kept, key=lambda s: (s.start, s.spans[0][1]))


def read(sites: Sequence[Site], evidence: Evidence, registry: Registry | None = None) -> Reads:
    """Every site read by its own channel, from the evidence it can use."""
    registry = registry or REGISTRY
    out = Reads.erased(len(sites))
    by_channel: dict[Channel, list[int]] = {}
    for i, site in enumerate(sites):
        by_channel.setdefault(site.channel, []).append(i)
    for channel, members in by_channel.items():
        got = registry.get(channel).read([sites[i] for i in members], evidence)
        out.variant[members] = got.variant
        out.confidence[members] = got.confidence
        out.status[members] = got.status
    return out


def carried(sites: Sequence[Site], codeword: np.ndarray, fmt: str, registry: Registry | None = None) -> np.ndarray:
    """The codeword as a copy in `fmt` carries it: variant 0 (the original's text) at the sites
    of channels that format cannot carry."""
    registry = registry or REGISTRY
    lost = {c.channel for c in registry.channels if not c.carries(fmt)}
    if not lost:
        return codeword
    out = codeword.copy()
    out[[i for i, s in enumerate(sites) if s.channel in lost]] = 0
    return out
