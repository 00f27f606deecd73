"""Alembic migrations of the server's database (``migrate.upgrade`` runs them at start)."""
