"""The keyed, hash-chained audit log, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from kinerja.models.audit.canonical import (
    canonical_json,
    content_text,
    event_content,
    event_hash,
    normalize,
)
from kinerja.models.audit.chain import (
    GENESIS_HASH,
    append_event,
    append_many,
)
from kinerja.models.audit.keys import AuditKey, Keyring, key_id_of, load_keyring
from kinerja.models.audit.verify import verify
from kinerja.models.store.db import session_factory, session_scope
from kinerja.models.store.tables import AuditEvent, AuditHead
from kinerja.tests.conftest import TEST_AUDIT_KEY
from kinerja.tests.models.audit.forgery import KEEP, delete_and_renumber, rechain

T0 = datetime(2025, 1, 6, 8, 30, 15, 123456)

# Values that a JSON column may not give back as they went in: floats, big numbers, Decimals,
# datetimes, unicode, non-string keys, tuples.
AWKWARD = {
    "ratio": 0.1,
    "sum": 0.1 + 0.2,
    "tiny": 1e-7,
    "huge": 1e16,
    "whole": 100.0,
    "big_int": 2**62,
    "amount": Decimal("1234567.89"),
    "zero_amount": Decimal("0.10"),
    "when": datetime(2025, 3, 1, 12, 0),
    "name": "Penilaian kinerja – Bapak Hartono ✓ 日本語 🚀",
    "nested": {"b": [1, 2.5, None, True], "a": ("x", "y"), 7: "int key"},
    "empty": {},
}


def _append(engine, n: int, *, start: datetime = T0, payload: dict | None = None) -> None:
    for i in range(n):
        with session_scope(engine) as session:
            append_event(
                session,
                actor=f"1965010119900310{i:02d}",
                action="respond",
                entity="human_task",
                entity_id=str(i),
                payload=payload if payload is not None else {"i": i, **AWKWARD},
                cycle_id="2025",
                at=start + timedelta(minutes=i),
            )


def _verify(engine, keyring: Keyring | None = None):
    with session_scope(engine) as session:
        return verify(session, keyring=keyring)


def _execute(engine, sql: str, **params) -> None:
    with engine.begin() as conn:
        conn.execute(text(sql), params)


def test_event_hash_is_stable():
    # A changed canonical form would make every stored chain fail: pin the hash of one event,
    # unkeyed (as written before keys existed) and keyed.
    fields = {
        "prev_hash": GENESIS_HASH,
        "seq": 1,
        "at": T0,
        "actor": "a",
        "action": "b",
        "cycle_id": None,
        "entity": "c",
        "entity_id": "d",
        "payload": {"x": Decimal("1.50"), "y": 2.0, "z": "é"},
    }
    h = event_hash(**fields)
    assert (
        canonical_json({"x": Decimal("1.50"), "y": 2.0, "z": "é"}) == '{"x":"1.50","y":2,"z":"é"}'
    )
    written_out = (
        '{"action":"b","actor":"a","at":"2025-01-06T08:30:15.123456","cycle_id":null,'
        '"entity":"c","entity_id":"d","payload":{"x":"1.50","y":2,"z":"é"},"seq":1}'
    )
    assert h == hashlib.sha256((GENESIS_HASH + written_out).encode()).hexdigest()
    assert h == "f01227909508453450859939ec8b7c118594c9c9b38c3ce95e88aae0e54647b4"

    key = AuditKey(key_id_of(b"k" * 32), b"k" * 32)
    # sorted keys: key_id sits between entity_id and payload
    expected_text = (
        '{"action":"b","actor":"a","at":"2025-01-06T08:30:15.123456","cycle_id":null,'
        f'"entity":"c","entity_id":"d","key_id":"{key.key_id}",'
        '"payload":{"x":"1.50","y":2,"z":"é"},"seq":1}'
    )
    mac = hmac.new(b"k" * 32, (GENESIS_HASH + expected_text).encode(), hashlib.sha256)
    assert event_hash(**fields, key=key) == mac.hexdigest()
    fingerprint = hashlib.sha256(b"kinerja-audit-key-id\0" + b"k" * 32).hexdigest()
    assert key.key_id == "k" + fingerprint[:16]
    assert event_hash(**fields, key=key) == (
        "43f8bdb94aaa6744b55bacc0fa1b2c49967bb7efce8567c99dc89dd43612d1a1"
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"actor": "a", "action": "b", "cycle_id": None, "entity": "c", "entity_id": "d"},
        {
            "actor": 'Bapak "Hartono" \\ ✓',
            "action": "task.respond\n",
            "cycle_id": "2025–日本",
            "entity": "human_task",
            "entity_id": "42",
        },
    ],
)
def test_content_text_is_the_canonical_content(fields):
    # The chain puts an event's text together from its parts; it must be event_content's.
    payload = normalize({"i": 1, **AWKWARD})
    row = {**fields, "seq": 12345, "key_id": "k0123", "payload_text": canonical_json(payload)}
    expected = event_content(seq=12345, at=T0, payload=payload, key_id="k0123", **fields)
    assert content_text(row, T0.isoformat()) == expected


def test_canonical_json_refuses_what_json_cannot_hold():
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})
    with pytest.raises(TypeError):
        canonical_json({"x": {1, 2}})


def test_empty_log_verifies(engine):
    report = _verify(engine)
    assert (report.ok, report.events, report.problems) == (True, 0, [])


def test_append_and_verify_after_round_trip(engine):
    _append(engine, 5)
    with session_scope(engine) as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        head = session.get(AuditHead, 1)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    assert (head.seq, head.hash) == (5, events[-1].hash)
    # The payload is stored in its canonical form: Decimals as strings, exact floats.
    assert events[0].payload["amount"] == "1234567.89"
    assert events[0].payload["ratio"] == 0.1
    assert events[0].payload["name"] == AWKWARD["name"]
    assert events[0].at == T0
    report = _verify(engine)
    assert report.ok, report.problems
    assert report.events == 5


def test_append_event_returns_the_event_in_the_callers_transaction(engine):
    with session_scope(engine) as session:
        event = append_event(
            session,
            actor="hr",
            action="override",
            entity="result",
            entity_id="199001012020121001",
            payload={"predikat": "Baik"},
            at=T0,
        )
        assert (event.seq, event.prev_hash) == (1, GENESIS_HASH)
        session.rollback()  # the caller's transaction decides: nothing stays
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0
    _append(engine, 1)
    assert _verify(engine).ok


def test_aware_time_is_stored_as_naive_utc(engine):
    wib = timezone(timedelta(hours=7))
    with session_scope(engine) as session:
        append_event(
            session,
            actor="a",
            action="b",
            entity="c",
            entity_id="d",
            payload={},
            at=T0.replace(tzinfo=wib),
        )
    with session_scope(engine) as session:
        at = session.scalar(select(AuditEvent.at))
    assert at == T0 - timedelta(hours=7)
    assert at.tzinfo is None
    assert _verify(engine).ok


def test_altered_payload_is_reported(engine):
    _append(engine, 5)
    with session_scope(engine) as session:
        stored = session.scalar(select(AuditEvent.payload).where(AuditEvent.seq == 3))
    stored["amount"] = "9999999.99"
    _execute(engine, "UPDATE audit_events SET payload = :p WHERE seq = 3", p=json.dumps(stored))
    report = _verify(engine)
    assert not report.ok
    assert report.events == 5
    assert len(report.problems) == 1
    assert report.problems[0].startswith("seq 3:")
    assert "altered" in report.problems[0]


@pytest.mark.parametrize(
    ("column", "value"),
    [("actor", "someone else"), ("at", datetime(2024, 1, 1)), ("cycle_id", None)],
)
def test_altered_column_is_reported(engine, column, value):
    _append(engine, 3)
    _execute(engine, f"UPDATE audit_events SET {column} = :v WHERE seq = 2", v=value)
    report = _verify(engine)
    assert [p.split(":")[0] for p in report.problems] == ["seq 2"]


WRONG_KEY = AuditKey(key_id_of(b"w" * 40), b"w" * 40)


@pytest.mark.parametrize(
    ("key", "key_id"),
    [
        (None, KEEP),  # the unkeyed formula over a keyed row
        (None, None),  # the unkeyed formula, the rows passed off as written before keys
        (WRONG_KEY, KEEP),  # another key, claiming the real key's id
        (WRONG_KEY, WRONG_KEY.key_id),  # another key under its own id
    ],
    ids=["unkeyed-formula", "unkeyed-rows", "wrong-key-real-id", "wrong-key-own-id"],
)
def test_edit_and_rechain_without_the_key_is_reported(engine, key, key_id):
    _append(engine, 4)
    rechain(engine, start=2, key=key, key_id=key_id, payloads={2: {"forged": True}})
    report = _verify(engine)
    assert not report.ok
    assert report.problems[0].startswith("seq 2")
    assert any(w in report.problems[0] for w in ("forged", "keyring", "unkeyed"))


def test_delete_and_renumber_is_reported(engine):
    _append(engine, 5)
    delete_and_renumber(engine, seq=3)
    rechain(engine, start=3)
    report = _verify(engine)
    assert report.events == 4
    assert [p.split(":")[0] for p in report.problems] == ["seq 3", "seq 4"]


def test_rotation_old_events_verify_from_the_keyring(engine, tmp_path, monkeypatch):
    old, new = "o" * 40, "n" * 40
    keyfile = tmp_path / "audit.keys"
    keyfile.write_text(f"# retired 2025-06\n{old}\n")
    monkeypatch.delenv("KINERJA_AUDIT_KEY")
    monkeypatch.setenv("KINERJA_AUDIT_KEY_FILE", str(keyfile))
    _append(engine, 2)
    keyfile.write_text(f"# retired 2025-06\n{old}\n{new}\n")
    _append(engine, 2, start=T0 + timedelta(days=1))
    with session_scope(engine) as session:
        ids = session.scalars(select(AuditEvent.key_id).order_by(AuditEvent.seq)).all()
    assert ids == [key_id_of(old.encode())] * 2 + [key_id_of(new.encode())] * 2
    assert _verify(engine).ok
    # Without the retired key, its events cannot be checked: reported, not passed.
    report = _verify(engine, load_keyring({"KINERJA_AUDIT_KEY": new}))
    assert not report.ok
    assert "seq 1-2: 2 event" in report.problems[0] and "not in the keyring" in report.problems[0]


def test_demo_signed_events_fail_outside_the_demo(engine, monkeypatch):
    monkeypatch.delenv("KINERJA_AUDIT_KEY")
    _append(engine, 3)  # nothing configured: the writers sign with the public demo key
    with session_scope(engine) as session:
        assert set(session.scalars(select(AuditEvent.key_id))) == {"demo"}
    assert _verify(engine).ok  # the writers' own keyring is the demo one
    assert _verify(engine, load_keyring({"KINERJA_DEMO": "1"})).ok
    report = _verify(engine, load_keyring({"KINERJA_AUDIT_KEY": TEST_AUDIT_KEY}))
    assert not report.ok
    assert "public demo key" in report.problems[0]


def test_deleted_middle_event_is_reported(engine):
    _append(engine, 5)
    _execute(engine, "DELETE FROM audit_events WHERE seq = 3")
    report = _verify(engine)
    assert not report.ok
    assert report.events == 4
    assert report.problems and all(p.startswith("seq 4:") for p in report.problems)
    assert any("seq 3 missing" in p for p in report.problems)


def test_deleted_last_event_is_reported(engine):
    _append(engine, 5)
    _execute(engine, "DELETE FROM audit_events WHERE seq = 5")
    report = _verify(engine)
    assert not report.ok
    assert report.events == 4
    assert len(report.problems) == 1
    assert "seq 5" in report.problems[0] and "last event is seq 4" in report.problems[0]


def test_deleted_everything_is_reported(engine):
    _append(engine, 2)
    _execute(engine, "DELETE FROM audit_events")
    report = _verify(engine)
    assert not report.ok
    assert report.events == 0


def test_deleted_head_is_reported(engine):
    _append(engine, 2)
    _execute(engine, "DELETE FROM audit_head")
    report = _verify(engine)
    assert not report.ok
    assert "audit_head" in report.problems[0]


def test_append_many_ten_thousand_verifies(engine):
    _append(engine, 2)
    events = [
        {
            "actor": "system",
            "action": "compute_result",
            "entity": "result",
            "entity_id": f"{i:018d}",
            "cycle_id": "2025",
            "payload": {"score": i / 7, "incentive": Decimal(i) / 100, "predikat": "Baik"},
        }
        for i in range(10_000)
    ]
    with session_scope(engine) as session:
        assert append_many(session, events=events, at=T0 + timedelta(days=1)) == 10_000
    _append(engine, 1, start=T0 + timedelta(days=2))
    with session_scope(engine) as session:
        assert session.scalar(select(func.max(AuditEvent.seq))) == 10_003
        assert session.get(AuditHead, 1).seq == 10_003
    report = _verify(engine)
    assert report.ok, report.problems[:5]
    assert report.events == 10_003


def test_append_many_refuses_bad_events_and_writes_nothing(engine):
    good = {"actor": "a", "action": "b", "entity": "c", "entity_id": "d", "payload": {}}
    with session_scope(engine) as session:
        assert append_many(session, events=[], at=T0) == 0
    with pytest.raises(ValueError, match="audit event 1"):
        with session_scope(engine) as session:
            append_many(session, events=[good, {**good, "colour": "red"}], at=T0)
    with pytest.raises(ValueError, match="missing fields \\['payload'\\]"):
        with session_scope(engine) as session:
            append_many(session, events=[{k: v for k, v in good.items() if k != "payload"}], at=T0)
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_many_problems_are_capped(engine):
    _append(engine, 6, payload={"v": 1})
    _execute(engine, "UPDATE audit_events SET actor = 'x'")
    with session_scope(engine) as session:
        report = verify(session, max_problems=2)
    assert len(report.problems) == 3
    assert report.problems[-1].endswith("4 more problems")


def test_concurrent_writers_keep_one_linear_chain(engine):
    # Writers start on an empty log, so they also race to create the head row.
    writers, per_writer = 4, 15
    errors: list[BaseException] = []
    barrier = threading.Barrier(writers)
    make_session = session_factory(engine)

    def write(w: int) -> None:
        try:
            barrier.wait()
            for i in range(per_writer):
                with make_session() as session, session.begin():
                    append_event(
                        session,
                        actor=f"writer{w}",
                        action="respond",
                        entity="human_task",
                        entity_id=f"{w}-{i}",
                        payload={"w": w, "i": i},
                        at=T0,
                    )
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = _verify(engine)
    assert report.ok, report.problems
    assert report.events == writers * per_writer
