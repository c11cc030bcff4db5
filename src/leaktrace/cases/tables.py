"""Database tables of cases (registered on the workspace schema).

A case holds artifacts (the bytes themselves live in `<workspace>/artifacts/<sha256>`), the
traces run on them, and the pseudonyms revealed in it. Protected channels belong to the
workspace, not to a case: they apply to every investigation.
"""

from __future__ import annotations

from sqlalchemy import (Boolean, Column, ForeignKey, Integer, PrimaryKeyConstraint, String, Table, Text,
                        UniqueConstraint)

from ..store.schema import metadata

cases = Table(
    "cases", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),   # shown as C1, C2, ...
    Column("title", Text, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("opened_by", Text, nullable=False),
    Column("opened_at", String(32), nullable=False),
)

case_artifacts = Table(
    "case_artifacts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),   # shown as A1, A2, ...
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("original_name", Text, nullable=False),
    Column("obtained_from", Text, nullable=False),
    Column("obtained_at", String(32), nullable=False),              # fixed-width UTC, as in the ledger
    Column("first_seen", String(32), nullable=False),               # when the content was first public
    # true: nobody knows when it was first public; first_seen then holds obtained_at, the latest it can be
    Column("first_seen_unknown", Boolean, nullable=True),
    Column("url", Text, nullable=True),
    Column("added_by", Text, nullable=False),
    Column("added_at", String(32), nullable=False),
    UniqueConstraint("case_id", "sha256", name="uq_case_artifact_sha256"),
)

case_traces = Table(
    "case_traces", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("artifact_id", Integer, ForeignKey("case_artifacts.id"), nullable=False),
    Column("result", Text, nullable=False),                         # TraceResult.to_json(), real ids inside
    Column("traced_by", Text, nullable=False),
    Column("traced_at", String(32), nullable=False),
    Column("audit_seq", Integer, nullable=True),                    # the trace's audit entry (NULL: before schema 8)
)

case_reveals = Table(
    "case_reveals", metadata,
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("pseudonym", String(64), nullable=False),
    Column("subject_kind", String(16), nullable=False),             # recipient | account
    Column("subject", Text, nullable=False),                        # recipient id, or the account as logged
    Column("reason", Text, nullable=False),
    Column("revealed_by", Text, nullable=False),
    Column("revealed_at", String(32), nullable=False),
    Column("audit_seq", Integer, nullable=False),                   # the ledger entry that records it
    PrimaryKeyConstraint("case_id", "pseudonym"),
)

protected_channels = Table(
    "protected_channels", metadata,
    Column("value", String(320), primary_key=True),                 # an address, or a domain
    Column("kind", String(16), nullable=False),                     # address | domain
    Column("label", Text, nullable=False),
    Column("added_by", Text, nullable=False),
    Column("added_at", String(32), nullable=False),
)

case_closures = Table(
    "case_closures", metadata,
    Column("case_id", Integer, ForeignKey("cases.id"), primary_key=True),
    Column("disposition", String(32), nullable=False),              # no-finding | inconclusive | referred | ...
    Column("reason", Text, nullable=False),
    Column("names", Text, nullable=False),                          # JSON: pseudonyms the disposition names
    Column("evidence", Text, nullable=False),                       # JSON: the copy evidence behind each name
    Column("closed_by", Text, nullable=False),
    Column("closed_at", String(32), nullable=False),
    Column("audit_seq", Integer, nullable=False),
)

CASE_TABLES = (cases, case_artifacts, case_traces, case_reveals, protected_channels, case_closures)
