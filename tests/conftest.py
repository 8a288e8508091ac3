"""Shared fixtures: a fresh application database on SQLite and on PostgreSQL.

Every test that takes ``db`` runs twice, once per backend. PostgreSQL tests use a schema of
their own per process (``KINERJA_TEST_PG_URL``, default the local ``test`` database), so that
parallel runs never see each other's rows.

Every test signs audit events with the suite's fixed key (:data:`TEST_AUDIT_KEY`) and has a
KINERJA_HOME of its own, so that audit checkpoints and exports never land in ``~/.kinerja``;
subprocesses started with ``dict(os.environ)`` inherit both.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import settings
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session

from kinerja.models.store.tables import Base
from kinerja.tasks.mailcatcher import MailCatcher

# Property tests check what the rules compute, never how fast: a loaded machine must not
# fail one by the clock (Hypothesis' default 200 ms deadline per example).
settings.register_profile("kinerja", deadline=None)
settings.load_profile("kinerja")

PG_URL = os.environ.get("KINERJA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = [b for b in os.environ.get("KINERJA_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]
TEST_AUDIT_KEY = "kinerja-test-suite-audit-key-not-secret-0123456789"


@pytest.fixture(autouse=True)
def _audit_key_and_home(monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> None:
    monkeypatch.setenv("KINERJA_AUDIT_KEY", TEST_AUDIT_KEY)
    monkeypatch.delenv("KINERJA_AUDIT_KEY_FILE", raising=False)
    monkeypatch.delenv("KINERJA_AUDIT_CHECKPOINTS", raising=False)
    monkeypatch.setenv("KINERJA_HOME", str(tmp_path_factory.mktemp("home")))


def _pg_engine(schema: str) -> Engine:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})


def _sqlite_engine(path: str) -> Engine:
    from kinerja.models.store.db import _sqlite_pragmas

    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path) -> Iterator[str]:
    """The URL of a database with no tables at all, on each backend (a PostgreSQL schema of
    its own, dropped afterwards): what ``kinerja db upgrade`` and migrations start from."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with pg_schema("m") as url:
        yield url


@contextmanager
def pg_schema(prefix: str) -> Iterator[str]:
    """A PostgreSQL schema of its own, empty, dropped afterwards: yields the URL that uses it."""
    schema = f"{prefix}{os.getpid()}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> Iterator[str]:
    """A URL of an empty database of each backend, with the schema created."""
    if request.param == "sqlite":
        path = tmp_path / "kinerja.db"
        engine = _sqlite_engine(str(path))
        url = f"sqlite:///{path}"
    else:
        schema = f"t{os.getpid()}_{abs(hash(request.node.nodeid)) % 10**8}"
        engine = _pg_engine(schema)
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    Base.metadata.create_all(engine)
    engine.dispose()
    yield url
    from kinerja.models.store.db import dispose_engines

    dispose_engines()
    if request.param == "postgresql":
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(db_url) -> Engine:
    """An engine on a fresh database (each backend)."""
    from kinerja.models.store.db import get_engine

    return get_engine(db_url)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on that database; objects stay readable after a commit."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def mail(tmp_path, monkeypatch) -> Iterator[MailCatcher]:
    """A real SMTP catcher on loopback, named by the default routes' KINERJA_SMTP_* (a
    process spawned by the test inherits them); its messages are files in tmp_path/mail."""
    with MailCatcher(tmp_path / "mail") as catcher:
        monkeypatch.setenv("KINERJA_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("KINERJA_SMTP_PORT", str(catcher.port))
        yield catcher
