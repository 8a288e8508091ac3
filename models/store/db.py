"""Database access: one engine per URL, sessions, and the default location of the database.

The application database holds the cycle's truth. SQLite (a file) is the default;
``KINERJA_DATABASE_URL`` selects another database, PostgreSQL in production.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_HOME = Path(os.environ.get("KINERJA_HOME", Path.home() / ".kinerja"))

_engines: dict[str, Engine] = {}


def default_url() -> str:
    """The database URL in force: ``KINERJA_DATABASE_URL``, else a SQLite file in KINERJA_HOME."""
    url = os.environ.get("KINERJA_DATABASE_URL")
    if url:
        return url
    home = Path(os.environ.get("KINERJA_HOME", DEFAULT_HOME))
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{home / 'kinerja.db'}"


def describe_url(url: str) -> str:
    """A printable form of a URL, without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:  # noqa: ANN001
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def get_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (default: :func:`default_url`), created once per process."""
    url = url or default_url()
    engine = _engines.get(url)
    if engine is None:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            if url.startswith("postgresql://"):
                url_ = "postgresql+psycopg://" + url.removeprefix("postgresql://")
            else:
                url_ = url
            engine = create_engine(url_, pool_pre_ping=True)
        _engines[url] = engine
    return engine


def dispose_engines() -> None:
    """Close every pooled connection (tests, and before a process forks)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


def session_factory(engine: Engine | None = None) -> sessionmaker[Session]:
    return sessionmaker(bind=engine or get_engine(), expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error."""
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
