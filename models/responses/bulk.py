"""Each task kind's effect applied to a batch of claimed answers, in a few statements.

:func:`apply_effects` groups a batch by cycle and task kind. A kind with a set-based effect
here reads what its answers need in one query, checks each answer, and writes the accepted
ones together (one UPDATE, one upsert, one bulk insert of follow-up tasks and their
messages). Any other kind, and a target decision that returns the targets, goes through its
one-task effect (:data:`kinerja.models.responses.effects.EFFECTS`), task by task. Either
way an answer refused by its effect is returned with its :class:`TaskError` and none of its
writes happen; the others stand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_many
from kinerja.models.cycles.cycle import pack_of
from kinerja.models.cycles.measurements import record
from kinerja.models.humantasks.opening import NewTask
from kinerja.models.humantasks.states import Actor, TaskError
from kinerja.models.responses.base import open_follow_up
from kinerja.models.responses.checkin import rate_period
from kinerja.models.responses.effects import EFFECTS
from kinerja.models.responses.review import rate_result, realisation_rows
from kinerja.models.responses.rows import TaskRow
from kinerja.models.responses.targets import decide_targets
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.store.bulk import bulk_update, in_lists, pairs_in, upsert
from kinerja.models.store.tables import (
    Cycle,
    Feedback,
    HumanTask,
    PeriodResult,
    Result,
    Target,
)


@dataclass
class Item:
    """One claimed answer: its task, who answers in which role, the typed input, the
    transition, and the state the claim moved the task to."""

    task: HumanTask | TaskRow
    actor: Actor
    role: str
    data: BaseModel
    transition: str
    state: str = ""


Refused = dict[int, TaskError]


@dataclass(frozen=True)
class Batch:
    """A batch of one cycle and one task kind."""

    session: Session
    cycle: Cycle
    config: CycleConfig
    items: list[Item]
    now: datetime

    @property
    def subjects(self) -> list[str]:
        return [item.task.subject_nip for item in self.items]


def apply_effects(
    session: Session,
    items: Sequence[Item],
    *,
    cycles: dict[str, Cycle | None],
    configs: dict[str, CycleConfig],
    now: datetime,
) -> Refused:
    """Apply the effects of claimed answers; returns the refused ones by task id."""
    groups: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for item in items:
        groups[(item.task.cycle_id, item.task.kind)].append(item)
    refused: Refused = {}
    for (cycle_id, kind), group in groups.items():
        cycle = cycles[cycle_id]
        assert cycle is not None
        batch = Batch(session, cycle, configs[cycle_id], group, now)
        bulk = BULK_EFFECTS.get(kind)
        refused.update(bulk(batch) if bulk is not None else one_by_one(batch))
    return refused


def one_by_one(batch: Batch) -> Refused:
    """The one-task effect of each answer of the batch."""
    refused: Refused = {}
    for item in batch.items:
        try:
            EFFECTS[item.task.kind](
                batch.session,
                task=item.task,
                cycle=batch.cycle,
                config=batch.config,
                actor=item.actor,
                data=item.data,
                now=batch.now,
            )
        except TaskError as exc:
            refused[item.task.id] = exc
    return refused


def _checked(batch: Batch, check: Callable[[Item], None]) -> tuple[list[Item], Refused]:
    """The items ``check`` accepts, and the refused ones."""
    accepted, refused = [], {}
    for item in batch.items:
        try:
            check(item)
        except TaskError as exc:
            refused[item.task.id] = exc
            continue
        accepted.append(item)
    return accepted, refused


def targets_decided(batch: Batch) -> Refused:
    """Approvals in one UPDATE of the targets; a return (rare) opens a revision task and
    tells the employee, through the one-task effect."""
    returns = [i for i in batch.items if getattr(i.data, "decision", None) == "return"]
    returned = {i.task.id for i in returns}
    approved = [i.task.subject_nip for i in batch.items if i.task.id not in returned]
    decide_targets(batch.session, cycle_id=batch.cycle.cycle_id, nips=approved, status="approved")
    return one_by_one(Batch(batch.session, batch.cycle, batch.config, returns, batch.now))


def realisation_reported(batch: Batch) -> Refused:
    """The targets of every reporter in one query; every accepted report's values in one
    :func:`~kinerja.models.cycles.measurements.record`."""
    owned: dict[str, set[str]] = defaultdict(set)
    for nips in in_lists(sorted(set(batch.subjects))):
        for nip, target_id in batch.session.execute(
            select(Target.nip, Target.target_id).where(
                Target.cycle_id == batch.cycle.cycle_id, Target.nip.in_(nips)
            )
        ):
            owned[nip].add(target_id)
    rows: list[dict[str, Any]] = []

    def check(item: Item) -> None:
        rows.extend(
            realisation_rows(
                item.task,
                config=batch.config,
                owned=owned[item.task.subject_nip],
                actor=item.actor,
                data=item.data,  # type: ignore[arg-type]
            )
        )

    _, refused = _checked(batch, check)
    replaced = record(
        batch.session,
        cycle_id=batch.cycle.cycle_id,
        rows=rows,
        source="report",
        by=None,
        now=batch.now,
    )
    append_many(batch.session, events=replaced, at=batch.now)
    return refused


def reviewed(batch: Batch) -> Refused:
    """Every ratee's result row in one query (locked on PostgreSQL), each review checked,
    then the ratings in one executemany UPDATE per set of columns."""
    r = Result.__table__.c
    cycle_id = batch.cycle.cycle_id
    results = {
        row.nip: row
        for nips in in_lists(sorted(set(batch.subjects)))
        for row in batch.session.execute(
            select(r.nip, r.proposed_hasil_kerja)
            .where(r.cycle_id == cycle_id, r.nip.in_(nips))
            .with_for_update()
        )
    }
    pack = pack_of(batch.cycle)
    writes: dict[str, dict[str, Any]] = {}

    def check(item: Item) -> None:
        writes[item.task.subject_nip] = rate_result(
            results.get(item.task.subject_nip),
            task=item.task,
            config=batch.config,
            pack=pack,
            actor=item.actor,
            data=item.data,  # type: ignore[arg-type]
        )

    refused = _checked(batch, check)[1]
    bulk_update(
        batch.session,
        table=Result.__table__,
        keys=("cycle_id", "nip"),
        entity=Result,
        rows=[{"cycle_id": cycle_id, "nip": nip, **values} for nip, values in writes.items()],
    )
    return refused


def checked_in(batch: Batch) -> Refused:
    """Every period row of the batch in one query (locked on PostgreSQL), each check-in
    checked, then the ratings in one executemany UPDATE per set of columns; a row's
    derivation is read and rewritten only where the check-in adds to it."""
    p = PeriodResult.__table__.c
    cycle_id = batch.cycle.cycle_id
    key = {id(i): (i.task.payload["period"], i.task.subject_nip) for i in batch.items}
    rows = {
        (row.period, row.nip): row
        for where in pairs_in(p.period, p.nip, sorted(set(key.values())))
        for row in batch.session.execute(
            select(p.period, p.nip, p.proposed_hasil_kerja, p.at_risk)
            .where(p.cycle_id == cycle_id, where)
            .with_for_update()
        )
    }
    pack = pack_of(batch.cycle)
    writes: dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]] = {}

    def check(item: Item) -> None:
        writes[key[id(item)]] = rate_period(
            rows.get(key[id(item)]),
            task=item.task,
            config=batch.config,
            pack=pack,
            actor=item.actor,
            data=item.data,  # type: ignore[arg-type]
            now=batch.now,
        )

    refused = _checked(batch, check)[1]
    added = [k for k, (_, derivation) in writes.items() if derivation]
    derivations = {
        (row.period, row.nip): row.derivation
        for where in pairs_in(p.period, p.nip, added)
        for row in batch.session.execute(
            select(p.period, p.nip, p.derivation).where(p.cycle_id == cycle_id, where)
        )
    }
    rows = []
    for (period, nip), (values, derivation) in writes.items():
        if derivation:
            values = {**values, "derivation": {**(derivations[(period, nip)] or {}), **derivation}}
        rows.append({"cycle_id": cycle_id, "period": period, "nip": nip, **values})
    bulk_update(
        batch.session,
        table=PeriodResult.__table__,
        keys=("cycle_id", "period", "nip"),
        rows=rows,
        entity=PeriodResult,
    )
    return refused


def feedback_written(batch: Batch) -> Refused:
    """The notes in one upsert; the acknowledgement tasks opened and announced together."""
    upsert(
        batch.session,
        table=Feedback.__table__,
        rows=[
            {
                "cycle_id": batch.cycle.cycle_id,
                "nip": i.task.subject_nip,
                "manager_nip": i.actor.nip,
                "text": i.data.text,  # type: ignore[attr-defined]
                "written_at": batch.now,
            }
            for i in batch.items
        ],
        keys=["cycle_id", "nip"],
    )
    open_follow_up(
        batch.session,
        cycle=batch.cycle,
        config=batch.config,
        now=batch.now,
        tasks=[
            NewTask(
                "acknowledge_feedback",
                i.task.subject_nip,
                i.task.subject_nip,
                {"feedback": i.data.text},  # type: ignore[attr-defined]
            )
            for i in batch.items
        ],
    )
    return {}


def feedback_acknowledged(batch: Batch) -> Refused:
    for nips in in_lists(batch.subjects):
        batch.session.execute(
            update(Feedback)
            .where(Feedback.cycle_id == batch.cycle.cycle_id, Feedback.nip.in_(nips))
            .values(acknowledged_at=batch.now)
            .execution_options(synchronize_session=False)
        )
    return {}


BULK_EFFECTS: dict[str, Callable[[Batch], Refused]] = {
    "approve_targets": targets_decided,
    "report_realisation": realisation_reported,
    "report_period": realisation_reported,
    "checkin": checked_in,
    "review": reviewed,
    "write_feedback": feedback_written,
    "acknowledge_feedback": feedback_acknowledged,
}
