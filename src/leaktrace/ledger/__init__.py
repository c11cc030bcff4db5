"""Ledger: distributions and access events, hash-chained, append-only and verifiable.

Submodules are imported explicitly (`leaktrace.ledger.tables`, ...); this package
imports nothing so that the database schema can load its tables without cycles.
"""
