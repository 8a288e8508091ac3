"""A batch of answers through the one response service: each answer is applied or refused on
its own, exactly as if it came alone, with one audit event per applied answer; a batch and
the same answers one by one leave the same cycle behind. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.humantasks.opening import NewTask
from kinerja.models.humantasks.states import Actor, AlreadyClosed, NotAllowed, TaskError
from kinerja.models.responses.service import Answer, Outcome, respond, respond_many
from kinerja.models.store.tables import AuditEvent, Feedback, HumanTask, Measurement, Result
from kinerja.tests.models.orgfixture import (
    CYCLE_ID,
    START,
    STRANGER,
    A,
    B,
    M,
    Org,
    approvals,
    audit_actions,
    build_org,
    days,
    notifications,
    open_with_tasks,
    target_statuses,
    task_by,
)

T1 = START + days(2)


@pytest.fixture
def org(session: Session) -> Org:
    org = build_org(session)
    open_with_tasks(session, org=org, stage="approve_targets", tasks=approvals(), now=START)
    session.commit()
    return org


def batch(session: Session, answers: list[tuple[HumanTask, str, dict[str, Any]]]) -> list:
    out = respond_many(
        session, [Answer(task.id, Actor(nip), data) for task, nip, data in answers], now=T1
    )
    session.commit()
    return out


def test_a_batch_applies_the_good_answers_and_refuses_the_bad_ones_alone(
    session: Session, org: Org
):
    a, b = task_by(session, "approve_targets", A), task_by(session, "approve_targets", B)
    out = batch(
        session,
        [
            (a, STRANGER, {"decision": "approve"}),  # not theirs
            (b, M, {"decision": "approve"}),
            (a, M, {"decision": "maybe"}),  # bad input
        ],
    )
    assert isinstance(out[0], NotAllowed) and isinstance(out[2], TaskError)
    assert isinstance(out[1], Outcome) and out[1].recorded and out[1].state == "done"
    assert not out[1].stage_complete  # A's approval is still open
    session.expire_all()
    assert (task_by(session, "approve_targets", A).state, target_statuses(session, A)) == (
        "open",
        ["proposed", "proposed"],
    )
    assert target_statuses(session, B) == ["approved", "approved"]
    assert audit_actions(session) == ["task.respond"]


def test_the_same_task_twice_in_a_batch_is_one_answer_or_a_refusal(session: Session, org: Org):
    a, b = task_by(session, "approve_targets", A), task_by(session, "approve_targets", B)
    out = batch(
        session,
        [
            (a, M, {"decision": "approve"}),
            (b, M, {"decision": "approve"}),
            (a, M, {"decision": "approve"}),  # a repeat: recorded once
            (b, M, {"decision": "return", "comment": "lagi"}),  # another answer: refused
        ],
    )
    assert [o.recorded for o in out[:3]] == [True, True, False]
    assert out[1].stage_complete and out[0].stage_complete
    assert isinstance(out[3], AlreadyClosed)
    assert audit_actions(session) == ["task.respond", "task.respond"]
    assert session.scalar(select(HumanTask).where(HumanTask.kind == "revise_targets")) is None


def test_a_refused_review_in_a_batch_gives_its_task_back(session: Session, org: Org):
    open_with_tasks(
        session,
        org=org,
        stage="review",
        tasks=[NewTask("review", A, M, {}), NewTask("review", B, M, {})],
        now=START,
    )
    session.commit()
    ra, rb = task_by(session, "review", A), task_by(session, "review", B)
    out = batch(
        session,
        [
            (ra, M, {"hasil_kerja": "di_atas", "perilaku": "sesuai"}),  # no reason given
            (rb, M, {"hasil_kerja": "di_atas", "perilaku": "sesuai", "comment": "lebih"}),
        ],
    )
    assert isinstance(out[0], TaskError) and "reason" in str(out[0])
    assert isinstance(out[1], Outcome) and out[1].recorded
    session.expire_all()
    assert task_by(session, "review", A).state == "open"  # the claim was given back
    assert session.get(Result, (CYCLE_ID, A)).hasil_kerja is None
    assert session.get(Result, (CYCLE_ID, B)).hasil_kerja == "di_atas"
    # The refused answer, sent again with a reason, is applied.
    again = respond(
        session,
        task_id=ra.id,
        actor=Actor(M),
        data={"hasil_kerja": "di_atas", "perilaku": "sesuai", "comment": "lebih"},
        now=T1,
    )
    assert again.recorded and again.stage_complete


def _feedback_and_reports(session: Session, org: Org) -> None:
    open_with_tasks(
        session,
        org=org,
        stage="feedback",
        tasks=[NewTask("write_feedback", A, M, {}), NewTask("write_feedback", B, M, {})],
        now=START,
    )
    open_with_tasks(
        session,
        org=org,
        stage="collect_metrics",
        tasks=[NewTask("report_realisation", A, A, {}), NewTask("report_realisation", B, B, {})],
        now=START,
    )
    session.commit()


def _answers(session: Session) -> list[tuple[HumanTask, str, dict[str, Any]]]:
    return [
        (task_by(session, "write_feedback", A), M, {"text": "Bagus / good"}),
        (task_by(session, "report_realisation", A), A, {"values": {"A-1-T1": 90}}),
        (task_by(session, "write_feedback", B), M, {"text": "Lanjutkan / go on"}),
        (task_by(session, "report_realisation", B), B, {"values": {"B-1-T2": 70.5}}),
    ]


def _state(session: Session) -> dict[str, Any]:
    session.expire_all()
    tasks = session.scalars(select(HumanTask).order_by(HumanTask.kind, HumanTask.subject_nip))
    return {
        "tasks": [(t.kind, t.subject_nip, t.state, t.closed_by, t.payload) for t in tasks],
        "feedback": [
            (f.nip, f.manager_nip, f.text, f.written_at)
            for f in session.scalars(select(Feedback).order_by(Feedback.nip))
        ],
        "measurements": [
            (m.target_id, m.period, m.value, m.recorded_by)
            for m in session.scalars(select(Measurement).order_by(Measurement.target_id))
        ],
        "opened": sorted(  # by the answers, not by the stages' opening
            n.recipient_nip
            for n in notifications(session, kind="task_opened")
            if n.created_at == T1
        ),
        "audit": sorted(
            (e.action, e.actor, e.entity_id.isdigit()) for e in session.scalars(select(AuditEvent))
        ),
    }


@pytest.mark.parametrize("how", ["batch", "one by one"])
def test_a_batch_leaves_what_the_same_answers_one_by_one_leave(
    session: Session, org: Org, how: str
):
    _feedback_and_reports(session, org)
    answers = _answers(session)
    if how == "batch":
        assert all(isinstance(o, Outcome) and o.recorded for o in batch(session, answers))
    else:
        for task, nip, data in answers:
            respond(session, task_id=task.id, actor=Actor(nip), data=data, now=T1)
            session.commit()
    state = _state(session)
    # The acknowledgements opened with their messages, one each.
    assert [t for t in state["tasks"] if t[0] == "acknowledge_feedback"] == [
        ("acknowledge_feedback", A, "open", None, {"feedback": "Bagus / good"}),
        ("acknowledge_feedback", B, "open", None, {"feedback": "Lanjutkan / go on"}),
    ]
    assert state["measurements"] == [("A-1-T1", "2025-Q4", 90.0, A), ("B-1-T2", "2025-Q4", 70.5, B)]
    assert [a for a in state["audit"] if a[0] == "task.respond"] == [
        ("task.respond", A, True),
        ("task.respond", B, True),
        ("task.respond", M, True),
        ("task.respond", M, True),
    ]
    assert state["opened"] == [A, B]  # each employee told of their acknowledgement
