"""The ledger of a workspace: who received and who opened what, append-only and hash-chained.

    led = Ledger(ws)
    led.import_file("audit.csv", "m365-csv")          # access events from an audit-log export
    led.events(document="D1", before="2024-05-01")    # who could have seen D1 before May
    led.verify()                                       # VerifyReport: where the chain was tampered with
    led.export("ledger.jsonl")                         # for an auditor, with verify_export(path, public_key)

Distributions are recorded by `mark` through `record_distributions(conn, ...)` inside its own
transaction. Every append signs a tree head (Ed25519 over the size, the chain's hash and the
Merkle root) after checking that the new tree extends the last signed one, which the head file
keeps outside the database (ledger.heads); the head goes to the head file once the transaction
has committed (`publish`, which `transaction()` does for its caller).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, OperationalError

from ..errors import ConflictError, InputError, LedgerAlteredError, NotFoundError, WorkspaceError
from ..store import db
from . import chain, evidence, importers, merkle, readers, signing
from .chain import GENESIS, Digest, Entry, VerifyReport
from .heads import HEAD_FILE, Head, HeadFile
from .mapping import ALIAS_KINDS, Resolver, normalize
from .tables import LEDGER_TABLES, document_aliases, ledger, ledger_digests

_BATCH = 500
EXPORT_FORMAT = "leaktrace-ledger-export"
EXPORT_VERSION = 2      # 2: the header states the signed tree head (size, root) the entries must reproduce
# The export's header names its schema first, as every JSON leaktrace writes for users does; its own
# kind, since `ledger export --json` prints another shape (what was written) as leaktrace.ledger-export/1.
EXPORT_SCHEMA_KIND = "leaktrace.ledger-export-file"
EXPORT_SCHEMA = f"{EXPORT_SCHEMA_KIND}/{EXPORT_VERSION}"


@dataclass(frozen=True)
class NewEntry:
    """An entry to append; seq, recorded_at and the hashes are the ledger's to set."""

    kind: str
    occurred_at: str
    actor: str
    action: str
    source: str
    source_kind: str
    recipient: str | None = None
    document: int | None = None
    source_ref: str | None = None
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ImportResult:
    file: str
    format: str
    events: int                  # access events read (duplicates included)
    added: int                   # new entries in the ledger
    duplicates: int              # already in the ledger (same source and event id)
    ignored: int                 # well-formed records of operations that are not accesses
    rejected: int                # malformed records, written to the quarantine file
    quarantine: str | None
    mapped_documents: int        # added entries mapped to a registered document
    mapped_recipients: int       # added entries mapped to a recipient
    first_seq: int | None
    last_seq: int | None
    ignored_operations: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)


# Said once, by the command that gave an older workspace's ledger its first signed tree head
# (the CLI prints them after the command's output).
NOTICES: list[str] = []
_NEW = "leaktrace.ledger.first_new"     # conn.info: (transaction, first seq it appended)


@dataclass(frozen=True)
class _Base:
    """The tree a new head must extend: the last signed head, as the head file keeps it."""

    size: int
    head_hash: str
    frontier: merkle.Frontier
    signed_at: str = ""


class Ledger:
    def __init__(self, ws):
        self.ws = ws
        self.engine = ws.engine
        self.path = Path(ws.path)
        self._ready = False
        self.heads = HeadFile(self.path)
        self._pending: list[Head] = []

    # ---------------------------------------------------------------- storage
    def _ensure(self, conn: Connection) -> None:
        """Workspaces created before the ledger existed get its tables on first use."""
        if not self._ready:
            db.metadata.create_all(conn, tables=list(LEDGER_TABLES), checkfirst=True)
            self._ready = True

    def _begin(self, conn: Connection | None):
        if conn is not None:
            return _Borrowed(conn)
        return self.engine.begin()

    def _signing_key(self, conn: Connection | None = None):
        """Created on first use; never silently replaced once digests were signed with it."""
        if not (self.path / signing.KEY_FILE).exists():
            signed = self.heads.exists()
            if not signed:
                with self._begin(conn) as c:
                    self._ensure(c)
                    signed = c.execute(select(ledger_digests.c.id).limit(1)).first() is not None
            if signed:
                signing.load_or_create(self.path, create=False)  # raises: restore the key from backup
        return signing.load_or_create(self.path, create=True)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A database transaction whose appends' tree heads go to the head file once it commits."""
        try:
            with self.engine.begin() as c:
                self._ensure(c)
                yield c
        except BaseException:
            self.discard()
            raise
        self.publish()

    def publish(self) -> None:
        """Write the heads signed in a committed transaction to the head file (a head whose
        transaction rolled back is not in the database, and is dropped)."""
        pending, self._pending = sorted(self._pending, key=lambda h: h.size), []
        if not pending:
            return
        with self.engine.connect() as c:
            committed = set(c.execute(select(ledger_digests.c.signature).where(
                ledger_digests.c.signature.in_([h.digest.signature for h in pending]))).scalars())
        for h in pending:
            if h.digest.signature in committed:
                self.heads.append(h)

    def discard(self) -> None:
        """Forget the heads of a transaction that rolled back."""
        self._pending = []

    # ---------------------------------------------------------------- appending
    def append(self, entries: Iterable[NewEntry], conn: Connection | None = None, *, sign: bool = True) -> list[Entry]:
        """Append entries in one transaction (the caller's, when `conn` is given: the caller then
        calls `publish()` after its commit, or uses `transaction()`); returns them."""
        if conn is None:
            with self.transaction() as c:
                return self.append(entries, c, sign=sign)
        self._ensure(conn)
        w = _Writer(conn)
        out = [w.add(e) for e in entries]
        w.flush()
        if sign and out:
            self._sign(conn)
        return out

    def record_distributions(self, conn: Connection, doc_id: int, copies: Iterable, *, channel: str = "file",
                             actor: str | None = None, occurred_at: str | None = None,
                             sections: list[str] | None = None, copies_row: bool = False) -> list[Entry]:
        """One `distribution` entry per issued copy (objects with recipient, copy, sha256, path, or
        tuples in that order), appended inside the caller's transaction, then a signed head. Each
        entry commits to who its holder is (evidence.holder_hash) and, with `copies_row` (mark's
        copies), to the copy's row in the copies table, which must then exist."""
        when = occurred_at or chain.now()
        who = actor or _local_user()
        copies = [((c.recipient, c.copy, c.sha256, c.path) if hasattr(c, "recipient") else tuple(c)) for c in copies]
        holders = {}
        ids = list({c[0] for c in copies})
        for i in range(0, len(ids), 500):
            for r in conn.execute(select(db.recipients.c.id, db.recipients.c.name, db.recipients.c.email)
                                  .where(db.recipients.c.id.in_(ids[i:i + 500]))):
                holders[r.id] = evidence.holder_hash(r.id, r.name, r.email)
        entries = []
        for rid, cid, sha, path in copies:
            entries.append(NewEntry("distribution", when, who, "distribute", "mark", "mark", recipient=rid,
                                    document=int(doc_id),
                                    details={"copy_id": cid, "sha256": sha, "path": str(path), "channel": channel,
                                             **({"sections": sections} if sections is not None else {}),
                                             **({"holder": holders[rid]} if rid in holders else {}),
                                             **({"copies_row": True} if copies_row else {})}))
        return self.append(entries, conn)

    def record_distribution(self, conn: Connection, doc_id: int, recipient: str, copy_id: str, sha256: str,
                            path: str, channel: str = "file") -> Entry:
        return self.record_distributions(conn, doc_id, [(recipient, copy_id, sha256, path)], channel=channel)[0]

    def record_audit(self, action: str, actor: str | None = None, details: dict | None = None, *,
                     document: int | None = None, recipient: str | None = None,
                     conn: Connection | None = None) -> Entry:
        """An investigator's own act (trace, reveal, import, export), in the same chain."""
        e = NewEntry("audit", chain.now(), actor or _local_user(), action, "leaktrace", "audit",
                     recipient=recipient, document=document, details=details or {})
        return self.append([e], conn)[0]

    # ---------------------------------------------------------------- signed tree heads
    def sign_digest(self, conn: Connection | None = None) -> Digest | None:
        """Sign the current head (nothing new to sign when it is already signed, or the ledger is
        empty), after checking that the ledger extends its last signed head."""
        if conn is None:
            with self.transaction() as c:
                lock_for_append(c)
                return self._sign(c)
        self._ensure(conn)
        return self._sign(conn)

    def _sign(self, conn: Connection) -> Digest | None:
        first_new = _take_new(conn)
        key = self._signing_key(conn)
        check = signing.checker(key.public_key())
        base = self._base(conn, check, first_new, key)
        head = conn.execute(select(ledger.c.seq, ledger.c.hash).order_by(ledger.c.seq.desc()).limit(1)).first()
        if head is None:
            return None
        frontier, covered = self._extend(conn, base, check)
        upto = first_new - 1 if first_new is not None else head.seq
        if covered < upto:
            what = f"entry {upto}" if covered + 1 == upto else f"entries {covered + 1}-{upto}"
            raise _altered(f"{what} {'is' if covered + 1 == upto else 'are'} not covered by any signed tree head "
                           "(added outside leaktrace)")
        root = frontier.root().hex()
        last = conn.execute(select(ledger_digests).order_by(ledger_digests.c.id.desc()).limit(1)).first()
        if last is not None and last.upto_seq == head.seq and last.head_hash == head.hash and last.root == root:
            d = _digest(last)
        else:
            d = signing.sign(key, head.seq, head.hash, chain.now(), root)
            conn.execute(ledger_digests.insert().values(**d.to_json()))
        self._pending.append(Head(d, frontier))
        return d

    def _base(self, conn: Connection, check, first_new: int | None, key) -> _Base:
        """The last signed head, which the database must still hold: its entry, intact. A ledger
        without a head file (a workspace older than the head file) gets its first head here."""
        h = self.heads.latest()
        if h is not None:
            reason = check(h.digest)
            if reason:
                raise WorkspaceError(f"{self.heads.path}: its last tree head does not verify ({reason}); the head "
                                     "file or the signing key was replaced: restore them from backup")
            if h.size:
                r = conn.execute(select(ledger).where(ledger.c.seq == h.size)).first()
                if r is None:
                    raise _altered(f"entry {h.size}, the last one signed at {h.digest.signed_at}, is missing")
                e = _entry(r)
                if e.hash != h.digest.head_hash or e.computed_hash() != e.hash:
                    raise _altered(f"entry {h.size}, the last one signed at {h.digest.signed_at}, was changed or "
                                   "the chain before it rewritten")
            return _Base(h.size, h.digest.head_hash, h.frontier.copy(), h.digest.signed_at)
        # no head file: a new ledger, one older than the head file, or one whose heads were signed in a
        # transaction that nobody published (a caller that appended in its own transaction)
        upto = first_new - 1 if first_new is not None else (
            conn.execute(select(func.max(ledger.c.seq))).scalar() or 0)
        if upto == 0:
            return _Base(0, GENESIS, merkle.Frontier())
        return self._adopt(conn, upto, check, key)

    def _adopt(self, conn: Connection, upto: int, check, key) -> _Base:
        """The first head of the head file, over entries 1..upto, once their chain and every
        digest the database holds for them verify."""
        digests = [_digest(r) for r in conn.execute(select(ledger_digests).where(ledger_digests.c.upto_seq <= upto)
                                                    .order_by(ledger_digests.c.id))]
        sizes = {d.upto_seq for d in digests}
        roots: dict[int, str] = {}
        frontier = merkle.Frontier()

        def rows() -> Iterator[Entry]:
            for r in conn.execute(select(ledger).where(ledger.c.seq <= upto).order_by(ledger.c.seq)
                                  .execution_options(yield_per=1000)):
                e = _entry(r)
                frontier.add(e.leaf())
                if frontier.size in sizes:
                    roots[frontier.size] = frontier.root().hex()
                yield e

        count, last_seq, last_hash, problems = chain.check_chain(rows(), lambda h: conn.execute(
            select(ledger.c.seq).where(ledger.c.hash == h).limit(1)).scalar())
        by_seq = {}
        for d in digests:
            by_seq[d.upto_seq] = conn.execute(select(ledger.c.hash).where(ledger.c.seq == d.upto_seq)).scalar()
        _, dprobs = chain.check_digests(digests, by_seq.get, last_seq, check, root_at=roots.get)
        if problems or dprobs or count != upto:
            raise LedgerAlteredError("the ledger has no signed tree head in its head file and does not verify, so "
                                     "none is signed over it: run `leaktrace ledger verify` to see where it was "
                                     "altered")
        trees = any(d.root is not None for d in digests)
        d = signing.sign(key, upto, last_hash, chain.now(), frontier.root().hex())
        conn.execute(ledger_digests.insert().values(**d.to_json()))
        self._pending.append(Head(d, frontier.copy()))
        if not trees:
            NOTICES.append(f"The ledger had no head file: its first signed tree head ({upto} entries, root "
                           f"{d.root[:16]}…) was written to {HEAD_FILE} in the workspace; from now on every "
                           "command checks the ledger against it.")
        return _Base(upto, last_hash, frontier, d.signed_at)

    def _extend(self, conn: Connection, base: _Base, check) -> tuple[merkle.Frontier, int]:
        """Grow the base's tree with the entries after it; returns the tree and how far signed heads
        in the database cover it (each one checked: one that the entries do not reproduce means
        they were altered after it was signed)."""
        signed: dict[int, list[Digest]] = {}
        for r in conn.execute(select(ledger_digests).where(ledger_digests.c.upto_seq > base.size)
                              .where(ledger_digests.c.root.is_not(None))):
            d = _digest(r)
            if check(d) is None:
                signed.setdefault(d.upto_seq, []).append(d)
        f, prev, covered = base.frontier.copy(), base.head_hash, base.size
        for r in conn.execute(select(ledger).where(ledger.c.seq > base.size).order_by(ledger.c.seq)
                              .execution_options(yield_per=1000)):
            e = _entry(r)
            if e.seq != f.size + 1 or e.prev_hash != prev or e.computed_hash() != e.hash:
                raise _altered(f"entry {e.seq} does not follow the entries before it")
            f.add(e.leaf())
            prev = e.hash
            for d in signed.get(f.size, ()):
                if d.head_hash != e.hash or d.root != f.root().hex():
                    raise _altered(f"entries 1-{f.size} do not reproduce the tree head signed at {d.signed_at}")
                covered = f.size
        return f, covered

    def prove(self, seq: int) -> dict:
        """An inclusion proof that entry `seq` is in the latest signed tree head, checked before it
        is given (RFC 9162: leaf index seq-1, the audit path, the head)."""
        h = self.heads.latest()
        if h is None or seq > h.size:
            raise NotFoundError(f"entry {seq} is not covered by a signed tree head yet"
                                if h is not None else "the ledger has no signed tree head yet")
        with self.engine.begin() as c:
            self._ensure(c)
            leaves = [_entry(r).leaf() for r in c.execute(
                select(ledger).where(ledger.c.seq <= h.size).order_by(ledger.c.seq).execution_options(yield_per=1000))]
        path = merkle.inclusion_proof(leaves, seq - 1, h.size) if len(leaves) == h.size else []
        if len(leaves) != h.size or not merkle.verify_inclusion(leaves[seq - 1], seq - 1, h.size, path,
                                                                bytes.fromhex(h.digest.root)):
            raise _altered(f"the entries do not reproduce the tree head signed at {h.digest.signed_at}")
        return {"seq": seq, "leaf_index": seq - 1, "leaf_hash": leaves[seq - 1].hex(), "tree_size": h.size,
                "root": h.digest.root, "path": [p.hex() for p in path], "head": h.digest.to_json()}

    def latest_head(self) -> Digest | None:
        """The last signed tree head in the head file (what an auditor pins)."""
        h = self.heads.latest()
        return None if h is None else h.digest

    def digests(self) -> list[Digest]:
        with self.engine.begin() as c:
            self._ensure(c)
            return [_digest(r) for r in c.execute(select(ledger_digests).order_by(ledger_digests.c.id))]

    def public_key(self) -> str:
        """The signing key's public half, PEM (for auditors)."""
        return signing.public_pem(self._signing_key())

    def public_key_hex(self) -> str:
        return signing.public_hex(self._signing_key())

    # ---------------------------------------------------------------- importing
    def import_file(self, path: str | os.PathLike, fmt: str, mapping=None, skip_invalid: bool = False,
                    quarantine: str | os.PathLike | None = None,
                    progress: Callable[[int, int], None] | None = None) -> ImportResult:
        """Load access events from an audit-log export, streaming. All or nothing: a malformed
        record stops the import (`FILE:LINE: reason`) unless `skip_invalid`, which writes the
        rejected records to `quarantine` (default FILE.quarantine.jsonl). Events already in the
        ledger (same source, same event id) are not added again."""
        path = Path(path)
        f = importers.get_format(fmt)
        if f.needs_mapping:
            mapping = importers.Mapping.parse(mapping)
        elif mapping:
            raise InputError(f"--map is for the generic formats (csv, jsonl), not {f.name}")
        qpath = Path(quarantine) if quarantine else Path(str(path) + ".quarantine.jsonl")
        if skip_invalid:
            if qpath.is_dir():
                raise InputError(f"{qpath}: is a folder; give a file for the quarantine")
            if not qpath.parent.is_dir():
                raise InputError(f"{qpath.parent}: no such folder for the quarantine file")
            if path.exists() and qpath.exists() and qpath.resolve() == path.resolve():
                raise InputError(f"{qpath}: the quarantine file cannot be the input file")
        source = f"{f.name}:{path.name}"
        counts = Counter()
        ignored_ops: Counter = Counter()
        q = _Quarantine(qpath, str(path)) if skip_invalid else None
        first_seq = last_seq = None
        try:
            with readers.open_stream(path, progress) as stream, self.transaction() as conn:
                resolver = Resolver(conn)
                w = _Writer(conn)
                recorded = chain.now()
                batch: list[importers.Event] = []

                def flush() -> None:
                    nonlocal first_seq, last_seq
                    refs = list({e.source_ref for e in batch})
                    known = set(conn.execute(select(ledger.c.source_ref).where(ledger.c.source_kind == f.source_kind)
                                             .where(ledger.c.source_ref.in_(refs))).scalars())
                    for e in batch:
                        if e.source_ref in known:
                            counts["duplicates"] += 1
                            continue
                        known.add(e.source_ref)
                        doc, ddet = resolver.document(e.documents)
                        rid, rdet = resolver.recipient(e.accounts)
                        details = {**e.details, **ddet, **rdet}
                        if not f.needs_mapping:  # kept so that events can be mapped again later
                            details["identifiers"] = dict(e.documents)
                        entry = w.add(NewEntry("access", e.occurred_at, e.actor, e.action, source, f.source_kind,
                                               recipient=rid, document=doc, source_ref=e.source_ref,
                                               details=details), recorded)
                        counts["added"] += 1
                        counts["mapped_documents"] += doc is not None
                        counts["mapped_recipients"] += rid is not None
                        first_seq = first_seq or entry.seq
                        last_seq = entry.seq
                    w.flush()
                    batch.clear()

                for item in f.parse(stream, str(path), mapping):
                    if isinstance(item, importers.Event):
                        counts["events"] += 1
                        batch.append(item)
                        if len(batch) >= _BATCH:
                            flush()
                    elif isinstance(item, importers.Ignored):
                        counts["ignored"] += 1
                        if len(ignored_ops) < 50 or item.operation in ignored_ops:
                            ignored_ops[item.operation] += 1
                    else:
                        if q is None:
                            raise InputError(f"{item.where(str(path))}: {item.reason} "
                                             "(nothing was imported; --skip-invalid sets such rows aside)")
                        counts["rejected"] += 1
                        q.write(item)
                if batch:
                    flush()
                if counts["events"] == 0 and counts["rejected"] == 0 and counts["ignored"] == 0:
                    raise InputError(f"{path}: no records found in this {f.name} file")
                # the import itself is an investigator's act: it goes in the audit trail too
                self.record_audit("import", details={
                    "file": str(path), "format": f.name, "sha256": readers.file_sha256(path),
                    **{k: counts[k] for k in ("events", "added", "duplicates", "ignored", "rejected")}},
                    conn=conn)
            if q is not None:
                q.commit()
        except IntegrityError:
            raise ConflictError("the ledger was changed by another process during the import; run it again") from None
        except OperationalError as e:
            if "locked" not in str(e):
                raise
            raise ConflictError("the workspace database is busy (another import or mark is running); "
                                "run the import again") from None
        finally:
            if q is not None:
                q.discard()
        return ImportResult(str(path), f.name, counts["events"], counts["added"], counts["duplicates"],
                            counts["ignored"], counts["rejected"], str(qpath) if q and q.written else None,
                            counts["mapped_documents"], counts["mapped_recipients"], first_seq, last_seq,
                            dict(ignored_ops.most_common()))

    # ---------------------------------------------------------------- aliases
    def add_alias(self, doc: str | int, kind: str, value: str) -> None:
        """Tell the ledger that events naming `value` (a vendor file id, path or URL, file name or
        SHA-256) are about document `doc`. Applies to events imported from now on."""
        n = _doc_number(doc)
        if kind not in ALIAS_KINDS:
            raise InputError(f"unknown alias kind {kind!r}; choose from {', '.join(ALIAS_KINDS)}")
        v = normalize(kind, value)
        if v is None:
            raise InputError(f"{value!r} is not a usable {kind}" + (" (64 hexadecimal digits)" if kind == "sha256" else ""))
        with self.engine.begin() as c:
            self._ensure(c)
            if c.execute(select(db.documents.c.id).where(db.documents.c.id == n)).first() is None:
                raise NotFoundError(f"no document D{n}; `leaktrace doc list` shows the registered ones")
            exists = c.execute(select(document_aliases.c.document).where(document_aliases.c.kind == kind)
                               .where(document_aliases.c.value == v).where(document_aliases.c.document == n)).first()
            if exists is None:
                c.execute(document_aliases.insert().values(document=n, kind=kind, value=v, created_at=chain.now()))

    def aliases(self, doc: str | int | None = None) -> list[tuple[str, str, str]]:
        """(document, kind, value) of the aliases added so far (documents' own names and hashes
        appear after the first import)."""
        with self.engine.begin() as c:
            self._ensure(c)
            q = select(document_aliases.c.document, document_aliases.c.kind, document_aliases.c.value)
            if doc is not None:
                q = q.where(document_aliases.c.document == _doc_number(doc))
            return [(f"D{d}", k, v) for d, k, v in c.execute(q.order_by(document_aliases.c.document,
                                                                       document_aliases.c.kind,
                                                                       document_aliases.c.value))]

    # ---------------------------------------------------------------- queries
    def events(self, document: str | int | None = None, before: str | datetime | None = None,
               recipient: str | None = None, kind: str | None = None, after: str | datetime | None = None,
               limit: int | None = None) -> list[Entry]:
        """Entries in time order. `events(document="D1", before=T)` is the exposure question: who
        received or accessed D1 before T, and how (an index lookup on (document, occurred_at))."""
        q = select(ledger)
        if document is not None:
            q = q.where(ledger.c.document == _doc_number(document))
        if recipient is not None:
            q = q.where(ledger.c.recipient == recipient)
        if kind is not None:
            if kind not in chain.KINDS:
                raise InputError(f"unknown entry kind {kind!r}; choose from {', '.join(chain.KINDS)}")
            q = q.where(ledger.c.kind == kind)
        if before is not None:
            q = q.where(ledger.c.occurred_at < _time_arg(before, "--before"))
        if after is not None:
            q = q.where(ledger.c.occurred_at >= _time_arg(after, "--after"))
        q = q.order_by(ledger.c.occurred_at, ledger.c.seq)
        if limit:
            q = q.limit(limit)
        with self.engine.begin() as c:
            self._ensure(c)
            return [_entry(r) for r in c.execute(q)]

    def count(self) -> int:
        with self.engine.begin() as c:
            self._ensure(c)
            return c.execute(select(func.count()).select_from(ledger)).scalar_one()

    # ---------------------------------------------------------------- verifying
    def verify(self, pins: Sequence[Digest] = ()) -> VerifyReport:
        """Check every entry's hash and link, every digest's signature and head, the entries
        against every signed tree head in the head file and against `pins` (heads an auditor
        kept), and the evidence tables against the entries that commit to them. For each pin, a
        consistency proof from it to the latest signed head."""
        key = signing.load_or_create(self.path, create=False) if (self.path / signing.KEY_FILE).exists() else None
        notices = self._adopt_if_needed(key)
        file_heads = [h.digest for h in self.heads.heads()]
        if key is None and file_heads:
            signing.load_or_create(self.path, create=False)  # raises: the key is missing
        with self.engine.begin() as c:
            self._ensure(c)
            digests = [_digest(r) for r in c.execute(select(ledger_digests).order_by(ledger_digests.c.id))]
            if key is None and digests:
                signing.load_or_create(self.path, create=False)  # raises: the key is missing

            def find(h: str) -> int | None:
                return c.execute(select(ledger.c.seq).where(ledger.c.hash == h).limit(1)).scalar()

            def hash_at(seq: int) -> str | None:
                return c.execute(select(ledger.c.hash).where(ledger.c.seq == seq)).scalar()

            sizes = {d.upto_seq for d in (*digests, *file_heads, *pins)}
            tree: dict[int, tuple[str, str]] = {}
            frontier = merkle.Frontier()
            leaves: list[bytes] | None = [] if pins else None
            bindings = evidence.Bindings()

            def rows() -> Iterator[Entry]:
                stored = c.execute(select(ledger).order_by(ledger.c.seq).execution_options(yield_per=1000))
                for e in _grown(map(_entry, stored), frontier, leaves, sizes, tree):
                    bindings.see(e)
                    yield e

            count, last_seq, last_hash, problems = chain.check_chain(rows(), find)
            first = min((p.seq for p in problems), default=None)
            check = signing.checker(key.public_key()) if key is not None else (lambda d: None)
            head_upto, hprobs = chain.check_heads(file_heads, f"in {HEAD_FILE}", tree.get, count, last_seq, check,
                                                  first)
            pin_upto, pprobs = chain.check_heads(pins, "in the pinned head", tree.get, count, last_seq, check, first)
            signed_upto, dprobs = chain.check_digests(digests, hash_at, last_seq, check,
                                                      root_at=lambda n: tree.get(n, (None, None))[0],
                                                      first_problem=first, elsewhere=head_upto)
            eprobs = bindings.check(c)
            if problems or hprobs or dprobs or pprobs:   # rows no entry recorded: explained by the entries lost
                eprobs = [p for p in eprobs if p.seq]
        proofs = _consistency_proofs(pins, file_heads, leaves)
        return chain.report(count, last_seq, last_hash, len(digests), signed_upto,
                            problems + dprobs + hprobs + pprobs + eprobs, root=frontier.root().hex(),
                            heads=len(file_heads) + len(pins), head_signed_upto=max(head_upto, pin_upto),
                            proofs=tuple(proofs), notices=tuple(notices))

    def _adopt_if_needed(self, key) -> list[str]:
        """An older workspace's ledger gets its first signed tree head when it is first verified
        (when it verifies: a tampered one is reported, not signed)."""
        if key is None or self.heads.exists():
            return []
        before = len(NOTICES)
        try:
            with self.transaction() as c:
                lock_for_append(c)
                if c.execute(select(ledger.c.seq).limit(1)).first() is not None:
                    self._base(c, signing.checker(key.public_key()), None, key)
        except (LedgerAlteredError, WorkspaceError):
            return []
        return NOTICES[before:]

    # ---------------------------------------------------------------- export
    def export(self, path: str | os.PathLike, *, overwrite: bool = False) -> int:
        """Write the ledger as JSON Lines for an auditor: a header with the public key, the signed
        digests, then every entry. The head is signed first. Returns the number of entries."""
        out = Path(path)
        if out.exists() and not overwrite:
            raise ConflictError(f"{out} already exists; use --force to overwrite or choose another file")
        if out.is_dir():
            raise InputError(f"{out}: is a folder")
        if not out.parent.is_dir():
            raise InputError(f"{out.parent}: no such folder")
        head = self.sign_digest()
        key = self._signing_key()
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh, self.engine.begin() as c:
                self._ensure(c)
                # exactly the entries the signed head covers (another command may append meanwhile)
                n = head.upto_seq if head is not None else 0
                digests = [_digest(r) for r in c.execute(select(ledger_digests).where(ledger_digests.c.upto_seq <= n)
                                                         .order_by(ledger_digests.c.id))]
                header = {"type": EXPORT_FORMAT, "version": EXPORT_VERSION, "exported_at": chain.now(),
                          "public_key": signing.public_hex(key), "entries": n, "digests": len(digests),
                          "size": n, "root": head.root if head is not None else merkle.EMPTY_ROOT.hex(),
                          "head": head.to_json() if head is not None else None}
                fh.write(json.dumps({"schema": EXPORT_SCHEMA, **dict(sorted(header.items()))},
                                    ensure_ascii=False) + "\n")
                for d in digests:
                    fh.write(_line({"type": "digest", **d.to_json()}))
                for r in c.execution_options(yield_per=1000).execute(select(ledger).where(ledger.c.seq <= n)
                                                                     .order_by(ledger.c.seq)):
                    e = _entry(r)
                    fh.write(_line({"type": "entry", **asdict(e)}))
            os.replace(tmp, out)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        # exporting evidence is an investigator's act too; it is recorded after what it exported
        self.record_audit("export", details={"path": str(out), "entries": n, "sha256": readers.file_sha256(out)})
        return n


def verify_export(path: str | os.PathLike, public_key: bytes | str, pins: Sequence[Digest] = ()) -> VerifyReport:
    """Check an exported ledger with the public key alone: no database, no secret. An export of
    schema 2 states its signed tree head (size and root), which its entries must reproduce, so
    that an emptied or truncated export is refused; `pins` are heads the auditor kept (an
    earlier export's, or `leaktrace ledger head`), which the entries must reproduce too."""
    path = Path(path)
    key = signing.parse_public_key(public_key)
    digests: list[Digest] = []
    by_hash: dict[str, int] = {}
    by_seq: dict[int, str] = {}
    offsets: list[tuple[int, int]] = []
    with readers.open_stream(path) as stream:
        first = stream.readline()
        try:
            header = json.loads(first)
        except ValueError:
            header = None
        if not isinstance(header, dict) or header.get("type") != EXPORT_FORMAT:
            raise InputError(f"{path}: not a leaktrace ledger export (its first line is not the export header)")
        kind, _, version = str(header.get("schema", EXPORT_SCHEMA)).partition("/")   # exports before it: none
        if kind != EXPORT_SCHEMA_KIND or not version.isdigit() or int(version) > EXPORT_VERSION:
            raise InputError(f"{path}: a ledger export of schema {header.get('schema')}, which this leaktrace "
                             f"does not read (it reads {EXPORT_SCHEMA}); check it with a newer leaktrace")
        stated = None
        if "schema" in header and int(version) >= 2:
            try:
                stated = Digest.from_json(header["head"]) if header.get("head") is not None else None
                size, root = int(header["size"]), str(header["root"])
            except (KeyError, TypeError, ValueError):
                raise InputError(f"{path}:1: the export header does not state its signed tree head") from None
            if stated is not None and (stated.upto_seq, stated.root) != (size, root) or stated is None and size:
                raise InputError(f"{path}:1: the export header's size and root are not those of its signed head")
        offset = len(first)
        for n, raw in enumerate(stream, start=2):
            here, offset = offset, offset + len(raw)
            if not raw.strip():
                continue
            try:
                rec = json.loads(raw)
                kind = rec["type"]
                if kind == "digest":
                    digests.append(Digest.from_json(rec))
                elif kind == "entry":
                    seq, h = int(rec["seq"]), str(rec["hash"])
                    by_hash.setdefault(h, seq)
                    by_seq.setdefault(seq, h)
                    offsets.append((seq, here))
                else:
                    raise ValueError(kind)
            except (ValueError, KeyError, TypeError):
                raise InputError(f"{path}:{n}: not a ledger export record") from None
    in_order = all(a[0] <= b[0] for a, b in zip(offsets, offsets[1:]))
    if not in_order:
        offsets.sort()
    heads = [stated] if stated is not None else []
    sizes = {d.upto_seq for d in (*digests, *heads, *pins)}
    tree: dict[int, tuple[str, str]] = {}
    frontier = merkle.Frontier()
    leaves: list[bytes] | None = [] if pins else None

    def entries() -> Iterator[Entry]:
        with path.open("rb") as fh:
            def read() -> Iterator[Entry]:
                for _, off in offsets:
                    fh.seek(off)
                    yield Entry.from_json(json.loads(fh.readline()))
            yield from _grown(read(), frontier, leaves, sizes, tree)

    count, last_seq, last_hash, problems = chain.check_chain(entries(), by_hash.get)
    first_problem = min((p.seq for p in problems), default=None)
    check = signing.checker(key)
    head_upto, hprobs = chain.check_heads(heads, "in the export's header", tree.get, count, last_seq, check,
                                          first_problem)
    pin_upto, pprobs = chain.check_heads(pins, "in the pinned head", tree.get, count, last_seq, check, first_problem)
    signed_upto, dprobs = chain.check_digests(digests, by_seq.get, last_seq, check,
                                              root_at=lambda n: tree.get(n, (None, None))[0],
                                              first_problem=first_problem)
    cprobs = []
    if stated is not None and count > stated.upto_seq and first_problem is None:
        cprobs.append(chain.Problem("inserted", stated.upto_seq + 1,
                                    f"entries after {stated.upto_seq} are not covered by the export's signed head"))
    if "schema" not in header or int(version) < 2:
        # an export of schema 1 states its counts, unsigned: at least they must be what it holds
        want = (header.get("entries"), header.get("digests"))
        if want != (count, len(digests)) and None not in want:
            cprobs.append(chain.Problem("deleted", last_seq + 1, f"the export's header states {want[0]} entries and "
                                                                 f"{want[1]} digests, and it holds {count} entries "
                                                                 f"and {len(digests)} digests"))
    proofs = _consistency_proofs(pins, heads, leaves)
    return chain.report(count, last_seq, last_hash, len(digests), signed_upto,
                        problems + dprobs + hprobs + pprobs + cprobs, root=frontier.root().hex(),
                        heads=len(heads) + len(pins), head_signed_upto=max(head_upto, pin_upto),
                        proofs=tuple(proofs))


def read_head(data: bytes | str, name: str = "pinned head") -> Digest:
    """A signed tree head as an auditor keeps it: the JSON `leaktrace ledger head --json` prints,
    a line of the head file, or an export's header (its `head`)."""
    try:
        d = json.loads(data)
        if isinstance(d, dict) and isinstance(d.get("head"), dict):
            d = d["head"]
        if isinstance(d, dict) and isinstance(d.get("item"), dict):
            d = d["item"]
        head = Digest.from_json(d)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise InputError(f"{name}: not a signed tree head (give the JSON `leaktrace ledger head --json` prints, or "
                         "a ledger export's first line)") from None
    if head.root is None:
        raise InputError(f"{name}: a digest without a Merkle root, not a signed tree head")
    return head


# -------------------------------------------------------------------- helpers
def _consistency_proofs(pins: Sequence[Digest], heads: Sequence[Digest], leaves: list[bytes] | None) -> list[dict]:
    """From each pinned head to the latest signed one: the RFC 9162 proof, computed from the
    entries and checked as an auditor would check it with the two roots alone."""
    if not pins or not heads or leaves is None:
        return []
    latest = max(heads, key=lambda d: d.upto_seq)
    out = []
    for p in pins:
        if p.root is None or p.upto_seq > latest.upto_seq or latest.upto_seq > len(leaves):
            continue
        proof = merkle.consistency_proof(leaves, p.upto_seq, latest.upto_seq)
        ok = merkle.verify_consistency(p.upto_seq, latest.upto_seq, bytes.fromhex(p.root),
                                       bytes.fromhex(latest.root or ""), proof)
        out.append({"from_size": p.upto_seq, "from_root": p.root, "to_size": latest.upto_seq,
                    "to_root": latest.root, "proof": [x.hex() for x in proof], "verified": ok})
    return out


class _Writer:
    """Appends entries after the current head, in batches, in the given transaction."""

    def __init__(self, conn: Connection):
        self.conn = conn
        lock_for_append(conn)
        head = conn.execute(select(ledger.c.seq, ledger.c.hash).order_by(ledger.c.seq.desc()).limit(1)).first()
        self.seq, self.hash = (head.seq, head.hash) if head else (0, GENESIS)
        self.rows: list[dict] = []
        txn = conn.get_transaction()
        mark = conn.info.get(_NEW)
        if mark is None or mark[0] is not txn:      # the transaction's own entries start after this head
            conn.info[_NEW] = (txn, self.seq + 1)

    def add(self, e: NewEntry, recorded_at: str | None = None) -> Entry:
        if e.kind not in chain.KINDS:
            raise ValueError(f"unknown entry kind {e.kind!r}")
        details = json.loads(json.dumps(e.details, ensure_ascii=False, default=str))  # JSON-safe, as read back
        fields = {"seq": self.seq + 1, "kind": e.kind, "occurred_at": e.occurred_at,
                  "recorded_at": recorded_at or chain.now(), "actor": e.actor, "recipient": e.recipient,
                  "document": e.document, "action": e.action, "source": e.source, "source_kind": e.source_kind,
                  "source_ref": e.source_ref, "details": details}
        h = chain.entry_hash(self.hash, fields)
        entry = Entry(**fields, prev_hash=self.hash, hash=h)
        self.rows.append({**fields, "details": json.dumps(details, ensure_ascii=False, sort_keys=True),
                          "prev_hash": self.hash, "hash": h})
        self.seq, self.hash = entry.seq, h
        if len(self.rows) >= _BATCH:
            self.flush()
        return entry

    def flush(self) -> None:
        if self.rows:
            self.conn.execute(ledger.insert(), self.rows)
            self.rows = []


def _take_new(conn: Connection) -> int | None:
    """The first seq appended in this transaction (None: nothing appended), forgotten once signed."""
    mark = conn.info.pop(_NEW, None)
    if mark is None or mark[0] is not conn.get_transaction():
        return None
    return mark[1]


def _altered(what: str) -> LedgerAlteredError:
    return LedgerAlteredError(f"the ledger was altered since the last signed head: {what}; nothing was recorded "
                              "(run `leaktrace ledger verify` to see what changed)")


# Appends are serialized: an appender takes the database's write lock before it reads the head
# it chains onto, and holds it until its transaction ends (a `trace` during an import waits for
# the import, instead of both appending after the same head).
LOCK_WAIT_S = 900
_PG_LEDGER_LOCK = 0x6C65646765720001     # the advisory lock's key: "ledger", 1


def lock_for_append(conn: Connection) -> None:
    """Hold the ledger's append lock in `conn`'s transaction, waiting up to LOCK_WAIT_S."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LEDGER_LOCK})
        return
    if conn.dialect.name != "sqlite":
        return
    # a write that changes nothing opens the write transaction (SQLite has one writer at a time);
    # each try waits for the connection's busy timeout
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            conn.execute(text("UPDATE ledger SET seq = seq WHERE 0"))
            return
        except OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
        time.sleep(0.1)


class _Borrowed:
    """The caller's connection, used as a context without committing or closing it."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def __enter__(self) -> Connection:
        return self.conn

    def __exit__(self, *exc) -> None:
        return None


class _Quarantine:
    """Rejected records as JSON Lines, written to a temporary file renamed when the import commits."""

    def __init__(self, path: Path, source: str):
        self.path = path
        self.source = source
        self.written = 0
        self._fh = None
        self._tmp: str | None = None

    def write(self, r: importers.Rejected) -> None:
        try:
            if self._fh is None:
                fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
                self._fh = os.fdopen(fd, "w", encoding="utf-8")
            self._fh.write(_line({"file": self.source, "line": r.line, "record": r.index, "reason": r.reason,
                                  "raw": r.raw}))
        except OSError as e:
            raise InputError(f"{self.path}: cannot write the quarantine file ({e.strerror})") from None
        self.written += 1

    def commit(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
            os.replace(self._tmp, self.path)
            self._tmp = None

    def discard(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if self._tmp:
            Path(self._tmp).unlink(missing_ok=True)
            self._tmp = None


def _line(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, default=str) + "\n"


def _entry(r) -> Entry:
    try:
        details = json.loads(r.details)
    except (ValueError, TypeError):
        details = r.details
    return Entry(r.seq, r.kind, r.occurred_at, r.recorded_at, r.actor, r.recipient, r.document, r.action,
                 r.source, r.source_kind, r.source_ref, details, r.prev_hash, r.hash)


def _digest(r) -> Digest:
    return Digest(r.upto_seq, r.head_hash, r.signed_at, r.signature, r.public_key, r.root)


def _doc_number(doc: str | int) -> int:
    if isinstance(doc, int):
        return doc
    s = str(doc).strip()
    if s[:1] in "Dd":
        s = s[1:]
    if not s.isdigit():
        raise NotFoundError(f"{doc!r} is not a document id (they look like D1, D2, ...)")
    return int(s)


def _time_arg(value: str | datetime, option: str) -> str:
    if isinstance(value, datetime):
        return chain.format_time(value if value.tzinfo else value.replace(tzinfo=UTC))
    try:
        return importers.parse_time(value)
    except importers.BadRecord:
        raise InputError(f"{option}: {value!r} is not a time (use ISO 8601, e.g. 2024-05-01 or "
                         "2024-05-01T09:30:00Z)") from None


def _local_user() -> str:
    try:
        import getpass

        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "unknown"


def _grown(entries: Iterable[Entry], frontier: merkle.Frontier, leaves: list[bytes] | None,
           sizes: set[int], tree: dict[int, tuple[str, str]]) -> Iterator[Entry]:
    """The entries, in order, each added to the Merkle frontier as it passes (and to `leaves`
    when the caller keeps them); at each size in `sizes`, the tree's root and that entry's hash
    go into `tree`."""
    for e in entries:
        leaf = e.leaf()
        frontier.add(leaf)
        if leaves is not None:
            leaves.append(leaf)
        if frontier.size in sizes:
            tree[frontier.size] = (frontier.root().hex(), e.hash)
        yield e
