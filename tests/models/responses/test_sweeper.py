"""The sweeper with a moved clock: reminders, escalations and final deadlines, each once.

The approve_targets stage opens at START: due 14 days later, reminders 3 and 1 days before,
escalations 1 day (superior) and 3 days (HR) after, final deadline 7 days after the due date.
Three approvals: A's and B's targets for M (whose manager is H), and M's own for H (who
has no manager, so the first escalation goes to the coordinator).

Messages are digests: one per recipient per sweep and kind, listing a link to each task, so
M gets one reminder for both approvals. Each test counts messages by key and recipient and
checks that every task is linked exactly once per reminder slot, escalation level or expiry.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.models.audit.verify import verify
from kinerja.models.humantasks.opening import NewTask
from kinerja.models.humantasks.states import Actor
from kinerja.models.responses.service import respond
from kinerja.models.responses.sweeper import SweepReport, sweep
from kinerja.models.store.tables import AuditEvent, HumanTask, Notification, Result, Target
from kinerja.tests.models.orgfixture import (
    HR,
    START,
    A,
    B,
    H,
    M,
    Org,
    approvals,
    build_org,
    check_message,
    count,
    days,
    linked_tasks,
    message_key,
    notifications,
    open_with_tasks,
    sent,
    target_statuses,
    task_by,
)

DUE = START + days(14)
FINAL = DUE + days(7)


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


def ids(session: Session) -> tuple[int, int, int]:
    """The ids of the approvals of A's, B's and M's targets."""
    a, b, m = (task_by(session, "approve_targets", s).id for s in (A, B, M))
    return a, b, m


def slot_of(message: Notification) -> int:
    return int(message.key.rsplit(":", 1)[1])


def linked_in_slot(session: Session, kind: str, slot: int) -> Counter[int]:
    """How often each task is linked by ``kind`` messages of one slot (or level); every
    message is checked for its shape on the way."""
    messages = [n for n in notifications(session, kind=kind) if slot_of(n) == slot]
    for message in messages:
        check_message(session, message)
    return linked_tasks(messages)


def tasks(session: Session) -> list[HumanTask]:
    return list(session.scalars(select(HumanTask).order_by(HumanTask.id)))


def audit_count(session: Session, action: str) -> int:
    return session.scalar(select(func.count()).where(AuditEvent.action == action)) or 0


# --- reminders ------------------------------------------------------------------------------------


def test_reminders_fire_once_per_slot_however_often_the_sweeper_runs(session: Session, org: Org):
    a, b, m = ids(session)

    def expected(*slots: int) -> Counter[tuple[str, str]]:
        # Per slot: one digest to M for A's and B's approvals, one message to H for M's.
        return Counter(
            {
                **{(message_key("task_reminder", M, [a, b], s), M): 1 for s in slots},
                **{(message_key("task_reminder", H, [m], s), H): 1 for s in slots},
            }
        )

    assert run(session, org, DUE - days(5), times=3).reminders == 0
    assert sent(session, "task_reminder") == Counter()

    # The report counts tasks reminded: three, in two messages.
    assert run(session, org, DUE - days(3), times=5).reminders == 3
    assert sent(session, "task_reminder") == expected(1)
    assert linked_in_slot(session, "task_reminder", 1) == Counter([a, b, m])
    for when in (DUE - days(3), DUE - days(2.5), DUE - days(1) - days(0.01)):
        assert run(session, org, when, times=2).reminders == 0
    assert sent(session, "task_reminder") == expected(1)
    assert all(t.reminders_sent == 1 for t in tasks(session))

    assert run(session, org, DUE - days(1), times=5).reminders == 3
    assert sent(session, "task_reminder") == expected(1, 2)
    assert linked_in_slot(session, "task_reminder", 2) == Counter([a, b, m])
    for when in (DUE - days(0.5), DUE, DUE + days(2), FINAL - days(0.01)):
        assert run(session, org, when, times=2).reminders == 0
    assert sent(session, "task_reminder") == expected(1, 2)
    assert all(t.reminders_sent == 2 for t in tasks(session))
    by_recipient = Counter(n.recipient_nip for n in notifications(session, kind="task_reminder"))
    assert by_recipient == {M: 2, H: 2}


def test_a_task_far_past_its_due_date_gets_one_reminder_not_every_slot(session: Session, org: Org):
    a, b, m = ids(session)
    report = run(session, org, DUE + days(2), times=4)
    assert report.reminders == 3
    assert sent(session, "task_reminder") == {
        (message_key("task_reminder", M, [a, b], 2), M): 1,  # the latest slot only
        (message_key("task_reminder", H, [m], 2), H): 1,
    }
    assert linked_in_slot(session, "task_reminder", 2) == Counter([a, b, m])
    assert all(t.reminders_sent == 2 for t in tasks(session))
    assert run(session, org, DUE + days(2.5), times=3).reminders == 0
    assert len(notifications(session, kind="task_reminder")) == 2


def test_closed_tasks_get_no_reminder(session: Session, org: Org):
    a, b, m = ids(session)
    respond(session, task_id=a, actor=Actor(M), data={"decision": "approve"}, now=START)
    session.commit()
    assert run(session, org, DUE - days(1), times=2).reminders == 2
    # B's approval is now M's only one: a plain message, not a digest.
    assert sent(session, "task_reminder") == {
        (message_key("task_reminder", M, [b], 2), M): 1,
        (message_key("task_reminder", H, [m], 2), H): 1,
    }
    assert linked_in_slot(session, "task_reminder", 2) == Counter([b, m])
    assert session.get(HumanTask, a).reminders_sent == 0


# --- escalations ----------------------------------------------------------------------------------


def test_escalation_goes_up_the_chain_once_per_level(session: Session, org: Org):
    a_task = task_by(session, "approve_targets", A)
    b_task = task_by(session, "approve_targets", B)
    m_task = task_by(session, "approve_targets", M)
    a, b, m = a_task.id, b_task.id, m_task.id

    assert run(session, org, DUE + days(0.99), times=5).escalations == 0
    assert all(t.state == "open" for t in tasks(session))
    assert sent(session, "task_escalated") == Counter()

    # Level 1, the superior: M's manager H; H has no manager, so the coordinator.
    assert run(session, org, DUE + days(1), times=5).escalations == 3  # tasks, not messages
    assert [(t.state, t.escalation_level, t.escalated_to) for t in (a_task, b_task, m_task)] == [
        ("escalated", 1, H),
        ("escalated", 1, H),
        ("escalated", 1, HR),
    ]
    level1 = {
        (message_key("task_escalated", H, [a, b], 1), H): 1,
        (message_key("task_escalated", HR, [m], 1), HR): 1,
    }
    assert sent(session, "task_escalated") == level1
    assert linked_in_slot(session, "task_escalated", 1) == Counter([a, b, m])
    assert audit_count(session, "task.escalate") == 3
    assert run(session, org, DUE + days(2), times=5).escalations == 0
    assert sent(session, "task_escalated") == level1

    # Level 2, HR: the coordinator for every task, in one digest.
    assert run(session, org, DUE + days(3), times=5).escalations == 3
    assert {(t.escalation_level, t.escalated_to) for t in tasks(session)} == {(2, HR)}
    assert run(session, org, DUE + days(4), times=5).escalations == 0
    assert sent(session, "task_escalated") == {
        **level1,
        (message_key("task_escalated", HR, [a, b, m], 2), HR): 1,
    }
    assert linked_in_slot(session, "task_escalated", 2) == Counter([a, b, m])

    escalated = notifications(session, kind="task_escalated")
    assert Counter(n.recipient_nip for n in escalated) == {H: 1, HR: 2}
    assert audit_count(session, "task.escalate") == 6
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "task.escalate").order_by(AuditEvent.seq)
    ).all()
    assert [
        (e.entity_id, e.payload["level"], e.payload["chain"], e.payload["to"]) for e in events
    ] == [
        (str(a), 1, "superior", H),
        (str(b), 1, "superior", H),
        (str(m), 1, "superior", HR),
        (str(a), 2, "hr", HR),
        (str(b), 2, "hr", HR),
        (str(m), 2, "hr", HR),
    ]
    assert verify(session).ok


def test_a_long_silence_escalates_straight_to_the_last_level_due(session: Session, org: Org):
    a, b, m = ids(session)
    assert run(session, org, DUE + days(5), times=5).escalations == 3
    assert {(t.escalation_level, t.escalated_to) for t in tasks(session)} == {(2, HR)}
    assert sent(session, "task_escalated") == {
        (message_key("task_escalated", HR, [a, b, m], 2), HR): 1
    }
    assert linked_in_slot(session, "task_escalated", 2) == Counter([a, b, m])
    assert audit_count(session, "task.escalate") == 3


def test_escalation_message_names_the_level_and_the_assignee(session: Session, org: Org):
    run(session, org, DUE + days(1))
    a, b, _ = ids(session)
    (message,) = notifications(session, kind="task_escalated", recipient=H)
    assert check_message(session, message) == [a, b]
    assert message.lang == "id"
    assert "tingkat 1" in message.subject and "(tingkat 1)" in message.body
    assert "Maya" in message.body  # the assignee who did not act
    assert "Agus: " in message.link and "Bella: " in message.link


def test_an_escalation_digest_names_every_assignee_who_did_not_act(session: Session, org: Org):
    # HR's level-2 digest holds M's two approvals and H's one: it must not tell HR that
    # Maya failed to act on the task Hartono left open.
    run(session, org, DUE + days(3))
    (message,) = notifications(session, kind="task_escalated", recipient=HR)[-1:]
    assert len(check_message(session, message)) == 3
    assert "Maya" in message.body
    assert "Hartono" in message.body


def test_an_escalation_digest_names_every_kind_of_task_it_holds(session: Session, org: Org):
    # A's targets returned: HR's level-2 digest holds two approvals and A's revision, and
    # must not present the revision as an approval.
    respond(
        session,
        task_id=task_by(session, "approve_targets", A).id,
        actor=Actor(M),
        data={"decision": "return", "comment": "perbaiki"},
        now=START + days(1),
    )
    session.commit()
    revision = task_by(session, "revise_targets", A)
    run(session, org, DUE + days(3))
    (message,) = notifications(session, kind="task_escalated", recipient=HR)[-1:]
    assert revision.id in check_message(session, message)
    assert "Menyetujui SKP" in message.body  # the approvals' title
    assert "Memperbaiki SKP" in message.body  # the revision's title


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
    a, b, m = ids(session)
    assert sent(session, "task_expired") == {
        (message_key("task_expired", M, [a, b]), M): 1,
        (message_key("task_expired", H, [m]), H): 1,
    }
    assert linked_in_slot(session, "task_expired", 0) == Counter([a, b, m])
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
    # The report counts tasks: three reminded per slot, escalated per level, expired.
    assert (total.reminders, total.escalations, total.expired) == (6, 6, 3)
    by_kind = Counter(n.kind for n in notifications(session) if n.kind != "task_opened")
    assert by_kind == {
        "task_reminder": 4,
        "task_escalated": 3,
        "task_expired": 2,
    }
    everyone = Counter(ids(session))
    for kind, slot in [
        ("task_reminder", 1),
        ("task_reminder", 2),
        ("task_escalated", 1),
        ("task_escalated", 2),
        ("task_expired", 0),
    ]:
        assert linked_in_slot(session, kind, slot) == everyone, (kind, slot)
    assert audit_count(session, "task.escalate") == 6
    assert audit_count(session, "task.expire") == 3
    assert count(session, AuditEvent) == 9
    assert session.scalar(select(func.count()).where(Target.status == "approved")) == 4
    assert verify(session).ok
