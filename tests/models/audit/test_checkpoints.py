"""Checkpoints of the chain written outside the database, and what verify makes of them; on
SQLite and PostgreSQL."""

from __future__ import annotations

import json
import stat
from datetime import datetime, timedelta

from sqlalchemy import text

from kinerja.models.audit.chain import append_event
from kinerja.models.audit.checkpoints import (
    checkpoint_path,
    database_label,
    read_checkpoints,
    write_checkpoint,
)
from kinerja.models.audit.keys import AuditKey, key_id_of, signing_keyring
from kinerja.models.audit.verify import verify
from kinerja.models.store.db import session_scope
from kinerja.tests.models.appeals.test_appeals import build_published, config
from kinerja.tests.models.audit.forgery import rechain, truncate

T0 = datetime(2026, 3, 2, 9, 0)


def _append(engine, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        with session_scope(engine) as session:
            append_event(
                session,
                actor="hr",
                action="respond",
                entity="human_task",
                entity_id=str(i),
                payload={"i": i},
                at=T0 + timedelta(minutes=i),
            )


def _checkpoint(engine, reason: str = "test"):
    with session_scope(engine) as session:
        return write_checkpoint(session, reason=reason, at=T0)


def _verify(engine):
    with session_scope(engine) as session:
        return verify(session)


def _lines() -> list[dict]:
    return [json.loads(x) for x in checkpoint_path().read_text().splitlines()]


def test_a_checkpoint_pins_the_head_once(engine):
    assert _checkpoint(engine) is None  # an empty log: nothing to pin
    assert not checkpoint_path().exists()
    _append(engine, 3)
    first = _checkpoint(engine, "stage closed")
    assert (first.seq, first.key_id) == (3, key_id_of(signing_keyring().signing.secret))
    assert _checkpoint(engine, "sweep") == first  # the head did not move: no new line
    _append(engine, 2, start=3)
    assert _checkpoint(engine).seq == 5
    lines = _lines()
    assert [(x["seq"], x["reason"]) for x in lines] == [(3, "stage closed"), (5, "test")]
    assert lines[0]["database"] == database_label(engine.url)
    assert len(lines[0]["mac"]) == 64
    assert stat.S_IMODE(checkpoint_path().stat().st_mode) == 0o600
    report = _verify(engine)
    assert report.ok, report.problems
    assert report.checkpoints == 2
    assert any("checkpoint: 2" in note for note in report.notes)


def test_a_truncated_tail_with_its_head_moved_is_found(engine):
    _append(engine, 6)
    _checkpoint(engine)
    truncate(engine, keep=4)
    report = _verify(engine)
    assert not report.ok
    (problem,) = report.problems
    assert problem.startswith("seq 6:")
    assert (
        "the log ends at seq 4 (head 4)" in problem and "events at the end were removed" in problem
    )


def test_a_log_rewritten_from_the_start_without_the_key_is_found(engine):
    # Every event rechained with the unkeyed formula and passed off as written before keys.
    _append(engine, 4)
    _checkpoint(engine)
    rechain(engine, start=1, key=None, key_id=None, payloads={2: {"i": 99}})
    problems = _verify(engine).problems
    assert any(p.startswith("seq 4: hash berbeda dari checkpoint") for p in problems)
    assert any("not sealed" in p for p in problems)


def test_an_emptied_log_is_found(session, engine):
    build_published(session, config())
    _checkpoint(engine)
    session.execute(text("DELETE FROM audit_events"))
    session.execute(text("DELETE FROM audit_head"))
    session.commit()
    report = _verify(engine)
    assert report.events == 0 and not report.ok
    assert any(
        "the audit log is empty while 1 cycle(s) and 11 result(s) exist" in p
        for p in report.problems
    )
    assert any("events at the end were removed" in p for p in report.problems)


def test_an_emptied_log_is_found_without_any_checkpoint(session, engine):
    build_published(session, config())
    session.execute(text("DELETE FROM audit_events"))
    session.execute(text("UPDATE audit_head SET seq = 0, hash = :h"), {"h": "0" * 64})
    session.commit()
    report = _verify(engine)
    assert report.problems == [
        "log audit kosong, padahal ada 1 siklus dan 11 hasil / the audit log is empty while "
        "1 cycle(s) and 11 result(s) exist: events deleted"
    ]


def test_edited_forged_and_foreign_checkpoint_lines(engine):
    _append(engine, 3)
    _checkpoint(engine)
    path = checkpoint_path()
    (line,) = _lines()
    edited = {**line, "seq": 2}  # moved back, MAC kept: an edit
    forger = AuditKey(key_id_of(b"f" * 40), b"f" * 40)
    forged = {**line, "key_id": forger.key_id, "seq": 1, "mac": "0" * 64}
    foreign = {**line, "database": "sqlite:/elsewhere/kinerja.db", "seq": 99}
    with path.open("a") as f:
        for row in (edited, forged, foreign):
            f.write(json.dumps(row) + "\n")
        f.write("not json\n")
    report = _verify(engine)
    lines = [p.split(": ", 1)[0].rsplit(":", 1)[1] for p in report.problems]
    assert lines == ["2", "3", "4", "5"]
    assert "MAC mismatch" in report.problems[0]
    assert f"key {forger.key_id}, which is not in the keyring" in report.problems[1]
    assert "MAC mismatch" in report.problems[2]  # a label edited to hide a line is checked
    assert "not a checkpoint line" in report.problems[3]
    # Seen from the other database: the genuine line is another database's, the forged one
    # (another database's, by a key not in the keyring) cannot be judged, and the rest are
    # problems wherever they are read from.
    log = read_checkpoints(database="sqlite:/elsewhere/kinerja.db", keyring=signing_keyring())
    assert (log.checkpoints, log.other_databases, log.unverifiable) == ([], 1, 1)
    assert len(log.problems) == 3


def test_database_label_names_no_user_or_password():
    url = "postgresql+psycopg://kinerja:s3cret@db.example:5432/kinerja?options=-csearch_path%3Dt1"
    label = database_label(url)
    assert label == "postgresql://db.example:5432/kinerja?options=-csearch_path=t1"
    assert database_label("postgresql://other:pw@db.example/kinerja") == (
        "postgresql://db.example:5432/kinerja"
    )
    assert database_label("sqlite:////srv/kinerja/kinerja.db") == "sqlite:/srv/kinerja/kinerja.db"
