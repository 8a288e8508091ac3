"""Complaints: intake opens the officer's task at the category's service level in working
days; the answer reaches the tracking view and the citizen's mail; the sweeper reminds and
escalates on working days only, holidays skipped."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from kinerja.models.citizens.complaints import ComplaintError, file_complaint, tracking
from kinerja.models.citizens.figures import feed_goals
from kinerja.models.citizens.sweep import sweep_complaints
from kinerja.models.humantasks.states import Actor, TaskError
from kinerja.models.outbox.recipients import resolve_recipients
from kinerja.models.responses.service import respond
from kinerja.models.schemas.citizens import ComplaintFiling
from kinerja.models.store.tables import (
    AuditEvent,
    Complaint,
    Goal,
    HumanTask,
    Measurement,
    MeasurementRevision,
    Notification,
)
from kinerja.tests.models.citizens.complaintfixture import FILED, complaint_org, file_one
from kinerja.tests.models.orgfixture import HR, A, M


def messages(session, kind: str) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification).where(Notification.kind == kind).order_by(Notification.id)
        )
    )


def test_filing_opens_the_officers_task_due_in_working_days(session):
    complaint_org(session)
    complaint = file_one(session)
    assert complaint.tracking_code.startswith("ADU-") and len(complaint.tracking_code) == 12
    assert complaint.due_at == datetime(2025, 12, 30, 23, 59, 59, 999999)
    task = session.get(HumanTask, complaint.task_id)
    assert task.kind == "answer_complaint" and task.assignee_nip == A
    assert task.due_at == complaint.due_at and task.state == "open"
    [opened] = messages(session, "task_opened")
    assert opened.recipient_nip == A and "/t/" in opened.link
    events = session.scalars(select(AuditEvent.action)).all()
    assert "complaint.received" in events
    slow = file_one(session, category="investigasi")
    assert slow.due_at.date().isoformat() == "2026-03-23"  # 60 working days, 1 Jan skipped


def test_intake_refuses_what_it_cannot_route(session):
    complaint_org(session)
    with pytest.raises(ComplaintError, match="unknown category"):
        file_complaint(
            session,
            unit_id="SEC",
            filing=ComplaintFiling(category="sangat_berat", text="Sepuluh huruf lebih."),
            now=FILED,
        )
    with pytest.raises(ComplaintError, match="unknown service unit"):
        file_complaint(
            session,
            unit_id="ROOT",
            filing=ComplaintFiling(category="ringan", text="Sepuluh huruf lebih."),
            now=FILED,
        )
    with pytest.raises(ValueError, match="e-mail"):
        ComplaintFiling(category="ringan", text="Sepuluh huruf lebih.", contact="bukan email")


def test_the_answer_reaches_tracking_and_the_citizens_mail(session):
    complaint_org(session)
    complaint = file_one(session)
    code = complaint.tracking_code
    before = tracking(session, code.lower(), "id")
    assert before.status == "open" and before.reply is None and before.category == "Ringan"
    answered_at = datetime(2025, 12, 29, 9, 0)
    with pytest.raises(TaskError):
        respond(session, task_id=complaint.task_id, actor=Actor(A), data={"reply": ""}, now=FILED)
    session.rollback()
    respond(
        session,
        task_id=complaint.task_id,
        actor=Actor(A),
        data={"reply": "Loket tambahan dibuka mulai besok.", "close_reason": "resolved"},
        now=answered_at,
    )
    session.commit()
    after = tracking(session, code, "en")
    assert after.status == "closed" and after.reply == "Loket tambahan dibuka mulai besok."
    assert after.close_reason == "Resolved" and after.replied_at == answered_at
    [mail] = messages(session, "complaint_answered")
    assert mail.recipient_nip == f"citizen:{code}" and "Loket tambahan" in mail.body
    assert mail.link.endswith(f"/pengaduan/{code}")
    found = resolve_recipients(session, [mail.recipient_nip])
    assert found[mail.recipient_nip]["email"] == "warga@example.org"
    task = session.get(HumanTask, complaint.task_id)
    assert task.state == "done" and not task.late


def test_no_mail_without_a_contact(session):
    complaint_org(session)
    complaint = file_one(session, contact=None)
    respond(
        session,
        task_id=complaint.task_id,
        actor=Actor(A),
        data={"reply": "Sudah kami tindak lanjuti.", "close_reason": None},
        now=FILED,
    )
    session.commit()
    assert messages(session, "complaint_answered") == []
    assert session.get(Complaint, complaint.id).status == "answered"


def test_sweeper_reminds_and_escalates_on_working_days_only(session):
    complaint_org(session)
    complaint = file_one(session)
    task_id = complaint.task_id

    def sweep_at(day: int, month: int = 12, year: int = 2025):
        report = sweep_complaints(session, now=datetime(year, month, day, 8, 0))
        session.commit()
        return report

    assert not sweep_at(26).working_day  # Cuti bersama: nothing fires
    assert sweep_at(29).reminders == 1  # Monday: one working day before the due day
    assert sweep_at(29).reminders == 0  # idempotent
    assert [m.recipient_nip for m in messages(session, "task_reminder")] == [A]
    assert sweep_at(30).escalations == 0  # the due day itself
    report = sweep_at(31)  # one working day late: to the unit head
    assert report.escalations == 1
    task = session.get(HumanTask, task_id)
    assert (task.state, task.escalation_level, task.escalated_to) == ("escalated", 1, M)
    assert not sweep_at(1, 1, 2026).working_day  # New Year: nothing
    assert sweep_at(2, 1, 2026).escalations == 0  # two working days late
    assert sweep_at(5, 1, 2026).escalations == 1  # three: to the HR coordinator
    session.expire_all()
    task = session.get(HumanTask, task_id)
    assert (task.escalation_level, task.escalated_to) == (2, HR)
    assert [m.recipient_nip for m in messages(session, "task_escalated")] == [M, HR]
    assert sweep_at(6, 1, 2026).escalations == 0
    # The officer can still answer, late.
    respond(
        session,
        task_id=task_id,
        actor=Actor(A),
        data={"reply": "Maaf terlambat; sudah ditangani.", "close_reason": "resolved"},
        now=datetime(2026, 1, 6, 9, 0),
    )
    session.commit()
    assert session.get(HumanTask, task_id).late


def test_the_share_on_time_feeds_the_units_complaint_goal(session):
    org = complaint_org(session)
    session.add(
        Goal(
            cycle_id=org.cycle.cycle_id,
            goal_id="G-ADU",
            unit_id="SEC",
            statement="Pengaduan dijawab tepat waktu",
            indicator="Pengaduan_tepat_waktu",
            target_value=90,
            unit_of_measure="%",
        )
    )
    on_time, late = file_one(session), file_one(session)
    respond(
        session,
        task_id=on_time.task_id,
        actor=Actor(A),
        data={"reply": "Sudah ditangani.", "close_reason": "resolved"},
        now=datetime(2025, 12, 29, 9, 0),
    )
    session.commit()
    end_of_year = datetime(2025, 12, 31, 23, 0)  # the late one is past its due day
    assert feed_goals(session, cycle=org.cycle, now=end_of_year) == [("G-ADU", 50.0)]
    session.commit()
    stored = session.get(Measurement, (org.cycle.cycle_id, "G-ADU", "2025"))
    assert stored.value == 50.0 and stored.source == "complaints"
    assert "1 of 2 complaints answered on time, 1 late" in stored.evidence
    feed_goals(session, cycle=org.cycle, now=end_of_year)  # again: nothing new
    session.commit()
    assert session.scalars(select(MeasurementRevision)).all() == []
    assert late.status == "open"
