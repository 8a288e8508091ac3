"""The dispatcher against real transports: SMTP on loopback (MailCatcher) and a JSON webhook.

Every test runs on SQLite and PostgreSQL. Nothing is mocked: a dead route is a closed port.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from kinerja.models.outbox.claims import claim_due
from kinerja.models.outbox.queue import enqueue_many, notification_key
from kinerja.models.outbox.recipients import coordinator_recipients, static_recipients
from kinerja.models.outbox.routes import DEFAULT_ROUTES, MissingAddress, RouteError, Routes
from kinerja.models.outbox.status import notify_status
from kinerja.models.outbox.templates import render
from kinerja.models.schemas.config import ConfigError, CycleConfig, NotificationConfig
from kinerja.models.store.clock import ManualClock
from kinerja.models.store.db import session_factory
from kinerja.models.store.processes import current_process
from kinerja.models.store.tables import Employee, Notification
from kinerja.tasks.mailcatcher import MailCatcher, safe_name
from kinerja.tasks.notify import DispatchReport, dispatch_due, dispatch_notifications

NOW = datetime(2025, 2, 3, 9, 0)
ME = current_process()
SECONDS_59 = timedelta(seconds=59)

CONTEXT = {
    "cycle_name": "SKP 2025",
    "task_title": "Persetujuan SKP",
    "subject_name": "Budi Santoso",
    "due_at": "10-02-2025",
    "level": "1",
    "assignee_name": "Andi Pratama",
    "comment": "",
}


# --- real endpoints on loopback -----------------------------------------------------------


@pytest.fixture
def catcher(tmp_path):
    with MailCatcher(tmp_path / "mail") as mc:
        yield mc


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        self.server.received.append((self.path, json.loads(self.rfile.read(length))))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture
def webhook():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


def mail_routes(port: int, **extra) -> Routes:
    url = (
        f"mailto://127.0.0.1:{port}?smtp=127.0.0.1&mode=insecure"
        "&from=kinerja@kinerja.local&to={email}&format=text"
    )
    return Routes(channels={"email": url, **extra}, default_channels=["email"])


# --- data -----------------------------------------------------------------------------------


def add_people(engine, *people: dict) -> None:
    with session_factory(engine)() as session:
        for p in people:
            session.add(Employee(unit_id="u1", position="Analis", **p))
        session.commit()


def queue(
    engine,
    recipients: list[tuple[str, str, str]],
    *,
    kind: str = "task_opened",
    cycle_of: dict[str, str] | None = None,
) -> int:
    """Queue one rendered message per (nip, name, lang), in cycle ``c1`` unless ``cycle_of``
    names another for the nip; returns the number inserted."""
    rows = []
    for i, (nip, name, lang) in enumerate(recipients):
        link = f"http://127.0.0.1:8700/tasks/{i + 1}"
        subject, body = render(kind, lang, {**CONTEXT, "name": name, "link": link})
        cycle_id = (cycle_of or {}).get(nip, "c1")
        rows.append(
            {
                "key": notification_key(
                    cycle_id=cycle_id, task_id=i + 1, kind=kind, recipient_nip=nip
                ),
                "cycle_id": cycle_id,
                "task_id": i + 1,
                "kind": kind,
                "recipient_nip": nip,
                "lang": lang,
                "subject": subject,
                "body": body,
                "link": link,
            }
        )
    with session_factory(engine)() as session:
        inserted = enqueue_many(session, rows=rows, now=NOW)
        session.commit()
    return inserted


def rows(engine) -> list[Notification]:
    with session_factory(engine)() as session:
        return list(session.scalars(select(Notification).order_by(Notification.id)))


# --- tests ------------------------------------------------------------------------------------


def test_email_goes_through_smtp_to_each_recipient(engine, catcher, monkeypatch):
    monkeypatch.setenv("KINERJA_SMTP_PORT", str(catcher.port))
    add_people(
        engine,
        {"nip": "1001", "name": "Sari", "email": "sari@pemda.go.id", "lang": "id"},
        {"nip": "1002", "name": "John", "email": "john+kinerja@agency.org", "lang": "en"},
    )
    queue(engine, [("1001", "Sari", "id"), ("1002", "John", "en")])

    report = dispatch_due(session_factory(engine), clock=ManualClock(NOW), routes=Routes.load())

    assert report == DispatchReport(sent=2, failed=0, dead=0)
    assert report.by_channel == {"email": 2}
    assert report.describe() == "notifications: 2 sent (2 email), 0 to retry, 0 dead"
    messages = catcher.messages()
    assert sorted(m["To"] for m in messages) == sorted(
        ["sari@pemda.go.id", "john+kinerja@agency.org"]
    )
    by_to = {m["To"]: m for m in messages}
    sari, john = by_to["sari@pemda.go.id"], by_to["john+kinerja@agency.org"]
    assert sari["Subject"] == "[Kinerja] Tugas baru: Persetujuan SKP"
    assert john["Subject"] == "[Kinerja] New task: Persetujuan SKP"
    assert "kinerja@kinerja.local" in sari["From"]
    assert sari.get_content_type() == "text/plain"
    assert "http://127.0.0.1:8700/tasks/1" in sari.get_content().splitlines()
    assert "Dear John," in john.get_content()
    assert sorted(p.name[6:] for p in catcher.files()) == [
        "john+kinerja@agency.org.eml",
        "sari@pemda.go.id.eml",
    ]
    for row in rows(engine):
        assert (row.status, row.attempts, row.sent_at, row.last_error) == ("sent", 1, NOW, None)


def test_webhook_receives_the_message_as_json(engine, webhook):
    url = f"json://127.0.0.1:{webhook.server_port}/hook?:nip={{nip}}"
    routes = Routes(channels={"email": "mailto://unused", "webhook": url})
    add_people(engine, {"nip": "2001", "name": "Rina", "channels": "webhook", "lang": "id"})
    queue(engine, [("2001", "Rina", "id")], kind="task_reminder")

    report = dispatch_due(session_factory(engine), clock=ManualClock(NOW), routes=routes)

    assert report.sent == 1
    [(path, payload)] = webhook.received
    assert path.startswith("/hook")
    assert payload["nip"] == "2001"
    assert payload["title"] == "[Kinerja] Pengingat: Persetujuan SKP (batas 10-02-2025)"
    assert payload["message"].startswith("Yth. Rina,")
    assert "http://127.0.0.1:8700/tasks/1" in payload["message"].splitlines()


def test_extra_recipient_such_as_the_coordinator(engine, catcher):
    config = CycleConfig.model_validate(
        {
            "name": "SKP 2025",
            "policy": "asn",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "coordinator": {"nip": "HR", "name": "Koordinator SDM", "email": "sdm@pemda.go.id"},
        }
    )
    routes = mail_routes(catcher.port)
    routes.rules = Routes.model_validate(
        {"channels": routes.channels, "rules": [{"role": ["hr"], "channels": ["email"]}]}
    ).rules
    queue(engine, [("HR", "Koordinator SDM", "id")], kind="task_escalated")

    report = dispatch_due(
        session_factory(engine),
        clock=ManualClock(NOW),
        routes=routes,
        recipients=static_recipients(coordinator_recipients(config)),
    )

    assert report.sent == 1
    [message] = catcher.messages()
    assert message["To"] == "sdm@pemda.go.id"
    assert "Eskalasi tingkat 1" in message["Subject"]


def test_dead_route_is_retried_with_backoff_then_parked_as_dead(engine):
    add_people(engine, {"nip": "3001", "name": "Dewi", "email": "dewi@pemda.go.id"})
    queue(engine, [("3001", "Dewi", "id")])
    dispatch = session_factory(engine)
    routes = mail_routes(closed_port())

    def run(at: datetime) -> DispatchReport:
        return dispatch_due(
            dispatch,
            clock=ManualClock(at),
            routes=routes,
            retry=NotificationConfig(max_attempts=3, backoff_seconds=30, retry_hours=0),
        )

    assert run(NOW) == DispatchReport(failed=1)
    [row] = rows(engine)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == NOW + timedelta(seconds=30)
    assert "Sending failed" in row.last_error and "email" in row.last_error

    # Not due yet: nothing is tried.
    assert run(NOW + timedelta(seconds=29)) == DispatchReport()
    assert run(NOW + timedelta(seconds=30)) == DispatchReport(failed=1)
    [row] = rows(engine)
    assert row.attempts == 2
    assert row.next_attempt_at == NOW + timedelta(seconds=30 + 60)

    assert run(NOW + timedelta(seconds=90)) == DispatchReport(dead=1)
    [row] = rows(engine)
    assert (row.status, row.attempts, row.next_attempt_at) == ("dead", 3, None)
    assert run(NOW + timedelta(days=1)) == DispatchReport()

    with dispatch() as session:
        status = notify_status(session, cycle_id="c1")
    assert status["by_status"] == {"dead": 1}
    assert status["dead"][0]["recipient"] == "3001"
    assert "email" in status["dead"][0]["last_error"]


def test_running_the_dispatcher_twice_sends_nothing_twice(engine, catcher):
    add_people(
        engine,
        *({"nip": f"40{i:02d}", "name": f"P{i}", "email": f"p{i}@pemda.go.id"} for i in range(5)),
    )
    people = [(f"40{i:02d}", f"P{i}", "id") for i in range(5)]
    assert queue(engine, people) == 5
    routes = mail_routes(catcher.port)

    first = dispatch_due(session_factory(engine), clock=ManualClock(NOW), routes=routes)
    # A rerun of whatever queued the messages inserts nothing, and a second pass sends nothing.
    assert queue(engine, people) == 0
    second = dispatch_due(
        session_factory(engine), clock=ManualClock(NOW + timedelta(hours=1)), routes=routes
    )

    assert (first.sent, second) == (5, DispatchReport())
    assert len(catcher.messages()) == 5


def test_concurrent_dispatchers_never_send_the_same_row(engine, catcher):
    n = 24
    add_people(
        engine,
        *({"nip": f"5{i:03d}", "name": f"P{i}", "email": f"q{i}@pemda.go.id"} for i in range(n)),
    )
    queue(engine, [(f"5{i:03d}", f"P{i}", "id") for i in range(n)])
    routes = mail_routes(catcher.port)
    reports: list[DispatchReport] = []

    def worker() -> None:
        reports.append(
            dispatch_due(session_factory(engine), clock=ManualClock(NOW), routes=routes, limit=5)
        )

    for _ in range(3):  # each round: three dispatchers racing for the same due rows
        threads = [threading.Thread(target=worker) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    assert sum(r.sent for r in reports) == n
    recipients = [m["To"] for m in catcher.messages()]
    assert sorted(recipients) == sorted(f"q{i}@pemda.go.id" for i in range(n))


def test_a_claim_takes_at_most_its_limit_and_the_next_one_the_following_rows(engine):
    # Enough rows for PostgreSQL to plan the pick as a nested loop: a plain IN subquery
    # with SKIP LOCKED was rescanned per row there and claimed every due row.
    n = 600
    queue(engine, [(f"L{i:04d}", f"P{i}", "id") for i in range(n)])
    factory = session_factory(engine)
    taken: list[list[int]] = []
    with factory() as session:
        for _ in range(4):
            claimed = claim_due(session, now=NOW, limit=250, lease_seconds=60, claimant=ME)
            session.commit()
            taken.append([r["id"] for r in claimed])
    assert [len(ids) for ids in taken] == [250, 250, 100, 0]
    every = [i for ids in taken for i in ids]
    assert len(set(every)) == n and every == sorted(every)
    assert {r.status for r in rows(engine)} == {"sending"}


def test_a_claim_blocks_others_until_its_lease_expires(engine):
    queue(engine, [("6001", "A", "id"), ("6002", "B", "id")])
    factory = session_factory(engine)
    with factory() as session:
        claimed = claim_due(session, now=NOW, limit=10, lease_seconds=60, claimant=ME)
        session.commit()
    assert [r["recipient_nip"] for r in claimed] == ["6001", "6002"]
    with factory() as session:
        assert (
            claim_due(session, now=NOW + SECONDS_59, limit=10, lease_seconds=60, claimant=ME) == []
        )
        # The first dispatcher died before recording: after its lease the rows are taken again.
        again = claim_due(
            session, now=NOW + timedelta(seconds=60), limit=10, lease_seconds=60, claimant=ME
        )
        session.commit()
    assert [r["id"] for r in again] == [r["id"] for r in claimed]
    assert {r.status for r in rows(engine)} == {"sending"}


def test_recipient_without_address_is_dead_at_once(engine, catcher):
    add_people(engine, {"nip": "7001", "name": "Tono", "email": None})
    queue(engine, [("7001", "Tono", "id"), ("7999", "Nobody", "id")])

    report = dispatch_due(
        session_factory(engine), clock=ManualClock(NOW), routes=mail_routes(catcher.port)
    )

    assert report == DispatchReport(dead=2)
    no_email, unknown = rows(engine)
    assert no_email.attempts == 1
    assert "tidak punya alamat" in no_email.last_error
    assert "has no address for channel(s) email" in no_email.last_error
    assert "Recipient 7999 not found" in unknown.last_error
    assert catcher.messages() == []


def test_falls_back_to_the_next_channel_of_the_person(engine, catcher):
    dead_hook = f"json://127.0.0.1:{closed_port()}/hook"
    routes = mail_routes(catcher.port, webhook=dead_hook)
    add_people(
        engine,
        {"nip": "8001", "name": "Ayu", "email": "ayu@pemda.go.id", "channels": "webhook, email"},
    )
    queue(engine, [("8001", "Ayu", "id")])

    assert dispatch_due(session_factory(engine), clock=ManualClock(NOW), routes=routes).sent == 1
    assert [m["To"] for m in catcher.messages()] == ["ayu@pemda.go.id"]


def test_secrets_come_from_the_environment_and_never_reach_logs(engine, monkeypatch, caplog):
    port = closed_port()
    routes = Routes(
        channels={
            "email": "mailto://unused",
            "hook": f"json://kin:${{HOOK_SECRET}}@127.0.0.1:{port}/x",
            "broken": "nonsense://${HOOK_SECRET}/{nip}",
        },
        default_channels=["hook"],
    )
    add_people(
        engine,
        {"nip": "9001", "name": "Eka"},
        {"nip": "9002", "name": "Fajar", "channels": "broken"},
    )
    queue(engine, [("9001", "Eka", "id"), ("9002", "Fajar", "id")])

    monkeypatch.delenv("HOOK_SECRET", raising=False)
    assert routes.missing_env() == {"hook": ["HOOK_SECRET"], "broken": ["HOOK_SECRET"]}
    with pytest.raises(RouteError, match="HOOK_SECRET is not set"):
        routes.url_for("hook", {"nip": "9001"})
    dispatch_due(session_factory(engine), clock=ManualClock(NOW), routes=routes)
    for row in rows(engine):
        assert row.status == "pending" and "HOOK_SECRET is not set" in row.last_error

    secret = "s3cr3t-t0ken-value"
    monkeypatch.setenv("HOOK_SECRET", secret)
    url, secrets = routes.url_for("hook", {"nip": "9001"})
    assert secret in url and secrets == {secret: "HOOK_SECRET"}
    caplog.set_level(logging.DEBUG)
    report = dispatch_due(
        session_factory(engine), clock=ManualClock(NOW + timedelta(hours=1)), routes=routes
    )

    assert report == DispatchReport(failed=2)
    unreachable, invalid = rows(engine)
    assert unreachable.attempts == 2 and "hook: A Connection error" in unreachable.last_error
    assert "invalid Apprise URL" in invalid.last_error
    assert "nonsense://" in invalid.last_error and "9002" in invalid.last_error
    assert secret not in unreachable.last_error + invalid.last_error
    assert "invalid Apprise URL" in caplog.text
    assert secret not in caplog.text


def test_routes_file_and_channel_choice(tmp_path, monkeypatch):
    monkeypatch.delenv("KINERJA_SMTP_HOST", raising=False)
    monkeypatch.setenv("KINERJA_SMTP_PORT", "2525")
    routes = Routes.load()
    url, _ = routes.url_for("email", {"email": "a.b+c@x.go.id"})
    assert url.startswith("mailto://127.0.0.1:2525?smtp=127.0.0.1&mode=insecure")
    assert "to=a.b%2Bc@x.go.id" in url
    with pytest.raises(MissingAddress, match="email needs email"):
        routes.url_for("email", {"email": None})

    assert routes.channels_for({"channels": "whatsapp;email"}) == ["whatsapp", "email"]
    assert routes.channels_for({"role": "hr"}) == ["email"]
    assert routes.channels_for({}) == ["email"]

    bad = tmp_path / "routes.yaml"
    bad.write_text("channels: {email: 'mailto://x'}\ndefault_channels: [pigeon]\n")
    with pytest.raises(ConfigError, match=r"routes.yaml.*\n.*unknown channel\(s\) \['pigeon'\]"):
        Routes.load(bad)
    bad.write_text("channels: {email: 'mailto://x'}\nfallback: [email]\n")
    with pytest.raises(ConfigError, match="fallback"):
        Routes.load(bad)


def test_prefect_task_function_runs_without_prefect(db_url, engine, catcher, monkeypatch):
    monkeypatch.setenv("KINERJA_SMTP_PORT", str(catcher.port))
    queue(engine, [("HR", "Koordinator", "en")], kind="cycle_published")

    result = dispatch_notifications.fn(
        db_url,
        NOW,
        extra_recipients={"HR": {"email": "hr@agency.org", "role": "hr"}},
    )

    assert result == {"sent": 1, "failed": 0, "dead": 0}
    [message] = catcher.messages()
    assert message["Subject"] == "[Kinerja] Results of SKP 2025 are published"


def test_mail_file_names_are_safe():
    assert safe_name("a/../b c@x.org") == "a_.._b_c@x.org"
    assert safe_name("///") == "unknown"


def test_mail_catcher_keeps_numbering_across_restarts(tmp_path):
    import smtplib
    from email.message import EmailMessage

    def send(port: int, to: str) -> None:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = "k@kinerja.local", to, f"Halo {to}"
        msg.set_content("Isi pesan / message body")
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.send_message(msg)

    with MailCatcher(tmp_path) as first:
        send(first.port, "a@x.go.id")
    with MailCatcher(tmp_path) as second:
        send(second.port, "b/../c@x.go.id")
        assert [p.name for p in second.files()] == [
            "00001-a@x.go.id.eml",
            "00002-b_.._c@x.go.id.eml",
        ]
        assert [m["Subject"] for m in second.messages()] == [
            "Halo a@x.go.id",
            "Halo b/../c@x.go.id",
        ]
        assert "message body" in second.messages()[1].get_content()


def test_one_pass_reaches_the_coordinator_of_every_cycle(engine, db_url, catcher, monkeypatch):
    from datetime import date

    from kinerja.models.cycles.cycle import create_cycle
    from kinerja.models.schemas.config import Coordinator, CycleConfig
    from kinerja.tasks.notify import dispatch_notifications

    monkeypatch.setenv("KINERJA_SMTP_PORT", str(catcher.port))
    with session_factory(engine)() as session:
        for n in (1, 2):
            config = CycleConfig(
                cycle_id=f"c{n}",
                name=f"Cycle {n}",
                policy="asn",
                period_start=date(2025, 1, 1),
                period_end=date(2025, 12, 31),
                coordinator=Coordinator(nip=f"HR-{n}", email=f"hr{n}@agency.go.id"),
            )
            create_cycle(session, config=config, config_dir=None, now=NOW)
        session.commit()
    queue(engine, [("HR-1", "SDM Satu", "id"), ("HR-2", "SDM Dua", "id")])

    report = dispatch_notifications.fn(db_url, NOW)

    assert report == {"sent": 2, "failed": 0, "dead": 0}
    assert sorted(m["To"] for m in catcher.messages()) == ["hr1@agency.go.id", "hr2@agency.go.id"]


def test_a_cycle_with_its_own_routes_file_is_sent_through_it(
    engine, db_url, catcher, monkeypatch, tmp_path
):
    from datetime import date

    from kinerja.models.cycles.cycle import CycleError, create_cycle
    from kinerja.models.schemas.config import Coordinator, CycleConfig, NotificationConfig
    from kinerja.tasks.notify import dispatch_notifications

    monkeypatch.setenv("KINERJA_SMTP_PORT", str(catcher.port))
    own = DEFAULT_ROUTES.read_text(encoding="utf-8").replace(
        "${KINERJA_MAIL_FROM:-kinerja@kinerja.local}", "sdm-dua@agency.go.id"
    )
    assert "sdm-dua@agency.go.id" in own
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "routes.yaml").write_text(own, encoding="utf-8")

    def config(n: int, routes: str | None) -> CycleConfig:
        return CycleConfig(
            cycle_id=f"c{n}",
            name=f"Cycle {n}",
            policy="asn",
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            coordinator=Coordinator(nip=f"HR-{n}", email=f"hr{n}@agency.go.id"),
            notifications=NotificationConfig(routes=routes),
        )

    with session_factory(engine)() as session:
        with pytest.raises(CycleError, match="file not found"):
            create_cycle(session, config=config(2, "nowhere.yaml"), config_dir=tmp_path, now=NOW)
        create_cycle(session, config=config(1, None), config_dir=None, now=NOW)
        create_cycle(session, config=config(2, "routes.yaml"), config_dir=tmp_path / "cfg", now=NOW)
        session.commit()
    queue(engine, [("HR-1", "SDM Satu", "id"), ("HR-2", "SDM Dua", "id")], cycle_of={"HR-2": "c2"})

    assert dispatch_notifications.fn(db_url, NOW) == {"sent": 2, "failed": 0, "dead": 0}
    by_to = {m["To"]: m["From"] for m in catcher.messages()}
    assert "sdm-dua@agency.go.id" in by_to["hr2@agency.go.id"]
    assert "kinerja@kinerja.local" in by_to["hr1@agency.go.id"]

    # The file goes missing: only that cycle's messages wait, with the reason.
    (tmp_path / "cfg" / "routes.yaml").unlink()
    with session_factory(engine)() as session:
        session.execute(Notification.__table__.delete())
        session.commit()
    queue(engine, [("HR-1", "SDM Satu", "id"), ("HR-2", "SDM Dua", "id")], cycle_of={"HR-2": "c2"})
    assert dispatch_notifications.fn(db_url, NOW) == {"sent": 1, "failed": 1, "dead": 0}
    waiting = {r.recipient_nip: r for r in rows(engine)}
    assert waiting["HR-1"].status == "sent" and waiting["HR-2"].status == "pending"
    assert "routes file of cycle c2" in waiting["HR-2"].last_error
