"""Recipients: the people (or mailboxes) who may receive a marked copy, loaded from CSV."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import delete, select

from . import formats
from .documents import now
from .errors import ConflictError, InputError, NotFoundError
from .models import Recipient
from .store import db

_RECIPIENT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,199}$")


class Recipients:
    """The recipient list of one workspace."""

    def __init__(self, engine):
        self.engine = engine

    def import_csv(self, path: str | os.PathLike, *, update: bool = False) -> int:
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
                         "created_at": now()})
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

    def all(self) -> list[Recipient]:
        with self.engine.connect() as conn:
            return [_recipient(r) for r in conn.execute(select(db.recipients).order_by(db.recipients.c.id))]

    def by_id(self, ids: Sequence[str]) -> list[Recipient]:
        with self.engine.connect() as conn:
            found = {r.id: _recipient(r) for r in conn.execute(
                select(db.recipients).where(db.recipients.c.id.in_(list(ids))))}
        unknown = [i for i in ids if i not in found]
        if unknown:
            more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
            raise NotFoundError(f"unknown recipient {unknown[0]!r}{more}; import recipients first")
        return [found[i] for i in ids]

    def choose(self, to: str | Sequence[str]) -> list[Recipient]:
        """`all`, a comma-separated list of ids, a list of ids, or a CSV file with an id column."""
        if isinstance(to, str):
            if to.strip().lower() == "all":
                recs = self.all()
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
        return self.by_id(ids)

    # ---------------------------------------------------------------- code

def _recipient(row) -> Recipient:
    return Recipient(row.id, row.name, row.email, json.loads(row.attributes))
