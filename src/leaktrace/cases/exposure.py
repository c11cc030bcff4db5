"""The exposure set: everyone who held a copy containing the leaked passages, or accessed the
document, before the leak was first seen, with the ledger entries that put them there.

Pure: it takes ledger entries and decides; the caller fetches them. Whether a copy contains
given document offsets is a pluggable predicate: a copy of some sections only holds the
passages inside them (the distribution entry records which sections it had).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .protected import Protection

Spans = Sequence[tuple[int, int]]
# (document, recipient id, copy id, leaked document spans, distribution details)
#   -> does that copy contain those spans?
CopyContains = Callable[[int, str, str, Spans, dict], bool]


def whole_document(document: int, recipient: str, copy: str, spans: Spans, details: dict) -> bool:
    """Every copy holds the whole document."""
    return True


@dataclass(frozen=True)
class ExposureEvent:
    seq: int
    occurred_at: str
    kind: str     # distribution | access
    action: str   # distribute, view, download, print, share, forward, export
    source: str
    copy: str | None = None


@dataclass(frozen=True)
class Exposed:
    """A recipient (kind "recipient") or an account that maps to no recipient (kind "account")."""

    kind: str
    subject: str
    copy: str | None                        # the copy issued before the first-seen time, if any
    distributions: tuple[ExposureEvent, ...]
    accesses: tuple[ExposureEvent, ...]
    protected: str | None = None            # label of the protected channel this recipient is


@dataclass(frozen=True)
class ExposureSet:
    document: int
    first_seen: str
    members: tuple[Exposed, ...]            # not protected channels
    protected_holders: tuple[Exposed, ...]  # protected channels that were issued a copy: never evidence


def exposure_set(document: int, first_seen: str, entries: Iterable, spans: Spans, protection: Protection,
                 emails: dict[str, str], contains: CopyContains = whole_document) -> ExposureSet:
    """`entries`: ledger entries of the document (any order; those at or after `first_seen` are
    ignored); `emails`: recipient id -> e-mail, to tell which recipients are protected channels.

    Access events with a protected actor or target are dropped without a trace here: listing or
    even counting them would point at whoever spoke to a protected channel."""
    dist: dict[tuple[str, str], list[ExposureEvent]] = {}
    acc: dict[tuple[str, str], list[ExposureEvent]] = {}
    copies: dict[str, str] = {}
    for e in entries:
        if e.document != document or e.occurred_at >= first_seen:
            continue
        details = e.details if isinstance(e.details, dict) else {}
        if e.kind == "distribution" and e.recipient:
            cid = str(details.get("copy_id") or "")
            if not contains(document, e.recipient, cid, spans, details):
                continue
            copies[e.recipient] = cid
            dist.setdefault(("recipient", e.recipient), []).append(
                ExposureEvent(e.seq, e.occurred_at, e.kind, e.action, e.source, cid or None))
        elif e.kind == "access":
            if protection.event(e.actor, details) is not None:
                continue
            key = ("recipient", e.recipient) if e.recipient else ("account", e.actor.strip().casefold())
            acc.setdefault(key, []).append(ExposureEvent(e.seq, e.occurred_at, e.kind, e.action, e.source))
    members, protected = [], []
    for kind, subject in sorted(set(dist) | set(acc)):
        channel = protection.match(emails.get(subject)) if kind == "recipient" else None
        x = Exposed(kind, subject, copies.get(subject) if kind == "recipient" else None,
                    tuple(sorted(dist.get((kind, subject), []), key=_order)),
                    tuple(sorted(acc.get((kind, subject), []), key=_order)),
                    channel.label if channel else None)
        (protected if channel else members).append(x)
    return ExposureSet(document, first_seen, tuple(members), tuple(protected))


def _order(ev: ExposureEvent) -> tuple:
    return (ev.occurred_at, ev.seq)
