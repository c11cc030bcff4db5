"""Suggestions: alternatives proposed for the author to accept as declared sites (issue 13).

    s = suggest(ws, "D1")                       # proposals, what the semantic check rejected
    write_review(ws, "D1", "review.md")         # the author ticks boxes and edits variants
    applied = apply_review(ws, "D1", "review.md", by="A. Author")   # a new version, audited

Nothing here changes a copy already issued: accepted proposals become `{{a|b}}` declarations in
a NEW version of the document, registered beside the old one, whose code and copies stay.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..documents import document_of
from ..errors import ConflictError, InputError
from ..formats import read_file_bytes
from ..ledger.book import Ledger
from ..marks.channels import find_sites, parse_channels
from ..marks.declared import base_to_original, resolve
from ..marks.sites import Channel
from ..models import Document
from ..text.protect import Protected, find_protected, find_structure
from ..text.tokens import tokenize
from . import review as review_mod
from .check import THRESHOLD, Check, Rejected, cosines, run_check
from .propose import DETAIL, KEEPS, RULES, Proposal, Rules, propose

__all__ = ["Applied", "Suggestions", "THRESHOLD", "apply_review", "propose_for_text", "suggest", "write_review"]

# Sites a proposal may displace: declarations are the author's own (kept clear of separately),
# and the invisible and layout channels have a site at nearly every (every second) word, survive
# no retyping, and lose only the few sites beside an accepted proposal.
_NOT_OCCUPYING = (Channel.DECLARED, Channel.INVISIBLE, Channel.LAYOUT)
# formats whose registered text is the whole document: a new version is that text with markup
_APPLIABLE = ("txt", "md")


@dataclass
class Suggestions:
    """The proposals for one document, what the semantic check rejected, and how it ran."""

    document: Document
    words: int
    proposals: list[Proposal]
    rejected: list[Rejected]
    check: Check

    def count(self, label: str) -> int:
        return sum(p.label == label for p in self.proposals)

    def per_100_words(self, label: str = KEEPS) -> float:
        return 100.0 * self.count(label) / max(self.words, 1)

    def to_json(self) -> dict:
        return {"document": self.document.to_json(), "words": self.words,
                "keeps_meaning": self.count(KEEPS), "changes_detail": self.count(DETAIL),
                "keeps_meaning_per_100_words": round(self.per_100_words(KEEPS), 2),
                "check": self.check.to_json(), "proposals": [p.to_json() for p in self.proposals],
                "rejected": [r.to_json() for r in self.rejected]}


@dataclass
class Applied:
    """A review applied: the new version and what the author accepted."""

    document: Document             # the version the review was written for
    version: Document              # the new version
    accepted: list[dict]
    declined: int
    declared_sites: int            # declared sites the new version has (old declarations included)
    audit_seq: int
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"document": self.document.id, "version": self.version.to_json(), "accepted": self.accepted,
                "declined": self.declined, "declared_sites": self.declared_sites, "audit_seq": self.audit_seq,
                "notes": self.notes}


# ------------------------------------------------------------------ proposing
def occupied_mask(text: str, sites, declared) -> Protected:
    """The characters of every automatic site's windows, anchors included, and of declarations."""
    tokens = tokenize(text)
    mask = bytearray(len(text))
    for site in sites:
        for a, b in site.windows:
            lo = tokens.starts[a - 1] if a >= 1 else 0
            hi = tokens.ends[b] if b < len(tokens) else len(text)
            mask[lo:hi] = b"\x01" * (hi - lo)
        for s, e in site.spans:
            mask[s:max(e, s + 1)] = b"\x01" * (max(e, s + 1) - s)
    for d in declared:
        mask[d.start:d.end] = b"\x01" * (d.end - d.start)
    return Protected(bytes(mask))


def propose_for_text(original: str, *, fixed: list[tuple[int, int]] | tuple = (), channels=None,
                     fmt: str = "txt", extra_sites=(), rules: Rules = RULES) -> tuple[str, list[Proposal]]:
    """The base text of an original (declarations resolved) and the proposals for it, clear of
    the sites the automatic channels find there (and of `extra_sites`, e.g. a stored code's)."""
    base, declared = resolve(original)
    tokens = tokenize(base)
    protected = find_protected(base, extra=fixed)
    automatic = [c for c in parse_channels(channels) if c not in _NOT_OCCUPYING]
    sites = find_sites(tokens, protected, (), automatic, fmt=fmt)
    occupied = occupied_mask(base, [*sites, *(s for s in extra_sites if s.channel not in _NOT_OCCUPYING)],
                             declared)
    return base, propose(base, protected=protected, structure=find_structure(base, extra=fixed),
                         occupied=occupied, rules=rules, tokens=tokens)


def _proposals(ws, row, rules: Rules) -> tuple[str, list[Proposal]]:
    """A registered document's proposals, clear of its automatic sites: those found now, and
    those of its stored code when it was marked."""
    stored = ws.code(row.id)[2] if ws.marking.is_marked(row.id) else []
    return propose_for_text(row.original, fixed=ws.documents_.fixed_spans(row), channels=row.channels,
                            fmt=row.format, extra_sites=[s for s in stored if s.channel != Channel.DECLARED],
                            rules=rules)


def suggest(ws, doc_id: str | int, *, semantic: bool | None = None, rules: Rules = RULES) -> Suggestions:
    """Proposals for a registered document, checked where the semantic extra is installed
    (semantic=False: not checked)."""
    row = ws.documents_.row(doc_id)
    base, proposals = _proposals(ws, row, rules)
    kept, rejected, how = run_check(base, proposals, run=semantic)
    return Suggestions(document_of(row), len(base.split()), kept, rejected, how)


def _header(ws, row) -> review_mod.Header:
    return review_mod.Header(document_of(row).id, hashlib.sha256(row.original.encode("utf-8")).hexdigest(),
                             len(ws.documents_.versions(row.id)))


def write_review(ws, doc_id: str | int, path: str | os.PathLike, *, semantic: bool | None = None,
                 rules: Rules = RULES) -> Suggestions:
    """Write the review file for a document (whole, or not at all) and return its suggestions."""
    row = ws.documents_.row(doc_id)
    s = suggest(ws, row.id, semantic=semantic, rules=rules)
    text = review_mod.render(_header(ws, row), row.title, s.proposals, s.rejected, s.check, s.words)
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent if str(path.parent) else ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return s


# ------------------------------------------------------------------ applying
def _tokens_of(tokens, start: int, end: int) -> tuple[int, int]:
    """The first token of a proposal's span and the one after its last: two accepted proposals
    must not overlap or touch (first <= the other's after)."""
    return tokens.index_at(start), tokens.index_at(max(end - 1, start)) + 1


def declare(original: str, edits: list[tuple[int, int, str]]) -> str:
    """The original with each edit (a span of its base text and the `{{...}}` that replaces it)."""
    out = original
    for s, e, rep in sorted(edits, reverse=True):
        a, b = base_to_original(original, s), base_to_original(original, e)
        out = out[:a] + rep + out[b:]
    return out


def if_accepted(ws, doc_id: str | int, *, semantic: bool | None = None) -> tuple[int, str]:
    """What accepting every keeps-meaning proposal would make of a document: how many were
    accepted (overlapping ones skipped, as apply refuses them) and the new version's original."""
    row = ws.documents_.row(doc_id)
    s = suggest(ws, row.id, semantic=semantic)
    base = row.base
    tokens = tokenize(base)
    last, edits = -1, []
    for p in sorted((p for p in s.proposals if p.label == KEEPS), key=lambda p: p.start):
        variants = tuple(dict.fromkeys(p.variants))[:4]
        first, after = _tokens_of(tokens, p.start, p.end)
        if len(variants) < 2 or first <= last:
            continue
        last = after
        edits.append((p.start, p.end, "{{" + "|".join(variants) + "}}"))
    return len(edits), declare(row.original, edits)


def read_review(ws, doc_id: str | int, path: str | os.PathLike) -> tuple[object, review_mod.Review]:
    """The review file, checked against the document: refused when malformed or stale."""
    row = ws.documents_.row(doc_id)
    path = Path(path)
    try:
        text = read_file_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: is not UTF-8 text; a review file is the Markdown `suggest --out` wrote") from None
    rev = review_mod.parse(text, str(path))
    h, now = rev.header, _header(ws, row)
    if h.document != now.document:
        raise InputError(f"{path}: was written for {h.document}, not {now.document}; apply it to {h.document}, "
                         f"or write a review of {now.document} with `suggest {now.document} --out`")
    if h.text_sha256 != now.text_sha256:
        raise InputError(f"{path}: is stale: the text of {now.document} is not the text it was written for; "
                         f"write a new one with `suggest {now.document} --out`")
    if now.versions > h.versions:
        latest = ws.documents_.versions(row.id)[-1]
        raise InputError(f"{path}: is stale: {now.document} has had a newer version ({latest.id}) since it was "
                         f"written; write a new review of {latest.id} with `suggest {latest.id} --out`")
    return row, rev


def apply_review(ws, doc_id: str | int, path: str | os.PathLike, *, by: str, rules: Rules = RULES) -> Applied:
    """Register, as a new version of the document, its text with every accepted proposal as an
    author-declared site (`{{original|variant|...}}`), and record in the audit log who accepted
    which proposal. The old version, its code and its issued copies stay as they were."""
    by = " ".join((by or "").split())
    if not by:
        raise InputError("say who accepts the proposals: --by NAME")
    row, rev = read_review(ws, doc_id, path)
    d = document_of(row)
    if row.format not in _APPLIABLE:
        raise InputError(f"{d.id} is a {row.format} document; accepted proposals can be applied to text and "
                         "Markdown documents only: write them as {{a|b}} in the source file and register it "
                         f"with `doc add FILE --version-of {d.id}`")
    base, proposals = _proposals(ws, row, rules)
    made = {p.id: p for p in proposals}
    accepted = [e for e in rev.entries if e.accepted]
    if not accepted:
        raise InputError(f"{path}: no proposal is accepted (tick a box: `- [x]`); nothing to apply")
    tokens = tokenize(base)
    last = -1
    out: list[dict] = []
    edits: list[tuple[int, int, str]] = []
    for e in sorted(accepted, key=lambda x: x.start):
        p = made.get(e.id)
        if p is None or (p.start, p.end, p.label, p.kind) != (e.start, e.end, e.label, e.kind):
            raise InputError(f"{path}, line {e.line}: {e.id} is not the proposal leaktrace made there (its id, "
                             "place, label or kind was edited); write a new review with `suggest --out`")
        if base[e.start:e.end] != e.original or p.variants[0] != e.original:
            raise InputError(f"{path}, line {e.line}: the `original:` of {e.id} was edited; it must read "
                             f"“{p.variants[0]}”, the document's own words")
        variants = tuple(dict.fromkeys(v for v in (e.original, *e.variants)))
        if not 2 <= len(variants) <= 4:
            raise InputError(f"{path}, line {e.line}: {e.id} has {len(variants)} different phrasings; an "
                             "accepted proposal needs 2 to 4 (the original's words included)")
        first, after = _tokens_of(tokens, e.start, e.end)
        if first <= last:
            raise InputError(f"{path}, line {e.line}: {e.id} overlaps or touches another accepted proposal; "
                             "accept one of them")
        last = after
        edits.append((e.start, e.end, "{{" + "|".join(variants) + "}}"))
        item = {"proposal": e.id, "label": e.label, "kind": e.kind, "line": p.line, "original": e.original,
                "variants": list(variants[1:]), "edited": list(variants[1:]) != list(p.variants[1:])}
        out.append(item)
    new_original = declare(row.original, edits)
    notes = []
    edited_keeps = [x for x in out if x["edited"] and x["label"] == KEEPS]
    if edited_keeps:
        from .check import available

        if available() is None:
            low = []
            for x in edited_keeps:
                p = made[x["proposal"]]
                cs = cosines(base, [p], [x["variants"]])[0]
                x["cosines"] = [round(c, 4) for c in cs]
                low += [f"{x['proposal']} “{v}” ({c:.3f})" for v, c in zip(x["variants"], cs) if c < THRESHOLD]
            if low:
                notes.append("edited keeps-meaning variants below the semantic check's cosine "
                             f"{THRESHOLD:.2f}, accepted as the author wrote them: " + ", ".join(low))
    channels = [c for c in row.channels.split(",") if c]
    if Channel.DECLARED.value not in channels:
        channels.append(Channel.DECLARED.value)
        notes.append("the new version also uses the declared channel (the old one did not)")
    declined = len(rev.entries) - len(accepted)
    details = {"document": d.id, "review_sha256": hashlib.sha256(read_file_bytes(Path(path))).hexdigest(),
               "accepted_by": by, "accepted": out, "declined": declined}
    seq: list[int] = []
    led = Ledger(ws)

    def audit(conn, new_id: int) -> None:
        details["version"] = f"D{new_id}"
        seq.append(led.record_audit("suggest-apply", actor=by, details=details, document=new_id, conn=conn).seq)

    try:
        new = ws.documents_.add_document(text=new_original, title=row.title, fmt=row.format, name=row.source_name,
                                         channels=channels, version_of=row.id, within=audit)
    except ConflictError as e:
        led.discard()
        raise ConflictError(f"{path}: these accepted proposals are already registered: {e}") from None
    except BaseException:
        led.discard()
        raise
    led.publish()       # the audit entry's tree head, now that the document's transaction committed
    new_row = ws.documents_.row(new.id)
    nb, declared = resolve(new_row.original)
    sites = find_sites(tokenize(nb), find_protected(nb), declared, parse_channels(new_row.channels), fmt=new_row.format)
    n_declared = sum(s.channel == Channel.DECLARED for s in sites)
    if n_declared < len(declared):
        notes.append(f"{len(declared) - n_declared} declared alternatives could not become sites (their variants "
                     "read alike, or they touch another site)")
    return Applied(d, new, out, declined, n_declared, seq[0] if seq else 0, notes)
