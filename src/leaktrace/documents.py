"""Documents: registered originals, their versions and sections, canonical (base) text, and the
search index rows written when they are registered."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import bindparam, func, select
from sqlalchemy.engine import Connection

from . import formats
from . import sections as secmod
from .errors import ConflictError, InputError, NotFoundError
from .marks.channels import parse_channels
from .marks.declared import original_to_base, resolve
from .models import Document, doc_public_id
from .search import fingerprint, passages, semantic
from .search import index as search_index
from .store import db
from .text.align import DocIndex
from .text.tokens import skeletons, tokenize

# documents registered in one transaction have their index rows written this many at a time
# (all at once would hold a large import's rows in memory)
_INDEX_BATCH = 1000
# statements run for every registered document, built once
_DOCUMENT_BY_SHA = select(db.documents.c.id).where(db.documents.c.sha256 == bindparam("sha"))
_DOCUMENT_BY_WORDS = (select(db.documents.c.id, db.documents.c.title, db.documents.c.source_name)
                      .where(db.documents.c.words_sha == bindparam("words"))
                      .where(db.documents.c.archived_at.is_(None)))
_SET_SERIES = db.documents.update().where(db.documents.c.id == bindparam("doc")).values(series=bindparam("root"))
_INDEX_CACHE = 64     # documents whose tokens and trigram index are kept


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Documents:
    """The registered originals of one workspace."""

    def __init__(self, engine, key: bytes, path: Path):
        self.engine = engine
        self.key = key
        self.path = path
        self._index_cache: dict[int, DocIndex] = {}

    def add_document(self, path: str | os.PathLike | None = None, *, text: str | None = None,
                     title: str | None = None, fmt: str = "txt", name: str = "text",
                     channels: str | Iterable[str] | None = None, version_of: str | int | None = None,
                     within: Callable[[Connection, int], None] | None = None) -> Document:
        """Register an original, from a file or from text; returns it with its id.

        version_of: an earlier version's id; the new document becomes the next version of
        that document's series (each version is marked and traced on its own).
        within: called with (connection, new id) inside the registering transaction, for what
        must be written with the document or not at all (an audit entry)."""
        if text is None:
            if path is None:
                raise InputError("give a file or a text to register")
            src = formats.read_document(Path(path))
        else:
            if not text.strip():
                raise InputError(f"{name}: is empty")
            src = formats.Source(text.replace("\r\n", "\n"), fmt, name)
        chosen = parse_channels(channels)
        series = self.row(version_of) if version_of is not None else None
        with self.engine.begin() as conn:
            pending = _IndexRows()
            doc_id = self._insert_document(conn, src, title, chosen, series, pending)
            pending.write(conn)
            if within is not None:
                within(conn, doc_id)
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
        by_id = {r.id: document_of(r) for r in rows}
        self._update_semantic()
        return [by_id[i] for i in ids]

    def _update_semantic(self) -> None:
        """Once the optional semantic index exists, new documents go into it as they are added."""
        index = semantic.SemanticIndex(self.path, self.engine)
        if index.exists() and semantic.missing() is None:
            index.build()

    def _insert_document(self, conn, src: "formats.Source", title: str | None, chosen, series,
                         pending: _IndexRows) -> int:
        """Insert the document's row; its index and section rows go to `pending`, for the caller
        to write before the transaction ends."""
        base, _ = resolve(src.text)
        sha = hashlib.sha256(base.encode("utf-8")).hexdigest()
        root = (series.series or series.id) if series is not None else None
        if root is not None and src.text != base:
            # a version that adds declared alternatives (accepted suggestions) may have the words of
            # an earlier version: its markup is what tells it apart, and gives it its own code
            sha = hashlib.sha256(src.text.encode("utf-8")).hexdigest()
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
        same = db.words_sha(base)
        twin = conn.execute(_DOCUMENT_BY_WORDS, {"words": same}).first()
        if twin is not None and root is not None and conn.execute(
                select(db.documents.c.series).where(db.documents.c.id == twin.id)).scalar() == root:
            twin = None     # an earlier version of the same document, told apart by its declarations
        if twin is not None:
            d = doc_public_id(twin.id)
            raise ConflictError(
                f"{src.name}: has the same words as {d} “{twin.title}” (registered from {twin.source_name}); "
                f"it is one document in another format, and two would split its leaks between them. Mark {d} "
                f"(copies can also be PDF or e-mail: `mark {d} --as pdf`), or archive {d} first "
                f"(`leaktrace doc remove {d}`) if this file replaces it")
        version = 1
        if series is not None:
            root = series.series or series.id
            version = 1 + (conn.execute(select(func.max(db.documents.c.version))
                                        .where(db.documents.c.series == root)).scalar() or 1)
        res = conn.execute(db.documents.insert(), {
            "uid": _document_uid(self.key, sha), "title": title, "format": src.format, "source_name": src.name,
            "original": src.text, "base": base, "sha256": sha, "words": len(words),
            "channels": ",".join(c.value for c in chosen), "created_at": now(), "blob": src.blob,
            "encoding": src.encoding, "words_sha": same,
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
        n = parse_doc_id(doc_id)
        self.row(n)
        with self.engine.connect() as conn:
            rows = conn.execute(select(db.sections).where(db.sections.c.doc == n).order_by(db.sections.c.idx)).all()
        if not rows:
            return [secmod.Section(0, "Preamble", 0, len(self.row(n).base))]
        return [secmod.Section(r.idx, r.name, r.start, r.end) for r in rows]

    def versions(self, doc_id: str | int) -> list[Document]:
        """Every version in the document's series, first version first."""
        row = self.row(doc_id)
        with self.engine.connect() as conn:
            rows = conn.execute(select(db.documents).where(db.documents.c.series == (row.series or row.id))
                                .order_by(db.documents.c.version)).all()
        return [document_of(r) for r in rows] or [document_of(row)]

    def build_semantic_index(self, progress=None) -> int:
        """Embed every passage into the optional semantic index (created on first use)."""
        return semantic.SemanticIndex(self.path, self.engine).build(progress)

    def row(self, doc_id: str | int):
        n = parse_doc_id(doc_id)
        with self.engine.connect() as conn:
            row = conn.execute(select(db.documents).where(db.documents.c.id == n)).first()
        if row is None:
            raise NotFoundError(f"no document {doc_public_id(n)}; `leaktrace doc list` shows the registered ones")
        return row

    def document(self, doc_id: str | int) -> Document:
        return document_of(self.row(doc_id))

    def documents(self) -> list[Document]:
        with self.engine.connect() as conn:
            return [document_of(r) for r in conn.execute(select(db.documents).order_by(db.documents.c.id))]

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
            if len(self._index_cache) >= _INDEX_CACHE:
                self._index_cache.pop(next(iter(self._index_cache)))
            self._index_cache[doc] = index
        return index


    def fixed_spans(self, row) -> list[tuple[int, int]]:
        """Text of a structured original that a copy cannot change (preformatted and code text
        of an HTML page), in base-text offsets."""
        if row.format != "html" or row.blob is None:
            return []
        from .formats import htmldoc

        _, fixed = htmldoc.read(row.blob, row.source_name)
        return [(original_to_base(row.original, a), original_to_base(row.original, b)) for a, b in fixed]

    def archive(self, doc_id: str | int, *, force: bool = False) -> dict:
        """Take a document out of source search (`doc remove`): it is no longer a candidate source
        of leaks, and the same text may be registered again. Its row, its code, its issued copies
        and every ledger entry stay (nothing in the ledger is ever deleted). A document with issued
        copies needs force: leaks from those copies would no longer be traced to it."""
        row = self.row(doc_id)
        d = doc_public_id(row.id)
        if row.archived_at is not None:
            raise ConflictError(f"{d} was already archived on {row.archived_at}")
        with self.engine.begin() as conn:
            issued = conn.execute(select(func.count()).select_from(db.copies)
                                  .where(db.copies.c.doc == row.id)).scalar_one()
            if issued and not force:
                raise InputError(f"{d} has {issued} issued copies: once archived, a leak from one of them is no "
                                 f"longer traced to {d}. Its copies and the ledger stay as they are. Use --force "
                                 "to archive it anyway")
            conn.execute(db.documents.update().where(db.documents.c.id == row.id).values(archived_at=now()))
        return {"document": d, "title": row.title, "issued_copies": issued, "archived_at": self.row(row.id).archived_at}

    def count(self, table: str) -> int:
        t = getattr(db, table)
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(t)).scalar_one()


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
    kinds = None
    if src.format == "docx" and src.blob is not None:
        from .formats import docx

        kinds = docx.paragraph_kinds(src.blob)
    elif src.format == "html" and src.blob is not None:
        from .formats import htmldoc

        kinds = htmldoc.block_kinds(src.blob, src.name, base)
    return secmod.split(base, secmod.headings(base, "md" if src.format in ("md", "txt") else src.format, kinds))


def _document_uid(key: bytes, sha256: str) -> str:
    """The code identity of a document: keyed, and the same for the same text under the same key,
    so a restored workspace rebuilds every copy exactly."""
    return hmac.new(key, f"document|{sha256}".encode(), hashlib.sha256).hexdigest()[:16]


def parse_doc_id(doc_id: str | int) -> int:
    if isinstance(doc_id, int):
        return doc_id
    s = str(doc_id).strip()
    m = re.fullmatch(r"[Dd]?(\d{1,12})", s)
    if not m:
        raise NotFoundError(f"{s!r} is not a document id (they look like D1, D2, ...)")
    return int(m.group(1))


def document_of(row) -> Document:
    return Document(doc_public_id(row.id), row.title, row.format, row.source_name, row.words,
                    tuple(row.channels.split(",")), row.sha256, row.created_at,
                    doc_public_id(row.series or row.id), row.version or 1, row.encoding, row.archived_at)


