"""The hash chain and the signed tree heads: canonical entry hashing, and finding where a
ledger was tampered with.

Pure functions over entries; no database. Entry n's hash is SHA-256 over the previous
entry's hash (64 zeros for the first) followed by the canonical JSON of its fields
(sorted keys, no whitespace, UTF-8), seq included, so that an edited, deleted, inserted
or reordered entry breaks either its own hash or the link to its neighbour. The same
canonical fields are the entry's leaf in the ledger's Merkle tree (ledger.merkle), whose
root a signed tree head commits to.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from . import merkle

GENESIS = "0" * 64
HASHED_FIELDS = ("seq", "kind", "occurred_at", "recorded_at", "actor", "recipient", "document", "action",
                 "source", "source_kind", "source_ref", "details")
KINDS = ("distribution", "access", "audit")
# How far a renumbered entry is looked for around its position (after the last shift seen).
_MOVE_WINDOW = 64


def canonical(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(prev_hash: str, fields: dict) -> str:
    return hashlib.sha256(prev_hash.encode("ascii", "replace") + canonical(fields)).hexdigest()


def format_time(dt: datetime) -> str:
    """Fixed-width UTC, so that string order is time order in any database."""
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def now() -> str:
    return format_time(datetime.now(UTC))


@dataclass(frozen=True)
class Entry:
    """One ledger record as stored (document is the numeric documents.id)."""

    seq: int
    kind: str
    occurred_at: str
    recorded_at: str
    actor: str
    recipient: str | None
    document: int | None
    action: str
    source: str
    source_kind: str
    source_ref: str | None
    details: dict | str  # a str only when the stored JSON is unreadable (a tampered row)
    prev_hash: str
    hash: str

    def fields(self, seq: int | None = None) -> dict:
        d = {f: getattr(self, f) for f in HASHED_FIELDS}
        if seq is not None:
            d["seq"] = seq
        return d

    def computed_hash(self, seq: int | None = None) -> str:
        return entry_hash(self.prev_hash, self.fields(seq))

    def leaf(self) -> bytes:
        """Its leaf hash in the ledger's Merkle tree."""
        return merkle.leaf_hash(canonical(self.fields()))

    def to_json(self) -> dict:
        d = asdict(self)
        d["document"] = None if self.document is None else f"D{self.document}"
        return d

    @classmethod
    def from_json(cls, d: dict) -> Entry:
        doc = d.get("document")
        if isinstance(doc, str) and doc[:1] in "Dd" and doc[1:].isdigit():
            doc = int(doc[1:])
        return cls(**{**{f: d.get(f) for f in cls.__dataclass_fields__}, "document": doc})


@dataclass(frozen=True)
class Problem:
    kind: str      # edited | deleted | inserted | reordered | bad_signature | digest_mismatch | evidence
    seq: int       # where: the entry concerned (for digests, the entry they sign)
    message: str


@dataclass(frozen=True)
class Digest:
    """A signed head: entries 1..upto_seq, the chain's hash at upto_seq and (from version 2, a
    signed tree head) the root of the Merkle tree of those entries."""

    upto_seq: int
    head_hash: str
    signed_at: str
    signature: str
    public_key: str
    root: str | None = None        # None: a digest signed before the ledger was a Merkle tree

    def message(self) -> bytes:
        return digest_message(self.upto_seq, self.head_hash, self.signed_at, self.root)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict) -> Digest:
        return cls(int(d["upto_seq"]), str(d["head_hash"]), str(d["signed_at"]), str(d["signature"]),
                   str(d["public_key"]), None if d.get("root") is None else str(d["root"]))


def digest_message(upto_seq: int, head_hash: str, signed_at: str, root: str | None = None) -> bytes:
    if root is None:
        return canonical({"v": "leaktrace-ledger-digest/1", "upto_seq": upto_seq, "head_hash": head_hash,
                          "signed_at": signed_at})
    return canonical({"v": "leaktrace-ledger-digest/2", "upto_seq": upto_seq, "head_hash": head_hash,
                      "root": root, "signed_at": signed_at})


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    digests: int
    signed_upto: int          # the highest seq covered by a valid signed digest (0 if none)
    problems: tuple[Problem, ...] = field(default_factory=tuple)
    root: str = merkle.EMPTY_ROOT.hex()   # the Merkle root of the entries as they are
    heads: int = 0            # signed tree heads checked outside the database (head file, pins, export header)
    head_signed_upto: int = 0  # the largest of them that the entries reproduce
    proofs: tuple[dict, ...] = ()   # consistency proofs from pinned heads to the latest signed head
    notices: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"ok": self.ok, "entries": self.entries, "head_seq": self.head_seq, "head_hash": self.head_hash,
                "digests": self.digests, "signed_upto": self.signed_upto, "root": self.root,
                "heads": self.heads, "head_signed_upto": self.head_signed_upto,
                "proofs": list(self.proofs), "notices": list(self.notices),
                "problems": [asdict(p) for p in self.problems]}


class _Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []
        self._seen: set[tuple[str, int]] = set()

    def add(self, kind: str, seq: int, message: str) -> None:
        if (kind, seq) not in self._seen:
            self._seen.add((kind, seq))
            self.items.append(Problem(kind, seq, message))

    def has(self, kind: str, seq: int) -> bool:
        return (kind, seq) in self._seen

    def discard(self, kind: str, seq: int) -> None:
        if (kind, seq) in self._seen:
            self._seen.discard((kind, seq))
            self.items = [p for p in self.items if (p.kind, p.seq) != (kind, seq)]


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def check_chain(entries: Iterable[Entry], find: Callable[[str], int | None]) -> tuple[int, int, str, list[Problem]]:
    """Walk the entries in seq order; `find(hash)` gives the current seq of the entry with that
    hash (or None). Returns (count, last seq, last hash, problems)."""
    probs = _Problems()
    moved: list[tuple[int, int]] = []  # (seq now, seq it was hashed at)
    prev: Entry | None = None
    prev_moved = False
    count = 0
    last_shift = 0
    for e in entries:
        count += 1
        expected = prev.seq + 1 if prev else 1
        if e.seq < expected:
            probs.add("inserted", e.seq, f"entry {e.seq} appears a second time, after entry {prev.seq}")
            continue
        gap = e.seq > expected
        if gap:
            n = e.seq - expected
            what = f"entry {expected} is" if n == 1 else f"entries {expected}-{e.seq - 1} are"
            probs.add("deleted", expected, f"{what} missing (deleted)")
        want_prev = prev.hash if prev else GENESIS
        moved_now = False
        if e.computed_hash() == e.hash:
            # A broken link right after a moved entry is explained by the move itself.
            if e.prev_hash != want_prev and not gap and not prev_moved:
                q = 0 if e.prev_hash == GENESIS else find(e.prev_hash)
                if q is None:
                    probs.add("edited", prev.seq if prev else e.seq,
                              f"entry {prev.seq if prev else e.seq} was changed and re-hashed: "
                              f"entry {e.seq} does not link to it")
                elif q < e.seq - 1:
                    for s in range(q + 1, e.seq):
                        probs.add("inserted", s, f"entry {s} is not part of the chain: "
                                                 f"entry {e.seq} links to entry {q}")
                else:
                    probs.add("reordered", e.seq, f"entry {e.seq} links to entry {q}, which comes after it")
        else:
            orig = None
            tries = [last_shift] if last_shift else []
            tries += [d for k in range(1, _MOVE_WINDOW + 1) for d in (k, -k) if d != last_shift]
            for d in tries:
                if e.seq + d >= 1 and e.computed_hash(e.seq + d) == e.hash:
                    orig = e.seq + d
                    last_shift = d
                    break
            if orig is not None:
                moved.append((e.seq, orig))
                moved_now = True
            elif e.prev_hash == want_prev or gap:
                probs.add("edited", e.seq, f"entry {e.seq} does not match its hash: its content was changed")
            else:
                after = f"entry {prev.seq}" if prev else "the start of the chain"
                probs.add("inserted", e.seq, f"entry {e.seq} neither matches its hash nor links to {after}")
        prev, prev_moved = e, moved_now
    _classify_moves(moved, probs)
    return count, prev.seq if prev else 0, prev.hash if prev else GENESIS, probs.items


def _classify_moves(moved: list[tuple[int, int]], probs: _Problems) -> None:
    """Entries intact but hashed at another seq: a cluster shifted one way means entries were
    deleted (or inserted) before it and the rest renumbered; shifts both ways mean reordering."""
    groups: list[list[tuple[int, int]]] = []
    hi = None
    for s, o in sorted(moved):
        lo_i, hi_i = min(s, o), max(s, o)
        if groups and hi is not None and lo_i <= hi:
            groups[-1].append((s, o))
            hi = max(hi, hi_i)
        else:
            groups.append([(s, o)])
            hi = hi_i
    for g in groups:
        shifts = {o - s for s, o in g}
        first, last = g[0][0], g[-1][0]
        if all(d > 0 for d in shifts) and len(shifts) == 1:
            d = shifts.pop()
            probs.add("deleted", first, f"{d} {_plural(d, 'entry is', 'entries are')} missing before entry {first}; "
                                        f"entries {first}-{last} were renumbered to hide the gap")
        elif all(d < 0 for d in shifts) and len(shifts) == 1:
            c = -shifts.pop()
            for s in range(max(1, first - c), first):
                probs.discard("edited", s)  # a forged entry in the room made for it: inserted, not edited
                if not probs.has("inserted", s):
                    probs.add("inserted", s, f"entry {s} was inserted: entries {first}-{last} were renumbered "
                                             f"to make room for it")
        else:
            for s, o in g:
                probs.add("reordered", s, f"entry {s} was entry {o} when it was recorded")


def check_digests(digests: Iterable[Digest], hash_at: Callable[[int], str | None], last_seq: int,
                  verify_signature: Callable[[Digest], str | None],
                  root_at: Callable[[int], str | None] | None = None,
                  first_problem: int | None = None, elsewhere: int = 0) -> tuple[int, list[Problem]]:
    """Each digest must carry a valid signature and sign the hash the chain has at its seq (and,
    given `root_at`, the Merkle root of the entries up to it, unless a tampered entry at or before
    `first_problem` explains the difference). `verify_signature` returns None when valid, else the
    reason. `elsewhere`: how far heads kept outside the database sign (the head file), for the
    message about entries no digest covers. Returns (signed_upto, problems)."""
    probs = _Problems()
    signed_upto = 0
    for d in digests:
        reason = verify_signature(d)
        if reason:
            probs.add("bad_signature", d.upto_seq, f"the digest signed at {d.signed_at} for entries up to "
                                                  f"{d.upto_seq}: {reason}")
            continue
        if d.upto_seq == 0:
            continue
        h = hash_at(d.upto_seq)
        if h is None:
            if d.upto_seq > last_seq:
                n = d.upto_seq - last_seq
                probs.add("deleted", last_seq + 1, f"the chain ends at entry {last_seq} but a digest signed at "
                                                   f"{d.signed_at} covers entries up to {d.upto_seq}: "
                                                   f"{n} {_plural(n, 'entry was', 'entries were')} deleted")
            else:
                probs.add("digest_mismatch", d.upto_seq, f"entry {d.upto_seq}, signed at {d.signed_at}, is missing")
        elif h != d.head_hash:
            probs.add("digest_mismatch", d.upto_seq, f"entry {d.upto_seq} is not the one signed at {d.signed_at}: "
                                                     f"the chain up to entry {d.upto_seq} was altered since")
        elif (d.root is not None and root_at is not None and root_at(d.upto_seq) != d.root
              and (first_problem is None or first_problem > d.upto_seq)):   # else the tampered entry explains it
            probs.add("digest_mismatch", d.upto_seq, f"entries 1-{d.upto_seq} do not reproduce the tree head "
                                                     f"signed at {d.signed_at}: the ledger was altered since")
        else:
            signed_upto = max(signed_upto, d.upto_seq)
    if last_seq > signed_upto and not probs.items:
        # leaktrace signs the head in the same transaction as every append, so entries after the
        # last digest were written by something else (or their digest was removed).
        what = f"entry {last_seq} is" if last_seq == signed_upto + 1 else f"entries {signed_upto + 1}-{last_seq} are"
        if elsewhere >= last_seq:
            why = (f"its digests were removed from the database (the head file still signs entries up to "
                   f"{elsewhere})")
        else:
            why = "added outside leaktrace, or a digest was removed"
        probs.add("inserted", signed_upto + 1, f"{what} not covered by any signed digest in the database: {why}")
    return signed_upto, probs.items


def check_heads(heads: Iterable[Digest], where: str, tree: Callable[[int], tuple[str, str] | None], count: int,
                last_seq: int, verify_signature: Callable[[Digest], str | None],
                first_problem: int | None) -> tuple[int, list[Problem]]:
    """Signed tree heads kept outside the database (the head file, a head the auditor pinned, an
    export's header): each must carry a valid signature, and the entries must reproduce its
    root. `tree(n)` gives (root, hash of entry n) of the first n entries; `first_problem` is the
    first entry the chain found tampered with, which explains every later mismatch. Returns (the
    largest head reproduced, problems)."""
    probs = _Problems()
    upto = 0
    for d in heads:
        reason = verify_signature(d)
        if reason:
            probs.add("bad_signature", d.upto_seq, f"the tree head signed at {d.signed_at} {where} for entries up "
                                                  f"to {d.upto_seq}: {reason}")
            continue
        explained = first_problem is not None and first_problem <= d.upto_seq
        if d.upto_seq > count:
            if not explained:
                n = d.upto_seq - count
                probs.add("deleted", last_seq + 1, f"the ledger ends at entry {last_seq} but the tree head signed at "
                                                   f"{d.signed_at} {where} covers {d.upto_seq} entries: "
                                                   f"{n} {_plural(n, 'entry was', 'entries were')} deleted")
            continue
        got = tree(d.upto_seq) if d.upto_seq else (merkle.EMPTY_ROOT.hex(), GENESIS)
        if got is None or got[1] != d.head_hash or d.root is not None and got[0] != d.root:
            if not explained:
                probs.add("digest_mismatch", d.upto_seq, f"entries 1-{d.upto_seq} do not reproduce the tree head "
                                                         f"signed at {d.signed_at} {where}: the ledger was altered "
                                                         "since it was signed")
        else:
            upto = max(upto, d.upto_seq)
    return upto, probs.items


def report(count: int, last_seq: int, last_hash: str, n_digests: int, signed_upto: int,
           problems: Iterator[Problem] | list[Problem], **more) -> VerifyReport:
    seen: set[tuple[str, int]] = set()
    unique = []
    for p in problems:      # the database's digests and the head file may both see one deletion
        if (p.kind, p.seq) not in seen:
            seen.add((p.kind, p.seq))
            unique.append(p)
    unique.sort(key=lambda p: (p.seq, p.kind))
    return VerifyReport(not unique, count, last_seq, last_hash, n_digests, signed_upto, tuple(unique), **more)
