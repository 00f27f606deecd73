"""The classroom's Alembic scripts: one chain with the workspace's ``migrations/versions``."""
