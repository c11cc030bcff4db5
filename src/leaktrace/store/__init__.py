"""Storage: the workspace database (SQLite by default, any SQLAlchemy URL at scale)."""
