"""Alembic environment: runs on the connection that ``transcribe.web.migrate`` hands over."""

from alembic import context

from transcribe.web import classroom_db  # noqa: F401  (its tables join the metadata)
from transcribe.web.db import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
