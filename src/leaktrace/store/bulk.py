"""Bulk loading into a PostgreSQL workspace database: COPY instead of one round of the
protocol per row, and fresh planner statistics afterwards. SQLite needs neither.
"""

from __future__ import annotations


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
