"""SMTP connections kept open across a dispatcher pass, against a real relay on loopback."""

from __future__ import annotations

import pytest

from kinerja.models.store.clock import ManualClock
from kinerja.models.store.db import session_factory
from kinerja.tasks.delivery import send_one
from kinerja.tasks.mailcatcher import MailCatcher
from kinerja.tasks.message_id import message_id
from kinerja.tasks.notify import dispatch_due
from kinerja.tasks.smtp_pool import ConnectionPool, reusing
from kinerja.tests.tasks.test_notify import NOW, add_people, mail_routes, queue


@pytest.fixture
def catcher(tmp_path):
    with MailCatcher(tmp_path / "mail") as mc:
        yield mc


def _url(port: int, to: str) -> str:
    return (
        f"mailto://127.0.0.1:{port}?smtp=127.0.0.1&mode=insecure"
        f"&from=kinerja@kinerja.local&to={to}&format=text"
    )


def test_a_pass_sends_many_messages_over_a_few_connections(engine, catcher):
    people = [(f"P{i:03d}", f"Pegawai {i}", "id") for i in range(60)]
    add_people(engine, *({"nip": n, "name": m, "email": f"{n}@x.go.id"} for n, m, _ in people))
    assert queue(engine, people) == 60
    report = dispatch_due(
        session_factory(engine), routes=mail_routes(catcher.port), clock=ManualClock(NOW), workers=4
    )
    assert report.sent == 60
    assert 1 <= report.connections <= 4  # at most one per sending thread, not one a message
    received = catcher.messages()
    assert len(received) == 60
    # Each message still carries its own key and the Message-ID derived from it.
    keys = {m["X-Kinerja-Key"] for m in received}
    assert len(keys) == 60
    assert {m["Message-ID"] for m in received} == {message_id(k, "kinerja.local") for k in keys}


def test_a_connection_the_relay_closed_is_opened_again_once(catcher):
    pool = ConnectionPool()
    with reusing(pool):
        assert send_one(_url(catcher.port, "a@x.go.id"), title="satu", body="1") is None
        assert send_one(_url(catcher.port, "b@x.go.id"), title="dua", body="2") is None
        assert pool.opened == 1
        for kept in [c for idle in pool._idle.values() for c in idle]:
            kept.close()  # as a relay's idle timeout leaves it: the next command fails
        assert send_one(_url(catcher.port, "c@x.go.id"), title="tiga", body="3") is None
        assert pool.opened == 2
    pool.close()
    assert [m["Subject"] for m in catcher.messages()] == ["satu", "dua", "tiga"]


def test_outside_a_pass_nothing_is_kept(catcher):
    pool = ConnectionPool()
    assert send_one(_url(catcher.port, "a@x.go.id"), title="satu", body="1") is None
    assert pool.opened == 0 and pool.idle() == 0
    with reusing(pool):
        send_one(_url(catcher.port, "a@x.go.id"), title="dua", body="2")
    assert pool.idle() == 1
    pool.close()
    assert pool.idle() == 0


def test_a_relay_that_is_gone_fails_the_message_and_keeps_nothing(catcher):
    pool = ConnectionPool()
    port = catcher.port
    with reusing(pool):
        assert send_one(_url(port, "a@x.go.id"), title="satu", body="1") is None
        catcher.stop()
        for kept in [c for idle in pool._idle.values() for c in idle]:
            kept.close()
        error = send_one(_url(port, "b@x.go.id"), title="dua", body="2")
    assert error is not None
    assert pool.idle() == 0
