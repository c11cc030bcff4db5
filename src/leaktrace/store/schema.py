"""Database tables of a workspace, in SQLAlchemy Core, and the metadata every table registers on.

One schema for every backend: SQLite embedded in the workspace folder by default, or a
server database given by URL in the workspace settings. The ledger's and the cases' tables
live with them (`ledger.tables`, `cases.tables`) and register on the same `metadata`;
`store.db` imports them all, so that a database it creates has the whole schema.
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
)

SCHEMA_VERSION = "8"

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
    Column("encoding", String(40), nullable=True),         # how a text file's bytes were read (None: not a text file)
    # SHA-256 of the words (skeletons) alone: the same text in another format (Markdown and Word)
    Column("words_sha", String(64), nullable=True, index=True),
    Column("archived_at", String(40), nullable=True),      # `doc remove`: no longer a source of leaks
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
