"""The fingerprint index behind source search, stored in the workspace database."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from ..store.bulk import copy_rows
from ..store.schema import fingerprints

_CHUNK = 900


def add(conn: Connection, docs: Iterable[tuple[int, Iterable[int]]]) -> None:
    """Index the fingerprints of documents, given as (doc, hashes) pairs.

    The rows go in sorted by key: hashes are random, so rows inserted in any other order
    land on pages all over a large index, each one read and dirtied again and again."""
    rows = sorted((h, doc) for doc, hashes in docs for h in hashes)
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        # tuples straight to the driver: a dict per row through SQLAlchemy costs more than
        # SQLite's insert of it
        conn.exec_driver_sql("INSERT INTO fingerprints (hash, doc) VALUES (?, ?)", rows)
        return
    if conn.dialect.name == "postgresql":
        copy_rows(conn, "COPY fingerprints (hash, doc) FROM STDIN", rows)
        return
    for i in range(0, len(rows), 5000):
        conn.execute(fingerprints.insert(), [{"hash": h, "doc": d} for h, d in rows[i:i + 5000]])


def candidates(conn: Connection, hashes: Iterable[int], limit: int = 5) -> list[tuple[int, int]]:
    """Documents sharing the most fingerprints with the query: (doc, shared count)."""
    counts: dict[int, int] = {}
    hashes = list(hashes)
    for i in range(0, len(hashes), _CHUNK):
        chunk = hashes[i:i + _CHUNK]
        q = (select(fingerprints.c.doc, func.count())
             .where(fingerprints.c.hash.in_(chunk))
             .group_by(fingerprints.c.doc))
        for doc, n in conn.execute(q):
            counts[doc] = counts.get(doc, 0) + n
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
