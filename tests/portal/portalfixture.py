"""A portal on the test organisation (tests/models/orgfixture.py) with a task of every kind.

Tasks are opened with the models' own functions at ``START`` with ``KINERJA_SECRET`` set to
:data:`SECRET`, so the links in the queued messages are the links people would click.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kinerja.models.humantasks.links import sign, task_expiry
from kinerja.models.humantasks.opening import NewTask
from kinerja.models.store.clock import ManualClock
from kinerja.models.store.tables import AuditEvent, AuditHead, Base, HumanTask, Notification
from kinerja.portal.app import create_app
from kinerja.tests.models.orgfixture import (
    HR,
    START,
    STRANGER,
    A,
    B,
    M,
    build_org,
    open_with_tasks,
)

SECRET = b"portal-test-secret-0123456789-abcdefghij"
NOW = START + timedelta(days=1)

TASKS: list[tuple[str, NewTask]] = [
    ("plan", NewTask("propose_targets", A, A, {})),
    ("approve_targets", NewTask("approve_targets", A, M, {"targets": 2})),
    ("approve_targets", NewTask("approve_targets", B, M, {"targets": 2})),
    ("collect_metrics", NewTask("report_realisation", A, A, {})),
    ("review", NewTask("review", A, M, {})),
    ("feedback", NewTask("write_feedback", A, M, {})),
    ("feedback", NewTask("acknowledge_feedback", B, B, {"feedback": "Pertahankan kinerja."})),
]


@dataclass
class Portal:
    client: TestClient
    clock: ManualClock
    engine: Engine
    tasks: dict[tuple[str, str], int]
    """(kind, subject NIP) -> task id."""

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def task(self, kind: str, subject: str = A) -> HumanTask:
        with self.session() as s:
            task = s.get(HumanTask, self.tasks[(kind, subject)])
            assert task is not None
            return task

    def token(self, kind: str, subject: str = A, nip: str | None = None) -> str:
        """A genuine token for the task, for ``nip`` (default: its assignee)."""
        task = self.task(kind, subject)
        return sign(task.id, nip or task.assignee_nip, task_expiry(task.final_due_at), SECRET)


def build_portal(
    engine: Engine, monkeypatch: Any, *, periodic: list[tuple[str, NewTask]] | None = None
) -> Portal:
    """The portal with a task of every annual kind; ``periodic``: a cycle with quarterly
    periods, and these (stage, task) of its periods opened too."""
    monkeypatch.setenv("KINERJA_SECRET", SECRET.decode())
    with Session(engine) as session:
        org = build_org(session, periodic=periodic is not None)
        for stage, task in [*TASKS, *(periodic or [])]:
            open_with_tasks(session, org=org, stage=stage, tasks=[task], now=START)
        session.commit()
        ids = {
            (t.kind, t.subject_nip): t.id
            for t in session.scalars(select(HumanTask).order_by(HumanTask.id))
        }
    clock = ManualClock(NOW)
    url = engine.url.render_as_string(hide_password=False)
    client = TestClient(create_app(url, secret=SECRET, clock=clock))
    return Portal(client=client, clock=clock, engine=engine, tasks=ids)


def message_link(portal: Portal, task_id: int, recipient: str) -> str:
    """The path of the link in the message that announced ``task_id`` to ``recipient``."""
    with portal.session() as s:
        link = s.scalars(
            select(Notification.link).where(
                Notification.task_id == task_id, Notification.recipient_nip == recipient
            )
        ).first()
    assert link is not None
    match = re.search(r"https?://[^/\s]+(/t/\S+)", link)
    assert match, link
    return match[1]


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match[1]


def open_form(portal: Portal, path: str) -> str:
    """GET the page and return its CSRF token (the page must render)."""
    response = portal.client.get(path)
    assert response.status_code == 200, response.text
    return csrf_of(response.text)


def table_rows(engine: Engine, *, with_audit: bool = False) -> dict[str, list[tuple]]:
    """Every row of every table, as plain tuples (the audit chain apart unless asked)."""
    skip = set() if with_audit else {AuditEvent.__tablename__, AuditHead.__tablename__}
    out: dict[str, list[tuple]] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in skip:
                continue
            rows = conn.execute(select(table)).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def audit_events(engine: Engine) -> list[AuditEvent]:
    with Session(engine) as s:
        return list(s.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def at(days: float) -> datetime:
    return START + timedelta(days=days)


__all__ = ["A", "B", "HR", "M", "STRANGER", "START"]
