"""Database tables of the ledger (registered on the workspace schema).

`ledger` is append-only: one row per distribution, access event or audit record, each
carrying the hash of its predecessor. The exposure question "who accessed document D
before time T, and how" is the index (document, occurred_at); "what did R receive or
open" is the index (recipient, occurred_at).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ..store.schema import metadata

ledger = Table(
    "ledger", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),  # 1..n, strictly consecutive
    Column("kind", String(16), nullable=False),            # distribution | access | audit
    Column("occurred_at", String(32), nullable=False),     # UTC, fixed width: 2024-03-05T14:22:10.000Z
    Column("recorded_at", String(32), nullable=False),
    Column("actor", Text, nullable=False),                 # the account as the source names it
    Column("recipient", String(200), nullable=True),       # recipients.id when the actor maps to one
    Column("document", Integer, nullable=True),            # documents.id when the event maps to one
    Column("action", String(32), nullable=False),          # view, download, print, share, forward, export, distribute, ...
    Column("source", Text, nullable=False),                # e.g. "m365-json:audit.json", "mark"
    Column("source_kind", String(32), nullable=False),     # m365, gws-drive, cloudtrail, generic, mark, audit
    Column("source_ref", String(200), nullable=True),      # vendor event id or content hash; NULL for our own records
    Column("details", Text, nullable=False),               # JSON object
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("source_kind", "source_ref", name="uq_ledger_source_ref"),
    Index("ix_ledger_document_time", "document", "occurred_at"),
    Index("ix_ledger_recipient_time", "recipient", "occurred_at"),
    Index("ix_ledger_hash", "hash"),
)

ledger_digests = Table(
    "ledger_digests", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("upto_seq", Integer, nullable=False),
    Column("head_hash", String(64), nullable=False),
    Column("signed_at", String(32), nullable=False),
    Column("signature", String(128), nullable=False),      # Ed25519, hex
    Column("public_key", String(64), nullable=False),      # raw Ed25519 public key, hex
    Column("root", String(64), nullable=True),             # Merkle root of entries 1..upto_seq (NULL: before schema 8)
)

document_aliases = Table(
    "document_aliases", metadata,
    Column("document", Integer, ForeignKey("documents.id"), nullable=False),
    Column("kind", String(16), nullable=False),            # file_id | path | name | sha256
    Column("value", Text, nullable=False),                 # normalized (see ledger.mapping.normalize)
    Column("created_at", String(32), nullable=False),
    PrimaryKeyConstraint("kind", "value", "document"),
)

LEDGER_TABLES = (ledger, ledger_digests, document_aliases)
