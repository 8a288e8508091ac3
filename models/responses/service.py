"""The one response service: how a person's answer to a human task changes the cycle.

Used by ``kinerja respond``, the portal and the simulator. A response is one database
transaction: validate the typed input, check the transition and the actor, apply the
effects, queue the messages they cause, and append an audit event. Idempotent: the same
response twice is one response; a different response to a closed task is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kinerja.models.appeals.filing import decide_appeal
from kinerja.models.audit.chain import append_event
from kinerja.models.cycles.cycle import active_task_count, cycle_config, cycle_pack
from kinerja.models.humantasks.messages import queue_task_messages
from kinerja.models.humantasks.opening import NewTask, open_tasks
from kinerja.models.humantasks.states import (
    KINDS,
    Actor,
    NotAllowed,
    TaskError,
    check_actor,
    check_transition,
)
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.schemas.inputs import (
    INPUT_FOR_KIND,
    FeedbackNote,
    RealisationReport,
    ReviewSubmission,
    TargetDecision,
    TargetProposal,
    validation_problems,
)
from kinerja.models.store.tables import (
    Cycle,
    CycleStage,
    Feedback,
    HumanTask,
    Measurement,
    Result,
    Target,
)

__all__ = ["Outcome", "respond", "apply_response", "expire_task", "NotAllowed", "TaskError"]


@dataclass
class Outcome:
    """What a response did: the task, whether it was new, and whether its stage is complete."""

    task_id: int
    state: str
    recorded: bool
    stage: str
    stage_complete: bool
    audit: list[dict[str, Any]] = field(default_factory=list)


def parse_input(kind: str, data: dict[str, Any] | BaseModel) -> BaseModel:
    model = INPUT_FOR_KIND[kind]
    if isinstance(data, model):
        return data
    if isinstance(data, BaseModel):
        data = data.model_dump()
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc, root="input")
        raise TaskError(f"Jawaban tidak valid / invalid response: {problems}") from exc


_pack_cache: dict[str, Any] = {}


def pack_of(cycle: Cycle) -> Any:
    pack = _pack_cache.get(cycle.pack_hash)
    if pack is None:
        pack = _pack_cache[cycle.pack_hash] = cycle_pack(cycle)
    return pack


def respond(
    session: Session,
    *,
    task_id: int,
    actor: Actor,
    data: dict[str, Any] | BaseModel,
    now: datetime,
) -> Outcome:
    """Record one person's response to one task, in the caller's transaction.

    Raises :class:`NotAllowed` (wrong person) or :class:`TaskError` (bad input, closed
    task); in both cases nothing has changed.
    """
    task = session.get(HumanTask, task_id, with_for_update=True)
    if task is None:
        raise TaskError(f"Tugas tidak dikenal / unknown task: {task_id}")
    cycle = session.get(Cycle, task.cycle_id)
    assert cycle is not None
    config = cycle_config(cycle)
    role = check_actor(task, actor, coordinator_nip=config.coordinator.nip)
    parsed = parse_input(task.kind, data)
    answer = parsed.model_dump(mode="json")
    if task.state in ("done", "returned") and task.response is not None:
        if task.response.get("input") == answer:
            return Outcome(task.id, task.state, False, task.stage, False)
        raise TaskError(
            f"Tugas {task.id} sudah dijawab dengan isi lain / "
            f"task {task.id} was already answered differently"
        )
    events = apply_response(
        session,
        task=task,
        cycle=cycle,
        config=config,
        actor=actor,
        role=role,
        data=parsed,
        now=now,
    )
    for event in events:
        append_event(session, at=now, **event)
    session.flush()
    complete = active_task_count(session, cycle_id=cycle.cycle_id, stage=task.stage) == 0
    return Outcome(task.id, task.state, True, task.stage, complete)


def apply_response(
    session: Session,
    *,
    task: HumanTask,
    cycle: Cycle,
    config: CycleConfig,
    actor: Actor,
    role: str,
    data: BaseModel,
    now: datetime,
) -> list[dict[str, Any]]:
    """Apply a validated response to a task already checked for its actor.

    Returns the audit events to append (the caller appends them, one by one or in bulk).
    """
    transition = "respond"
    if isinstance(data, TargetDecision) and data.decision == "return":
        transition = "return"
    new_state = check_transition(task, transition)
    effect = _EFFECTS[task.kind]
    effect(session, task=task, cycle=cycle, config=config, actor=actor, data=data, now=now)
    answer = data.model_dump(mode="json")
    return [
        _close(
            task,
            state=new_state,
            by=actor.nip,
            reason=actor.reason,
            now=now,
            late=now > task.due_at,
            response={"input": answer, "role": role, "at": now.isoformat()},
            action=f"task.{transition}",
            payload={"role": role, "reason": actor.reason, "input": answer},
        )
    ]


def _close(
    task: HumanTask,
    *,
    state: str,
    by: str,
    reason: str | None,
    now: datetime,
    late: bool,
    response: dict[str, Any],
    action: str,
    payload: dict[str, Any],
) -> dict[str, Any]:
    """Close ``task`` in ``state``; returns the audit event that records it."""
    task.state = state
    task.closed_at = now
    task.closed_by = by
    task.close_reason = reason
    task.late = late
    task.response = response
    return {
        "actor": by,
        "action": action,
        "cycle_id": task.cycle_id,
        "entity": "human_task",
        "entity_id": str(task.id),
        "payload": {"kind": task.kind, "subject": task.subject_nip, **payload},
    }


def _open_follow_up(
    session: Session,
    *,
    cycle: Cycle,
    config: CycleConfig,
    task: NewTask,
    now: datetime,
    notify: bool = True,
) -> list[HumanTask]:
    """Open the task a response leads to, due with the rest of its stage."""
    stage = session.get(CycleStage, (cycle.cycle_id, KINDS[task.kind][0]))
    assert stage is not None and stage.due_at and stage.final_due_at
    return open_tasks(
        session,
        cycle=cycle,
        config=config,
        stage_due_at=stage.due_at,
        stage_final_due_at=stage.final_due_at,
        tasks=[task],
        now=now,
        notify=notify,
    )


# --- effects, one per task kind ----------------------------------------------------------------


def _targets_proposed(
    session: Session,
    *,
    task: HumanTask,
    cycle: Cycle,
    config: CycleConfig,
    actor: Actor,
    data: TargetProposal,
    now: datetime,
) -> None:
    if data.targets is not None:
        if not data.targets:
            raise TaskError("Minimal satu target / at least one target is required")
        if config.approach != "qualitative":
            missing = [i for i, t in enumerate(data.targets, 1) if t.target is None]
            if missing:
                raise TaskError(
                    f"Target #{', #'.join(map(str, missing))}: angka target wajib (pendekatan"
                    " kuantitatif) / a number is required (quantitative approach)"
                )
        weights = [t.weight for t in data.targets]
        pack = pack_of(cycle)
        required = pack.targets.required_weights_sum
        if required is not None:
            if (
                any(w is None for w in weights)
                or abs(sum(w or 0 for w in weights) - required) > 0.01
            ):
                raise TaskError(
                    f"Jumlah bobot harus {required:g} / weights must sum to {required:g}"
                )
        ids = [t.target_id or f"{task.subject_nip}-{i}" for i, t in enumerate(data.targets, 1)]
        theirs = session.scalars(
            select(Target.target_id).where(
                Target.cycle_id == cycle.cycle_id,
                Target.target_id.in_(ids),
                Target.nip != task.subject_nip,
            )
        ).all()
        if theirs:
            raise TaskError(
                f"Target {', '.join(theirs)} milik orang lain / belongs to someone else"
            )
        session.execute(
            update(Target)
            .where(Target.cycle_id == cycle.cycle_id, Target.nip == task.subject_nip)
            .values(status="withdrawn")
        )
        for i, t in enumerate(data.targets, start=1):
            target_id = t.target_id or f"{task.subject_nip}-{i}"
            row = session.get(Target, (cycle.cycle_id, target_id))
            if row is not None and row.nip != task.subject_nip:
                raise TaskError(f"Target {target_id} milik orang lain / belongs to someone else")
            values = dict(
                nip=task.subject_nip,
                serves=t.serves,
                statement=t.statement,
                indicator=t.indicator,
                aspect=t.aspect,
                target_value=t.target,
                target_high=t.target_high,
                unit_of_measure=t.unit_of_measure,
                direction=t.direction,
                weight=t.weight,
                kind=t.kind,
                status="proposed",
            )
            if row is None:
                session.add(Target(cycle_id=cycle.cycle_id, target_id=target_id, **values))
            else:
                for key, value in values.items():
                    setattr(row, key, value)
    else:
        session.execute(
            update(Target)
            .where(
                Target.cycle_id == cycle.cycle_id,
                Target.nip == task.subject_nip,
                Target.status == "returned",
            )
            .values(status="proposed")
        )
    if task.kind == "revise_targets":
        approval = session.scalar(
            select(HumanTask)
            .where(
                HumanTask.cycle_id == cycle.cycle_id,
                HumanTask.kind == "approve_targets",
                HumanTask.subject_nip == task.subject_nip,
            )
            .order_by(HumanTask.round.desc())
            .limit(1)
        )
        assert approval is not None
        _open_follow_up(
            session,
            cycle=cycle,
            config=config,
            now=now,
            task=NewTask(
                "approve_targets",
                task.subject_nip,
                approval.assignee_nip,
                {"resubmitted": True},
                round=task.round + 1,
            ),
        )


def _targets_decided(
    session: Session,
    *,
    task: HumanTask,
    cycle: Cycle,
    config: CycleConfig,
    actor: Actor,
    data: TargetDecision,
    now: datetime,
) -> None:
    status = "approved" if data.decision == "approve" else "returned"
    session.execute(
        update(Target)
        .where(
            Target.cycle_id == cycle.cycle_id,
            Target.nip == task.subject_nip,
            Target.status.in_(("proposed", "returned")),
        )
        .values(status=status)
    )
    if data.decision == "return":
        # The employee gets one message: the return, with the manager's comment.
        opened = _open_follow_up(
            session,
            cycle=cycle,
            config=config,
            now=now,
            notify=False,
            task=NewTask(
                "revise_targets",
                task.subject_nip,
                task.subject_nip,
                {"comment": data.comment, "target_comments": data.target_comments},
                round=task.round,
            ),
        )
        queue_task_messages(
            session,
            cycle=cycle,
            config=config,
            tasks=opened,
            kind="task_returned",
            now=now,
            comment=data.comment or "",
        )


def _realisation_reported(
    session: Session,
    *,
    task: HumanTask,
    cycle: Cycle,
    config: CycleConfig,
    actor: Actor,
    data: RealisationReport,
    now: datetime,
) -> None:
    owned = set(
        session.scalars(
            select(Target.target_id).where(
                Target.cycle_id == cycle.cycle_id, Target.nip == task.subject_nip
            )
        )
    )
    unknown = sorted(set(data.values) - owned)
    if unknown:
        raise TaskError(f"Target bukan milik pegawai ini / targets not yours: {', '.join(unknown)}")
    empty = sorted(t for t, v in data.values.items() if v is None)
    if empty and config.approach != "qualitative":
        raise TaskError(
            f"Realisasi {', '.join(empty)}: angka wajib (pendekatan kuantitatif) /"
            " a number is required (quantitative approach)"
        )
    period = str(config.period_end.year)
    for target_id, value in data.values.items():
        row = session.get(Measurement, (cycle.cycle_id, target_id, period))
        if row is None:
            session.add(
                Measurement(
                    cycle_id=cycle.cycle_id,
                    target_id=target_id,
                    period=period,
                    value=value,
                    evidence=data.evidence,
                )
            )
        else:
            row.value, row.evidence = value, data.evidence


def _reviewed(
    session: Session,
    *,
    task: HumanTask,
    cycle: Cycle,
    config: CycleConfig,
    actor: Actor,
    data: ReviewSubmission,
    now: datetime,
) -> None:
    from kinerja.models.rules.rating import behaviour_rating

    result = session.get(Result, (cycle.cycle_id, task.subject_nip), with_for_update=True)
    if result is None:
        raise TaskError(f"Belum ada hasil untuk {task.subject_nip} / no result row yet")
    pack = pack_of(cycle)
    _check_codes(data, pack)
    if result.proposed_hasil_kerja is None and data.hasil_kerja is None and actor.nip != "system":
        # The qualitative approach proposes nothing: the rater judges against the expectation.
        raise TaskError(
            "Pilih rating hasil kerja: tidak ada usulan dari angka (pendekatan kualitatif)"
            " / choose a rating hasil kerja: there is no proposal from numbers (qualitative"
            " approach)"
        )
    if (
        data.hasil_kerja is not None
        and result.proposed_hasil_kerja is not None
        and data.hasil_kerja != result.proposed_hasil_kerja
        and not (data.comment and data.comment.strip())
    ):
        raise TaskError(
            f"Mengubah rating usulan ({result.proposed_hasil_kerja} -> {data.hasil_kerja}) "
            "memerlukan alasan (comment) / changing the proposed rating needs a reason (comment)"
        )
    perilaku = data.perilaku
    if data.perilaku_values:  # the value ratings decide; an overall rating is only a fallback
        try:
            perilaku = behaviour_rating(
                dict(data.perilaku_values), pack.behaviour, overall=data.perilaku
            ).value
        except ValueError as exc:
            raise TaskError(
                f"Jawaban tidak valid / invalid response: perilaku_values: {exc}"
            ) from exc
    result.hasil_kerja = data.hasil_kerja or result.proposed_hasil_kerja
    result.perilaku = perilaku or pack.behaviour.default_rating
    result.perilaku_values = dict(data.perilaku_values)
    result.review_comment = data.comment
    # The rater of record is whoever rates: the assignee, the superior it was escalated to,
    # the HR coordinator. A proposal kept at the final deadline keeps its rater, and a
    # delegate (pelaksana harian) acts on behalf of the away rater, who stays the rater: an
    # appeal goes to the rater's superior, and the rater's group keys the distribution.
    if actor.nip != "system" and actor.nip != task.delegate_nip:
        result.rater_nip = actor.nip


def _check_codes(data: ReviewSubmission, pack: Any) -> None:
    """Every rating is a code of the cycle's pack; every behaviour value is one of its values."""
    problems = []
    results, behaviour = pack.result_rating.levels, pack.behaviour.levels
    if data.hasil_kerja is not None and data.hasil_kerja not in results:
        problems.append(f"hasil_kerja: {data.hasil_kerja!r} is not one of {results}")
    if data.perilaku is not None and data.perilaku not in behaviour:
        problems.append(f"perilaku: {data.perilaku!r} is not one of {behaviour}")
    for value, rating in data.perilaku_values.items():
        if value not in pack.behaviour.values:
            problems.append(f"perilaku_values.{value}: unknown behaviour value of the pack")
        elif rating not in behaviour:
            problems.append(f"perilaku_values.{value}: {rating!r} is not one of {behaviour}")
    if problems:
        raise TaskError("Jawaban tidak valid / invalid response: " + "; ".join(problems))


def _feedback_written(
    session: Session,
    *,
    task: HumanTask,
    cycle: Cycle,
    config: CycleConfig,
    actor: Actor,
    data: FeedbackNote,
    now: datetime,
) -> None:
    row = session.get(Feedback, (cycle.cycle_id, task.subject_nip))
    if row is None:
        session.add(
            Feedback(
                cycle_id=cycle.cycle_id,
                nip=task.subject_nip,
                manager_nip=actor.nip,
                text=data.text,
                written_at=now,
            )
        )
    else:
        row.manager_nip, row.text, row.written_at = actor.nip, data.text, now
    _open_follow_up(
        session,
        cycle=cycle,
        config=config,
        now=now,
        task=NewTask(
            "acknowledge_feedback", task.subject_nip, task.subject_nip, {"feedback": data.text}
        ),
    )


def _feedback_acknowledged(
    session: Session,
    *,
    task: HumanTask,
    cycle: Cycle,
    config: CycleConfig,
    actor: Actor,
    data: BaseModel,
    now: datetime,
) -> None:
    row = session.get(Feedback, (cycle.cycle_id, task.subject_nip))
    if row is not None:
        row.acknowledged_at = now


_EFFECTS = {
    "propose_targets": _targets_proposed,
    "revise_targets": _targets_proposed,
    "approve_targets": _targets_decided,
    "report_realisation": _realisation_reported,
    "review": _reviewed,
    "write_feedback": _feedback_written,
    "acknowledge_feedback": _feedback_acknowledged,
    "decide_appeal": decide_appeal,  # an upheld appeal recalculates: see models/appeals/filing.py
}


# --- the final-deadline policy -----------------------------------------------------------------

_KEEP_PROPOSAL_DEFAULTS: dict[str, dict[str, Any] | None] = {
    "propose_targets": None,  # nothing to keep: the employee has no targets
    "revise_targets": None,  # handled below: the returned proposal is approved as it stands
    "approve_targets": {"decision": "approve", "comment": "disetujui otomatis / auto-approved"},
    "report_realisation": None,
    "review": {},
    "write_feedback": None,
    "acknowledge_feedback": None,
}


def expire_task(
    session: Session, *, task: HumanTask, cycle: Cycle, config: CycleConfig, now: datetime
) -> list[dict[str, Any]]:
    """Close a task at its final deadline by the stage's policy; returns audit events.

    ``keep_proposal`` applies what the person was shown (targets as proposed, the proposed
    rating); ``not_submitted`` closes it with nothing applied.
    """
    check_transition(task, "expire")
    policy = config.stage(task.stage).final_policy
    default = _KEEP_PROPOSAL_DEFAULTS.get(task.kind)
    applied = None
    if policy == "keep_proposal" and default is not None:
        data = parse_input(task.kind, default)
        system = Actor(nip="system", reason="final deadline")
        _EFFECTS[task.kind](
            session, task=task, cycle=cycle, config=config, actor=system, data=data, now=now
        )
        applied = data.model_dump(mode="json")
    if policy == "keep_proposal" and task.kind == "revise_targets":
        session.execute(
            update(Target)
            .where(
                Target.cycle_id == cycle.cycle_id,
                Target.nip == task.subject_nip,
                Target.status.in_(("proposed", "returned")),
            )
            .values(status="approved")
        )
        applied = {"targets": "approved as proposed"}
    return [
        _close(
            task,
            state="expired",
            by="system",
            reason=f"final deadline: {policy}",
            now=now,
            late=True,
            response={"input": applied, "role": "system", "at": now.isoformat(), "policy": policy},
            action="task.expire",
            payload={"policy": policy, "applied": applied},
        )
    ]
