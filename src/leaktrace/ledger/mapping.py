"""Mapping audit-log events to registered documents and to recipients.

A vendor names a file by its own id, a path or URL, a file name or a content hash; a
`document_aliases` row ties such a value to a document. Every document is known at least
by its source file name and the SHA-256 of its base text, and every issued copy by the
SHA-256 of its bytes (which also tells whose copy it was). Accounts map to recipients by
e-mail (case-insensitive), by recipient id, or by an `account`/`accounts` attribute.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ..errors import InputError
from ..store import db
from .chain import now
from .tables import document_aliases

ALIAS_KINDS = ("file_id", "path", "name", "sha256")
_GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


def normalize(kind: str, value: str) -> str | None:
    """The form in which aliases are stored and looked up; None when the value is unusable."""
    v = (value or "").strip()
    if not v:
        return None
    if kind == "file_id":
        m = _GUID.match(v)
        return m.group(1).lower() if m else v
    if kind == "path":
        return v
    if kind == "name":
        return v.replace("\\", "/").rsplit("/", 1)[-1].casefold() or None
    if kind == "sha256":
        return v.lower() if _SHA256.match(v) else None
    raise InputError(f"unknown alias kind {kind!r}; choose from {', '.join(ALIAS_KINDS)}")


def _accounts(value) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [s for s in re.split(r"[,;\s]+", str(value or "")) if s]


class Resolver:
    """Everything needed to map events, loaded once per import (bounded by the registry, not the log)."""

    def __init__(self, conn: Connection, *, register: bool = True):
        self.docs: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.copies: dict[str, tuple[int, str]] = {}
        for doc, kind, value in conn.execute(select(document_aliases.c.document, document_aliases.c.kind,
                                                    document_aliases.c.value)):
            self.docs[(kind, value)].add(doc)
        auto = []
        for doc, name, sha in conn.execute(select(db.documents.c.id, db.documents.c.source_name,
                                                  db.documents.c.sha256)):
            for kind, value in (("name", normalize("name", name)), ("sha256", normalize("sha256", sha))):
                if value and doc not in self.docs[(kind, value)]:
                    self.docs[(kind, value)].add(doc)
                    auto.append({"document": doc, "kind": kind, "value": value, "created_at": now()})
        if auto and register:
            conn.execute(document_aliases.insert(), auto)
        for doc, rid, sha in conn.execute(select(db.copies.c.doc, db.copies.c.recipient, db.copies.c.sha256)):
            self.copies[sha.lower()] = (doc, rid)
        self.accounts: dict[str, set[str]] = defaultdict(set)
        for rid, email, attrs in conn.execute(select(db.recipients.c.id, db.recipients.c.email,
                                                     db.recipients.c.attributes)):
            names = [rid, email]
            try:
                a = json.loads(attrs or "{}")
            except ValueError:
                a = {}
            if isinstance(a, dict):
                for k in ("account", "accounts"):
                    names += _accounts(a.get(k))
            for n in names:
                if n and n.strip():
                    self.accounts[n.strip().casefold()].add(rid)

    def document(self, identifiers: Iterable[tuple[str, str]]) -> tuple[int | None, dict]:
        """The first identifier (in the order given) that names exactly one document wins."""
        ambiguous: set[int] = set()
        for kind, raw in identifiers:
            value = normalize(kind, raw)
            if value is None:
                continue
            if kind == "sha256" and value in self.copies:
                doc, rid = self.copies[value]
                return doc, {"matched_by": "copy_sha256", "copy_of": rid}
            found = self.docs.get((kind, value))
            if found and len(found) == 1:
                return next(iter(found)), {"matched_by": kind}
            if found:
                ambiguous |= found
        return None, ({"ambiguous_documents": [f"D{d}" for d in sorted(ambiguous)]} if ambiguous else {})

    def recipient(self, accounts: Iterable[str]) -> tuple[str | None, dict]:
        ambiguous: set[str] = set()
        for a in accounts:
            found = self.accounts.get((a or "").strip().casefold())
            if found and len(found) == 1:
                return next(iter(found)), {}
            if found:
                ambiguous |= found
        return None, ({"ambiguous_recipients": sorted(ambiguous)} if ambiguous else {})
