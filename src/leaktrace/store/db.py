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
# the full-text index of passages behind paraphrase search (SQLite FTS5; other databases
# do without it, and search says so)
PASSAGES_DDL = ("CREATE VIRTUAL TABLE IF NOT EXISTS passages USING fts5("
                "body, doc UNINDEXED, start UNINDEXED, end UNINDEXED, tokenize='unicode61 remove_diacritics 2')",
                "CREATE VIRTUAL TABLE IF NOT EXISTS passages_vocab USING fts5vocab(passages, 'row')")


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
    """Create the passages index where the database supports it; True when it exists."""
    from sqlalchemy import text

    if conn.dialect.name != "sqlite":
        return False
    for stmt in PASSAGES_DDL:
        conn.execute(text(stmt))
    return True


def connect(url: str) -> Engine:
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
