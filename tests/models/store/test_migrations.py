"""Alembic migrations: an empty database upgrades to exactly the tables of models/store/tables.py.

The ``db_url`` fixture creates its schema with ``create_all``; these tests need databases
that start empty, on SQLite and on PostgreSQL, so they make their own.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, inspect, text
from sqlalchemy.orm import Session

from kinerja.models.audit.canonical import event_hash
from kinerja.models.audit.chain import GENESIS_HASH, append_event
from kinerja.models.audit.checkpoints import write_checkpoint
from kinerja.models.audit.verify import verify
from kinerja.models.store.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    migration_engine,
    upgrade,
)
from kinerja.models.store.tables import Base

PG_URL = os.environ.get("KINERJA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = [b for b in os.environ.get("KINERJA_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]


def _tables(url: str) -> set[str]:
    engine = migration_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _differences(url: str, metadata: MetaData) -> list:
    engine = migration_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, metadata)
    finally:
        engine.dispose()


def test_upgrade_on_an_empty_database(empty_url, capfd):
    assert _tables(empty_url) == set()
    assert current_revision(empty_url) is None
    revision = upgrade(empty_url)
    assert revision == head_revision() == current_revision(empty_url)
    assert _tables(empty_url) == set(Base.metadata.tables) | {"alembic_version"}
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_upgrade_twice_changes_nothing(empty_url):
    first = upgrade(empty_url)
    engine = migration_engine(empty_url)
    try:
        with Session(engine) as session, session.begin():
            append_event(
                session,
                actor="hr",
                action="test",
                entity="x",
                entity_id="1",
                payload={},
                at=datetime(2025, 1, 1),
            )
        assert upgrade(empty_url) == first
        with Session(engine) as session:
            report = verify(session)
        assert (report.ok, report.events) == (True, 1)
    finally:
        engine.dispose()
    assert _differences(empty_url, Base.metadata) == []


def test_migrated_database_matches_the_tables(empty_url):
    upgrade(empty_url)
    assert _differences(empty_url, Base.metadata) == []


def test_a_table_change_without_a_migration_is_found(empty_url):
    # The comparison above must be able to fail: a new table in the models is a difference.
    upgrade(empty_url)
    changed = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(changed)
    Table("not_migrated", changed, Column("id", Integer, primary_key=True))
    diffs = _differences(empty_url, changed)
    assert [d[0] for d in diffs] == ["add_table"]
    assert diffs[0][1].name == "not_migrated"


def test_downgrade_to_base_and_back(empty_url):
    upgrade(empty_url)
    engine = migration_engine(empty_url)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
    finally:
        engine.dispose()
    assert _tables(empty_url) == {"alembic_version"}
    assert current_revision(empty_url) is None
    assert upgrade(empty_url) == head_revision()
    assert _differences(empty_url, Base.metadata) == []


def test_upgrade_defaults_to_the_configured_database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'configured.db'}"
    monkeypatch.setenv("KINERJA_DATABASE_URL", url)
    assert upgrade() == head_revision()
    assert current_revision() == head_revision()
    assert "audit_events" in _tables(url)


def _upgrade_to(url: str, revision: str) -> None:
    engine = migration_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def test_a_log_written_before_audit_keys_verifies_once_sealed(empty_url):
    # Three events as revision 0004 stored them: no key id, the plain sha256 chain.
    _upgrade_to(empty_url, "0004")
    prev, at = GENESIS_HASH, datetime(2025, 6, 1)
    engine = migration_engine(empty_url)
    try:
        with engine.begin() as conn:
            for seq in (1, 2, 3):
                fields = {
                    "seq": seq,
                    "at": at,
                    "actor": "hr",
                    "action": "respond",
                    "cycle_id": None,
                    "entity": "human_task",
                    "entity_id": str(seq),
                    "payload": {"n": seq},
                }
                digest = event_hash(prev_hash=prev, **fields)
                conn.execute(
                    text(
                        "INSERT INTO audit_events (seq, at, actor, action, cycle_id, entity,"
                        " entity_id, payload, prev_hash, hash) VALUES (:seq, :at, :actor,"
                        " :action, :cycle_id, :entity, :entity_id, :payload, :prev, :hash)"
                    ),
                    {
                        **fields,
                        "payload": json.dumps(fields["payload"]),
                        "prev": prev,
                        "hash": digest,
                    },
                )
                prev = digest
            conn.execute(
                text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 3, :h)"), {"h": prev}
            )
        upgrade(empty_url)

        def check() -> Any:
            with Session(engine) as session:
                return verify(session)

        # Unsealed, they could be anyone's: reported until sealed.
        report = check()
        assert report.events == 3 and not report.ok
        assert "3 unkeyed event(s), written before audit keys" in report.problems[0]
        assert "kinerja audit checkpoint" in report.problems[0]
        with Session(engine) as session:
            assert write_checkpoint(session, reason="after upgrade", at=at).seq == 3
        report = check()
        assert report.ok, report.problems
        (note,) = [n for n in report.notes if n.startswith("seq 1-3:")]
        assert "3 unkeyed event(s)" in note and "sealed by checkpoint" in note
        with Session(engine) as session, session.begin():
            append_event(
                session, actor="hr", action="test", entity="x", entity_id="4", payload={}, at=at
            )
        report = check()
        assert report.ok and any("sealed by keyed event seq 4" in n for n in report.notes)
        # Sealed means: rewriting them now is found, even with the unkeyed formula.
        with engine.begin() as conn:
            conn.execute(text("UPDATE audit_events SET actor = 'x' WHERE seq = 2"))
        assert [p.split(":")[0] for p in check().problems] == ["seq 2"]
    finally:
        engine.dispose()
