"""The sweeper with a moved clock: reminders, escalations and final deadlines, each once.

The approve_targets stage opens at START: due 14 days later, reminders 3 and 1 days before,
escalations 1 day (superior) and 3 days (HR) after, final deadline 7 days after the due date.
Three approvals: A's and B's targets for M (whose manager is H), and M's own for H (who
has no manager, so the first escalation goes to the coordinator).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from kinerja.models.audit import verify
from kinerja.models.humantasks import Actor, NewTask
from kinerja.models.notifications import notification_key
from kinerja.models.responses import respond
from kinerja.models.sweeper import SweepReport, sweep
from kinerja.models.tables import AuditEvent, HumanTask, Result, Target
from kinerja.tests.models.orgfixture import (
    CYCLE_ID,
    HR,
    START,
    A,
    B,
    H,
    M,
    Org,
    approvals,
    build_org,
    count,
    days,
    notifications,
    open_with_tasks,
    target_statuses,
    task_by,
)

DUE = START + days(14)
FINAL = DUE + days(7)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def _org(session: Session, **kwargs: object) -> Org:
    org = build_org(session, **kwargs)  # type: ignore[arg-type]
    tasks = [*approvals(), NewTask("approve_targets", M, H, {"targets": 0})]
    open_with_tasks(session, org=org, stage="approve_targets", tasks=tasks, now=START)
    session.commit()
    return org


@pytest.fixture
def org(session: Session) -> Org:
    return _org(session)


def run(session: Session, org: Org, when: datetime, times: int = 1) -> SweepReport:
    """Sweep ``times`` times at ``when``, one transaction each; the summed report."""
    org.clock.set(when)
    total = SweepReport()
    for _ in range(times):
        total.add(sweep(session, cycle=org.cycle, now=org.clock.now()))
        session.commit()
    return total


def keys(session: Session, kind: str) -> Counter[str]:
    return Counter(n.key for n in notifications(session, kind=kind))


def tasks(session: Session) -> list[HumanTask]:
    return list(session.scalars(select(HumanTask).order_by(HumanTask.id)))


def audit_count(session: Session, action: str) -> int:
    return session.scalar(select(func.count()).where(AuditEvent.action == action)) or 0


# --- reminders ------------------------------------------------------------------------------------


def test_reminders_fire_once_per_slot_however_often_the_sweeper_runs(session: Session, org: Org):
    ids = [t.id for t in tasks(session)]
    assignee = {t.id: t.assignee_nip for t in tasks(session)}

    def expected(*slots: int) -> Counter[str]:
        return Counter(
            notification_key(
                cycle_id=CYCLE_ID,
                task_id=i,
                kind="task_reminder",
                recipient_nip=assignee[i],
                slot=s,
            )
            for i in ids
            for s in slots
        )

    assert run(session, org, DUE - days(5), times=3).reminders == 0
    assert keys(session, "task_reminder") == Counter()

    assert run(session, org, DUE - days(3), times=5).reminders == 3
    assert keys(session, "task_reminder") == expected(1)
    for when in (DUE - days(3), DUE - days(2.5), DUE - days(1) - days(0.01)):
        assert run(session, org, when, times=2).reminders == 0
    assert keys(session, "task_reminder") == expected(1)

    assert run(session, org, DUE - days(1), times=5).reminders == 3
    assert keys(session, "task_reminder") == expected(1, 2)
    for when in (DUE - days(0.5), DUE, DUE + days(2), FINAL - days(0.01)):
        assert run(session, org, when, times=2).reminders == 0
    assert keys(session, "task_reminder") == expected(1, 2)
    assert all(t.reminders_sent == 2 for t in tasks(session))
    by_recipient = Counter(n.recipient_nip for n in notifications(session, kind="task_reminder"))
    assert by_recipient == {M: 4, H: 2}


def test_a_task_far_past_its_due_date_gets_one_reminder_not_every_slot(session: Session, org: Org):
    report = run(session, org, DUE + days(2), times=4)
    assert report.reminders == 3
    reminders = notifications(session, kind="task_reminder")
    assert len(reminders) == 3
    assert {n.key.rsplit(":", 1)[1] for n in reminders} == {"2"}  # the latest slot only
    assert run(session, org, DUE + days(2.5), times=3).reminders == 0
    assert len(notifications(session, kind="task_reminder")) == 3


def test_closed_tasks_get_no_reminder(session: Session, org: Org):
    done = task_by(session, "approve_targets", A)
    respond(session, task_id=done.id, actor=Actor(M), data={"decision": "approve"}, now=START)
    session.commit()
    assert run(session, org, DUE - days(1), times=2).reminders == 2
    assert done.id not in {n.task_id for n in notifications(session, kind="task_reminder")}


# --- escalations ----------------------------------------------------------------------------------


def test_escalation_goes_up_the_chain_once_per_level(session: Session, org: Org):
    a_task = task_by(session, "approve_targets", A)
    b_task = task_by(session, "approve_targets", B)
    m_task = task_by(session, "approve_targets", M)

    assert run(session, org, DUE + days(0.99), times=5).escalations == 0
    assert all(t.state == "open" for t in tasks(session))

    # Level 1, the superior: M's manager H; H has no manager, so the coordinator.
    assert run(session, org, DUE + days(1), times=5).escalations == 3
    assert [(t.state, t.escalation_level, t.escalated_to) for t in (a_task, b_task, m_task)] == [
        ("escalated", 1, H),
        ("escalated", 1, H),
        ("escalated", 1, HR),
    ]
    level1 = notifications(session, kind="task_escalated")
    assert sorted((n.task_id, n.recipient_nip) for n in level1) == sorted(
        [(a_task.id, H), (b_task.id, H), (m_task.id, HR)]
    )
    assert audit_count(session, "task.escalate") == 3
    assert run(session, org, DUE + days(2), times=5).escalations == 0

    # Level 2, HR: the coordinator for every task.
    assert run(session, org, DUE + days(3), times=5).escalations == 3
    assert {(t.escalation_level, t.escalated_to) for t in tasks(session)} == {(2, HR)}
    assert run(session, org, DUE + days(4), times=5).escalations == 0

    escalated = notifications(session, kind="task_escalated")
    assert Counter(n.recipient_nip for n in escalated) == {H: 2, HR: 4}
    assert Counter(n.key for n in escalated).most_common(1)[0][1] == 1
    assert audit_count(session, "task.escalate") == 6
    payloads = [
        e.payload
        for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "task.escalate").order_by(AuditEvent.seq)
        )
    ]
    assert [(p["level"], p["chain"]) for p in payloads] == [(1, "superior")] * 3 + [(2, "hr")] * 3
    assert verify(session).ok


def test_a_long_silence_escalates_straight_to_the_last_level_due(session: Session, org: Org):
    assert run(session, org, DUE + days(5), times=5).escalations == 3
    assert {(t.escalation_level, t.escalated_to) for t in tasks(session)} == {(2, HR)}
    assert len(notifications(session, kind="task_escalated")) == 3
    assert audit_count(session, "task.escalate") == 3


def test_escalation_message_names_the_level_and_the_assignee(session: Session, org: Org):
    run(session, org, DUE + days(1))
    a_task = task_by(session, "approve_targets", A)
    (message,) = notifications(session, kind="task_escalated", recipient=H)[:1]
    assert message.task_id in {a_task.id, task_by(session, "approve_targets", B).id}
    assert "Maya" in message.body  # the assignee who did not act
    assert message.link.endswith(f"/tasks/{message.task_id}")


# --- final deadline -------------------------------------------------------------------------------


def test_keep_proposal_approves_the_targets_at_the_final_deadline(session: Session, org: Org):
    report = run(session, org, FINAL - days(0.01), times=3)
    assert report.expired == 0 and report.complete_stages == []
    report = run(session, org, FINAL, times=5)
    assert report.expired == 3
    assert report.complete_stages == ["approve_targets"] * 5
    for task in tasks(session):
        assert (task.state, task.closed_by, task.late) == ("expired", "system", True)
        assert task.close_reason == "final deadline: keep_proposal"
        assert task.response["policy"] == "keep_proposal"
    assert target_statuses(session, A) == ["approved", "approved"]
    assert target_statuses(session, B) == ["approved", "approved"]
    expired = notifications(session, kind="task_expired")
    assert Counter(n.recipient_nip for n in expired) == {M: 2, H: 1}
    assert audit_count(session, "task.expire") == 3
    assert verify(session).ok


def test_not_submitted_leaves_the_targets_proposed(session: Session):
    org = _org(session, final_policies={"approve_targets": "not_submitted"})
    report = run(session, org, FINAL + days(3), times=5)
    assert report.expired == 3 and "approve_targets" in report.complete_stages
    for task in tasks(session):
        assert task.state == "expired"
        assert task.response["policy"] == "not_submitted" and task.response["input"] is None
    assert target_statuses(session, A) == ["proposed", "proposed"]
    assert target_statuses(session, B) == ["proposed", "proposed"]
    assert audit_count(session, "task.expire") == 3
    assert verify(session).ok


def test_the_stage_is_complete_only_when_no_task_is_active(session: Session, org: Org):
    for subject in (A, B):
        task = task_by(session, "approve_targets", subject)
        respond(session, task_id=task.id, actor=Actor(M), data={"decision": "approve"}, now=DUE)
    session.commit()
    assert run(session, org, DUE + days(1)).complete_stages == []
    m_task = task_by(session, "approve_targets", M)
    respond(
        session, task_id=m_task.id, actor=Actor(H), data={"decision": "approve"}, now=DUE + days(1)
    )
    session.commit()
    report = run(session, org, DUE + days(1.5))
    assert report.complete_stages == ["approve_targets"]
    assert (report.reminders, report.escalations, report.expired) == (0, 0, 0)


def test_an_escalated_task_still_expires_by_policy_and_answered_ones_are_kept(
    session: Session, org: Org
):
    run(session, org, DUE + days(3))
    a_task = task_by(session, "approve_targets", A)
    assert a_task.state == "escalated"
    late = FINAL - days(0.5)
    respond(
        session,
        task_id=a_task.id,
        actor=Actor(M),
        data={"decision": "return", "comment": "perbaiki"},
        now=late,
    )
    session.commit()
    revision = task_by(session, "revise_targets", A)
    # Opened half a day before the stage's final deadline: a day to answer, two in all.
    assert (revision.due_at, revision.final_due_at) == (late + days(1), late + days(2))

    report = run(session, org, FINAL + days(1), times=3)
    assert a_task.state == "returned"  # answered before the deadline: left alone
    assert revision.state == "open"
    assert report.expired == 2 and report.complete_stages == []
    assert target_statuses(session, A) == ["returned", "returned"]
    assert target_statuses(session, B) == ["approved", "approved"]

    # The revision's own final deadline: keep_proposal approves the targets as they stand.
    report = run(session, org, revision.final_due_at, times=3)
    assert report.expired == 1 and report.complete_stages == ["approve_targets"] * 3
    assert revision.state == "expired"
    assert target_statuses(session, A) == ["approved", "approved"]
    assert verify(session).ok


def test_a_review_closed_by_keep_proposal_takes_the_proposed_rating(session: Session):
    org = build_org(session, proposed_hasil_kerja="di_atas")
    open_with_tasks(
        session,
        org=org,
        stage="review",
        tasks=[NewTask("review", A, M, {}), NewTask("review", B, M, {})],
        now=START,
    )
    session.commit()
    report = run(session, org, FINAL, times=2)
    assert report.expired == 2 and report.complete_stages == ["review"] * 2
    rows = session.scalars(select(Result).order_by(Result.nip)).all()
    assert [(r.nip, r.hasil_kerja, r.perilaku) for r in rows] == [
        (A, "di_atas", "sesuai"),
        (B, "di_atas", "sesuai"),
    ]


def test_a_whole_stage_swept_every_six_hours(session: Session, org: Org):
    # A clock moving in steps across the whole stage: each thing fires exactly once.
    org.clock.set(START)
    total = SweepReport()
    while org.clock.now() <= FINAL + days(2):
        total.add(sweep(session, cycle=org.cycle, now=org.clock.now()))
        session.commit()
        org.clock.advance(days(0.25))
    assert (total.reminders, total.escalations, total.expired) == (6, 6, 3)
    sent = Counter(n.kind for n in notifications(session) if n.kind != "task_opened")
    assert sent == {
        "task_reminder": 6,
        "task_escalated": 6,
        "task_expired": 3,
    }
    assert max(keys(session, "task_reminder").values()) == 1
    assert audit_count(session, "task.escalate") == 6
    assert audit_count(session, "task.expire") == 3
    assert count(session, AuditEvent) == 9
    assert session.scalar(select(func.count()).where(Target.status == "approved")) == 4
    assert verify(session).ok
