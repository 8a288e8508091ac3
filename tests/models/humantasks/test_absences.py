"""Absences with a delegate: tasks handed over while the absence holds, lifted after it.

The organisation of orgfixture: H heads ROOT, M heads SEC and reports to H, A and B report
to M, X is a colleague in ROOT with no part in any task. M approves A's and B's targets, H
approves M's. Refusals follow DESIGN.md "Human tasks" (four eyes: nobody approves or rates
their own work) and leave every count unchanged.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.audit.verify import verify
from kinerja.models.humantasks.absences import record_absence
from kinerja.models.humantasks.delegations import sync_delegations
from kinerja.models.humantasks.opening import NewTask
from kinerja.models.humantasks.states import Actor, NotAllowed, TaskError
from kinerja.models.responses.service import respond
from kinerja.models.responses.sweeper import sweep
from kinerja.models.store.clock import ManualClock
from kinerja.models.store.tables import Absence, TaskDelegation
from kinerja.tests.models.orgfixture import (
    HR,
    START,
    STRANGER,
    A,
    B,
    H,
    M,
    Org,
    approvals,
    audit_actions,
    build_org,
    check_message,
    count,
    days,
    notifications,
    open_with_tasks,
    snapshot,
    task_by,
)

X = STRANGER
DUE = START + days(14)


@pytest.fixture
def org(session: Session) -> Org:
    org = build_org(session)
    tasks = [*approvals(), NewTask("approve_targets", M, H, {"targets": 0})]
    open_with_tasks(session, org=org, stage="approve_targets", tasks=tasks, now=START)
    session.commit()
    return org


def away(
    session: Session,
    org: Org,
    nip: str,
    delegate: str,
    first: date,
    last: date,
    *,
    by: str = HR,
    reason: str = "cuti tahunan",
):
    items = record_absence(
        session,
        nip=nip,
        delegate_nip=delegate,
        starts_on=first,
        ends_on=last,
        reason=reason,
        by=by,
        clock=org.clock,
    )
    session.commit()
    return items


def at(org: Org, when: datetime) -> ManualClock:
    org.clock.set(when)
    return org.clock


def test_tasks_of_the_away_person_go_to_the_delegate_who_can_act(session: Session, org: Org):
    at(org, START + days(1))
    items = away(session, org, M, X, date(2025, 1, 7), date(2025, 1, 10))
    a, b = task_by(session, "approve_targets", A), task_by(session, "approve_targets", B)
    assert [(i.task_id, i.outcome) for i in items] == [(None, "ok"), (a.id, "ok"), (b.id, "ok")]
    assert (a.delegate_nip, b.delegate_nip) == (X, X)
    assert task_by(session, "approve_targets", M).delegate_nip is None  # H is not away
    rows = session.scalars(select(TaskDelegation).order_by(TaskDelegation.id)).all()
    assert [(r.task_id, r.delegate_nip, r.role, r.lifted_at) for r in rows] == [
        (a.id, X, "assignee", None),
        (b.id, X, "assignee", None),
    ]
    assert audit_actions(session)[-3:] == ["absence.record", "task.delegate", "task.delegate"]
    (message,) = notifications(session, kind="task_delegated")
    assert message.recipient_nip == X and message.key.endswith(f":{rows[0].absence_id}")
    assert check_message(session, message) == [a.id, b.id]
    assert "Maya" in message.body and "cuti tahunan" in message.body

    outcome = respond(
        session, task_id=a.id, actor=Actor(X), data={"decision": "approve"}, now=org.clock.now()
    )
    session.commit()
    assert outcome.state == "done" and a.response["role"] == "delegate"
    # M is away, not removed: M may still act on B's approval.
    assert respond(
        session, task_id=b.id, actor=Actor(M), data={"decision": "approve"}, now=org.clock.now()
    ).recorded
    assert verify(session).ok


def test_sweeping_while_away_changes_nothing_and_the_end_lifts_the_delegation(
    session: Session, org: Org
):
    at(org, START + days(1))
    away(session, org, M, X, date(2025, 1, 7), date(2025, 1, 10))
    before = snapshot(session)
    for _ in range(3):
        sweep(session, cycle=org.cycle, now=datetime(2025, 1, 10, 23, 0))
        session.commit()
    assert snapshot(session) == before

    for _ in range(3):  # the first day back
        sweep(session, cycle=org.cycle, now=datetime(2025, 1, 11, 8, 0))
        session.commit()
    a, b = task_by(session, "approve_targets", A), task_by(session, "approve_targets", B)
    assert (a.delegate_nip, b.delegate_nip) == (None, None)
    assert audit_actions(session).count("task.delegation_lifted") == 2
    lifted = session.scalars(select(TaskDelegation.lifted_at)).all()
    assert lifted == [datetime(2025, 1, 11, 8, 0)] * 2
    with pytest.raises(NotAllowed):
        respond(
            session,
            task_id=a.id,
            actor=Actor(X),
            data={"decision": "approve"},
            now=datetime(2025, 1, 11, 9, 0),
        )
    assert len(notifications(session, kind="task_delegated")) == 1


def test_an_absence_starting_later_is_picked_up_by_the_sweeper(session: Session, org: Org):
    at(org, START)
    items = away(session, org, M, X, date(2025, 1, 9), date(2025, 1, 12))
    assert [i.task_id for i in items] == [None]  # nothing holds yet
    sweep(session, cycle=org.cycle, now=datetime(2025, 1, 8, 23, 0))
    assert task_by(session, "approve_targets", A).delegate_nip is None
    report = sweep(session, cycle=org.cycle, now=datetime(2025, 1, 9, 0, 0))
    session.commit()
    assert report.delegations == 2
    assert task_by(session, "approve_targets", A).delegate_nip == X


def test_tasks_opened_while_away_are_delegated_at_once(session: Session, org: Org):
    at(org, START + days(1))
    away(session, org, M, X, date(2025, 1, 7), date(2025, 1, 30))
    opened = open_with_tasks(
        session,
        org=org,
        stage="review",
        tasks=[NewTask("review", A, M, {}), NewTask("review", B, M, {})],
        now=START + days(2),
    )
    session.commit()
    assert [t.delegate_nip for t in opened] == [X, X]
    messages = notifications(session, kind="task_delegated", recipient=X)
    assert [check_message(session, m) for m in messages][-1] == [t.id for t in opened]


def test_a_task_escalated_to_someone_away_goes_to_their_delegate(session: Session, org: Org):
    at(org, START)
    away(session, org, H, X, date(2025, 1, 6), date(2025, 2, 28))
    m_task = task_by(session, "approve_targets", M)
    assert m_task.delegate_nip == X  # H is its assignee
    a = task_by(session, "approve_targets", A)
    assert a.delegate_nip is None
    sweep(session, cycle=org.cycle, now=DUE + days(1))  # level 1: M's superior, H
    session.commit()
    assert (a.state, a.escalated_to, a.delegate_nip) == ("escalated", H, X)
    row = session.scalars(select(TaskDelegation).where(TaskDelegation.task_id == a.id)).one()
    assert row.role == "escalation"
    sweep(session, cycle=org.cycle, now=DUE + days(3))  # level 2: HR; H no longer holds it
    session.commit()
    assert (a.escalated_to, a.delegate_nip) == (HR, None)
    assert row.lifted_at == DUE + days(3)
    assert sweep(session, cycle=org.cycle, now=DUE + days(3)).delegations == 0


def test_a_task_about_the_delegate_opened_later_stays_with_the_assignee(session: Session):
    org = build_org(session)
    session.commit()
    at(org, START)
    away(session, org, H, M, date(2025, 1, 6), date(2025, 1, 31))
    opened = open_with_tasks(
        session,
        org=org,
        stage="approve_targets",
        tasks=[NewTask("approve_targets", M, H, {"targets": 0})],
        now=START,
    )
    assert opened[0].delegate_nip is None
    items = sync_delegations(session, cycle=org.cycle, now=START)
    assert [(i.task_id, i.outcome) for i in items] == [(opened[0].id, "skipped")]
    assert "four eyes" in items[0].detail
    assert notifications(session, kind="task_delegated") == []


REFUSALS = [
    # (nip, delegate, first, last, by, reason, message part)
    ("Z-0", X, date(2025, 1, 7), date(2025, 1, 8), HR, "cuti", "unknown NIP: Z-0"),
    (M, "Z-0", date(2025, 1, 7), date(2025, 1, 8), HR, "cuti", "unknown NIP: Z-0"),
    (M, M, date(2025, 1, 7), date(2025, 1, 8), HR, "cuti", "their own delegate"),
    (M, X, date(2025, 1, 8), date(2025, 1, 7), HR, "cuti", "is before the start"),
    (M, X, date(2025, 1, 7), date(2025, 1, 8), HR, " ", "a reason is required"),
    (M, X, date(2025, 1, 7), date(2025, 1, 8), B, "cuti", "neither the HR coordinator"),
    # DESIGN.md, four eyes: M approves A's targets, so A may not act for M.
    (M, A, date(2025, 1, 7), date(2025, 1, 8), HR, "cuti", "may not approve or rate"),
    # overlaps the absence recorded below (Jan 20-25), at either end or inside
    (M, X, date(2025, 1, 18), date(2025, 1, 20), HR, "cuti", "already away"),
    (M, X, date(2025, 1, 25), date(2025, 1, 27), HR, "cuti", "already away"),
    (M, X, date(2025, 1, 21), date(2025, 1, 22), HR, "cuti", "already away"),
]


@pytest.mark.parametrize("nip,delegate,first,last,by,reason,message", REFUSALS)
def test_refusals_change_nothing(session, org, nip, delegate, first, last, by, reason, message):
    at(org, START + days(1))
    away(session, org, M, X, date(2025, 1, 20), date(2025, 1, 25))
    before = (snapshot(session), count(session, Absence), count(session, TaskDelegation))
    with pytest.raises(TaskError, match=message):
        away(session, org, nip, delegate, first, last, by=by, reason=reason)
    session.rollback()
    assert (snapshot(session), count(session, Absence), count(session, TaskDelegation)) == before


def test_the_person_may_record_their_own_absence_and_adjacent_ones_are_fine(
    session: Session, org: Org
):
    at(org, START + days(1))
    away(session, org, M, X, date(2025, 1, 20), date(2025, 1, 25), by=M)
    away(session, org, M, H, date(2025, 1, 26), date(2025, 1, 27), by=M)
    assert count(session, Absence) == 2
    # On the 26th the delegation moves from X to H: lifted, then handed over again.
    sweep(session, cycle=org.cycle, now=datetime(2025, 1, 25, 12, 0))
    assert task_by(session, "approve_targets", A).delegate_nip == X
    sweep(session, cycle=org.cycle, now=datetime(2025, 1, 26, 0, 0))
    session.commit()
    assert task_by(session, "approve_targets", A).delegate_nip == H
    assert [m.recipient_nip for m in notifications(session, kind="task_delegated")] == [X, H]


def test_reminders_while_away_go_to_the_delegate_once(session: Session, org: Org):
    at(org, START + days(1))
    away(session, org, M, X, date(2025, 1, 2), DUE.date())
    for _ in range(3):
        sweep(session, cycle=org.cycle, now=DUE - days(1))
        session.commit()
    reminders = notifications(session, kind="task_reminder")
    assert sorted(m.recipient_nip for m in reminders) == sorted([X, H])
    (to_delegate,) = [m for m in reminders if m.recipient_nip == X]
    a, b = task_by(session, "approve_targets", A), task_by(session, "approve_targets", B)
    assert check_message(session, to_delegate) == [a.id, b.id]


def _end(session: Session, org: Org, absence_id: int, last_day: date | None, by: str = HR):
    from kinerja.models.humantasks.absences import end_absence

    items = end_absence(
        session,
        absence_id=absence_id,
        last_day=last_day,
        reason="kembali lebih awal",
        by=by,
        clock=org.clock,
    )
    session.commit()
    return items


def test_ending_an_absence_early_lifts_its_delegations_at_once(session: Session, org: Org):
    at(org, START + days(1))
    away(session, org, M, X, date(2025, 1, 7), date(2025, 1, 20))
    absence = session.scalars(select(Absence)).one()
    at(org, START + days(3))
    items = _end(session, org, absence.id, date(2025, 1, 8))  # back today: ended yesterday
    assert [i.outcome for i in items] == ["ok", "ok", "ok"]
    a, b = task_by(session, "approve_targets", A), task_by(session, "approve_targets", B)
    assert (a.delegate_nip, b.delegate_nip) == (None, None)
    assert absence.ends_on == date(2025, 1, 8)
    assert audit_actions(session).count("task.delegation_lifted") == 2
    assert "absence.end" in audit_actions(session)
    # The days freed may be recorded again, with another delegate.
    away(session, org, M, H, date(2025, 1, 15), date(2025, 1, 18))
    assert verify(session).ok


def test_cancelling_an_absence_and_refusals(session: Session, org: Org):
    at(org, START + days(1))
    away(session, org, M, X, date(2025, 1, 7), date(2025, 1, 20))
    absence = session.scalars(select(Absence)).one()
    before = snapshot(session)
    for args, message in (
        ((absence.id + 99, None), "unknown absence"),
        ((absence.id, date(2025, 1, 21)), "only be shortened"),
        ((absence.id, None, A), "neither the HR coordinator"),
    ):
        with pytest.raises(TaskError, match=message):
            _end(session, org, *args)
        session.rollback()
    assert snapshot(session) == before
    _end(session, org, absence.id, None)
    assert absence.ends_on < absence.starts_on  # cancelled: it never holds
    assert task_by(session, "approve_targets", A).delegate_nip is None
    assert "absence.cancel" in audit_actions(session)


def test_a_persons_own_tasks_are_never_handed_to_a_delegate(session: Session):
    """A is away with M (A's approver) as delegate: M must not propose A's targets and then
    approve them; the own task stays with A (HR extends it)."""
    org = build_org(session)
    open_with_tasks(
        session,
        org=org,
        stage="plan",
        tasks=[NewTask("propose_targets", A, A, {})],
        now=START,
    )
    session.commit()
    at(org, START + days(1))
    items = away(session, org, A, M, date(2025, 1, 7), date(2025, 1, 10))
    task = task_by(session, "propose_targets", A)
    assert task.delegate_nip is None
    assert [(i.task_id, i.outcome) for i in items[1:]] == [(task.id, "skipped")]
    assert "own task" in items[1].detail
    with pytest.raises(NotAllowed):
        respond(session, task_id=task.id, actor=Actor(M), data={"targets": []}, now=org.clock.now())


def test_the_first_sweep_of_an_absence_reminds_the_delegate_not_the_person_away(
    session: Session, org: Org
):
    at(org, START)
    away(session, org, M, X, (DUE - days(1)).date(), DUE.date())  # starts on reminder day
    sweep(session, cycle=org.cycle, now=DUE - days(1))
    session.commit()
    recipients = {m.recipient_nip for m in notifications(session, kind="task_reminder")}
    assert X in recipients and M not in recipients
