"""Alembic environment: migrate the connection that storage.migrations.runner hands over.

There is no offline (SQL script) mode and no alembic.ini: the application runs the
migrations itself, inside its own write transaction.
"""
from alembic import context

from storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise RuntimeError("storage migrations run through storage.migrations.runner.upgrade, "
                       "which passes an open connection")
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
