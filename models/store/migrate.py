"""Schema migrations of the application database (Alembic), without an alembic.ini.

``kinerja db upgrade`` calls :func:`upgrade`. The Alembic config is built in code, with the
scripts found next to the installed package (``kinerja/migrations``), so nothing has to sit
in the user's working directory.

A change to models/store/tables/ needs a migration: :func:`autogenerate` writes the next one
(``migrations/versions/NNNN_<slug>.py``) by comparing the tables with an empty SQLite database
upgraded to the current head; review it, and check it on PostgreSQL too. The migration test
fails while the tables and the migrations disagree.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import NullPool

import kinerja.migrations
from kinerja.models.store.db import default_url

MIGRATIONS_DIR = Path(kinerja.migrations.__file__).resolve().parent
"""The Alembic script location: env.py, script.py.mako and versions/."""


def alembic_config() -> Config:
    """The Alembic config of this package: script location and migration file names."""
    config = Config(stdout=io.StringIO())
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    # ConfigParser interpolation: "%%" stands for a literal "%".
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    return config


def migration_engine(url: str) -> Engine:
    """A short-lived engine for migrating ``url``.

    Not the application's pooled engine: on SQLite that one turns foreign keys on, which
    would break the table rebuilds of SQLite batch migrations.
    """
    if url.startswith("sqlite"):
        return create_engine(url, connect_args={"timeout": 30}, poolclass=NullPool)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, poolclass=NullPool)


def _resolve(url: str | None) -> str:
    if url:
        return url

    return default_url()


def head_revision() -> str:
    """The newest revision among the migration scripts."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations in {MIGRATIONS_DIR / 'versions'}")
    return head


def current_revision(url: str | None = None) -> str | None:
    """The revision the database at ``url`` is at; None when it was never migrated."""
    engine = migration_engine(_resolve(url))
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def upgrade(url: str | None = None) -> str:
    """Apply every pending migration to the database at ``url``; return its revision.

    ``url`` defaults to :func:`kinerja.models.store.db.default_url`. Running it on an up-to-date
    database changes nothing. All migrations run in one transaction (PostgreSQL rolls back
    a failed upgrade entirely).
    """
    engine = migration_engine(_resolve(url))
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            revision = MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
    if revision is None:
        raise RuntimeError("upgrade finished without a revision")
    return revision


def autogenerate(message: str, *, rev_id: str | None = None) -> Path:
    """Write the next migration for the differences between the tables and the scripts.

    The comparison runs against a throwaway SQLite database upgraded to the current head.
    ``rev_id`` defaults to the next four-digit number. Returns the new script's path.
    """
    if rev_id is None:
        numbers = [
            int(p.name[:4]) for p in (MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")
        ]
        rev_id = f"{max(numbers, default=0) + 1:04d}"
    with tempfile.TemporaryDirectory() as tmp:
        engine = migration_engine(f"sqlite:///{Path(tmp) / 'empty.db'}")
        try:
            with engine.begin() as connection:
                config = alembic_config()
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                script = command.revision(config, message=message, autogenerate=True, rev_id=rev_id)
        finally:
            engine.dispose()
    if script is None or isinstance(script, list):
        raise RuntimeError("autogenerate produced no single script")
    return Path(script.path)
