"""Bulk actions per unit: remind a unit, extend a unit; each item reports its result.

orgfixture's tree: ROOT (H, X) above SEC (M, A, B). M (in SEC) approves A's and B's targets;
H (in ROOT) approves M's. A unit's tasks are those its people must act on.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from kinerja.models.humantasks.admin import run_action
from kinerja.models.humantasks.opening import NewTask
from kinerja.models.humantasks.states import Actor
from kinerja.models.responses.service import respond
from kinerja.models.schemas.itemresult import any_refused
from kinerja.models.schemas.requests import TaskAction
from kinerja.models.store.tables import Notification, TaskExtension
from kinerja.tests.models.orgfixture import (
    CYCLE_ID,
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
    notifications,
    open_with_tasks,
    snapshot,
    task_by,
)


@pytest.fixture
def org(session: Session) -> Org:
    org = build_org(session)
    tasks = [*approvals(), NewTask("approve_targets", M, H, {"targets": 0})]
    open_with_tasks(session, org=org, stage="approve_targets", tasks=tasks, now=START)
    session.commit()
    return org


def act(session: Session, org: Org, **request):
    items = run_action(session, request=request, clock=org.clock)
    session.commit()
    return [(i.task_id, i.person, i.result) for i in items]


def ids(session: Session) -> tuple[int, int, int]:
    a, b, m = (task_by(session, "approve_targets", s).id for s in (A, B, M))
    return a, b, m


def test_remind_a_unit_once_a_day_with_a_result_per_task(session: Session, org: Org):
    a, b, m = ids(session)
    org.clock.set(START + days(2))
    assert act(session, org, action="remind", unit="SEC") == [
        (a, M, f"ok: reminded {M}"),
        (b, M, f"ok: reminded {M}"),
    ]
    messages = notifications(session, kind="task_reminder")
    assert [check_message(session, n) for n in messages] == [[a], [b]]  # one per task
    assert {n.key.rsplit(":", 1)[1] for n in messages} == {"20250108"}
    org.clock.set(START + days(2) + days(0.4))  # later the same day
    assert act(session, org, action="remind", unit="ROOT", with_subunits=True) == [
        (a, M, "skipped: already reminded today"),
        (b, M, "skipped: already reminded today"),
        (m, H, f"ok: reminded {H}"),
    ]
    respond(session, task_id=a, actor=Actor(M), data={"decision": "approve"}, now=org.clock.now())
    session.commit()
    org.clock.set(START + days(3))
    assert act(session, org, action="remind", unit="SEC") == [
        (a, M, "skipped: closed"),
        (b, M, f"ok: reminded {M}"),
    ]
    assert len(notifications(session, kind="task_reminder")) == 4
    # Only the units asked for: ROOT alone is H's approval of M's targets.
    assert [i for i, _, _ in act(session, org, action="remind", unit="ROOT")] == [m]


def test_a_reminder_goes_to_whoever_acts_now(session: Session, org: Org):
    a, b, _ = ids(session)
    org.clock.set(START + days(1))
    act(
        session,
        org,
        action="delegate",
        nip=M,
        delegate=STRANGER,
        starts_on=date(2025, 1, 7),
        ends_on=date(2025, 1, 9),
        reason="dinas luar",
    )
    assert act(session, org, action="remind", unit="SEC") == [
        (a, M, f"ok: reminded {STRANGER}"),
        (b, M, f"ok: reminded {STRANGER}"),
    ]


def test_extend_a_unit_with_subunits_and_one_stage(session: Session, org: Org):
    a, b, m = ids(session)
    org.clock.set(START + days(1))
    respond(session, task_id=b, actor=Actor(M), data={"decision": "approve"}, now=START)
    session.commit()
    rows = act(
        session,
        org,
        action="extend",
        unit="ROOT",
        with_subunits=True,
        stage="approve_targets",
        days=5,
        reason="libur nasional",
    )
    assert rows == [
        (a, M, "ok: due 2025-01-25"),
        (b, M, "skipped: closed"),
        (m, H, "ok: due 2025-01-25"),
    ]
    assert count(session, TaskExtension) == 2
    assert act(session, org, action="extend", unit="SEC", stage="review", days=5, reason="x") == []


@pytest.mark.parametrize(
    "request_,message",
    [
        ({"action": "remind", "unit": "NOPE"}, "unknown unit: NOPE"),
        ({"action": "remind", "unit": "SEC", "stage": "nope"}, "unknown stage: nope"),
        ({"action": "remind"}, "remind needs unit"),
        ({"action": "extend", "unit": "SEC", "reason": "x"}, "extend needs days"),
        ({"action": "extend", "unit": "SEC", "days": -1, "reason": "x"}, "greater than 0"),
        ({"action": "extend", "unit": "SEC", "task_id": 1, "days": 1, "reason": "x"}, "not both"),
        ({"action": "extend", "task_id": 999, "days": 1, "reason": "x"}, "unknown task: 999"),
        ({"action": "remind", "unit": "SEC", "by": M}, "only the HR coordinator"),
        ({"action": "remind", "unit": "SEC", "cycle": "x"}, "unknown cycle: x"),
        ({"action": "delegate", "nip": M, "delegate": A}, "delegate needs starts_on"),
        ({"action": "pause", "unit": "SEC"}, "action: Input should be"),
    ],
)
def test_a_request_refused_as_a_whole_changes_nothing(session, org, request_, message):
    before = (snapshot(session), count(session, Notification), count(session, TaskExtension))
    items = run_action(session, request=request_, clock=org.clock)
    session.commit()
    assert len(items) == 1 and items[0].outcome == "refused" and any_refused(items)
    assert message in items[0].detail
    assert (snapshot(session), count(session, Notification), count(session, TaskExtension)) == (
        before
    )


def test_the_typed_request_is_the_same_for_every_door(session: Session, org: Org):
    request = TaskAction(action="extend", unit="SEC", days=1, reason="x", cycle=CYCLE_ID)
    assert [r.outcome for r in run_action(session, request=request, clock=org.clock)] == [
        "ok",
        "ok",
    ]
    assert request.by is None  # the cycle's HR coordinator acts
    session.commit()
    assert {e.by_nip for e in session.query(TaskExtension)} == {HR}
