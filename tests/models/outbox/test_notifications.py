"""Outbox model: templates in both languages, idempotent bulk enqueue, status counts."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select, update

from kinerja.models.outbox.queue import enqueue_many, notification_key
from kinerja.models.outbox.status import notify_status, status_markdown
from kinerja.models.outbox.templates import KINDS, LANGS, TemplateError, render, template_variables
from kinerja.models.store.db import session_factory
from kinerja.models.store.tables import Notification

NOW = datetime(2025, 1, 15, 8, 0)

CONTEXT = {
    "name": "Sari Wulandari",
    "cycle_name": "SKP 2025",
    "task_title": "Persetujuan SKP",
    "subject_name": "Budi Santoso",
    "due_at": "31-01-2025",
    "link": "http://127.0.0.1:8700/t/abc123",
    "level": "2",
    "assignee_name": "Andi Pratama",
    "comment": "Indikator kedua belum terukur",
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_in_both_languages(kind, lang):
    subject, body = render(kind, lang, CONTEXT)
    assert subject.startswith("[Kinerja] ")
    assert "\n" not in subject
    assert CONTEXT["name"] in body
    if kind == "superior_unplanned":
        # A notice to follow someone up: nothing in the portal for the reader to open.
        assert CONTEXT["link"] not in body
    else:
        # The link stands on a line of its own, so a phone makes it tappable.
        assert CONTEXT["link"] in body.splitlines()
    assert "{{" not in body and "Subject:" not in body
    greeting = {"id": "Yth. ", "en": "Dear "}[lang]
    assert body.startswith(greeting)


@pytest.mark.parametrize("kind", KINDS)
def test_languages_use_the_same_context_and_differ_in_text(kind):
    assert template_variables(kind, "id") == template_variables(kind, "en")
    assert render(kind, "id", CONTEXT) != render(kind, "en", CONTEXT)


def test_kind_specific_content():
    _, escalated = render("task_escalated", "en", CONTEXT)
    assert "Andi Pratama" in escalated and "level 2" in escalated
    _, returned = render("task_returned", "id", CONTEXT)
    assert "Indikator kedua belum terukur" in returned
    _, expired = render("task_expired", "en", {k: v for k, v in CONTEXT.items() if k != "comment"})
    assert "Note:" not in expired


def test_missing_context_key_is_an_error_naming_it():
    context = {k: v for k, v in CONTEXT.items() if k != "due_at"}
    with pytest.raises(TemplateError, match="due_at"):
        render("task_reminder", "id", context)


def test_unknown_kind_or_language_is_refused():
    with pytest.raises(TemplateError, match="unknown notification kind"):
        render("task_forgotten", "id", CONTEXT)
    with pytest.raises(TemplateError, match="unknown language"):
        render("task_opened", "fr", CONTEXT)


def test_notification_key_names_every_part():
    key = notification_key(
        cycle_id="c1", task_id=7, kind="task_reminder", recipient_nip="198001", slot=2
    )
    assert key == "c1:7:task_reminder:198001:2"
    other = notification_key(
        cycle_id="c1", task_id=7, kind="task_reminder", recipient_nip="198001", slot=1
    )
    assert other != key
    assert notification_key(cycle_id=None, task_id=None, kind="x", recipient_nip="n") == "-:-:x:n:0"


def _rows(n: int, *, start: int = 0, cycle_id: str = "c1", kind: str = "task_reminder"):
    return [
        {
            "key": notification_key(
                cycle_id=cycle_id, task_id=i, kind=kind, recipient_nip=f"n{i}", slot=0
            ),
            "cycle_id": cycle_id,
            "task_id": i,
            "kind": kind,
            "recipient_nip": f"n{i}",
            "lang": "id",
            "subject": f"s{i}",
            "body": f"b{i}",
            "link": None,
        }
        for i in range(start, start + n)
    ]


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(Notification))


def test_enqueue_many_is_bulk_and_idempotent(engine):
    factory = session_factory(engine)
    with factory() as session:
        assert enqueue_many(session, rows=_rows(2500), now=NOW) == 2500
        session.commit()
    with factory() as session:
        # Rerun of the same batch: nothing new.
        assert enqueue_many(session, rows=_rows(2500), now=NOW) == 0
        # Overlapping batch: only the 500 new keys count.
        assert enqueue_many(session, rows=_rows(1000, start=2000), now=NOW) == 500
        session.commit()
        assert _count(session) == 3000
        row = session.scalars(select(Notification).where(Notification.task_id == 2999)).one()
        assert (row.status, row.attempts, row.created_at) == ("pending", 0, NOW)
        assert row.next_attempt_at is None and row.sent_at is None


def test_enqueue_many_with_an_existing_key_inserts_nothing(engine):
    factory = session_factory(engine)
    with factory() as session:
        enqueue_many(session, rows=_rows(1), now=NOW)
        session.commit()
    changed = _rows(1)
    changed[0]["subject"] = "a different text"
    with factory() as session:
        assert enqueue_many(session, rows=changed, now=NOW) == 0
        session.commit()
        assert session.scalars(select(Notification.subject)).all() == ["s0"]


def test_duplicate_keys_within_one_call_count_once(engine):
    with session_factory(engine)() as session:
        assert enqueue_many(session, rows=_rows(3) + _rows(3), now=NOW) == 3
        assert enqueue_many(session, rows=[], now=NOW) == 0
        session.commit()
        assert _count(session) == 3


def test_a_row_without_a_required_field_is_refused(engine):
    rows = _rows(2)
    del rows[1]["recipient_nip"]
    with session_factory(engine)() as session:
        with pytest.raises(ValueError, match="row 1: missing field"):
            enqueue_many(session, rows=rows, now=NOW)


def test_notify_status_counts_and_lists_dead_rows(engine):
    with session_factory(engine)() as session:
        enqueue_many(session, rows=_rows(4), now=NOW)
        enqueue_many(session, rows=_rows(2, cycle_id="c2", kind="task_opened"), now=NOW)
        n = Notification
        session.execute(update(n).where(n.cycle_id == "c1", n.task_id == 0).values(status="sent"))
        session.execute(
            update(n)
            .where(n.cycle_id == "c1", n.task_id == 1)
            .values(status="dead", attempts=5, last_error="SMTP refused")
        )
        session.commit()

        everything = notify_status(session)
        assert everything["total"] == 6
        assert everything["by_status"] == {"dead": 1, "pending": 4, "sent": 1}
        assert everything["by_kind"]["task_opened"] == {"pending": 2}
        assert everything["by_kind"]["task_reminder"] == {"dead": 1, "pending": 2, "sent": 1}
        [dead] = everything["dead"]
        assert dead["recipient"] == "n1" and dead["attempts"] == 5
        assert dead["last_error"] == "SMTP refused" and dead["key"] == "c1:1:task_reminder:n1:0"

        only_c2 = notify_status(session, cycle_id="c2")
        assert only_c2 == {
            "total": 2,
            "by_status": {"pending": 2},
            "by_kind": {"task_opened": {"pending": 2}},
            "dead": [],
            "stuck_count": 0,
            "stuck": [],
        }

        markdown = status_markdown(everything)
        assert "| task_reminder | 2 | 1 | 1 |" in markdown  # pending, sent, dead
        assert "SMTP refused" in markdown
