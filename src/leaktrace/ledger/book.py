"""The ledger of a workspace: who received and who opened what, append-only and hash-chained.

    led = Ledger(ws)
    led.import_file("audit.csv", "m365-csv")          # access events from an audit-log export
    led.events(document="D1", before="2024-05-01")    # who could have seen D1 before May
    led.verify()                                       # VerifyReport: where the chain was tampered with
    led.export("ledger.jsonl")                         # for an auditor, with verify_export(path, public_key)

Distributions are recorded by `mark` through `record_distributions(conn, ...)` inside its own
transaction. Every append signs a digest of the new head (Ed25519) unless asked not to.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, OperationalError

from ..errors import ConflictError, InputError, NotFoundError
from ..store import db
from . import chain, importers, readers, signing
from .chain import GENESIS, Digest, Entry, VerifyReport
from .mapping import ALIAS_KINDS, Resolver, normalize
from .tables import LEDGER_TABLES, document_aliases, ledger, ledger_digests

_BATCH = 500
EXPORT_FORMAT = "leaktrace-ledger-export"
EXPORT_VERSION = 1
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


class Ledger:
    def __init__(self, ws):
        self.ws = ws
        self.engine = ws.engine
        self.path = Path(ws.path)
        self._ready = False

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
            with self._begin(conn) as c:
                self._ensure(c)
                signed = c.execute(select(ledger_digests.c.id).limit(1)).first() is not None
            if signed:
                signing.load_or_create(self.path, create=False)  # raises: restore the key from backup
        return signing.load_or_create(self.path, create=True)

    # ---------------------------------------------------------------- appending
    def append(self, entries: Iterable[NewEntry], conn: Connection | None = None, *, sign: bool = True) -> list[Entry]:
        """Append entries in one transaction (the caller's, when `conn` is given); returns them."""
        with self._begin(conn) as c:
            self._ensure(c)
            w = _Writer(c)
            out = [w.add(e) for e in entries]
            w.flush()
            if sign and out:
                self._sign(c)
        return out

    def record_distributions(self, conn: Connection, doc_id: int, copies: Iterable, *, channel: str = "file",
                             actor: str | None = None, occurred_at: str | None = None,
                             sections: list[str] | None = None) -> list[Entry]:
        """One `distribution` entry per issued copy (objects with recipient, copy, sha256, path, or
        tuples in that order), appended inside the caller's transaction, then a signed digest."""
        when = occurred_at or chain.now()
        who = actor or _local_user()
        entries = []
        for c in copies:
            rid, cid, sha, path = ((c.recipient, c.copy, c.sha256, c.path) if hasattr(c, "recipient") else tuple(c))
            entries.append(NewEntry("distribution", when, who, "distribute", "mark", "mark", recipient=rid,
                                    document=int(doc_id),
                                    details={"copy_id": cid, "sha256": sha, "path": str(path), "channel": channel,
                                             **({"sections": sections} if sections is not None else {})}))
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

    # ---------------------------------------------------------------- digests
    def sign_digest(self, conn: Connection | None = None) -> Digest | None:
        """Sign the current head (nothing to do when it is already signed, or the ledger is empty)."""
        with self._begin(conn) as c:
            self._ensure(c)
            return self._sign(c)

    def _sign(self, conn: Connection) -> Digest | None:
        head = conn.execute(select(ledger.c.seq, ledger.c.hash).order_by(ledger.c.seq.desc()).limit(1)).first()
        if head is None:
            return None
        last = conn.execute(select(ledger_digests).order_by(ledger_digests.c.id.desc()).limit(1)).first()
        if last is not None and last.upto_seq == head.seq and last.head_hash == head.hash:
            return _digest(last)
        d = signing.sign(self._signing_key(conn), head.seq, head.hash, chain.now())
        conn.execute(ledger_digests.insert().values(**d.to_json()))
        return d

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
            with readers.open_stream(path, progress) as stream, self.engine.begin() as conn:
                self._ensure(conn)
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
    def verify(self) -> VerifyReport:
        """Check every entry's hash and link, and every digest's signature and head."""
        key = signing.load_or_create(self.path, create=False) if (self.path / signing.KEY_FILE).exists() else None
        with self.engine.begin() as c:
            self._ensure(c)
            digests = [_digest(r) for r in c.execute(select(ledger_digests).order_by(ledger_digests.c.id))]
            if key is None and digests:
                signing.load_or_create(self.path, create=False)  # raises: the key is missing

            def find(h: str) -> int | None:
                return c.execute(select(ledger.c.seq).where(ledger.c.hash == h).limit(1)).scalar()

            def hash_at(seq: int) -> str | None:
                return c.execute(select(ledger.c.hash).where(ledger.c.seq == seq)).scalar()

            rows = (_entry(r) for r in c.execution_options(yield_per=1000).execute(
                select(ledger).order_by(ledger.c.seq)))
            count, last_seq, last_hash, problems = chain.check_chain(rows, find)
            check = signing.checker(key.public_key()) if key is not None else (lambda d: None)
            signed_upto, dprobs = chain.check_digests(digests, hash_at, last_seq, check)
        return chain.report(count, last_seq, last_hash, len(digests), signed_upto, problems + dprobs)

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
        self.sign_digest()
        key = self._signing_key()
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh, self.engine.begin() as c:
                self._ensure(c)
                n = c.execute(select(func.count()).select_from(ledger)).scalar_one()
                digests = [_digest(r) for r in c.execute(select(ledger_digests).order_by(ledger_digests.c.id))]
                header = {"type": EXPORT_FORMAT, "version": EXPORT_VERSION, "exported_at": chain.now(),
                          "public_key": signing.public_hex(key), "entries": n, "digests": len(digests)}
                fh.write(json.dumps({"schema": EXPORT_SCHEMA, **dict(sorted(header.items()))},
                                    ensure_ascii=False) + "\n")
                for d in digests:
                    fh.write(_line({"type": "digest", **d.to_json()}))
                for r in c.execution_options(yield_per=1000).execute(select(ledger).order_by(ledger.c.seq)):
                    e = _entry(r)
                    fh.write(_line({"type": "entry", **asdict(e)}))
            os.replace(tmp, out)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        # exporting evidence is an investigator's act too; it is recorded after what it exported
        self.record_audit("export", details={"path": str(out), "entries": n, "sha256": readers.file_sha256(out)})
        return n


def verify_export(path: str | os.PathLike, public_key: bytes | str) -> VerifyReport:
    """Check an exported ledger with the public key alone: no database, no secret."""
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
        offset = len(first)
        for n, raw in enumerate(stream, start=2):
            here, offset = offset, offset + len(raw)
            if not raw.strip():
                continue
            try:
                rec = json.loads(raw)
                kind = rec["type"]
                if kind == "digest":
                    digests.append(Digest(**{k: rec[k] for k in Digest.__dataclass_fields__}))
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

    def entries() -> Iterator[Entry]:
        with path.open("rb") as fh:
            for _, off in offsets:
                fh.seek(off)
                yield Entry.from_json(json.loads(fh.readline()))

    count, last_seq, last_hash, problems = chain.check_chain(entries(), by_hash.get)
    signed_upto, dprobs = chain.check_digests(digests, by_seq.get, last_seq, signing.checker(key))
    return chain.report(count, last_seq, last_hash, len(digests), signed_upto, problems + dprobs)


# -------------------------------------------------------------------- helpers
class _Writer:
    """Appends entries after the current head, in batches, in the given transaction."""

    def __init__(self, conn: Connection):
        self.conn = conn
        lock_for_append(conn)
        head = conn.execute(select(ledger.c.seq, ledger.c.hash).order_by(ledger.c.seq.desc()).limit(1)).first()
        self.seq, self.hash = (head.seq, head.hash) if head else (0, GENESIS)
        self.rows: list[dict] = []

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
    return Digest(r.upto_seq, r.head_hash, r.signed_at, r.signature, r.public_key)


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
