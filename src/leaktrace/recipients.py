"""Recipients: the people (or mailboxes) who may receive a marked copy, loaded from CSV."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy import update as sql_update

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

    def import_csv(self, path: str | os.PathLike, *, update: bool = False, within=None) -> int:
        """Load recipients from CSV (id,name,email, more columns kept as attributes). All or nothing.
        `within(conn, updated)`: called in the transaction with the rows of existing recipients it
        updated (the ledger records the new identity of those who hold copies)."""
        path = Path(path)
        rows = []
        seen: dict[str, int] = {}
        for line, rec in csv_records(path, required=("id", "name", "email")):
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
            # an existing recipient is updated in place, never deleted and re-inserted: the copies
            # they hold refer to them
            updated = [r for r in rows if r["id"] in existing]
            for r in updated:
                conn.execute(sql_update(db.recipients).where(db.recipients.c.id == r["id"])
                             .values(name=r["name"], email=r["email"], attributes=r["attributes"]))
            if within is not None and updated:
                within(conn, updated)
            new = [r for r in rows if r["id"] not in existing]
            if new:
                conn.execute(db.recipients.insert(), new)
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
                ids = [r["id"].strip() for _, r in csv_records(p, required=("id",)) if (r.get("id") or "").strip()]
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

MAX_FIELD = 131072      # characters in one field of a recipient list (the csv module's default limit)


def csv_records(path: Path, required: Sequence[str]):
    """(line, record) for each row of a CSV file, its column names stripped and lower-cased.
    Refuses, with the line, what the csv module would read silently wrong: a quote never closed
    (the rest of the file read as one field), a column named twice (the last one would win), a
    row with more fields than the header; and a field over the csv module's limit."""
    text = formats.decode_text(formats.read_file_bytes(path), str(path))
    reader = csv.reader(io.StringIO(text), strict=True)
    line = 1
    try:
        header = [f.strip().lower() for f in next(reader, [])]
        missing = [c for c in required if c not in header]
        if missing:
            raise InputError(f"{path}: missing column(s) {', '.join(missing)}; the header must have "
                             f"{','.join(required)}")
        twice = next((f for n, f in enumerate(header) if f in header[:n]), None)
        if twice is not None:
            raise InputError(f"{path}:1: column {twice!r} appears twice in the header")
        while True:
            line = reader.line_num + 1          # where the next record starts
            row = next(reader, None)
            if row is None:
                return
            if not row:
                continue
            if len(row) > len(header):
                raise InputError(f"{path}:{line}: more fields than columns in the header")
            if any(len(v) > MAX_FIELD for v in row):     # the csv module's own limit is process-wide
                raise csv.Error("field larger than field limit")
            yield line, dict(zip(header, row + [""] * (len(header) - len(row))))
    except csv.Error as e:
        if "field larger than field limit" in str(e):
            why = f"a field is over the limit of {MAX_FIELD // 1024} KB"
        elif "unexpected end of data" in str(e):
            why = "a quoted field is never closed (a \" without its closing \")"
        else:
            why = f"malformed CSV ({e})"
        raise InputError(f"{path}:{line}: {why}") from None


def _recipient(row) -> Recipient:
    return Recipient(row.id, row.name, row.email, json.loads(row.attributes))
