"""Human tasks: opening them idempotently, the state machine, and who may act (four eyes).

Every refusal is checked for its side effects too: a refused response changes no task,
target, result, audit event or notification, even if the caller's transaction goes on and
commits.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.audit.verify import verify
from kinerja.models.cycles.cycle import open_stage
from kinerja.models.humantasks.opening import NewTask, announce_stage, open_task_ids
from kinerja.models.humantasks.states import (
    ACTIVE,
    CLOSED,
    Actor,
    NotAllowed,
    TaskError,
    check_actor,
    check_transition,
    task_key,
)
from kinerja.models.responses.service import respond
from kinerja.models.responses.sweeper import sweep
from kinerja.models.store.tables import AuditEvent, HumanTask
from kinerja.tests.models.orgfixture import (
    CYCLE_ID,
    DEADLINE_DAYS,
    FINAL_AFTER_DAYS,
    HR,
    START,
    STRANGER,
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
    snapshot,
    target_statuses,
    task_by,
)

APPROVE = {"decision": "approve"}


@pytest.fixture
def org(session: Session) -> Org:
    org = build_org(session)
    open_with_tasks(session, org=org, stage="approve_targets", tasks=approvals(), now=START)
    session.commit()
    return org


# --- opening tasks --------------------------------------------------------------------------------


def test_open_tasks_opens_each_task_once_with_one_digest_for_the_manager(session: Session):
    org = build_org(session)
    first = open_with_tasks(session, org=org, stage="approve_targets", tasks=approvals(), now=START)
    session.commit()
    assert sorted((t.kind, t.subject_nip, t.assignee_nip) for t in first) == [
        ("approve_targets", A, M),
        ("approve_targets", B, M),
    ]
    assert all(t.state == "open" and t.round == 1 for t in first)
    ids = sorted(t.id for t in first)
    # M approves both: one message listing both tasks, not one per task.
    expected = Counter({(message_key("task_opened", M, ids), M): 1})
    assert sent(session, "task_opened") == expected
    (message,) = notifications(session)
    assert check_message(session, message) == ids
    assert "2 pegawai" in message.body  # M reads Bahasa Indonesia

    # The same tasks again, at the same moment and later: nothing new, no second message.
    for when in (START, START + days(1)):
        again = open_with_tasks(
            session, org=org, stage="approve_targets", tasks=approvals(), now=when
        )
        session.commit()
        assert again == []
    assert count(session, HumanTask) == 2
    assert sent(session, "task_opened") == expected
    assert len(notifications(session)) == 1


def test_open_tasks_reports_only_the_new_ones_when_some_exist(session: Session):
    org = build_org(session)
    open_with_tasks(session, org=org, stage="approve_targets", tasks=approvals()[:1], now=START)
    session.commit()
    a_task = task_by(session, "approve_targets", A)
    later = START + days(1)
    new = open_with_tasks(session, org=org, stage="approve_targets", tasks=approvals(), now=later)
    session.commit()
    assert [(t.subject_nip, t.opened_at) for t in new] == [(B, later)]
    assert session.get(HumanTask, a_task.id).opened_at == START  # left as it was
    b_task = task_by(session, "approve_targets", B)
    assert sent(session, "task_opened") == {
        (message_key("task_opened", M, [a_task.id]), M): 1,
        (message_key("task_opened", M, [b_task.id]), M): 1,
    }
    opened = notifications(session, kind="task_opened")
    assert [check_message(session, n) for n in opened] == [[a_task.id], [b_task.id]]


def test_open_tasks_again_at_the_same_moment_announces_each_new_task_once(session: Session):
    # A stage that opens its tasks again at the same clock (a rerun with other chunks) must
    # report and announce only the tasks it really opened: each task linked exactly once.
    org = build_org(session)
    first = open_with_tasks(session, org=org, stage="approve_targets", tasks=approvals(), now=START)
    session.commit()
    more = [*approvals(), NewTask("approve_targets", STRANGER, M, {})]
    new = open_with_tasks(session, org=org, stage="approve_targets", tasks=more, now=START)
    session.commit()
    assert count(session, HumanTask) == 3
    stranger_task = task_by(session, "approve_targets", STRANGER)
    opened = notifications(session, kind="task_opened", recipient=M)
    for message in opened:
        check_message(session, message)
    assert linked_tasks(opened) == Counter([*(t.id for t in first), stranger_task.id])
    assert [t.subject_nip for t in new] == [STRANGER]


def test_a_stage_opened_in_chunks_is_announced_once_per_person(session: Session):
    org = build_org(session)
    chunks = [
        [NewTask("approve_targets", A, M, {}), NewTask("approve_targets", M, H, {})],
        [NewTask("approve_targets", B, M, {})],
    ]
    for chunk in chunks:
        open_with_tasks(
            session, org=org, stage="approve_targets", tasks=chunk, now=START, notify=False
        )
        session.commit()
    assert notifications(session) == []
    a, m, b = (task_by(session, "approve_targets", s).id for s in (A, M, B))

    def announce(now: datetime) -> int:
        queued = announce_stage(
            session, cycle=org.cycle, config=org.config, stage="approve_targets", now=now
        )
        session.commit()
        return queued

    assert announce(START) == 2
    expected = {
        (message_key("task_opened", M, [a, b]), M): 1,  # across both chunks
        (message_key("task_opened", H, [m]), H): 1,
    }
    assert sent(session, "task_opened") == expected
    opened = notifications(session, kind="task_opened")
    assert sorted(check_message(session, n) for n in opened) == sorted([[a, b], [m]])
    assert linked_tasks(opened) == Counter([a, b, m])
    assert announce(START) == 0 and announce(START + days(1)) == 0
    assert sent(session, "task_opened") == expected


def test_a_stage_opener_gets_the_ids_of_exactly_the_tasks_it_opened(session: Session):
    # open_task_ids (the stage steps' opener) reads ids, not tasks: the same tasks, with the
    # same rows, as open_tasks would give; a rerun with one more task gives only that one.
    org = build_org(session)
    row = open_stage(session, cycle=org.cycle, stage="approve_targets", now=START)
    session.flush()
    assert row.due_at is not None and row.final_due_at is not None

    def open_ids(tasks: list[NewTask]) -> list[int]:
        ids = open_task_ids(
            session,
            cycle=org.cycle,
            stage_due_at=row.due_at,
            stage_final_due_at=row.final_due_at,
            tasks=tasks,
            now=START,
        )
        session.commit()
        return ids

    first = open_ids(approvals())
    assert first == sorted(task_by(session, "approve_targets", s).id for s in (A, B))
    assert notifications(session) == []  # announced by the stage, not here
    more = open_ids([*approvals(), NewTask("approve_targets", STRANGER, M, {})])
    assert more == [task_by(session, "approve_targets", STRANGER).id]
    assert open_ids(approvals()) == []
    assert count(session, HumanTask) == 3


def test_opened_task_carries_key_deadlines_and_the_recipients_language(session: Session):
    org = build_org(session)
    open_with_tasks(
        session,
        org=org,
        stage="plan",
        tasks=[NewTask("propose_targets", A, A, {}), NewTask("propose_targets", B, B, {})],
        now=START,
    )
    session.commit()
    task = task_by(session, "propose_targets", A)
    assert task.task_key == task_key(CYCLE_ID, "propose_targets", A, 1)
    assert task.stage == "plan"
    assert task.due_at == START + days(DEADLINE_DAYS)
    assert task.final_due_at == START + days(DEADLINE_DAYS + FINAL_AFTER_DAYS)
    by_recipient = {n.recipient_nip: n for n in notifications(session, kind="task_opened")}
    assert by_recipient[A].lang == "id" and by_recipient[B].lang == "en"
    assert f"/t/{task.id}." in by_recipient[A].link
    assert "Agus" in by_recipient[A].body


def test_a_task_opened_late_still_gets_a_day_to_answer(session: Session):
    org = build_org(session)
    late = START + days(DEADLINE_DAYS + 3)  # after the stage's own due date
    open_with_tasks(session, org=org, stage="approve_targets", tasks=[], now=START)
    open_with_tasks(session, org=org, stage="approve_targets", tasks=approvals()[:1], now=late)
    task = task_by(session, "approve_targets", A)
    assert task.due_at == late + days(1)
    assert task.final_due_at > task.due_at


# --- the state machine ----------------------------------------------------------------------------


@pytest.mark.parametrize("state", ACTIVE)
def test_active_states_allow_every_transition(state: str):
    task = HumanTask(id=1, state=state)
    assert check_transition(task, "respond") == "done"
    assert check_transition(task, "return") == "returned"
    assert check_transition(task, "escalate") == "escalated"
    assert check_transition(task, "expire") == "expired"
    assert check_transition(task, "cancel") == "cancelled"


@pytest.mark.parametrize("state", CLOSED)
@pytest.mark.parametrize("transition", ["respond", "return", "escalate", "expire", "cancel"])
def test_closed_states_allow_no_transition(state: str, transition: str):
    with pytest.raises(TaskError, match=f"task 7 is {state}"):
        check_transition(HumanTask(id=7, state=state), transition)


# --- who may act ----------------------------------------------------------------------------------


def _refused(session: Session, *, task_id: int, actor: Actor, error: type, match: str) -> None:
    """``actor`` is refused, and nothing changes even when the transaction commits."""
    before = snapshot(session)
    with pytest.raises(error, match=match):
        respond(session, task_id=task_id, actor=actor, data=APPROVE, now=START + days(2))
    assert snapshot(session) == before
    session.commit()
    session.expire_all()
    assert snapshot(session) == before


def test_the_assignee_may_respond(session: Session, org: Org):
    task = task_by(session, "approve_targets", A)
    outcome = respond(session, task_id=task.id, actor=Actor(M), data=APPROVE, now=START + days(2))
    session.commit()
    assert outcome.recorded and outcome.state == "done"
    assert task.response["role"] == "assignee" and task.closed_by == M
    assert target_statuses(session, A) == ["approved", "approved"]
    assert target_statuses(session, B) == ["proposed", "proposed"]


@pytest.mark.parametrize("who", [STRANGER, H, B])
def test_a_stranger_is_refused_and_nothing_changes(session: Session, org: Org, who: str):
    # H is M's manager, B a colleague: neither is the assignee, a delegate or escalated to.
    task = task_by(session, "approve_targets", A)
    _refused(
        session, task_id=task.id, actor=Actor(who), error=NotAllowed, match="not allowed to act"
    )
    assert task.state == "open"


def test_the_subject_may_never_approve_their_own_targets(session: Session, org: Org):
    task = task_by(session, "approve_targets", A)
    _refused(session, task_id=task.id, actor=Actor(A), error=NotAllowed, match="their own work")


def test_the_subject_may_not_act_even_as_the_coordinator_with_a_reason(session: Session, org: Org):
    open_with_tasks(
        session,
        org=org,
        stage="approve_targets",
        tasks=[NewTask("approve_targets", HR, H, {})],
        now=START,
    )
    session.commit()
    task = task_by(session, "approve_targets", HR)
    _refused(
        session,
        task_id=task.id,
        actor=Actor(HR, reason="saya koordinator"),
        error=NotAllowed,
        match="their own work",
    )
    # Four eyes holds for reviews too, whoever the assignee is.
    open_with_tasks(
        session, org=org, stage="review", tasks=[NewTask("review", HR, HR, {})], now=START
    )
    session.commit()
    review = task_by(session, "review", HR)
    with pytest.raises(NotAllowed, match="their own work"):
        check_actor(review, Actor(HR, reason="x"), coordinator_nip=HR)


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_the_coordinator_needs_a_written_reason(session: Session, org: Org, reason: str | None):
    task = task_by(session, "approve_targets", A)
    _refused(
        session,
        task_id=task.id,
        actor=Actor(HR, reason=reason),
        error=NotAllowed,
        match="must give a reason",
    )


def test_the_coordinator_with_a_reason_may_act_and_the_reason_is_audited(
    session: Session, org: Org
):
    task = task_by(session, "approve_targets", A)
    reason = "atasan cuti panjang / manager on long leave"
    respond(session, task_id=task.id, actor=Actor(HR, reason), data=APPROVE, now=START + days(2))
    session.commit()
    assert task.state == "done" and task.closed_by == HR and task.close_reason == reason
    assert task.response["role"] == "coordinator"
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "task.respond")).one()
    assert event.actor == HR and event.payload["reason"] == reason
    assert event.payload["role"] == "coordinator"
    assert verify(session).ok


def test_a_delegate_may_act(session: Session, org: Org):
    task = task_by(session, "approve_targets", A)
    task.delegate_nip = H  # delegation is recorded on the task row
    session.commit()
    outcome = respond(session, task_id=task.id, actor=Actor(H), data=APPROVE, now=START + days(2))
    session.commit()
    assert outcome.recorded and task.response["role"] == "delegate" and task.closed_by == H
    assert target_statuses(session, A) == ["approved", "approved"]


def test_whoever_the_task_was_escalated_to_may_act(session: Session, org: Org):
    task = task_by(session, "approve_targets", A)
    # One day after the due date the sweeper escalates to the assignee's manager (H).
    sweep(session, cycle=org.cycle, now=task.due_at + days(1))
    session.commit()
    assert task.state == "escalated" and task.escalated_to == H
    later = task.due_at + days(1.5)
    outcome = respond(session, task_id=task.id, actor=Actor(H), data=APPROVE, now=later)
    session.commit()
    assert outcome.recorded and outcome.state == "done"
    assert task.response["role"] == "escalation"
    # The assignee may still answer their own (escalated) task: here B's.
    other = task_by(session, "approve_targets", B)
    assert other.state == "escalated"
    assert respond(session, task_id=other.id, actor=Actor(M), data=APPROVE, now=later).recorded


def test_a_delegate_or_escalation_never_lets_the_subject_act(session: Session, org: Org):
    task = task_by(session, "approve_targets", A)
    task.delegate_nip = A
    task.escalated_to = A
    session.commit()
    _refused(session, task_id=task.id, actor=Actor(A), error=NotAllowed, match="their own work")


def test_an_unknown_task_is_a_task_error(session: Session, org: Org):
    with pytest.raises(TaskError, match="unknown task"):
        respond(session, task_id=999_999, actor=Actor(M), data=APPROVE, now=START)
