"""Domain values returned by the library (and printed by the CLI)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, is_dataclass


def plain(obj) -> dict:
    """A dataclass as JSON-ready data: dataclasses.asdict without its deep copy of every value.
    A trace's exposure lists and scores hold an entry per recipient, and asdict took longer to
    copy them than the search took to find them."""
    return {f.name: _plain(getattr(obj, f.name)) for f in fields(obj)}


_SCALARS = (str, int, float, bool, type(None))


def _plain(value):
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, list):
        return [v if isinstance(v, _SCALARS) else _plain(v) for v in value]
    if isinstance(value, dict):
        return {k: v if isinstance(v, _SCALARS) else _plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        return plain(value)
    return value


@dataclass(frozen=True)
class WordBox:
    """One word read off a page image, in pixels of that image."""

    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float     # 0..1, as the OCR engine rates it
    line: int = 0         # the line of the page it was read on (words of one line share it)


@dataclass(frozen=True)
class Page:
    """A page image of a leak (a photo, a scan, a rasterized PDF page) and the words read off
    it; channels that live on the rendered page read their marks from these."""

    number: int           # 1-based page of the artifact
    width: int
    height: int
    words: tuple[WordBox, ...]
    image: object = field(default=None, compare=False, repr=False)   # the grayscale image OCR read


def doc_public_id(n: int) -> str:
    return f"D{n}"


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    format: str
    source_name: str
    words: int
    channels: tuple[str, ...]
    sha256: str
    created_at: str
    series: str | None = None   # id of the first version
    version: int = 1
    encoding: str | None = None  # how a text file's bytes were read (utf-8, cp1252, ...)
    archived_at: str | None = None   # `doc remove`: no longer a source of leaks

    def to_json(self) -> dict:
        d = asdict(self)
        d["channels"] = list(self.channels)
        return d


@dataclass(frozen=True)
class Recipient:
    id: str
    name: str
    email: str
    attributes: dict

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class IssuedCopy:
    recipient: str
    copy: str
    path: str
    sha256: str


@dataclass(frozen=True)
class MarkResult:
    document: Document
    copies: tuple[IssuedCopy, ...]
    manifest: str
    sites: int

    def to_json(self) -> dict:
        return {"document": {"id": self.document.id, "title": self.document.title},
                "sites": self.sites, "manifest": self.manifest,
                "copies": [asdict(c) for c in self.copies]}


@dataclass(frozen=True)
class LeakProfile:
    """How a document's marks fare under one kind of leak."""

    leak_type: str
    channels: str
    sites: int
    separable_recipients: float  # recipients a whole-document leak can separate at the bar
    words_for_1000: int | None  # words of such a leak needed to identify among 1,000 copies
    words_for_recipients: int | None = None   # ... among the workspace's recipients
    advice: str = ""


@dataclass(frozen=True)
class Scenario:
    """The document's marks as they would be otherwise: without its declared alternatives, or
    with every keeps-meaning suggestion accepted; words of each leak type that identify one copy
    among `among` (None: out of reach)."""

    name: str
    description: str
    sites: int
    words: dict[str, int | None]
    among: int
    read: dict[str, int] = field(default_factory=dict)   # marks a whole-document leak keeps
    wordlike: int = 0              # lexical and declared sites: the ones that survive retyping


@dataclass(frozen=True)
class Capacity:
    document: Document
    words: int
    sites_by_channel: dict[str, int]
    sites_by_kind: dict[str, int]
    profiles: tuple[LeakProfile, ...]
    recipients: int = 0
    scenarios: tuple[Scenario, ...] = ()
    pdf_pages: int | None = None            # pages of a PDF copy, when the layout channel was measured
    layout_per_page: float | None = None    # layout marks a printed page carries (median page)

    def to_json(self) -> dict:
        return {"document": {"id": self.document.id, "title": self.document.title},
                "words": self.words, "recipients": self.recipients, "sites_by_channel": self.sites_by_channel,
                "sites_by_kind": self.sites_by_kind, "pdf_pages": self.pdf_pages,
                "layout_marks_per_page": self.layout_per_page,
                "profiles": [asdict(p) for p in self.profiles],
                "scenarios": [asdict(x) for x in self.scenarios]}


@dataclass(frozen=True)
class CopyScore:
    recipient: str
    name: str
    copy: str
    score: float
    false_accusation_bound: float
    agreed: int
    read: int
    identified: bool


@dataclass(frozen=True)
class SiteRead:
    """One site of the source as the leak shows it, beside the top copy's variant."""

    site: int
    channel: str
    kind: str
    line: int
    observed: str         # the variant the leak shows ("" when none was read)
    accused: str          # the top copy's variant
    agrees: bool
    status: str = "read"  # read | unreadable (no variant, or several, fit); erased groups: sites_erased


@dataclass(frozen=True)
class PassageMatch:
    leak_start: int
    leak_end: int
    doc_start: int
    doc_end: int
    leak_text: str
    doc_text: str


@dataclass
class TraceResult:
    verdict: str  # identified | inconclusive | no_match
    summary: str
    document: dict | None = None
    passages: list[PassageMatch] = field(default_factory=list)
    leak_words: int = 0
    aligned_words: int = 0
    sites_covered: dict[str, int] = field(default_factory=dict)
    sites_read: dict[str, int] = field(default_factory=dict)
    sites_erased: dict[str, int] = field(default_factory=dict)   # read alike as a whole group: normalized
    copies: list[CopyScore] = field(default_factory=list)
    site_reads: list[SiteRead] = field(default_factory=list)
    marks: list[list[int]] = field(default_factory=list)   # [site, variant] of every mark read (joint evidence)
    recipients_scored: int = 0          # candidate copies: those that held everything the leak reuses
    copies_issued: int = 0              # every copy of the document
    more_words_needed: int | None = None
    bar: float = 1e-6
    all_scores: list[float] = field(default_factory=list)  # every issued copy's score, best first
    score_bar: float | None = None  # the score a copy needs for its bound to clear the bar
    notes: list[str] = field(default_factory=list)
    # exact (a verified copy stamp, text from the same document) | high_confidence (identified
    # by the text marks) | inconclusive | no_match: the outcome words of commercial tools
    outcome: str = "no_match"
    source: dict = field(default_factory=dict)      # the artifact: format, name, readers, notes
    stamps: list[dict] = field(default_factory=list)
    detectors: list[dict] = field(default_factory=list)
    # source search: every registered document the text reuses, passage by passage, with the
    # versions and sections its content requires and the copies that contained all of it
    reuse: str = "no_match"             # derived | shared_quotation | topic_only | no_match
    sources: list[dict] = field(default_factory=list)
    content_exposure: list[dict] = field(default_factory=list)
    # every other derived source that was read for marks: its own passages, copies and verdict
    other_sources: list["TraceResult"] = field(default_factory=list)
    # parts of the file were not read (source["unread"] says which): the text there may derive
    # from a document, so "no match" cannot be concluded
    partial: bool = False

    def to_json(self) -> dict:
        return plain(self)

    @classmethod
    def from_json(cls, d: dict) -> "TraceResult":
        d = dict(d)
        d["passages"] = [PassageMatch(**p) for p in d.get("passages", [])]
        d["copies"] = [CopyScore(**c) for c in d.get("copies", [])]
        d["site_reads"] = [SiteRead(**s) for s in d.get("site_reads", [])]
        d["other_sources"] = [cls.from_json(o) for o in d.get("other_sources", [])]
        return cls(**d)
