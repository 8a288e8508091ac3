"""What a page shows: read-only queries that gather a task's or a person's context.

Nothing here writes. Labels come from the cycle's own policy pack, in the page's language.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kinerja.models.citizens.complaints import CLOSE_REASONS, complaint_of_task
from kinerja.models.cycles.cycle import cycle_config, pack_of
from kinerja.models.cycles.reports import periodic_history
from kinerja.models.humantasks.states import ACTIVE, title
from kinerja.models.schemas.inputs import INPUT_FOR_KIND
from kinerja.models.store.tables import (
    Cycle,
    Employee,
    Feedback,
    Goal,
    HumanTask,
    Measurement,
    PeriodResult,
    Result,
    Target,
)
from kinerja.portal.codes import pack_label as label
from kinerja.portal.formats import format_day, format_moment
from kinerja.portal.forms import field_widgets
from kinerja.portal.history import earlier_results
from kinerja.portal.targetwords import serves_texts, unit_name, weight_total

BLANK_ROWS = 3
"""Empty target rows offered on a proposal form (no JavaScript to add more)."""


def person(session: Session, nip: str) -> Employee | None:
    return session.get(Employee, nip)


def targets_of(session: Session, cycle_id: str, nip: str) -> list[Target]:
    return list(
        session.scalars(
            select(Target)
            .where(Target.cycle_id == cycle_id, Target.nip == nip, Target.status != "withdrawn")
            .order_by(Target.target_id)
        )
    )


def task_context(session: Session, *, task: HumanTask, cycle: Cycle, lang: str) -> dict[str, Any]:
    """Everything the page of ``task`` shows, whatever its kind."""
    pack = pack_of(cycle)
    subject = person(session, task.subject_nip)
    targets = targets_of(session, cycle.cycle_id, task.subject_nip)
    ctx: dict[str, Any] = {
        "task": task,
        "cycle": cycle,
        "title": title(task.kind, lang),
        "subject": subject,
        "subject_name": subject.name if subject else task.subject_nip,
        "payload": task.payload or {},
        "targets": targets,
        "kind_template": f"kinds/{task.kind}.html",
        "unit_name": unit_name(session, subject.unit_id if subject else None),
        "serves_text": serves_texts(
            session, cycle_id=cycle.cycle_id, codes=[t.serves for t in targets]
        ),
        "weights": weight_total(targets, pack),
    }
    if task.kind in ("review", "checkin", "decide_appeal"):
        # Where a rater decides, the person's results in earlier cycles.
        ctx["earlier"] = earlier_results(
            session, nip=task.subject_nip, cycle_id=cycle.cycle_id, lang=lang
        )
    if task.kind == "review":
        ctx.update(_review(session, task=task, cycle=cycle, pack=pack, lang=lang))
    elif task.kind in ("write_feedback", "acknowledge_feedback"):
        ctx["feedback"] = session.get(Feedback, (cycle.cycle_id, task.subject_nip))
        ctx["result"] = session.get(Result, (cycle.cycle_id, task.subject_nip))
        result = ctx["result"]
        ctx["hasil_kerja_label"] = label(
            pack.result_rating.labels, result.hasil_kerja if result else None, lang
        )
        ctx["perilaku_label"] = label(
            pack.behaviour.labels, result.perilaku if result else None, lang
        )
        ctx["predikat_label"] = label(
            pack.predikat.labels, result.predikat if result else None, lang
        )
        config = cycle_config(cycle)
        who = config.coordinator
        ctx["appeal_days"] = config.appeal_window_days
        ctx["appeal_to"] = f"{who.name} ({who.email})" if who.email else who.name
    elif task.kind in ("report_realisation", "report_period"):
        ctx.update(_standing(session, task=task, cycle=cycle, targets=ctx["targets"]))
    elif task.kind == "checkin":
        ctx.update(_checkin(session, task=task, cycle=cycle, pack=pack, lang=lang))
    elif task.kind == "decide_appeal":
        ctx.update(_appeal(pack=pack, payload=ctx["payload"], lang=lang))
    elif task.kind in ("propose_targets", "revise_targets"):
        ctx.update(_proposal(session, task=task, cycle=cycle, targets=targets))
        ctx["aspects"] = list(pack.targets.aspects)
    elif task.kind == "answer_complaint":
        ctx.update(_complaint(session, task=task, pack=pack, lang=lang))
    elif task.kind not in _KNOWN_KINDS:
        model = INPUT_FOR_KIND.get(task.kind)
        ctx["kind_template"] = "kinds/generic.html"
        ctx["widgets"] = field_widgets(model) if model else []
    return ctx


_KNOWN_KINDS = frozenset(
    {
        "approve_targets",
        "review",
        "write_feedback",
        "acknowledge_feedback",
        "propose_targets",
        "revise_targets",
        "report_realisation",
        "report_period",
        "checkin",
        "decide_appeal",
        "answer_complaint",
    }
)


def _standing(
    session: Session, *, task: HumanTask, cycle: Cycle, targets: list[Target]
) -> dict[str, Any]:
    """The period the report is for, and the value that stands for it per target now (an
    imported one, or the employee's own earlier report) with its source."""
    period = (task.payload or {}).get("period")
    standing: dict[str, Measurement] = {}
    if period and targets:
        for m in session.scalars(
            select(Measurement).where(
                Measurement.cycle_id == cycle.cycle_id,
                Measurement.period == period,
                Measurement.target_id.in_([t.target_id for t in targets]),
            )
        ):
            standing[m.target_id] = m
    if not period:
        # The annual report is for the whole cycle: say which dates that is.
        config = cycle_config(cycle)
        period = f"{config.period_start:%d-%m-%Y} – {config.period_end:%d-%m-%Y}"
    return {"period": period, "standing": standing}


def _checkin(
    session: Session, *, task: HumanTask, cycle: Cycle, pack: Any, lang: str
) -> dict[str, Any]:
    """The period's progress to date, the proposal, the earlier periods, and the choices."""
    period = task.payload["period"]
    rows = session.scalars(
        select(PeriodResult)
        .where(PeriodResult.cycle_id == cycle.cycle_id, PeriodResult.nip == task.subject_nip)
        .order_by(PeriodResult.period)
    ).all()
    current = next((r for r in rows if r.period == period), None)
    rr, bh = pack.result_rating, pack.behaviour
    return {
        "period": period,
        "progress": current,
        "history": [
            (r.period, label(pack.predikat.labels, r.predikat, lang))
            for r in rows
            if r.period != period and r.predikat
        ],
        "proposed": current.proposed_hasil_kerja if current else None,
        "proposed_label": label(rr.labels, current.proposed_hasil_kerja if current else None, lang),
        "result_levels": [(code, label(rr.labels, code, lang)) for code in rr.levels],
        "behaviour_levels": [(code, label(bh.labels, code, lang)) for code in bh.levels],
        "behaviour_default": label(bh.labels, bh.default_rating, lang),
    }


def _complaint(session: Session, *, task: HumanTask, pack: Any, lang: str) -> dict[str, Any]:
    """The complaint an ``answer_complaint`` task is about (never its contact)."""
    complaint = complaint_of_task(session, task.id)
    found = pack.complaints.category(complaint.category) if complaint and pack.complaints else None
    return {
        "complaint": complaint,
        "subject_name": complaint.tracking_code if complaint else task.subject_nip,
        "complaint_category": found.label.get(lang) if found else "",
        "complaint_received": format_moment(complaint.received_at, lang) if complaint else "",
        "complaint_due": format_day(complaint.due_at, lang) if complaint else "",
        "close_reasons": [(c, p[0] if lang == "id" else p[1]) for c, p in CLOSE_REASONS.items()],
    }


def _appeal(*, pack: Any, payload: dict[str, Any], lang: str) -> dict[str, Any]:
    """The ratings appealed against (as filed) and the choices for new ones."""
    rr, bh = pack.result_rating, pack.behaviour
    return {
        "current_hasil_kerja": label(rr.labels, payload.get("hasil_kerja"), lang),
        "current_perilaku": label(bh.labels, payload.get("perilaku"), lang),
        "current_predikat": label(pack.predikat.labels, payload.get("predikat"), lang)
        if payload.get("predikat")
        else None,
        "result_levels": [(code, label(rr.labels, code, lang)) for code in rr.levels],
        "behaviour_levels": [(code, label(bh.labels, code, lang)) for code in bh.levels],
    }


def _review(
    session: Session, *, task: HumanTask, cycle: Cycle, pack: Any, lang: str
) -> dict[str, Any]:
    """The proposal and the achievements per target that produced it, and the behaviour form."""
    result = session.get(Result, (cycle.cycle_id, task.subject_nip))
    ids = [
        t
        for (t,) in session.execute(
            select(Target.target_id).where(
                Target.cycle_id == cycle.cycle_id, Target.nip == task.subject_nip
            )
        )
    ]
    measurements: dict[str, list[Measurement]] = {}
    if ids:
        for m in session.scalars(
            select(Measurement)
            .where(Measurement.cycle_id == cycle.cycle_id, Measurement.target_id.in_(ids))
            .order_by(Measurement.target_id, Measurement.period)
        ):
            measurements.setdefault(m.target_id, []).append(m)
    rr, bh = pack.result_rating, pack.behaviour
    return {
        "result": result,
        "proposed": result.proposed_hasil_kerja if result else None,
        "proposed_label": label(rr.labels, result.proposed_hasil_kerja if result else None, lang),
        "proposal_from_unit": next(
            (
                s
                for s in ((result.derivation or {}).get("proposal", []) if result else [])
                if s.startswith("unit head of")
            ),
            None,
        ),
        "on_behalf_of": task.payload.get("on_behalf_of"),
        "measurements": measurements,
        "result_levels": [(code, label(rr.labels, code, lang)) for code in rr.levels],
        "behaviour_levels": [(code, label(bh.labels, code, lang)) for code in bh.levels],
        "behaviour_values": [(v, label(bh.value_labels, v, lang)) for v in bh.values],
        "current_values": (result.perilaku_values if result else None) or {},
        "behaviour_default": bh.default_rating,
        "periodic": [
            (
                period,
                label(rr.labels, hasil, lang),
                label(pack.predikat.labels, predikat, lang),
                ach,
            )
            for period, hasil, predikat, ach in periodic_history(
                session, cycle_id=cycle.cycle_id, nips=[task.subject_nip]
            ).get(task.subject_nip, [])
        ],
    }


def _proposal(
    session: Session, *, task: HumanTask, cycle: Cycle, targets: list[Target]
) -> dict[str, Any]:
    """What a target may serve (the unit's goals, the manager's targets) and the form rows."""
    subject = person(session, task.subject_nip)
    options: list[tuple[str, str]] = []
    if subject is not None:
        goals = session.scalars(
            select(Goal)
            .where(Goal.cycle_id == cycle.cycle_id, Goal.unit_id == subject.unit_id)
            .order_by(Goal.goal_id)
        )
        options += [(g.goal_id, g.statement) for g in goals]
        if subject.manager_nip:
            theirs = targets_of(session, cycle.cycle_id, subject.manager_nip)
            options += [(t.target_id, t.statement) for t in theirs]
    rows = [
        {
            "target_id": t.target_id,
            "serves": t.serves,
            "statement": t.statement,
            "indicator": t.indicator,
            "aspect": t.aspect,
            "target": "" if t.target_value is None else f"{t.target_value:g}",
            "target_high": "" if t.target_high is None else f"{t.target_high:g}",
            "unit_of_measure": t.unit_of_measure,
            "direction": t.direction,
            "weight": "" if t.weight is None else f"{t.weight:g}",
            "kind": t.kind,
        }
        for t in targets
    ]
    rows += [{"aspect": "kuantitas", "direction": "higher", "kind": "utama"}] * BLANK_ROWS
    return {"serves_options": options, "rows": rows}


def person_context(session: Session, *, nip: str, lang: str) -> dict[str, Any]:
    """One's own open tasks, and per cycle one's targets, result and feedback."""
    tasks = list(
        session.scalars(
            select(HumanTask)
            .where(
                HumanTask.state.in_(ACTIVE),
                or_(
                    HumanTask.assignee_nip == nip,
                    HumanTask.delegate_nip == nip,
                    HumanTask.escalated_to == nip,
                ),
            )
            .order_by(HumanTask.due_at, HumanTask.id)
        )
    )
    subjects = {
        e.nip: e.name
        for e in session.scalars(
            select(Employee).where(Employee.nip.in_({t.subject_nip for t in tasks} or {""}))
        )
    }
    cycles = []
    for cycle in session.scalars(select(Cycle).order_by(Cycle.created_at.desc()).limit(5)):
        pack = pack_of(cycle)
        result = session.get(Result, (cycle.cycle_id, nip))
        targets = targets_of(session, cycle.cycle_id, nip)
        feedback = session.get(Feedback, (cycle.cycle_id, nip))
        if not (targets or result or feedback):
            continue
        reviewed = result is not None and result.hasil_kerja is not None
        cycles.append(
            {
                "cycle": cycle,
                "targets": targets,
                "result": result if reviewed else None,
                "hasil_kerja": label(pack.result_rating.labels, result.hasil_kerja, lang)
                if reviewed
                else None,
                "perilaku": label(pack.behaviour.labels, result.perilaku, lang)
                if reviewed
                else None,
                "predikat": label(pack.predikat.labels, result.predikat, lang)
                if reviewed and result.predikat
                else None,
                "feedback": feedback if feedback and feedback.text else None,
            }
        )
    return {
        "tasks": [
            (t, title(t.kind, lang), subjects.get(t.subject_nip, t.subject_nip)) for t in tasks
        ],
        "cycles": cycles,
    }
