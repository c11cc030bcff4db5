"""Database tables of a workspace, in SQLAlchemy Core.

One schema for every backend: SQLite embedded in the workspace folder by default, or a
server database given by URL in the workspace settings.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,

    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine

SCHEMA_VERSION = "4"

metadata = MetaData()

meta = Table(
    "meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

documents = Table(
    "documents", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uid", String(40), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("format", String(16), nullable=False),
    Column("source_name", Text, nullable=False),
    Column("original", Text, nullable=False),
    Column("base", Text, nullable=False),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("words", Integer, nullable=False),
    Column("channels", String(80), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("blob", LargeBinary, nullable=True),  # the original file, for formats copied from it
    Column("series", Integer, nullable=True, index=True),  # id of the first version (itself for a first version)
    Column("version", Integer, nullable=True),             # 1, 2, ... within the series
)

sections = Table(
    "sections", metadata,
    Column("doc", Integer, ForeignKey("documents.id"), nullable=False),
    Column("idx", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    PrimaryKeyConstraint("doc", "idx"),
)

recipients = Table(
    "recipients", metadata,
    Column("id", String(200), primary_key=True),
    Column("name", Text, nullable=False),
    Column("email", Text, nullable=False),
    Column("attributes", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
)

codes = Table(
    "codes", metadata,
    Column("doc", Integer, ForeignKey("documents.id"), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("sites", LargeBinary, nullable=False),
    Column("biases", LargeBinary, nullable=False),
    Column("tokens_digest", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
)

copies = Table(
    "copies", metadata,
    Column("doc", Integer, ForeignKey("documents.id"), nullable=False),
    Column("recipient", String(200), ForeignKey("recipients.id"), nullable=False),
    Column("copy_id", String(20), nullable=False, index=True),
    Column("sha256", String(64), nullable=False),
    Column("path", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("sections", Text, nullable=True),   # JSON list of section names; NULL: the whole document
    PrimaryKeyConstraint("doc", "recipient"),
)

fingerprints = Table(
    "fingerprints", metadata,
    Column("hash", BigInteger, nullable=False),
    Column("doc", Integer, nullable=False),
    PrimaryKeyConstraint("hash", "doc"),
    sqlite_with_rowid=False,
)



# schema upgrades: version -> statements that bring a database from it to the next version
UPGRADES = {
    "2": ["ALTER TABLE documents ADD COLUMN blob BLOB"],
    "3": ["ALTER TABLE documents ADD COLUMN series INTEGER", "ALTER TABLE documents ADD COLUMN version INTEGER",
          "UPDATE documents SET series = id, version = 1",
          "CREATE INDEX IF NOT EXISTS ix_documents_series ON documents (series)",
          "ALTER TABLE copies ADD COLUMN sections TEXT"],
}
def upgrade(engine: Engine, version: str | None) -> str | None:
    """Bring an older workspace database up to SCHEMA_VERSION in one transaction."""
    from sqlalchemy import text

    if version not in UPGRADES:
        return version
    with engine.begin() as conn:
        while version in UPGRADES:
            for stmt in UPGRADES[version]:
                conn.execute(text(stmt))
            version = str(int(version) + 1)
        metadata.create_all(conn)          # tables that are new in this version
        create_passages(conn)
        conn.execute(meta.update().where(meta.c.key == "schema_version").values(value=version))
    if version == SCHEMA_VERSION:
        from ..search import passages

        passages.backfill(engine)
    return version


def create_passages(conn) -> bool:
    """Create the passage index behind paraphrase search (search.passages) where the database
    supports it (SQLite, PostgreSQL); True when it exists."""
    from ..search import passages

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


def analyze(conn) -> None:
    """After a bulk registration on PostgreSQL: fresh planner statistics for the search
    indexes (a bulk COPY leaves none until autovacuum comes by, and the planner then reads the
    fingerprint index the slow way). SQLite needs nothing."""
    from sqlalchemy import text

    if conn.dialect.name == "postgresql":
        conn.execute(text("ANALYZE fingerprints"))
        conn.execute(text("ANALYZE passages"))


def copy_rows(conn, statement: str, rows) -> None:
    """PostgreSQL's COPY, in the connection's transaction: a bulk load that does not pay a
    round of the protocol per row (hundreds of fingerprints per document)."""
    with conn.connection.driver_connection.cursor() as cur:
        with cur.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)


def inspect_tables(conn) -> set[str]:
    """Names of the tables in the database the connection is on."""
    from sqlalchemy import inspect

    return set(inspect(conn).get_table_names())


def describe(url: str) -> str:
    """The URL as it may be shown: without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


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


# The ledger's tables live with the ledger; importing them registers them on `metadata`.
from ..ledger import tables as _ledger_tables  # noqa: E402,F401
from ..cases import tables as _case_tables  # noqa: E402,F401
