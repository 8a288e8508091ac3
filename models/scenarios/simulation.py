"""Simulated people: they answer their tasks through the same response logic as real ones.

Who answers when is deterministic (a hash of the cycle, the task and the person), so a
simulation killed and started again gives the same results as one that ran straight
through. ``people.csv`` says who answers late or never; everyone else answers on time.
Scripted manager answers come from ``reviews.csv`` (the ``scripted_reviews`` table).
"""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import cycle_config, pack_of
from kinerja.models.humantasks.states import ACTIVE, Actor, TaskError
from kinerja.models.responses.service import Answer, respond_many
from kinerja.models.scenarios.periodic import checkin_answer, period_report
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.store.bulk import in_lists, pairs_in
from kinerja.models.store.tables import (
    Cycle,
    CycleStage,
    Employee,
    Goal,
    HumanTask,
    ScriptedCheckin,
    ScriptedReview,
    Target,
)

ANSWER_BATCH = 5000  # answers per call of the response service


@dataclass(frozen=True)
class Persona:
    response: str = "on_time"  # on_time, late or never
    late_days: float = 3.0


def load_people(path: Path) -> dict[str, Persona]:
    """``people.csv`` (nip, response, [late_days]); a missing file means everyone is on time."""
    if not path.exists():
        return {}
    out: dict[str, Persona] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            response = (row.get("response") or "on_time").strip()
            if response not in ("on_time", "late", "never"):
                raise ValueError(f"{path}: nip {row.get('nip')}: unknown response {response!r}")
            late = row.get("late_days") or "3"
            out[row["nip"].strip()] = Persona(response, float(late))
    return out


def stable(*parts: object) -> int:
    """A stable pseudo-random integer from the parts (the same in every process)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def answer_time(task: HumanTask, persona: Persona) -> datetime | None:
    """When the assignee answers ``task``: on time, late by ``late_days``, or never."""
    if persona.response == "never":
        return None
    if persona.response == "late":
        return task.due_at + timedelta(days=persona.late_days)
    window = max(1, (task.due_at - task.opened_at).days - 1)
    return task.opened_at + timedelta(days=1 + stable(task.task_key) % window)


def _ratings(task: HumanTask, pack: Any) -> tuple[str | None, str]:
    """Most managers accept the proposal; a few rate higher or lower, with a reason."""
    roll = stable(task.task_key, "rating") % 100
    levels = pack.result_rating.levels
    proposed = task.payload.get("proposed_hasil_kerja")
    hasil = None  # accept the proposal
    if roll < 8:
        hasil = levels[0]
    elif roll > 95:
        hasil = levels[-1]
    if hasil == proposed:
        hasil = None
    if proposed is None and hasil is None:
        hasil = levels[len(levels) // 2]  # nothing proposed (qualitative): the rater chooses
    behaviour = pack.behaviour
    perilaku_roll = stable(task.task_key, "perilaku") % 100
    perilaku = (
        behaviour.levels[0]
        if perilaku_roll < 15
        else behaviour.levels[-1]
        if perilaku_roll > 96
        else behaviour.default_rating
    )
    return hasil, perilaku


@dataclass
class Known:
    """What a day's simulated answers read, each fetched once for the whole batch."""

    config: CycleConfig
    pack: Any
    targets: dict[str, list[Any]] = field(default_factory=dict)  # approved, by target id
    reviews: dict[str, ScriptedReview] = field(default_factory=dict)
    checkins: dict[tuple[str, str], ScriptedCheckin] = field(default_factory=dict)


def known_for(session: Session, *, cycle: Cycle, tasks: Sequence[Any]) -> Known:
    """Fetch what the answers to ``tasks`` read: the approved targets of the reporters, the
    scripted reviews and check-ins of the rated."""
    known = Known(cycle_config(cycle), pack_of(cycle))
    kinds: dict[str, set[str]] = defaultdict(set)
    for task in tasks:
        kinds[task.kind].add(task.subject_nip)
    reporters = sorted(kinds["report_realisation"] | kinds["report_period"])
    rated = sorted(kinds["review"])
    for part in in_lists(reporters):
        for row in session.execute(
            select(
                Target.nip,
                Target.target_id,
                Target.target_value,
                Target.unit_of_measure,
                Target.aggregate,
            )
            .where(
                Target.cycle_id == cycle.cycle_id,
                Target.nip.in_(part),
                Target.status == "approved",
            )
            .order_by(Target.nip, Target.target_id)
        ):
            known.targets.setdefault(row.nip, []).append(row)
    for part in in_lists(rated):
        for review in session.scalars(
            select(ScriptedReview).where(
                ScriptedReview.cycle_id == cycle.cycle_id,
                ScriptedReview.nip.in_(part),
            )
        ):
            known.reviews[review.nip] = review
    checked = sorted({(t.payload["period"], t.subject_nip) for t in tasks if t.kind == "checkin"})
    for where in pairs_in(ScriptedCheckin.period, ScriptedCheckin.nip, checked):
        for checkin in session.scalars(
            select(ScriptedCheckin).where(ScriptedCheckin.cycle_id == cycle.cycle_id, where)
        ):
            known.checkins[(checkin.period, checkin.nip)] = checkin
    return known


def simulated_input(session: Session, *, task: Any, cycle: Cycle, known: Known) -> dict[str, Any]:
    """What a simulated person answers to ``task``."""
    kind = task.kind
    if kind == "approve_targets":
        if task.round == 1 and stable(task.task_key, "return") % 100 < 3:
            return {
                "decision": "return",
                "comment": "Mohon perjelas indikator / please sharpen the indicators",
            }
        return {"decision": "approve"}
    if kind == "revise_targets":
        return {"targets": None, "comment": "indikator diperjelas / indicators sharpened"}
    if kind == "propose_targets":
        return {"targets": _proposal(session, task=task, cycle=cycle)}
    if kind == "report_realisation":
        # A qualitative target has no number to report against: evidence only.
        values = {
            t.target_id: (
                None
                if t.target_value is None
                else round(t.target_value * (80 + stable(t.target_id) % 41) / 100, 2)
            )
            for t in known.targets.get(task.subject_nip, [])
        }
        return {"values": values, "evidence": "laporan simulasi / simulated report"}
    if kind == "report_period":
        return period_report(
            task,
            config=known.config,
            rules=known.pack.achievement,
            targets=known.targets.get(task.subject_nip, []),
        )
    if kind == "checkin":
        return checkin_answer(
            task, scripted=known.checkins.get((task.payload["period"], task.subject_nip))
        )
    if kind == "review":
        scripted = known.reviews.get(task.subject_nip)
        if scripted is not None:
            return {
                "hasil_kerja": scripted.hasil_kerja,
                "perilaku": scripted.perilaku,
                "perilaku_values": scripted.perilaku_values or {},
                "comment": scripted.comment or "penilaian skenario / scripted rating",
            }
        hasil, perilaku = _ratings(task, known.pack)
        comment = None if hasil is None else "capaian dinilai ulang / achievement reassessed"
        return {"hasil_kerja": hasil, "perilaku": perilaku, "comment": comment}
    if kind == "write_feedback":
        return {
            "text": "Terima kasih atas kerja tahun ini; mari tingkatkan kualitas layanan. / "
            "Thank you for this year's work; let us raise service quality."
        }
    if kind == "acknowledge_feedback":
        return {"acknowledged": True}
    raise ValueError(f"no simulated answer for task kind {kind!r}")


def _proposal(session: Session, *, task: HumanTask, cycle: Cycle) -> list[dict[str, Any]]:
    person = session.get(Employee, task.subject_nip)
    assert person is not None
    serves = None
    if person.manager_nip:
        serves = session.scalar(
            select(Target.target_id)
            .where(Target.cycle_id == cycle.cycle_id, Target.nip == person.manager_nip)
            .limit(1)
        )
    if serves is None:
        serves = session.scalar(
            select(Goal.goal_id)
            .where(Goal.cycle_id == cycle.cycle_id, Goal.unit_id == person.unit_id)
            .limit(1)
        )
    pack = pack_of(cycle)
    weight = 100.0 if pack.targets.use_weights else None
    return [
        {
            "serves": serves or "-",
            "statement": "Layanan terselesaikan / services completed",
            "indicator": "Jumlah layanan / number of services",
            "aspect": "kuantitas",
            "target": 100,
            "unit_of_measure": "layanan",
            "direction": "higher",
            "weight": weight,
            "kind": "utama",
        }
    ]


def _with_payloads(
    session: Session, part: list[tuple[Any, Actor]]
) -> list[tuple[SimpleNamespace, Actor]]:
    """The chosen tasks with their payloads: read for those answered only, not for every
    task that waits (each simulated day reads them all)."""
    h = HumanTask.__table__.c
    payloads = {
        task_id: payload
        for ids in in_lists([task.id for task, _ in part])
        for task_id, payload in session.execute(select(h.id, h.payload).where(h.id.in_(ids)))
    }
    return [
        (SimpleNamespace(**task._mapping, payload=payloads[task.id]), actor) for task, actor in part
    ]


def simulate_answers(
    session: Session, *, cycle: Cycle, now: datetime, people: dict[str, Persona]
) -> int:
    """Every simulated answer due by ``now`` on the cycle's open stages, through the batch
    response service (:func:`~kinerja.models.responses.service.respond_many`)."""
    coordinator = cycle_config(cycle).coordinator.nip
    open_stages = select(CycleStage.stage).where(
        CycleStage.cycle_id == cycle.cycle_id, CycleStage.status == "open"
    )
    h = HumanTask
    tasks = session.execute(
        select(
            h.id,
            h.task_key,
            h.kind,
            h.state,
            h.round,
            h.subject_nip,
            h.assignee_nip,
            h.escalated_to,
            h.opened_at,
            h.due_at,
        )
        .where(
            h.cycle_id == cycle.cycle_id,
            h.state.in_(ACTIVE),
            h.stage.in_(open_stages),
            h.opened_at < now,
        )
        .order_by(h.id)
    ).all()
    chosen: list[tuple[Any, Actor]] = []
    for task in tasks:
        when = answer_time(task, people.get(task.assignee_nip, Persona()))
        if when is not None and when <= now:
            chosen.append((task, Actor(task.assignee_nip)))
        elif task.state == "escalated" and task.escalated_to:
            # Whoever it was escalated to steps in for half of the stalled tasks.
            if stable(task.task_key, "steps-in") % 2 == 0:
                reason = "eskalasi / escalated" if task.escalated_to == coordinator else None
                chosen.append((task, Actor(task.escalated_to, reason)))
    answered = 0
    for start in range(0, len(chosen), ANSWER_BATCH):
        part = _with_payloads(session, chosen[start : start + ANSWER_BATCH])
        known = known_for(session, cycle=cycle, tasks=[task for task, _ in part])
        answers = [
            Answer(task.id, actor, simulated_input(session, task=task, cycle=cycle, known=known))
            for task, actor in part
        ]
        for outcome in respond_many(session, answers, now=now, complete=False):
            if isinstance(outcome, TaskError):
                raise outcome  # a simulated answer is never refused: a bug, not a person
            answered += 1
    return answered
