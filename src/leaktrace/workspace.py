"""A workspace: one folder with the embedded database, the secret marking key and settings.

    ws = Workspace.create("case-files")      # or Workspace.open(...)
    doc = ws.add_document("memo.md", title="Q3 plan")
    ws.import_recipients("people.csv")
    ws.mark(doc.id, to="all", out_dir="copies")
    result = ws.trace_file("leak.txt")

`Workspace` is a thin facade: the work is done by the pieces named in PRODUCT.md (documents,
recipients, marking, distribution, tracing), each a module of its own over the same database.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.exc import DatabaseError, OperationalError

from . import budget, formats
from .distribution import Distribution
from .documents import Documents, document_files, now
from .errors import ConflictError, InputError, WorkspaceError
from .ledger.book import Ledger
from .marking import Marking
from .marks.channels import parse_channels
from .marks.code import Code, key_fingerprint
from .marks.embed import Change
from .marks.sites import Site
from .models import Capacity, Document, MarkResult, Recipient, TraceResult
from .recipients import Recipients
from .search.sources import SearchResult
from .store import db
from .text.align import DocIndex
from .tracing import Tracer

__all__ = ["Workspace", "document_files", "parse_channels", "read_key_file", "resolve_path"]

DEFAULT_DIR = ".leaktrace"
KEY_FILE = "key"
DB_FILE = "leaktrace.db"
SETTINGS_FILE = "settings.json"


def _first_line(e: BaseException) -> str:
    """A database error's own message, first line (the driver's detail follows on later lines)."""
    msg = str(getattr(e, "orig", None) or e).strip().splitlines()
    return msg[0][:300] if msg else type(e).__name__


def _owner_only(database: Path) -> None:
    """A database file (and its -wal and -shm) that others could read, made the owner's alone:
    workspaces made before leaktrace created it so had it readable by everyone (mode 0644)."""
    for p in (database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
        try:
            mode = p.stat().st_mode & 0o777
            if mode & 0o077:
                os.chmod(p, mode & 0o700)
        except OSError:         # absent, or not ours to change: SQLite's own errors say more
            pass


def resolve_path(path: str | os.PathLike | None) -> Path:
    """Explicit path, else $LEAKTRACE_WORKSPACE, else ./.leaktrace."""
    if path:
        return Path(path)
    env = os.environ.get("LEAKTRACE_WORKSPACE")
    return Path(env) if env else Path(DEFAULT_DIR)


class Workspace:
    """One workspace: its folder, key and database, and the pieces that work on them."""

    def __init__(self, path: Path, key: bytes, engine):
        self.path = path
        self.key = key
        self.engine = engine
        self.documents_ = Documents(engine, key, path)
        self.recipients_ = Recipients(engine)
        self.marking = Marking(engine, key, self.documents_, self.recipients_)
        self.distribution = Distribution(engine, key, path, self.documents_, self.recipients_, self.marking)
        self.tracer = Tracer(engine, key, path, self.documents_, self.marking)

    # ---------------------------------------------------------------- lifecycle
    @classmethod
    def create(cls, path: str | os.PathLike | None = None, *, key: bytes | None = None,
               database_url: str | None = None) -> "Workspace":
        """A new workspace with a new random key, or with `key` (32 bytes) restored from a backup.

        database_url: a PostgreSQL database (empty, or without leaktrace's tables) to keep the
        workspace's data in instead of the embedded SQLite file; the folder keeps the key and
        the settings naming the database."""
        path = resolve_path(path)
        if key is not None and len(key) != 32:
            raise InputError(f"a marking key is 32 bytes; this one has {len(key)}")
        url = db.server_url(database_url) if database_url else None
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            if (path / DB_FILE).exists() or (path / SETTINGS_FILE).exists():
                raise ConflictError(f"{path} is already a leaktrace workspace")
            raise ConflictError(f"{path} exists and is not an empty folder; choose another --workspace")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
        created = False
        try:
            key = key if key is not None else secrets.token_bytes(32)
            fd = os.open(tmp / KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(key)
            # the settings may hold the database's password: readable by the owner only
            fd = os.open(tmp / SETTINGS_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(json.dumps({"database_url": url}, indent=2) + "\n")
            if not url:
                # made the owner's alone before SQLite opens it: its -wal and -shm files take its mode
                os.close(os.open(tmp / DB_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            engine = db.connect(url or f"sqlite:///{tmp / DB_FILE}")
            try:
                with engine.begin() as conn:     # one transaction: PostgreSQL's DDL is transactional too
                    if url and db.inspect_tables(conn) & {"meta", "documents"}:
                        raise ConflictError(f"the database {db.describe(url)} already holds leaktrace's tables "
                                            "(a workspace of its own); give an empty database")
                    db.metadata.create_all(conn)
                    db.create_passages(conn)
                    conn.execute(db.meta.insert(), [
                        {"key": "schema_version", "value": db.SCHEMA_VERSION},
                        {"key": "key_fingerprint", "value": key_fingerprint(key)},
                        {"key": "created_at", "value": now()},
                    ])
                created = True
            except (OperationalError, DatabaseError) as e:
                raise WorkspaceError(f"cannot create the workspace's tables in "
                                     f"{db.describe(url) if url else path}: {db.redact(_first_line(e), url)}") from None
            engine.dispose()
            if path.exists():
                path.rmdir()
            tmp.rename(path)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            if url and created:
                db.metadata.drop_all(engine)   # nothing half-made on the server either
                engine.dispose()
            raise
        return cls.open(path)

    @classmethod
    def open(cls, path: str | os.PathLike | None = None) -> "Workspace":
        path = resolve_path(path)
        hint = "run `leaktrace init` or pass --workspace DIR / set LEAKTRACE_WORKSPACE"
        if not path.is_dir():
            raise WorkspaceError(f"no workspace at {path}: {hint}")
        key_path = path / KEY_FILE
        if not key_path.is_file():
            raise WorkspaceError(f"workspace {path} has no key file ({key_path}); restore it from backup")
        key = key_path.read_bytes()
        if len(key) != 32:
            raise WorkspaceError(f"workspace key {key_path} is corrupted (expected 32 bytes, found {len(key)})")
        settings_path = path / SETTINGS_FILE
        url = None
        if settings_path.is_file():
            try:
                settings = json.loads(settings_path.read_text())
                url = settings.get("database_url")
            except (ValueError, AttributeError):
                raise WorkspaceError(f"workspace settings {settings_path} are not valid JSON") from None
            budget.use_settings(settings.get("budget"), str(settings_path))
        else:
            budget.use_settings(None)
        if not url:
            if not (path / DB_FILE).is_file():
                raise WorkspaceError(f"workspace {path} has no database ({DB_FILE}): {hint}")
            url = f"sqlite:///{path / DB_FILE}"
            _owner_only(path / DB_FILE)
        engine = db.connect(url)
        try:
            with engine.connect() as conn:
                rows = dict(conn.execute(select(db.meta.c.key, db.meta.c.value)).all())
        except (DatabaseError, OperationalError) as e:
            if url.startswith("sqlite"):
                raise WorkspaceError(f"workspace database at {path} is corrupted or unreadable") from None
            raise WorkspaceError(f"cannot read the workspace's database {db.describe(url)}: "
                                 f"{db.redact(_first_line(e), url)}") from None
        version = db.upgrade(engine, rows.get("schema_version"))
        if version != db.SCHEMA_VERSION:
            raise WorkspaceError(f"workspace database schema {version!r} is not supported "
                                 f"(this leaktrace uses {db.SCHEMA_VERSION})")
        if rows.get("key_fingerprint") != key_fingerprint(key):
            raise WorkspaceError(f"the key in {key_path} does not belong to this workspace's database")
        return cls(path, key, engine)

    def close(self) -> None:
        self.engine.dispose()
        budget.use_settings(None)

    def database(self) -> str:
        """Where the workspace's data is: the embedded SQLite file, or the server database's URL
        without its password."""
        return db.describe(self.engine.url.render_as_string(hide_password=False))

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---------------------------------------------------------------- documents
    def add_document(self, path: str | os.PathLike | None = None, *, text: str | None = None,
                     title: str | None = None, fmt: str = "txt", name: str = "text",
                     channels: str | Iterable[str] | None = None, version_of: str | int | None = None) -> Document:
        """Register an original, from a file or from text; returns it with its id.

        version_of: an earlier version's id; the new document becomes the next version of
        that document's series (each version is marked and traced on its own)."""
        return self.documents_.add_document(path, text=text, title=title, fmt=fmt, name=name,
                                            channels=channels, version_of=version_of)

    def add_documents(self, items: Iterable[dict], *, channels: str | Iterable[str] | None = None,
                      progress=None, skip_existing: bool = False) -> list[Document]:
        """Register many originals in one transaction (all or nothing); see Documents.add_documents."""
        return self.documents_.add_documents(items, channels=channels, progress=progress,
                                             skip_existing=skip_existing)

    def document(self, doc_id: str | int) -> Document:
        return self.documents_.document(doc_id)

    def remove_document(self, doc_id: str | int, *, force: bool = False) -> dict:
        """Archive a document (see Documents.archive); the archiving is recorded in the audit log."""
        done = self.documents_.archive(doc_id, force=force)
        Ledger(self).record_audit("doc-archive", details=done)
        return done

    def documents(self) -> list[Document]:
        return self.documents_.documents()

    def base_text(self, doc_id: str | int) -> str:
        """The document's canonical text (declared alternatives resolved to the original's words)."""
        return self.documents_.row(doc_id).base

    def _doc_row(self, doc_id: str | int):
        return self.documents_.row(doc_id)

    def sections(self, doc_id: str | int) -> list:
        """The document's named sections (headings by default), in order."""
        return self.documents_.sections(doc_id)

    def versions(self, doc_id: str | int) -> list[Document]:
        """Every version in the document's series, first version first."""
        return self.documents_.versions(doc_id)

    def doc_index(self, doc: int, conn=None) -> DocIndex:
        """Tokens and trigram index of a document's base text (kept for the last few documents)."""
        return self.documents_.doc_index(doc, conn)

    def build_semantic_index(self, progress=None) -> int:
        """Embed every passage into the optional semantic index (created on first use)."""
        return self.documents_.build_semantic_index(progress)

    def count(self, table: str) -> int:
        return self.documents_.count(table)

    # ---------------------------------------------------------------- recipients
    def import_recipients(self, path: str | os.PathLike, *, update: bool = False) -> int:
        """Load recipients from CSV (id,name,email, more columns kept as attributes). All or nothing.
        Updating someone who holds a copy is recorded in the ledger (who the holder now is), so
        that `ledger verify` tells the update from an edit of the database."""
        led = Ledger(self)

        def record(conn, updated: list[dict]) -> None:
            from .ledger.evidence import holder_hash

            ids = [r["id"] for r in updated]
            held = set()
            for i in range(0, len(ids), 500):
                held.update(conn.execute(select(db.copies.c.recipient).where(
                    db.copies.c.recipient.in_(ids[i:i + 500]))).scalars())
            holders = {r["id"]: holder_hash(r["id"], r["name"], r["email"]) for r in updated if r["id"] in held}
            if holders:
                led.record_audit("recipients-update", details={"file": str(path), "holders": holders}, conn=conn)

        try:
            n = self.recipients_.import_csv(path, update=update, within=record)
        except BaseException:
            led.discard()
            raise
        led.publish()
        return n

    def recipients(self) -> list[Recipient]:
        return self.recipients_.all()

    def select_recipients(self, to: str | Sequence[str]) -> list[Recipient]:
        """`all`, a comma-separated list of ids, a list of ids, or a CSV file with an id column."""
        return self.recipients_.choose(to)

    # ---------------------------------------------------------------- marking and distribution
    def code(self, doc_id: str | int) -> tuple[Document, str, list[Site], Code]:
        """The document, its base text, sites and code; created (and stored) on first use."""
        return self.marking.code(doc_id)

    def capacity(self, doc_id: str | int, *, suggestions: bool = True) -> Capacity:
        """What each leak type needs to identify a copy, now and (suggestions=True, for a text
        or Markdown document) with every keeps-meaning suggestion of `suggest` accepted."""
        what_if = None
        if suggestions and self.documents_.row(doc_id).format in ("txt", "md"):
            from . import suggest

            what_if = suggest.if_accepted(self, doc_id)
        return self.marking.capacity(doc_id, what_if)

    def preview(self, doc_id: str | int, recipient_id: str) -> list[Change]:
        """What the copy of one recipient changes, site by site."""
        return self.marking.preview(doc_id, recipient_id)

    def render_copy(self, doc_id: str | int, recipient_id: str,
                    sections: str | Sequence[str] | None = None) -> str:
        """The text of one recipient's copy (of the named sections only, when given)."""
        return self.marking.render_copy(doc_id, recipient_id, sections)

    def issued_copies(self, doc_id: str | int) -> list[tuple[str, str, str]]:
        """(recipient id, name, copy id) of every copy of a document, in recipient order."""
        return self.marking.issued_copies(doc_id)

    def codewords(self, doc_id: str | int, recipient_ids: Sequence[str]) -> np.ndarray:
        """Codewords of the given copies (rows in the given order), cached per document."""
        return self.marking.codewords(doc_id, recipient_ids)

    def mark(self, doc_id: str | int, to: str | Sequence[str] = "all", out_dir: str | os.PathLike = "copies",
             *, overwrite: bool = False, as_format: str | None = None, footer: bool = False,
             sender: str | None = None, smtp=None, sections: str | Sequence[str] | None = None,
             progress=None) -> MarkResult:
        """Write one marked copy per recipient into out_dir, plus manifest.json; record the
        distribution (see Distribution.mark for the options)."""
        return self.distribution.mark(doc_id, to, out_dir, overwrite=overwrite, as_format=as_format,
                                      footer=footer, sender=sender, smtp=smtp, sections=sections,
                                      progress=progress)

    # ---------------------------------------------------------------- suggestions
    def suggest(self, doc_id: str | int, *, semantic: bool | None = None):
        """Alternatives for the author to accept as declared sites (see leaktrace.suggest);
        semantic=False skips the semantic check."""
        from . import suggest

        return suggest.suggest(self, doc_id, semantic=semantic)

    def write_suggestions(self, doc_id: str | int, path: str | os.PathLike, *, semantic: bool | None = None):
        """Write the review file of a document's suggestions, for the author to edit."""
        from . import suggest

        return suggest.write_review(self, doc_id, path, semantic=semantic)

    def apply_suggestions(self, doc_id: str | int, path: str | os.PathLike, *, by: str):
        """The accepted proposals of a review file as a new version of the document (audited)."""
        from . import suggest

        return suggest.apply_review(self, doc_id, path, by=by)

    # ---------------------------------------------------------------- tracing
    def search(self, text: str) -> SearchResult:
        """Which registered documents, versions and sections a text reuses, passage by passage."""
        return self.tracer.search(text)

    def trace(self, text: str, *, audit: bool = True, stamps: Sequence[str] = (),
              source: formats.Extracted | None = None) -> TraceResult:
        """Trace a leak (its text, and the copy stamps its file carried); the trace itself is
        recorded in the ledger's audit trail."""
        return self.tracer.trace(text, audit=audit, stamps=stamps, source=source)

    def trace_file(self, path: str | os.PathLike, *, audit: bool = True) -> TraceResult:
        return self.tracer.trace_file(path, audit=audit)

    def verify_stamps(self, stamps: Sequence[str]):
        """What each copy stamp found in a file says, checked with the workspace key."""
        return self.tracer.verify_stamps(stamps)


def read_key_file(path: str | os.PathLike) -> bytes:
    """A marking key from a file: 32 raw bytes, or 64 hexadecimal digits."""
    data = formats.read_file_bytes(Path(path))
    text = data.strip()
    if len(text) == 64:
        try:
            return bytes.fromhex(text.decode("ascii"))
        except (ValueError, UnicodeDecodeError):
            pass
    if len(data) == 32:
        return data
    raise InputError(f"{path}: not a marking key (expected 32 raw bytes or 64 hexadecimal digits)")
