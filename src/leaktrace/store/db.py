"""The workspace database: connecting to it (SQLite, or PostgreSQL at scale), upgrading an
older one, and the whole schema in one place: importing this module registers every table,
the workspace's own (`store.schema`), the ledger's and the cases', on `metadata`.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine

from ..cases import tables as _case_tables  # noqa: F401  (registers the cases' tables)
from ..ledger import tables as _ledger_tables  # noqa: F401  (registers the ledger's tables)
from ..search import passages
from ..search.fingerprint import word_skeletons
from ..text.tokens import skeletons
from .bulk import analyze, copy_rows  # noqa: F401  (re-exported)
from .schema import (  # noqa: F401  (re-exported: callers use db.documents, db.metadata, ...)
    SCHEMA_VERSION,
    codes,
    copies,
    documents,
    fingerprints,
    meta,
    metadata,
    recipients,
    sections,
)


# schema upgrades: version -> statements that bring a database from it to the next version
UPGRADES = {
    "2": ["ALTER TABLE documents ADD COLUMN blob BLOB"],
    "3": ["ALTER TABLE documents ADD COLUMN series INTEGER", "ALTER TABLE documents ADD COLUMN version INTEGER",
          "UPDATE documents SET series = id, version = 1",
          "CREATE INDEX IF NOT EXISTS ix_documents_series ON documents (series)",
          "ALTER TABLE copies ADD COLUMN sections TEXT"],
    "4": ["ALTER TABLE documents ADD COLUMN encoding VARCHAR(40)"],
    "5": ["ALTER TABLE documents ADD COLUMN words_sha VARCHAR(64)",
          "ALTER TABLE documents ADD COLUMN archived_at VARCHAR(40)",
          "CREATE INDEX IF NOT EXISTS ix_documents_words_sha ON documents (words_sha)"],
    "6": [lambda conn: _add_column(conn, "case_artifacts", "first_seen_unknown BOOLEAN")],
    "7": [lambda conn: _add_column(conn, "ledger_digests", "root VARCHAR(64)"),
          lambda conn: _add_column(conn, "case_traces", "audit_seq INTEGER")],
}


def _add_column(conn, table: str, column: str) -> None:
    """ALTER TABLE ... ADD COLUMN where the table exists already (older workspaces may predate it:
    create_all then makes it whole) and lacks the column."""
    from sqlalchemy import inspect, text

    if table in inspect_tables(conn):
        have = {c["name"] for c in inspect(conn).get_columns(table)}
        if column.split()[0] not in have:
            conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column}"))


def upgrade(engine: Engine, version: str | None) -> str | None:
    """Bring an older workspace database up to SCHEMA_VERSION in one transaction."""
    from sqlalchemy import text

    if version not in UPGRADES:
        return version
    with engine.begin() as conn:
        while version in UPGRADES:
            for stmt in UPGRADES[version]:
                conn.execute(text(stmt)) if isinstance(stmt, str) else stmt(conn)
            version = str(int(version) + 1)
        metadata.create_all(conn)          # tables that are new in this version
        create_passages(conn)
        conn.execute(meta.update().where(meta.c.key == "schema_version").values(value=version))
    if version == SCHEMA_VERSION:
        passages.backfill(engine)
        _backfill_words_sha(engine)
    return version


def words_sha(base: str) -> str:
    """The identity of a text's words, whatever its format: the same memo as Markdown and as Word."""
    return hashlib.sha256("\x1f".join(word_skeletons(skeletons(base))).encode("utf-8")).hexdigest()


def _backfill_words_sha(engine: Engine) -> None:
    with engine.begin() as conn:
        rows = conn.execute(select(documents.c.id, documents.c.base).where(documents.c.words_sha.is_(None))).all()
        for doc, base in rows:
            conn.execute(documents.update().where(documents.c.id == doc).values(words_sha=words_sha(base)))


def create_passages(conn) -> bool:
    """Create the passage index behind paraphrase search (search.passages) where the database
    supports it (SQLite, PostgreSQL); True when it exists."""
    return passages.create(conn)


def server_url(url: str) -> str:
    """A server database URL as leaktrace connects to it: PostgreSQL, through psycopg 3."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from ..errors import InputError

    try:
        u = make_url(url)
    except (ArgumentError, ValueError):
        raise InputError("not a database URL; give one like postgresql://user@host:5432/leaktrace") from None
    if u.get_backend_name() != "postgresql" or u.get_driver_name() not in ("psycopg", "postgresql", "psycopg2"):
        raise InputError(f"leaktrace works with its embedded SQLite database or a PostgreSQL server, "
                         f"not {u.get_backend_name()!r}; give a URL like postgresql://user@host:5432/leaktrace")
    if not u.database:
        raise InputError("the database URL names no database; add one: postgresql://user@host:5432/leaktrace")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise InputError("a PostgreSQL workspace needs psycopg: pip install 'leaktrace[postgres]'") from None
    return u.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def inspect_tables(conn) -> set[str]:
    """Names of the tables in the database the connection is on."""
    from sqlalchemy import inspect

    return set(inspect(conn).get_table_names())


# query parameters of a PostgreSQL URL that hold a secret (libpq's names)
_SECRET_PARAMS = {"password", "sslpassword"}


def describe(url: str) -> str:
    """The URL as it may be shown: without its password, after the user name or as a query
    parameter (?host=...&password=...)."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    hidden = {k: "***" for k in u.query if k.lower() in _SECRET_PARAMS}
    shown = (u.update_query_dict(hidden) if hidden else u).render_as_string(hide_password=True)
    return shown.replace("%2A%2A%2A", "***")


def redact(message: str, url: str | None) -> str:
    """A message (a driver's error) with the URL's secrets replaced by ***."""
    from urllib.parse import quote, quote_plus

    from sqlalchemy.engine import make_url

    if not url:
        return message
    try:
        u = make_url(url)
    except Exception:  # noqa: BLE001 - a URL that does not parse has nothing we could find in it
        return message
    secrets = [u.password] + [v for k, vs in u.query.items() if k.lower() in _SECRET_PARAMS
                              for v in ([vs] if isinstance(vs, str) else vs)]
    for secret in filter(None, map(str, secrets)):
        for form in sorted({secret, quote(secret, safe=""), quote_plus(secret)}, key=len, reverse=True):
            message = message.replace(form, "***")
    return message


def connect(url: str) -> Engine:
    if url.startswith("postgresql"):
        return create_engine(url, future=True, pool_pre_ping=True)
    engine = create_engine(url, future=True)
    if url.startswith("sqlite"):
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
    return engine
