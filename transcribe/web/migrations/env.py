"""Alembic environment: runs on the connection that ``transcribe.web.migrate`` hands over.

The models' metadata is handed over only to autogenerate a revision (``migrate.new_revision``):
upgrading runs the scripts alone, without importing any model.
"""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=context.config.attributes.get("target_metadata"),
                  render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
