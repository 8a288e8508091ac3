"""Alembic environment of the application database.

Run through :mod:`kinerja.models.store.migrate` (``kinerja db upgrade``), which builds the Alembic
config in code and hands over an open connection. Run by the ``alembic`` command instead, the
URL comes from the config's ``sqlalchemy.url`` or :func:`kinerja.models.store.db.default_url`.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from kinerja.models.store.migrate import migration_engine
from kinerja.models.store.tables import Base

target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: later migrations rebuild tables in batch mode.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_offline() -> None:
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url") or _url(),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    from kinerja.models.store.db import default_url

    return default_url()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = migration_engine(context.config.get_main_option("sqlalchemy.url") or _url())
    try:
        with engine.begin() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
