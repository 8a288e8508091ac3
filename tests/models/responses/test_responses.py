"""The response service: idempotent answers, refused bad input, and each task kind's effects.

Covers the return loop (approve -> return -> revise -> approve round 2), reviews (the
proposal is kept, behaviour values give the rating perilaku), feedback and its
acknowledgement, and realisation reports, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.audit.verify import verify
from kinerja.models.humantasks.opening import NewTask
from kinerja.models.humantasks.states import Actor, NotAllowed, TaskError
from kinerja.models.responses.service import respond
from kinerja.models.responses.sweeper import sweep
from kinerja.models.store.tables import AuditEvent, Feedback, HumanTask, Measurement, Result, Target
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
    audit_actions,
    build_org,
    check_message,
    count,
    days,
    notifications,
    open_with_tasks,
    snapshot,
    target_statuses,
    task_by,
)

T1 = START + days(2)
T2 = START + days(3)
T3 = START + days(4)
VALUES = (
    "berorientasi_pelayanan",
    "akuntabel",
    "kompeten",
    "harmonis",
    "loyal",
    "adaptif",
    "kolaboratif",
)


@pytest.fixture
def org(session: Session) -> Org:
    org = build_org(session)
    open_with_tasks(session, org=org, stage="approve_targets", tasks=approvals(), now=START)
    session.commit()
    return org


def answer(session: Session, task: HumanTask, nip: str, data: dict[str, Any], now: datetime):
    outcome = respond(session, task_id=task.id, actor=Actor(nip), data=data, now=now)
    session.commit()
    return outcome


def refused(
    session: Session, task: HumanTask, nip: str, data: dict[str, Any], *, match: str
) -> TaskError:
    """The answer is refused with a TaskError matching ``match``; nothing changes, even if
    the caller's transaction goes on and commits."""
    before = snapshot(session)
    with pytest.raises(TaskError, match=match) as info:
        respond(session, task_id=task.id, actor=Actor(nip), data=data, now=T2)
    assert snapshot(session) == before
    session.commit()
    session.expire_all()
    assert snapshot(session) == before
    return info.value


# --- idempotency ----------------------------------------------------------------------------------


def test_the_same_response_twice_is_recorded_once(session: Session, org: Org):
    task = task_by(session, "approve_targets", A)
    first = answer(session, task, M, {"decision": "approve", "comment": "ok"}, T1)
    assert first.recorded and first.state == "done" and first.stage == "approve_targets"
    before = snapshot(session)
    second = answer(session, task, M, {"comment": "ok", "decision": "approve"}, T2)
    assert not second.recorded and second.state == "done"
    assert snapshot(session) == before
    assert audit_actions(session) == ["task.respond"]
    assert task.closed_at == T1  # the first answer's time stands


def test_a_different_second_response_to_a_closed_task_is_refused(session: Session, org: Org):
    task = task_by(session, "approve_targets", A)
    answer(session, task, M, {"decision": "approve"}, T1)
    refused(
        session,
        task,
        M,
        {"decision": "return", "comment": "indikator belum terukur"},
        match="already answered differently",
    )
    refused(session, task, M, {"decision": "approve", "comment": "x"}, match="answered differently")
    assert target_statuses(session, A) == ["approved", "approved"]
    assert audit_actions(session) == ["task.respond"]


def test_a_returned_task_repeats_idempotently(session: Session, org: Org):
    task = task_by(session, "approve_targets", A)
    data = {"decision": "return", "comment": "perbaiki target 2"}
    assert answer(session, task, M, data, T1).recorded
    assert not answer(session, task, M, data, T2).recorded
    assert count(session, HumanTask) == 3  # A's and B's approvals, A's one revision
    assert audit_actions(session) == ["task.return"]


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"decision": "return"}, "comment"),
        ({"decision": "return", "comment": ""}, "comment"),
        ({"decision": "maybe"}, "decision"),
        ({}, "decision"),
        ({"decision": "approve", "note": "x"}, "note"),
    ],
)
def test_bad_approval_input_is_refused_naming_the_field(
    session: Session, org: Org, data: dict[str, Any], field: str
):
    task = task_by(session, "approve_targets", A)
    error = refused(session, task, M, data, match="invalid response")
    assert field in str(error)
    assert task.state == "open"
    assert target_statuses(session, A) == ["proposed", "proposed"]


@pytest.fixture
def review(session: Session, org: Org) -> HumanTask:
    open_with_tasks(
        session,
        org=org,
        stage="review",
        tasks=[NewTask("review", A, M, {"proposed_hasil_kerja": "sesuai"})],
        now=START,
    )
    session.commit()
    return task_by(session, "review", A)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"hasil_kerja": "luar_biasa"}, "hasil_kerja"),
        ({"perilaku": "baik"}, "perilaku"),
        ({"perilaku_values": {"akuntabel": "top"}}, "perilaku_values.akuntabel"),
    ],
)
def test_an_unknown_rating_is_refused_naming_the_field(
    session: Session, review: HumanTask, data: dict[str, Any], field: str
):
    error = refused(session, review, M, data, match="invalid response")
    assert field in str(error)
    assert session.get(Result, (CYCLE_ID, A)).hasil_kerja is None


def test_an_unknown_behaviour_value_is_refused_as_bad_input(session: Session, review: HumanTask):
    # "jujur" is not a BerAKHLAK value of the pack: the person gets a clear refusal (a
    # TaskError the CLI and portal show), not a crash.
    data = {"perilaku_values": {v: "sesuai" for v in VALUES} | {"jujur": "di_atas"}}
    error = refused(session, review, M, data, match="jujur")
    assert "unknown behaviour value" in str(error)


def test_behaviour_values_must_all_be_rated(session: Session, review: HumanTask):
    refused(session, review, M, {"perilaku_values": {"akuntabel": "di_atas"}}, match="kompeten")


def test_a_response_to_an_expired_task_is_refused(session: Session, org: Org):
    task = task_by(session, "approve_targets", A)
    sweep(session, cycle=org.cycle, now=task.final_due_at)
    session.commit()
    assert task.state == "expired"
    refused(session, task, M, {"decision": "approve"}, match="task .* is expired")


# --- the return loop ------------------------------------------------------------------------------


def test_return_revise_and_approve_in_round_two(session: Session, org: Org):
    approval = task_by(session, "approve_targets", A)
    comment = "Indikator kedua belum terukur"
    out = answer(session, approval, M, {"decision": "return", "comment": comment}, T1)
    assert out.recorded and out.state == "returned" and not out.stage_complete
    assert approval.state == "returned" and approval.closed_by == M
    assert target_statuses(session, A) == ["returned", "returned"]
    assert target_statuses(session, B) == ["proposed", "proposed"]

    revision = task_by(session, "revise_targets", A)
    assert (revision.state, revision.assignee_nip, revision.stage) == ("open", A, "approve_targets")
    assert revision.payload["comment"] == comment
    (returned,) = notifications(session, kind="task_returned")
    assert (returned.recipient_nip, returned.task_id) == (A, revision.id)
    assert check_message(session, returned) == [revision.id]
    assert comment in returned.body

    out = answer(session, revision, A, {"comment": "sudah diperbaiki"}, T2)
    assert out.recorded and revision.state == "done"
    assert target_statuses(session, A) == ["proposed", "proposed"]
    round2 = task_by(session, "approve_targets", A, round_=2)
    assert (round2.state, round2.assignee_nip, round2.payload) == ("open", M, {"resubmitted": True})
    opened_for_m = notifications(session, kind="task_opened", recipient=M)
    # The first announcement was the digest of A's and B's approvals; round two its own.
    assert [check_message(session, n) for n in opened_for_m] == [
        [approval.id, task_by(session, "approve_targets", B).id],
        [round2.id],
    ]

    out = answer(session, round2, M, {"decision": "approve"}, T3)
    assert out.recorded and round2.state == "done" and not out.stage_complete
    assert target_statuses(session, A) == ["approved", "approved"]
    out = answer(session, task_by(session, "approve_targets", B), M, {"decision": "approve"}, T3)
    assert out.stage_complete
    assert target_statuses(session, B) == ["approved", "approved"]
    assert audit_actions(session) == ["task.return", "task.respond"] + ["task.respond"] * 2
    assert verify(session).ok


def test_a_second_return_opens_a_second_revision(session: Session, org: Org):
    first = task_by(session, "approve_targets", A)
    answer(session, first, M, {"decision": "return", "comment": "satu"}, T1)
    answer(session, task_by(session, "revise_targets", A), A, {}, T2)
    second = task_by(session, "approve_targets", A, round_=2)
    answer(session, second, M, {"decision": "return", "target_comments": {"A-1-T2": "dua"}}, T3)
    revision2 = task_by(session, "revise_targets", A, round_=2)
    assert revision2.state == "open" and revision2.payload["target_comments"] == {"A-1-T2": "dua"}
    answer(session, revision2, A, {}, T3 + days(1))
    assert task_by(session, "approve_targets", A, round_=3).assignee_nip == M


def test_the_manager_may_not_revise_for_the_employee(session: Session, org: Org):
    approval = task_by(session, "approve_targets", A)
    answer(session, approval, M, {"decision": "return", "comment": "perbaiki"}, T1)
    revision = task_by(session, "revise_targets", A)
    before = snapshot(session)
    with pytest.raises(NotAllowed):
        respond(session, task_id=revision.id, actor=Actor(M), data={}, now=T2)
    assert snapshot(session) == before


def _proposal(target_id: str | None = None, weight: float | None = None) -> dict[str, Any]:
    return {
        "target_id": target_id,
        "serves": "G-1",
        "statement": "Dokumen layanan terselesaikan",
        "indicator": "Jumlah dokumen",
        "aspect": "kuantitas",
        "target": 120,
        "unit_of_measure": "dokumen",
        "weight": weight,
    }


def test_revising_with_new_targets_without_weights_under_the_asn_pack(session: Session, org: Org):
    # The ASN pack uses no weights (use_weights: false): targets without weights are valid.
    answer(
        session,
        task_by(session, "approve_targets", A),
        M,
        {"decision": "return", "comment": "x"},
        T1,
    )
    revision = task_by(session, "revise_targets", A)
    out = answer(session, revision, A, {"targets": [_proposal("A-1-T1"), _proposal()]}, T2)
    assert out.recorded
    rows = session.scalars(select(Target).where(Target.nip == A).order_by(Target.target_id)).all()
    assert [(t.target_id, t.status, t.target_value) for t in rows] == [
        ("A-1-2", "proposed", 120.0),
        ("A-1-T1", "proposed", 120.0),
        ("A-1-T2", "withdrawn", 100.0),
    ]


@pytest.mark.parametrize("weight", [0, 150, -5])
def test_a_weight_outside_the_packs_bounds_is_refused(session: Session, org: Org, weight):
    # The same bounds as targets.csv: above weight_above, at most weight_at_most (asn: 0, 100).
    answer(
        session,
        task_by(session, "approve_targets", A),
        M,
        {"decision": "return", "comment": "x"},
        T1,
    )
    revision = task_by(session, "revise_targets", A)
    proposal = {"targets": [_proposal("A-1-T1", weight=weight)]}
    assert "at most 100" in str(refused(session, revision, A, proposal, match="weight"))


def test_revising_with_someone_elses_target_changes_nothing(session: Session, org: Org):
    answer(
        session,
        task_by(session, "approve_targets", A),
        M,
        {"decision": "return", "comment": "x"},
        T1,
    )
    revision = task_by(session, "revise_targets", A)
    refused(
        session, revision, A, {"targets": [_proposal("B-1-T1", weight=100)]}, match="someone else"
    )
    assert target_statuses(session, A) == ["returned", "returned"]
    assert target_statuses(session, B) == ["proposed", "proposed"]


# --- review ---------------------------------------------------------------------------------------


def test_review_keeps_the_proposal_when_hasil_kerja_is_omitted(session: Session, review: HumanTask):
    out = answer(session, review, M, {"perilaku": "di_atas", "comment": "baik"}, T1)
    assert out.recorded and out.stage_complete
    result = session.get(Result, (CYCLE_ID, A))
    assert (result.hasil_kerja, result.perilaku, result.review_comment) == (
        "sesuai",
        "di_atas",
        "baik",
    )
    assert result.rater_nip == M


def test_review_hasil_kerja_given_overrides_the_proposal(session: Session, review: HumanTask):
    reason = "target utama tidak tercapai / main target missed"
    answer(
        session, review, M, {"hasil_kerja": "di_bawah", "perilaku": "sesuai", "comment": reason}, T1
    )
    result = session.get(Result, (CYCLE_ID, A))
    assert (result.hasil_kerja, result.perilaku) == ("di_bawah", "sesuai")
    assert result.review_comment == reason


def test_changing_the_proposed_rating_needs_a_reason(session: Session, review: HumanTask):
    before = snapshot(session)
    for comment in (None, "  "):
        data = {"hasil_kerja": "di_bawah", "perilaku": "sesuai", "comment": comment}
        refused(session, review, M, data, match="needs a reason")
    assert snapshot(session) == before
    # Confirming the proposal needs none.
    answer(session, review, M, {"hasil_kerja": "sesuai", "perilaku": "sesuai"}, T1)
    assert session.get(Result, (CYCLE_ID, A)).hasil_kerja == "sesuai"


def test_ratings_must_be_codes_of_the_pack(session: Session, review: HumanTask):
    before = snapshot(session)
    refused(session, review, M, {"hasil_kerja": "excellent", "comment": "x"}, match="hasil_kerja")
    refused(session, review, M, {"perilaku": "5"}, match="perilaku")
    assert snapshot(session) == before


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        (["di_atas"] * 4 + ["sesuai"] * 3, "di_atas"),  # majority
        (["di_atas"] * 3 + ["sesuai"] * 3 + ["di_bawah"], "sesuai"),  # tie broken toward worse
        (["di_atas"] * 6 + ["di_bawah"], "sesuai"),  # any lowest caps at sesuai
        (["di_bawah"] * 4 + ["sesuai"] * 3, "di_bawah"),
    ],
)
def test_behaviour_values_give_the_rating_perilaku_through_the_pack_rule(
    session: Session, review: HumanTask, ratings: list[str], expected: str
):
    values = dict(zip(VALUES, ratings, strict=True))
    answer(session, review, M, {"perilaku_values": values}, T1)
    result = session.get(Result, (CYCLE_ID, A))
    assert result.perilaku == expected
    assert result.perilaku_values == values
    assert result.hasil_kerja == "sesuai"


def test_review_without_any_behaviour_rating_takes_the_pack_default(
    session: Session, review: HumanTask
):
    answer(session, review, M, {}, T1)
    assert session.get(Result, (CYCLE_ID, A)).perilaku == "sesuai"  # asn default_rating


def test_a_delegate_rates_on_behalf_of_the_rater_who_stays_of_record(
    session: Session, review: HumanTask
):
    review.delegate_nip = H
    session.commit()
    answer(
        session,
        review,
        H,
        {
            "hasil_kerja": "di_atas",
            "perilaku": "di_atas",
            "comment": "melampaui target / above target",
        },
        T1,
    )
    # The appeal goes to M's superior and A stays in M's group; the audit says who acted.
    assert session.get(Result, (CYCLE_ID, A)).rater_nip == M
    event = session.scalars(select(AuditEvent)).one()
    assert event.actor == H and event.payload["role"] == "delegate"


def test_the_employee_may_not_rate_themselves(session: Session, review: HumanTask):
    before = snapshot(session)
    with pytest.raises(NotAllowed, match="their own work"):
        respond(session, task_id=review.id, actor=Actor(A), data={"perilaku": "di_atas"}, now=T1)
    assert snapshot(session) == before


# --- feedback -------------------------------------------------------------------------------------


def test_feedback_is_written_then_acknowledged(session: Session, org: Org):
    open_with_tasks(
        session,
        org=org,
        stage="feedback",
        tasks=[NewTask("write_feedback", A, M, {})],
        now=START,
    )
    session.commit()
    write = task_by(session, "write_feedback", A)
    text = "Pertahankan kualitas layanan / keep up the service quality"
    out = answer(session, write, M, {"text": text}, T1)
    assert out.recorded and not out.stage_complete  # the acknowledgement is still open
    feedback = session.get(Feedback, (CYCLE_ID, A))
    assert (feedback.manager_nip, feedback.text, feedback.written_at) == (M, text, T1)
    assert feedback.acknowledged_at is None

    ack = task_by(session, "acknowledge_feedback", A)
    assert (ack.state, ack.assignee_nip, ack.stage, ack.payload) == (
        "open",
        A,
        "feedback",
        {"feedback": text},
    )
    opened_for_a = notifications(session, kind="task_opened", recipient=A)
    assert [check_message(session, n) for n in opened_for_a] == [[ack.id]]

    with pytest.raises(NotAllowed):  # only the employee acknowledges
        respond(session, task_id=ack.id, actor=Actor(M), data={}, now=T2)
    session.rollback()
    out = answer(session, ack, A, {}, T2)
    assert out.recorded and out.stage_complete
    assert session.get(Feedback, (CYCLE_ID, A)).acknowledged_at == T2


def test_feedback_text_may_not_be_empty(session: Session, org: Org):
    open_with_tasks(
        session, org=org, stage="feedback", tasks=[NewTask("write_feedback", A, M, {})], now=START
    )
    session.commit()
    error = refused(session, task_by(session, "write_feedback", A), M, {"text": ""}, match="text")
    assert "invalid response" in str(error)
    assert count(session, Feedback) == 0


# --- realisation ----------------------------------------------------------------------------------


def test_realisation_is_recorded_for_own_targets_only(session: Session, org: Org):
    open_with_tasks(
        session,
        org=org,
        stage="collect_metrics",
        tasks=[NewTask("report_realisation", A, A, {})],
        now=START,
    )
    session.commit()
    task = task_by(session, "report_realisation", A)
    refused(session, task, A, {"values": {"A-1-T1": 90, "B-1-T1": 50}}, match="B-1-T1")
    assert count(session, Measurement) == 0
    answer(session, task, A, {"values": {"A-1-T1": 90, "A-1-T2": 105}, "evidence": "lap.pdf"}, T1)
    rows = session.scalars(select(Measurement).order_by(Measurement.target_id)).all()
    assert [(m.target_id, m.period, m.value, m.evidence) for m in rows] == [
        # under the cycle's last evaluation period (quarterly here), where an imported
        # value for that quarter would meet it (models/cycles/measurements.py)
        ("A-1-T1", "2025-Q4", 90.0, "lap.pdf"),
        ("A-1-T2", "2025-Q4", 105.0, "lap.pdf"),
    ]


def test_a_late_answer_is_marked_late(session: Session, org: Org):
    task = task_by(session, "approve_targets", A)
    on_time = task_by(session, "approve_targets", B)
    answer(session, on_time, M, {"decision": "approve"}, on_time.due_at)
    answer(session, task, M, {"decision": "approve"}, task.due_at + days(0.5))
    assert task.late and not on_time.late
    assert HR not in {n.recipient_nip for n in notifications(session)}
