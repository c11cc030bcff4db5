"""The review file: the proposals as a Markdown checklist that the author edits (ticks the boxes
of the proposals to accept, edits, adds or removes their variants), and reading it back.

    <!-- leaktrace-review 1 document=D1 text-sha256=... versions=1 -->
    ...
    - [x] P3 · keeps-meaning · rephrasing · at 812-823 · line 14
      - original: in order to
      - variant: to
      - variant: so as to

The first line ties the file to one version of one document's text: a file written for another
text, or for a document that has since had a newer version, is stale and refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InputError
from .check import Check, Rejected
from .propose import DETAIL, KEEPS, LABELS, MAX_VARIANTS, Proposal

FORMAT = 1
HEADER_RE = re.compile(r"^<!-- leaktrace-review (\d+) document=(D\d+) text-sha256=([0-9a-f]{64}) "
                       r"versions=(\d+) -->$")
ITEM_RE = re.compile(r"^- \[([ xX])\] (P\d+) · (" + "|".join(LABELS) + r") · ([a-z-]+) · at (\d+)-(\d+)"
                     r"(?: · line \d+)?\s*$")
FIELD_RE = re.compile(r"^\s+- (original|variant):(?: (.*))?$")


@dataclass(frozen=True)
class Header:
    document: str
    text_sha256: str
    versions: int


@dataclass(frozen=True)
class Entry:
    """One proposal as the author left it."""

    id: str
    accepted: bool
    label: str
    kind: str
    start: int
    end: int
    original: str
    variants: tuple[str, ...]      # the alternatives, the original's words not included
    line: int                      # of the review file


@dataclass(frozen=True)
class Review:
    header: Header
    entries: tuple[Entry, ...]


def render(header: Header, title: str, proposals: list[Proposal], rejected: list[Rejected], check: Check,
           words: int) -> str:
    keeps = sum(p.label == KEEPS for p in proposals)
    lines = [f"<!-- leaktrace-review {FORMAT} document={header.document} text-sha256={header.text_sha256} "
             f"versions={header.versions} -->",
             f"# Suggested alternatives for {header.document} “{title}”", "",
             f"{len(proposals)} proposals in {words} words: {keeps} keep the meaning, "
             f"{len(proposals) - keeps} CHANGE A DETAIL.", "",
             "To accept a proposal, put an x in its box: `- [x]`. Edit its `variant:` lines as you see fit "
             f"(2 to {MAX_VARIANTS} phrasings in all, the original's words included; delete a line to drop a "
             "variant; no `{`, `}` or `|`). Leave the `original:` line and the line with the box as they are. "
             "Then run `leaktrace suggest " + header.document + " --apply THIS-FILE --by YOUR-NAME`: the accepted "
             "proposals become author-declared sites of a new version of the document, each copy of it carrying "
             "one of the variants. Copies already issued do not change.", "",
             "**keeps-meaning**: a rephrasing that says the same thing. **changes-detail**: every copy will "
             "state a slightly different fact (a time, a date, a quantity, a room, a code name); accept one "
             "only if any of its values is acceptable to every recipient.", "",
             check.describe() + (f" It rejected {len(rejected)} alternatives (listed at the end, not offered)."
                                 if check.ran else ""), ""]
    current = None
    for p in proposals:
        if p.sentence != current:
            current = p.sentence
            lines += [f"## Line {p.line}", "", f"> {p.sentence.text}", ""]
        where = f"- [ ] {p.id} · {p.label} · {p.kind} · at {p.start}-{p.end} · line {p.line}"
        lines.append(where)
        lines.append(f"  - original: {p.variants[0]}")
        for k, v in enumerate(p.variants[1:]):
            lines.append(f"  - variant: {v}")
        if p.cosines:
            lines.append("  <!-- cosines: " + ", ".join(f"{c:.3f}" for c in p.cosines) + " -->")
        lines.append("")
    if rejected:
        lines += ["## Rejected by the semantic check (not offered)", ""]
        for r in rejected:
            lines.append(f"* {r.proposal.id} · {r.proposal.kind} · “{r.proposal.variants[0]}” → “{r.variant}”: "
                         f"cosine {r.cosine:.3f} < {check.threshold:.2f}, in: {r.proposal.sentence.text}")
        lines.append("")
    return "\n".join(lines)


def parse(text: str, name: str = "review file") -> Review:
    """The review as the author left it; a malformed file is refused with the line at fault."""
    lines = text.replace("\r\n", "\n").split("\n")
    first = next((k for k, ln in enumerate(lines) if ln.strip()), None)
    m = HEADER_RE.match(lines[first].strip()) if first is not None else None
    if m is None:
        raise InputError(f"{name}: is not a leaktrace review file (its first line must be the "
                         "`<!-- leaktrace-review ... -->` line that `suggest --out` wrote)")
    if int(m.group(1)) != FORMAT:
        raise InputError(f"{name}: review format {m.group(1)} is not supported (this leaktrace writes {FORMAT})")
    header = Header(m.group(2), m.group(3), int(m.group(4)))
    entries: list[Entry] = []
    cur: dict | None = None

    def close() -> None:
        if cur is None:
            return
        if cur["original"] is None:
            raise InputError(f"{name}, line {cur['line']}: {cur['id']} has no `original:` line; "
                             "restore it or write a new review with `suggest --out`")
        entries.append(Entry(cur["id"], cur["accepted"], cur["label"], cur["kind"], cur["start"], cur["end"],
                             cur["original"], tuple(cur["variants"]), cur["line"]))

    seen: set[str] = set()
    for k, ln in enumerate(lines[first + 1:], start=first + 2):
        if ln.startswith("- ["):
            close()
            cur = None
            im = ITEM_RE.match(ln)
            if im is None:
                raise InputError(f"{name}, line {k}: a proposal line must read `- [ ] P1 · keeps-meaning · kind · "
                                 f"at START-END` (box empty or x); found {ln[:80]!r}")
            if im.group(2) in seen:
                raise InputError(f"{name}, line {k}: {im.group(2)} appears twice")
            seen.add(im.group(2))
            cur = {"id": im.group(2), "accepted": im.group(1) != " ", "label": im.group(3), "kind": im.group(4),
                   "start": int(im.group(5)), "end": int(im.group(6)), "original": None, "variants": [], "line": k}
            continue
        fm = FIELD_RE.match(ln)
        if fm is not None and cur is not None:
            value = (fm.group(2) or "").strip()
            if fm.group(1) == "original":
                if cur["original"] is not None:
                    raise InputError(f"{name}, line {k}: {cur['id']} has two `original:` lines")
                cur["original"] = value
            elif value:
                if any(c in value for c in "{}|"):
                    raise InputError(f"{name}, line {k}: a variant of {cur['id']} holds `{{`, `}}` or `|`, which "
                                     "the document's markup reserves; rephrase it")
                cur["variants"].append(value)
            continue
        if ln.startswith("#") or (ln.strip() and not ln.startswith((" ", "\t", ">", "<!--"))):
            close()
            cur = None
    close()
    return Review(header, tuple(entries))


def is_detail(entry: Entry) -> bool:
    return entry.label == DETAIL
