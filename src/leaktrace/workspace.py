"""A workspace: one folder with the embedded database, the secret marking key and settings.

    ws = Workspace.create("case-files")      # or Workspace.open(...)
    doc = ws.add_document("memo.md", title="Q3 plan")
    ws.import_recipients("people.csv")
    ws.mark(doc.id, to="all", out_dir="copies")
    result = ws.trace_file("leak.txt")
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import tempfile
import zlib
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.exc import DatabaseError, OperationalError

from . import formats
from .errors import ConflictError, InputError, MarkingError, NotFoundError, WorkspaceError
from .ledger.book import Ledger
from .marks import embed
from .marks.code import Code, copy_id, key_fingerprint, make_biases
from .marks.declared import resolve
from .marks.sites import ALL_CHANNELS, Channel, Site, find_sites
from .models import Capacity, Document, IssuedCopy, MarkResult, Recipient, TraceResult, doc_public_id
from .search import fingerprint
from .search import index as search_index
from .store import db
from .text.align import DocIndex
from .text.protect import find_protected
from .text.tokens import skeletons, tokenize

DEFAULT_DIR = ".leaktrace"
KEY_FILE = "key"
DB_FILE = "leaktrace.db"
SETTINGS_FILE = "settings.json"
MARKING_VERSION = 1
MIN_WORDS = 40
MIN_SITES = 16
_RECIPIENT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,199}$")
# documents registered in one transaction have their index rows written this many at a time
# (all at once would hold a large import's rows in memory)
_INDEX_BATCH = 1000
# statements run for every registered document, built once
_DOCUMENT_BY_SHA = select(db.documents.c.id).where(db.documents.c.sha256 == bindparam("sha"))
_SET_SERIES = db.documents.update().where(db.documents.c.id == bindparam("doc")).values(series=bindparam("root"))


def _first_line(e: BaseException) -> str:
    """A database error's own message, first line (the driver's detail follows on later lines)."""
    msg = str(getattr(e, "orig", None) or e).strip().splitlines()
    return msg[0][:300] if msg else type(e).__name__


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def resolve_path(path: str | os.PathLike | None) -> Path:
    """Explicit path, else $LEAKTRACE_WORKSPACE, else ./.leaktrace."""
    if path:
        return Path(path)
    env = os.environ.get("LEAKTRACE_WORKSPACE")
    return Path(env) if env else Path(DEFAULT_DIR)


def parse_channels(spec: str | Iterable[str] | None) -> tuple[Channel, ...]:
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


class Workspace:
    def __init__(self, path: Path, key: bytes, engine):
        self.path = path
        self.key = key
        self.engine = engine
        self._doc_cache: dict[int, tuple] = {}
        self._codeword_cache: dict[int, tuple] = {}
        self._index_cache: dict[int, DocIndex] = {}

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
                        {"key": "created_at", "value": _now()},
                    ])
                created = True
            except (OperationalError, DatabaseError) as e:
                raise WorkspaceError(f"cannot create the workspace's tables in "
                                     f"{db.describe(url) if url else path}: {_first_line(e)}") from None
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
                url = json.loads(settings_path.read_text()).get("database_url")
            except (ValueError, AttributeError):
                raise WorkspaceError(f"workspace settings {settings_path} are not valid JSON") from None
        if not url:
            if not (path / DB_FILE).is_file():
                raise WorkspaceError(f"workspace {path} has no database ({DB_FILE}): {hint}")
            url = f"sqlite:///{path / DB_FILE}"
        engine = db.connect(url)
        try:
            with engine.connect() as conn:
                rows = dict(conn.execute(select(db.meta.c.key, db.meta.c.value)).all())
        except (DatabaseError, OperationalError) as e:
            if url.startswith("sqlite"):
                raise WorkspaceError(f"workspace database at {path} is corrupted or unreadable") from None
            raise WorkspaceError(f"cannot read the workspace's database {db.describe(url)}: {_first_line(e)}") from None
        version = db.upgrade(engine, rows.get("schema_version"))
        if version != db.SCHEMA_VERSION:
            raise WorkspaceError(f"workspace database schema {version!r} is not supported "
                                 f"(this leaktrace uses {db.SCHEMA_VERSION})")
        if rows.get("key_fingerprint") != key_fingerprint(key):
            raise WorkspaceError(f"the key in {key_path} does not belong to this workspace's database")
        return cls(path, key, engine)

    def close(self) -> None:
        self.engine.dispose()

    def database(self) -> str:
        """Where the workspace's data is: the embedded SQLite file, or the server database's URL
        without its password."""
        return self.engine.url.render_as_string(hide_password=True)

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
        if text is None:
            if path is None:
                raise InputError("give a file or a text to register")
            src = formats.read_document(Path(path))
        else:
            if not text.strip():
                raise InputError(f"{name}: is empty")
            src = formats.Source(text.replace("\r\n", "\n"), fmt, name)
        chosen = parse_channels(channels)
        series = self._doc_row(version_of) if version_of is not None else None
        with self.engine.begin() as conn:
            pending = _IndexRows()
            doc_id = self._insert_document(conn, src, title, chosen, series, pending)
            pending.write(conn)
        self._update_semantic()
        return self.document(doc_id)

    def add_documents(self, items: Iterable[dict], *, channels: str | Iterable[str] | None = None,
                      progress=None, skip_existing: bool = False) -> list[Document]:
        """Register many originals in one transaction (all or nothing). Each item has `path`, or
        `text` with optional `title`, `name` and `format`. progress(n) is called as they go;
        skip_existing: a text that is already registered is left out instead of stopping."""
        chosen = parse_channels(channels)
        ids = []
        with self.engine.begin() as conn:
            pending = _IndexRows()
            for k, item in enumerate(items, start=1):
                if item.get("path") is not None:
                    src = formats.read_document(Path(item["path"]))
                else:
                    text = item.get("text") or ""
                    name = item.get("name") or f"text {k}"
                    if not text.strip():
                        raise InputError(f"{name}: is empty")
                    src = formats.Source(text.replace("\r\n", "\n"), item.get("format", "txt"), name)
                try:
                    ids.append(self._insert_document(conn, src, item.get("title"), chosen, None, pending))
                except ConflictError:
                    if not skip_existing:
                        raise
                if len(pending) >= _INDEX_BATCH:
                    pending.write(conn)
                if progress is not None:
                    progress(k)
            pending.write(conn)
            if len(ids) >= _INDEX_BATCH:
                db.analyze(conn)
        with self.engine.connect() as conn:
            rows = conn.execute(select(db.documents).where(db.documents.c.id.in_(ids))).all() if ids else []
        by_id = {r.id: _document(r) for r in rows}
        self._update_semantic()
        return [by_id[i] for i in ids]

    def _update_semantic(self) -> None:
        """Once the optional semantic index exists, new documents go into it as they are added."""
        from .search import semantic

        index = semantic.SemanticIndex(self.path, self.engine)
        if index.exists() and semantic.missing() is None:
            index.build()

    def _insert_document(self, conn, src: "formats.Source", title: str | None, chosen, series,
                         pending: _IndexRows) -> int:
        """Insert the document's row; its index and section rows go to `pending`, for the caller
        to write before the transaction ends."""
        base, _ = resolve(src.text)
        sha = hashlib.sha256(base.encode("utf-8")).hexdigest()
        words = fingerprint.word_skeletons(skeletons(base))
        if title is None:
            first = next((ln.strip().lstrip("#").strip() for ln in src.text.splitlines() if ln.strip()), "")
            title = first[:120] or Path(src.name).stem
        title = " ".join(title.split())
        if not title:
            raise InputError("the title is empty")
        existing = conn.execute(_DOCUMENT_BY_SHA, {"sha": sha}).first()
        if existing:
            raise ConflictError(f"{src.name}: this text is already registered as {doc_public_id(existing[0])}")
        version = 1
        if series is not None:
            root = series.series or series.id
            version = 1 + (conn.execute(select(func.max(db.documents.c.version))
                                        .where(db.documents.c.series == root)).scalar() or 1)
        res = conn.execute(db.documents.insert(), {
            "uid": _document_uid(self.key, sha), "title": title, "format": src.format, "source_name": src.name,
            "original": src.text, "base": base, "sha256": sha, "words": len(words),
            "channels": ",".join(c.value for c in chosen), "created_at": _now(), "blob": src.blob,
            "version": version})
        doc_id = res.inserted_primary_key[0]
        conn.execute(_SET_SERIES, {"doc": doc_id,
                                   "root": (series.series or series.id) if series is not None else doc_id})
        pending.fingerprints.append((doc_id, fingerprint.fingerprints(words)))
        pending.passages.append((doc_id, base))
        pending.sections.extend({"doc": doc_id, "idx": x.index, "name": x.name, "start": x.start, "end": x.end}
                                for x in _sections_of(src, base))
        return doc_id

    def sections(self, doc_id: str | int) -> list:
        """The document's named sections (headings by default), in order."""
        from .sections import Section

        n = _parse_doc_id(doc_id)
        self._doc_row(n)
        with self.engine.connect() as conn:
            rows = conn.execute(select(db.sections).where(db.sections.c.doc == n).order_by(db.sections.c.idx)).all()
        if not rows:
            return [Section(0, "Preamble", 0, len(self._doc_row(n).base))]
        return [Section(r.idx, r.name, r.start, r.end) for r in rows]

    def versions(self, doc_id: str | int) -> list[Document]:
        """Every version in the document's series, first version first."""
        row = self._doc_row(doc_id)
        with self.engine.connect() as conn:
            rows = conn.execute(select(db.documents).where(db.documents.c.series == (row.series or row.id))
                                .order_by(db.documents.c.version)).all()
        return [_document(r) for r in rows] or [_document(row)]

    def build_semantic_index(self, progress=None) -> int:
        """Embed every passage into the optional semantic index (created on first use)."""
        from .search import semantic

        return semantic.SemanticIndex(self.path, self.engine).build(progress)

    def search(self, text: str):
        """Which registered documents, versions and sections a text reuses, passage by passage."""
        from .search.sources import search

        return search(self, text)

    def _doc_row(self, doc_id: str | int):
        n = _parse_doc_id(doc_id)
        with self.engine.connect() as conn:
            row = conn.execute(select(db.documents).where(db.documents.c.id == n)).first()
        if row is None:
            raise NotFoundError(f"no document {doc_public_id(n)}; `leaktrace doc list` shows the registered ones")
        return row

    def document(self, doc_id: str | int) -> Document:
        return _document(self._doc_row(doc_id))

    def documents(self) -> list[Document]:
        with self.engine.connect() as conn:
            return [_document(r) for r in conn.execute(select(db.documents).order_by(db.documents.c.id))]

    # ---------------------------------------------------------------- recipients
    def import_recipients(self, path: str | os.PathLike, *, update: bool = False) -> int:
        """Load recipients from CSV (id,name,email, more columns kept as attributes). All or nothing."""
        path = Path(path)
        text = formats.decode_text(formats.read_file_bytes(path), str(path))
        reader = csv.DictReader(io.StringIO(text))
        fields = [f.strip().lower() for f in (reader.fieldnames or [])]
        missing = [c for c in ("id", "name", "email") if c not in fields]
        if missing:
            raise InputError(f"{path}: missing column(s) {', '.join(missing)}; the header must have id,name,email")
        reader.fieldnames = fields
        rows = []
        seen: dict[str, int] = {}
        for line, rec in enumerate(reader, start=2):
            if None in rec:
                raise InputError(f"{path}:{line}: more fields than columns in the header")
            rid = (rec.get("id") or "").strip()
            if not _RECIPIENT_ID_RE.match(rid):
                raise InputError(f"{path}:{line}: invalid recipient id {rid!r} "
                                 "(letters, digits and . _ @ + - only, starting with a letter or digit)")
            if rid in seen:
                raise InputError(f"{path}:{line}: duplicate recipient id {rid!r} (first on line {seen[rid]})")
            seen[rid] = line
            attrs = {k: (v or "").strip() for k, v in rec.items() if k not in ("id", "name", "email")}
            rows.append({"id": rid, "name": (rec.get("name") or "").strip(),
                         "email": (rec.get("email") or "").strip(),
                         "attributes": json.dumps(attrs, ensure_ascii=False, sort_keys=True),
                         "created_at": _now()})
        if not rows:
            raise InputError(f"{path}: no recipients in the file")
        with self.engine.begin() as conn:
            existing = set()
            ids = [r["id"] for r in rows]
            for i in range(0, len(ids), 500):
                existing.update(conn.execute(select(db.recipients.c.id)
                                             .where(db.recipients.c.id.in_(ids[i:i + 500]))).scalars())
            if existing and not update:
                first = sorted(existing)[0]
                raise ConflictError(f"{path}: recipient {first!r} already exists"
                                    f"{f' (and {len(existing) - 1} more)' if len(existing) > 1 else ''}; "
                                    "use --update to replace existing recipients")
            if existing:
                conn.execute(delete(db.recipients).where(db.recipients.c.id.in_(sorted(existing))))
            conn.execute(db.recipients.insert(), rows)
        return len(rows)

    def recipients(self) -> list[Recipient]:
        with self.engine.connect() as conn:
            return [_recipient(r) for r in conn.execute(select(db.recipients).order_by(db.recipients.c.id))]

    def _recipients_by_id(self, ids: Sequence[str]) -> list[Recipient]:
        with self.engine.connect() as conn:
            found = {r.id: _recipient(r) for r in conn.execute(
                select(db.recipients).where(db.recipients.c.id.in_(list(ids))))}
        unknown = [i for i in ids if i not in found]
        if unknown:
            more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
            raise NotFoundError(f"unknown recipient {unknown[0]!r}{more}; import recipients first")
        return [found[i] for i in ids]

    def select_recipients(self, to: str | Sequence[str]) -> list[Recipient]:
        """`all`, a comma-separated list of ids, a list of ids, or a CSV file with an id column."""
        if isinstance(to, str):
            if to.strip().lower() == "all":
                recs = self.recipients()
                if not recs:
                    raise InputError("no recipients in this workspace; run `leaktrace recipients import FILE` first")
                return recs
            p = Path(to)
            if to.lower().endswith(".csv") and p.is_file():
                text = formats.decode_text(formats.read_file_bytes(p), str(p))
                reader = csv.DictReader(io.StringIO(text))
                col = next((f for f in (reader.fieldnames or []) if f.strip().lower() == "id"), None)
                if col is None:
                    raise InputError(f"{p}: needs an id column")
                ids = [r[col].strip() for r in reader if (r.get(col) or "").strip()]
            else:
                ids = [s.strip() for s in to.split(",") if s.strip()]
        else:
            ids = list(to)
        if not ids:
            raise InputError("no recipients chosen")
        dup = next((i for n, i in enumerate(ids) if i in ids[:n]), None)
        if dup:
            raise InputError(f"recipient {dup!r} is listed twice")
        return self._recipients_by_id(ids)

    # ---------------------------------------------------------------- code
    def code(self, doc_id: str | int) -> tuple[Document, str, list[Site], Code]:
        """The document, its base text, sites and code; created (and stored) on first use."""
        row = self._doc_row(doc_id)
        cached = self._doc_cache.get(row.id)
        if cached:
            return cached
        with self.engine.begin() as conn:
            stored = conn.execute(select(db.codes).where(db.codes.c.doc == row.id)).first()
            if stored is not None:
                if stored.tokens_digest != _tokens_digest(row.base):
                    raise WorkspaceError(f"{doc_public_id(row.id)} was marked by a leaktrace whose tokenizer "
                                         "differs from this one; trace it with the version that marked it")
                sites = [Site.from_json(s) for s in json.loads(zlib.decompress(stored.sites))]
                qs = [s.q for s in sites]
                biases = np.frombuffer(zlib.decompress(stored.biases), dtype=np.float64).reshape(len(sites), -1)
            else:
                sites = self._find_sites(row)
                qs = [s.q for s in sites]
                biases = make_biases(self.key, row.uid, qs)
                conn.execute(db.codes.insert().values(
                    doc=row.id, version=MARKING_VERSION,
                    sites=zlib.compress(json.dumps([s.to_json() for s in sites],
                                                   ensure_ascii=False).encode("utf-8")),
                    biases=zlib.compress(biases.astype(np.float64).tobytes()),
                    tokens_digest=_tokens_digest(row.base), created_at=_now()))
        result = (_document(row), row.base, sites, Code(self.key, row.uid, biases, qs))
        self._doc_cache[row.id] = result
        return result

    def _find_sites(self, row) -> list[Site]:
        if row.words < MIN_WORDS:
            raise MarkingError(f"{doc_public_id(row.id)} is too short to mark ({row.words} words; "
                               f"at least {MIN_WORDS} are needed)")
        _, declared = resolve(row.original)
        tokens = tokenize(row.base)
        channels = parse_channels(row.channels)
        protected = find_protected(row.base, extra=self._fixed_spans(row))
        sites = find_sites(tokens, protected, declared, channels)
        if row.format == "html":
            # a browser collapses spaces, so two spaces after a full stop never show on a page
            sites = [s for s in sites if s.kind != "sentence-spacing"]
        if len(sites) < MIN_SITES:
            raise MarkingError(f"{doc_public_id(row.id)} has only {len(sites)} sites in channels "
                               f"{row.channels}; at least {MIN_SITES} are needed to mark it")
        return sites

    @staticmethod
    def _fixed_spans(row) -> list[tuple[int, int]]:
        """Text of a structured original that a copy cannot change (preformatted and code text
        of an HTML page), in base-text offsets."""
        if row.format != "html" or row.blob is None:
            return []
        from .formats import htmldoc
        from .marks.declared import original_to_base

        _, fixed = htmldoc.read(row.blob, row.source_name)
        return [(original_to_base(row.original, a), original_to_base(row.original, b)) for a, b in fixed]

    def capacity(self, doc_id: str | int) -> Capacity:
        from .capacity import capacity

        doc, base, sites, code = self.code(doc_id)
        return capacity(doc, base, sites, code)

    # ---------------------------------------------------------------- marking
    def preview(self, doc_id: str | int, recipient_id: str) -> list[embed.Change]:
        """What the copy of one recipient changes, site by site."""
        doc, base, sites, code = self.code(doc_id)
        rec = self._recipients_by_id([recipient_id])[0]
        return embed.changes(base, sites, code.codeword(rec.id))

    def render_copy(self, doc_id: str | int, recipient_id: str,
                    sections: str | Sequence[str] | None = None) -> str:
        """The text of one recipient's copy (of the named sections only, when given)."""
        from . import sections as secmod

        doc, base, sites, code = self.code(doc_id)
        chosen = secmod.select(self.sections(doc.id), sections)
        if chosen is None:
            return embed.render(base, sites, code.codeword(recipient_id))
        return _cut(base, embed.Renderer(base, sites).edits(code.codeword(recipient_id)), chosen)

    def mark(self, doc_id: str | int, to: str | Sequence[str] = "all", out_dir: str | os.PathLike = "copies",
             *, overwrite: bool = False, as_format: str | None = None, footer: bool = False,
             sender: str | None = None, smtp=None, sections: str | Sequence[str] | None = None) -> MarkResult:
        """Write one marked copy per recipient into out_dir, plus manifest.json; record the distribution.

        as_format: the copies' file format (the original's by default; also pdf, or eml for
        e-mail). footer: print "Prepared for NAME" on every PDF page. smtp: a
        formats.mailcopy.SmtpServer to send the e-mail copies through (from `sender`).
        sections: only these named sections go into the copies, in every format (a Word or
        HTML copy loses the paragraphs, tables and images of the other sections); the ledger
        records which."""
        from . import sections as secmod
        from .formats import mailcopy, stamp
        from .formats.copies import CopyWriter
        from .marks.declared import base_to_original, to_original

        doc, base, sites, code = self.code(doc_id)
        row = self._doc_row(doc_id)
        recs = self.select_recipients(to)
        writer = CopyWriter(doc.format, as_format, doc.title, row.blob)
        chosen = secmod.select(self.sections(doc.id), sections)
        keep = None if chosen is None else [(base_to_original(row.original, x.start),
                                             base_to_original(row.original, x.end)) for x in chosen]
        if footer and writer.format not in ("pdf", "eml"):
            raise InputError("--footer needs PDF copies (--as pdf)")
        if writer.format == "eml" and not sender:
            raise InputError("e-mail copies need a sender address (--from)")
        if smtp is not None and writer.format != "eml":
            raise InputError("sending needs e-mail copies (--as eml)")
        attach = None
        if writer.format == "eml" and doc.format in ("docx", "html", "pdf"):
            attach = CopyWriter(doc.format, None, doc.title, row.blob)
        out = Path(out_dir)
        ext = formats.extension(writer.format)
        if out.exists() and not out.is_dir():
            raise InputError(f"{out} exists and is not a folder")
        targets = [out / f"{r.id}{ext}" for r in recs] + [out / "manifest.json"]
        if not overwrite:
            clash = next((t for t in targets if t.exists()), None)
            if clash:
                raise ConflictError(f"{clash} already exists; use --force to overwrite or choose another --out")
        out.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".leaktrace-", dir=out))
        issued: list[IssuedCopy] = []
        messages = []
        now = _now()
        n = _parse_doc_id(doc.id)
        renderer = embed.Renderer(base, sites)
        structured = writer.template is not None or attach is not None
        try:
            for r in recs:
                cw = code.codeword(r.id)
                text = renderer.render(cw) if chosen is None else _cut(base, renderer.edits(cw), chosen)
                edits = to_original(row.original, renderer.edits(cw)) if structured else ()
                cid = copy_id(self.key, code.doc_uid, r.id)
                st = stamp.make(self.key, code.doc_uid, r.id, cid)
                if writer.format == "eml":
                    msg = self._mail_copy(doc, r, text, edits, st, sender, attach, footer, keep)
                    messages.append(msg)
                    data = msg.as_bytes()
                else:
                    data = writer.write(text, edits, stamp=st, keep=keep,
                                        footer=f"Prepared for {r.name or r.id}" if footer else None)
                (tmp / f"{r.id}{ext}").write_bytes(data)
                issued.append(IssuedCopy(r.id, cid, str(out / f"{r.id}{ext}"), hashlib.sha256(data).hexdigest()))
            sent: list[int] = []
            failure = None
            if smtp is not None:
                try:
                    mailcopy.send(smtp, messages, on_sent=sent.append)
                except InputError as e:
                    failure = e
                issued = [issued[i] for i in sent]
            self._record_copies(n, issued, tmp, out, now, writer.format, len(sites),
                                channel="email" if smtp is not None else "file",
                                sections=None if chosen is None else [x.name for x in chosen])
            if failure is not None:
                raise failure
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return MarkResult(doc, tuple(issued), str(out / "manifest.json"), len(sites))

    def _mail_copy(self, doc: Document, r: Recipient, text: str, edits, st: str, sender: str, attach,
                   footer: bool, keep=None):
        from .formats import mailcopy

        if attach is None:
            return mailcopy.message(sender=sender, name=r.name, email=r.email, subject=doc.title, body=text,
                                    stamp=st)
        data = attach.write(text, edits, stamp=st, keep=keep,
                            footer=f"Prepared for {r.name or r.id}" if footer and attach.format == "pdf" else None)
        body = (f"{doc.title}\n\nThe attached copy was prepared for {r.name or r.id}. "
                "Please do not forward it.\n")
        filename = f"{_safe_filename(doc.title)}{formats.extension(attach.format)}"
        return mailcopy.message(sender=sender, name=r.name, email=r.email, subject=doc.title, body=body,
                                attachment=(filename, data, attach.format), stamp=st)

    def _record_copies(self, n: int, issued: list[IssuedCopy], tmp: Path, out: Path, now: str, fmt: str,
                       sites: int, channel: str, sections: list[str] | None) -> None:
        """Store the copies, their ledger entries and the manifest, and move the files in place."""
        doc = self.document(n)
        manifest = {"document": doc.to_json(), "marking_version": MARKING_VERSION, "created_at": now,
                    "format": fmt, "channel": channel, "sites": sites, "sections": sections,
                    "copies": [c.__dict__ for c in issued]}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        held = None if sections is None else json.dumps(sections, ensure_ascii=False)
        rows = [{"doc": n, "recipient": c.recipient, "copy_id": c.copy, "sha256": c.sha256, "path": c.path,
                 "created_at": now, "sections": held} for c in issued]
        self._codeword_cache.pop(n, None)
        keep = {Path(c.path).name for c in issued} | {"manifest.json"}
        with self.engine.begin() as conn:
            conn.execute(delete(db.copies).where(db.copies.c.doc == n)
                         .where(db.copies.c.recipient.in_([c.recipient for c in issued])))
            for i in range(0, len(rows), 1000):
                conn.execute(db.copies.insert(), rows[i:i + 1000])
            Ledger(self).record_distributions(conn, n, issued, channel=channel, sections=sections)
            for f in tmp.iterdir():
                if f.name in keep:
                    os.replace(f, out / f.name)

    def issued_copies(self, doc_id: str | int) -> list[tuple[str, str, str]]:
        """(recipient id, name, copy id) of every copy of a document, in recipient order."""
        n = _parse_doc_id(doc_id)
        with self.engine.connect() as conn:
            q = (select(db.copies.c.recipient, db.recipients.c.name, db.copies.c.copy_id)
                 .join(db.recipients, db.recipients.c.id == db.copies.c.recipient)
                 .where(db.copies.c.doc == n).order_by(db.copies.c.recipient))
            return [tuple(r) for r in conn.execute(q)]

    def codewords(self, doc_id: str | int, recipient_ids: Sequence[str]) -> np.ndarray:
        """Codewords of the given copies (rows in the given order), cached per document."""
        _, _, _, code = self.code(doc_id)
        key = (_parse_doc_id(doc_id), tuple(recipient_ids))
        cached = self._codeword_cache.get(key[0])
        if cached is None or cached[0] != key[1]:
            cached = (key[1], code.codewords(recipient_ids))
            self._codeword_cache[key[0]] = cached
        return cached[1]

    def doc_index(self, doc: int, conn=None) -> DocIndex:
        """Tokens and trigram index of a document's base text (kept for the last few documents)."""
        index = self._index_cache.get(doc)
        if index is None:
            q = select(db.documents.c.base).where(db.documents.c.id == doc)
            if conn is None:
                with self.engine.connect() as c:
                    base = c.execute(q).scalar_one()
            else:
                base = conn.execute(q).scalar_one()
            index = DocIndex(tokenize(base))
            if len(self._index_cache) >= 64:
                self._index_cache.pop(next(iter(self._index_cache)))
            self._index_cache[doc] = index
        return index

    def count(self, table: str) -> int:
        t = getattr(db, table)
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(t)).scalar_one()

    # ---------------------------------------------------------------- tracing
    def trace(self, text: str, *, audit: bool = True, stamps: Sequence[str] = (),
              source: "formats.Extracted | None" = None) -> TraceResult:
        """Trace a leak (its text, and the copy stamps its file carried); the trace itself is
        recorded in the ledger's audit trail."""
        from .tracing import trace

        result = trace(self, text, stamps=self.verify_stamps(stamps), source=source)
        if audit:
            Ledger(self).record_audit("trace", details={
                "leak_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                "leak_words": result.leak_words, "verdict": result.verdict,
                "document": result.document["id"] if result.document else None,
                "identified_copies": [c.copy for c in result.copies if c.identified]})
        return result

    def trace_file(self, path: str | os.PathLike, *, audit: bool = True) -> TraceResult:
        ex = formats.read_leak(Path(path))
        return self.trace(ex.text, audit=audit, stamps=ex.stamps, source=ex)

    def verify_stamps(self, stamps: Sequence[str]):
        """What each copy stamp found in a file says, checked with the workspace key."""
        from .formats.stamp import StampFinding, parse, valid

        out = []
        for raw in dict.fromkeys(s.strip() for s in stamps if s and s.strip()):
            parsed = parse(raw)
            if parsed is None:
                out.append(StampFinding(raw[:80], "malformed"))
                continue
            cid, mac = parsed
            with self.engine.connect() as conn:
                rows = conn.execute(select(db.copies.c.doc, db.copies.c.recipient, db.documents.c.uid)
                                    .join(db.documents, db.documents.c.id == db.copies.c.doc)
                                    .where(db.copies.c.copy_id == cid)).all()
            hit = next((r for r in rows if valid(self.key, r.uid, r.recipient, cid, mac)), None)
            if hit is not None:
                out.append(StampFinding(raw, "verified", doc_public_id(hit.doc), hit.recipient, cid))
            else:
                out.append(StampFinding(raw, "forged" if rows else "unknown-copy", copy=cid))
        return out


def document_files(folder: str | os.PathLike, recursive: bool = False) -> list[Path]:
    """The originals leaktrace can register in a folder (hidden files and folders left out),
    in a stable order."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"{root}: is not a folder")
    pattern = "**/*" if recursive else "*"
    out = [p for p in root.glob(pattern)
           if p.is_file() and p.suffix.lower() in formats.FORMATS
           and not any(part.startswith(".") for part in p.relative_to(root).parts)]
    return sorted(out)


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


def _cut(base: str, edits: Sequence[tuple[int, int, str]], chosen: Sequence) -> str:
    """A copy holding only the chosen sections: each section's base text with its edits."""
    parts = []
    for sec in chosen:
        inside = [(a - sec.start, b - sec.start, rep) for a, b, rep in edits if sec.start <= a and b <= sec.end]
        parts.append(embed.apply_edits(base[sec.start:sec.end], inside).strip("\n"))
    return "\n\n".join(parts) + "\n"


class _IndexRows:
    """Search-index and section rows of documents being registered, held back to be written
    together: the fingerprints sorted, so that a large index is filled page by page rather
    than at a random page per row, and each table in one executemany."""

    def __init__(self) -> None:
        self.fingerprints: list[tuple[int, set[int]]] = []   # (doc, hashes)
        self.passages: list[tuple[int, str]] = []            # (doc, base text), in id order
        self.sections: list[dict] = []

    def __len__(self) -> int:
        return len(self.passages)   # documents held

    def write(self, conn) -> None:
        from .search import passages

        if not self.passages:
            return
        search_index.add(conn, self.fingerprints)
        passages.add(conn, self.passages)
        if self.sections:
            conn.execute(db.sections.insert(), self.sections)
        self.fingerprints.clear()
        self.passages.clear()
        self.sections.clear()


def _sections_of(src: "formats.Source", base: str) -> list:
    from . import sections as secmod

    kinds = None
    if src.format == "docx" and src.blob is not None:
        from .formats import docx

        kinds = docx.paragraph_kinds(src.blob)
    elif src.format == "html" and src.blob is not None:
        from .formats import htmldoc

        kinds = htmldoc.block_kinds(src.blob, src.name, base)
    return secmod.split(base, secmod.headings(base, "md" if src.format in ("md", "txt") else src.format, kinds))


def _safe_filename(title: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._ -]+", "", title).strip(" .")[:80]
    return name.replace(" ", "-") or "document"


def _document_uid(key: bytes, sha256: str) -> str:
    """The code identity of a document: keyed, and the same for the same text under the same key,
    so a restored workspace rebuilds every copy exactly."""
    import hmac

    return hmac.new(key, f"document|{sha256}".encode(), hashlib.sha256).hexdigest()[:16]


def _tokens_digest(base: str) -> str:
    """Fingerprint of the tokenization that site windows refer to."""
    t = tokenize(base)
    return hashlib.sha256(repr((t.starts, t.ends)).encode()).hexdigest()


def _parse_doc_id(doc_id: str | int) -> int:
    if isinstance(doc_id, int):
        return doc_id
    s = str(doc_id).strip()
    m = re.fullmatch(r"[Dd]?(\d{1,12})", s)
    if not m:
        raise NotFoundError(f"{s!r} is not a document id (they look like D1, D2, ...)")
    return int(m.group(1))


def _document(row) -> Document:
    return Document(doc_public_id(row.id), row.title, row.format, row.source_name, row.words,
                    tuple(row.channels.split(",")), row.sha256, row.created_at,
                    doc_public_id(row.series or row.id), row.version or 1)


def _recipient(row) -> Recipient:
    return Recipient(row.id, row.name, row.email, json.loads(row.attributes))
