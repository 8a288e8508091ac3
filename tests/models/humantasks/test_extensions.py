"""Deadline extensions: the deadlines move, the history is kept, and the sweeper follows the
new due date without sending any reminder or escalation twice.

The approve_targets stage of orgfixture opens at START: due 14 days later (DUE), reminders 3
and 1 days before, escalations 1 day (superior) and 3 days (HR) after, final deadline 7 days
after the due date.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.audit.verify import verify
from kinerja.models.humantasks.admin import run_action
from kinerja.models.humantasks.extensions import extend_tasks, task_history
from kinerja.models.humantasks.opening import NewTask
from kinerja.models.humantasks.states import Actor, TaskError
from kinerja.models.outbox.formats import format_day
from kinerja.models.responses.service import respond
from kinerja.models.responses.sweeper import sweep
from kinerja.models.store.tables import HumanTask, Notification, TaskExtension
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
    notifications,
    open_with_tasks,
    snapshot,
    task_by,
)

DUE = START + days(14)
FINAL = DUE + days(7)


@pytest.fixture
def org(session: Session) -> Org:
    org = build_org(session)
    tasks = [*approvals(), NewTask("approve_targets", M, H, {"targets": 0})]
    open_with_tasks(session, org=org, stage="approve_targets", tasks=tasks, now=START)
    session.commit()
    return org


def extend(session: Session, org: Org, task: HumanTask, n: float, when: datetime, **kw):
    items = extend_tasks(
        session,
        cycle=org.cycle,
        tasks=[task],
        days=n,
        reason=kw.get("reason", "banjir di kantor"),
        by=kw.get("by", HR),
        now=when,
    )
    session.commit()
    return items


def sweeps(session: Session, org: Org, when: datetime, times: int = 3) -> None:
    for _ in range(times):
        sweep(session, cycle=org.cycle, now=when)
        session.commit()


def per_slot(session: Session, kind: str) -> Counter[tuple[int, int]]:
    """(task id, slot) -> how many messages of ``kind`` link that task in that slot."""
    out: Counter[tuple[int, int]] = Counter()
    for message in notifications(session, kind=kind):
        check_message(session, message)
        slot = int(message.key.rsplit(":", 1)[1])
        for task_id in linked_tasks([message]):
            out[(task_id, slot)] += 1
    return out


def test_an_extension_moves_both_deadlines_and_is_kept_in_the_history(session, org):
    a = task_by(session, "approve_targets", A)
    items = extend(session, org, a, 7, START + days(2))
    assert [(i.task_id, i.outcome) for i in items] == [(a.id, "ok")]
    assert (a.due_at, a.final_due_at) == (DUE + days(7), FINAL + days(7))
    (ext,) = session.scalars(select(TaskExtension)).all()
    assert (ext.old_due_at, ext.new_due_at, ext.by_nip, ext.reason) == (
        DUE,
        DUE + days(7),
        HR,
        "banjir di kantor",
    )
    (message,) = notifications(session, kind="task_extended")
    assert message.recipient_nip == M and check_message(session, message) == [a.id]
    assert format_day(DUE + days(7), "id") in message.body and "banjir" in message.body

    extend(session, org, a, 2, START + days(3), reason="susulan")
    history = task_history(session, task_id=a.id)
    assert [h["action"] for h in history] == ["task.open", "task.extend", "task.extend"]
    assert history[1]["detail"] == "+7 days, due 2025-01-20 -> 2025-01-27: banjir di kantor"
    assert history[2]["detail"] == "+2 days, due 2025-01-27 -> 2025-01-29: susulan"
    assert len(notifications(session, kind="task_extended")) == 2
    assert verify(session).ok


def test_reminders_follow_the_new_due_date_and_none_is_sent_twice(session, org):
    a, b, m = (task_by(session, "approve_targets", s) for s in (A, B, M))
    sweeps(session, org, DUE - days(3))  # slot 1 for all three
    extend(session, org, a, 10, DUE - days(2))
    new_due = DUE + days(10)
    sweeps(session, org, DUE - days(1))  # slot 2 for B and M, not for A
    assert per_slot(session, "task_reminder") == Counter(
        {(a.id, 1): 1, (b.id, 1): 1, (m.id, 1): 1, (b.id, 2): 1, (m.id, 2): 1}
    )
    sweeps(session, org, DUE + days(3))  # B and M escalate twice, A does not
    assert a.escalation_level == 0 and b.escalation_level == 2
    sweeps(session, org, new_due - days(3))  # slot 1 was sent already: not again
    sweeps(session, org, new_due - days(1))  # slot 2 for A, now, once
    reminders = per_slot(session, "task_reminder")
    assert reminders[(a.id, 1)] == 1 and reminders[(a.id, 2)] == 1
    assert set(reminders.values()) == {1}
    (late,) = [
        n
        for n in notifications(session, kind="task_reminder")
        if a.id in linked_tasks([n]) and n.key.endswith(":2")
    ]
    assert late.created_at == new_due - days(1)
    sweeps(session, org, new_due + days(1))
    assert (a.state, a.escalation_level) == ("escalated", 1)
    assert a.final_due_at == FINAL + days(10)  # B's and M's final deadline came and went
    assert (b.state, a.state) == ("expired", "escalated")


def test_an_escalated_task_may_be_extended_and_stays_escalated(session, org):
    """Decision: the escalation stands (the superior keeps the right to act and is told of
    the new date); levels reached never fire again, the rest follow the new due date."""
    a = task_by(session, "approve_targets", A)
    sweeps(session, org, DUE + days(1))
    assert (a.state, a.escalated_to, a.escalation_level) == ("escalated", H, 1)
    extend(session, org, a, 7, DUE + days(2))
    assert (a.state, a.escalated_to, a.escalation_level) == ("escalated", H, 1)
    told = {n.recipient_nip for n in notifications(session, kind="task_extended")}
    assert told == {M, H}
    sweeps(session, org, DUE + days(3))  # the old level-2 time: not for A any more
    sweeps(session, org, FINAL)  # the old final deadline: A stays active
    assert (a.state, a.escalation_level) == ("escalated", 1)
    sweeps(session, org, DUE + days(7) + days(3))  # level 2 on the new date, once
    assert (a.escalated_to, a.escalation_level) == (HR, 2)
    assert per_slot(session, "task_escalated")[(a.id, 1)] == 1
    assert per_slot(session, "task_escalated")[(a.id, 2)] == 1
    assert respond(
        session,
        task_id=a.id,
        actor=Actor(HR, "atas nama atasan"),
        data={"decision": "approve"},
        now=DUE + days(11),
    ).recorded


def test_refusals_change_nothing(session, org):
    a, b = task_by(session, "approve_targets", A), task_by(session, "approve_targets", B)
    respond(
        session, task_id=b.id, actor=Actor(M), data={"decision": "approve"}, now=START + days(1)
    )
    session.commit()
    before = (snapshot(session), count(session, TaskExtension), count(session, Notification))
    now = START + days(2)
    for n, reason in ((0, "x"), (-3, "x"), (2, "  ")):
        (item,) = extend(session, org, a, n, now, reason=reason)
        assert item.outcome == "refused"
    (item,) = extend(session, org, b, 2, now)
    assert (item.outcome, item.detail) == ("skipped", "closed")
    (item,) = extend(session, org, a, 1, FINAL + days(2))
    assert item.outcome == "refused" and "already past" in item.detail
    with pytest.raises(TaskError, match="only the HR coordinator"):
        extend(session, org, a, 2, now, by=M)
    session.rollback()
    # Named by id, a closed task is refused, not skipped.
    (item,) = run_action(
        session,
        request={"action": "extend", "task_id": b.id, "days": 2, "reason": "x"},
        clock=org.clock,
    )
    assert item.outcome == "refused" and "is closed (done)" in item.detail
    session.commit()
    assert (
        snapshot(session),
        count(session, TaskExtension),
        count(session, Notification),
    ) == before


def test_a_stage_is_overdue_only_past_its_latest_extended_final_deadline(
    session: Session, org: Org
):
    from kinerja.models.cycles.cycle import past_final_deadline, stage_row

    stage = stage_row(session, org.cycle.cycle_id, "approve_targets")
    assert stage.final_due_at == FINAL
    assert not past_final_deadline(session, stage=stage, now=FINAL - days(1))
    extend(session, org, task_by(session, "approve_targets", A), 4, START + days(1))
    # Past the stage's own final deadline, but A's extended one is still ahead: not overdue.
    assert not past_final_deadline(session, stage=stage, now=FINAL + days(2))
    assert past_final_deadline(session, stage=stage, now=FINAL + days(4.5))
