"""Assign training for a chunk of a cycle's people: predikat, competency gaps, the JP minimum.

The needs come from :func:`kinerja.models.rules.training.training_for` with the cycle's pack
snapshot (its embedded catalogue) and competencies.csv. The step reconciles: the chunk's
assignments and planned JP ledger rows that no longer apply are removed, so running it again
for one person (an appeal) leaves exactly what the rules now say. Assignments already
completed, and the ledger rows of completed training, are history and stay.

JP so far counts training completed in the year. A completion of one of this cycle's own
assignments that the rules still open is counted as the assignment itself, so a rerun after
a completion neither drops the course nor counts its hours twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_many
from kinerja.models.rules.training import training_for
from kinerja.models.store.bulk import bulk_update, upsert
from kinerja.models.store.clock import cycle_now
from kinerja.models.store.tables import (
    CompetencyLevel,
    Cycle,
    JpLedgerEntry,
    Result,
    TrainingAssignment,
)


def planned_key(cycle_id: str, nip: str, course: str) -> str:
    """The JP ledger key of a course planned by a cycle's assignment."""
    return f"{cycle_id}:{nip}:{course}"


def _chunk(column: Any, lo: str, hi: str) -> Any:
    return and_(column >= lo, column <= hi)


def completed_jp(
    session: Session, *, cycle_id: str, year: int, lo: str, hi: str
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """JP completed in ``year`` per person of the chunk: the hours completed elsewhere, and
    per course the hours that completed this cycle's own assignments."""
    elsewhere: dict[str, float] = defaultdict(float)
    own: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for nip, course, cycle, jp in session.execute(
        select(JpLedgerEntry.nip, JpLedgerEntry.source, JpLedgerEntry.cycle_id, JpLedgerEntry.jp)
        .where(
            JpLedgerEntry.year == year,
            JpLedgerEntry.status == "completed",
            _chunk(JpLedgerEntry.nip, lo, hi),
        )
        .order_by(JpLedgerEntry.id)
    ):
        if cycle == cycle_id:
            own[nip][course] += float(jp)
        else:
            elsewhere[nip] += float(jp)
    return elsewhere, own


def competency_levels(
    session: Session, *, cycle_id: str, lo: str, hi: str
) -> dict[str, dict[str, tuple[int, int]]]:
    """(required, actual) level per competency per person of the chunk."""
    out: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for nip, competency, required, actual in session.execute(
        select(
            CompetencyLevel.nip,
            CompetencyLevel.competency,
            CompetencyLevel.required_level,
            CompetencyLevel.actual_level,
        ).where(CompetencyLevel.cycle_id == cycle_id, _chunk(CompetencyLevel.nip, lo, hi))
    ):
        out[nip][competency] = (required, actual)
    return out


def assign_training_chunk(
    session: Session,
    *,
    cycle: Cycle,
    pack: Any,
    year: int,
    lo: str,
    hi: str,
    now: datetime | None = None,
    audit_removals: bool = True,
) -> int:
    """Assignments and planned JP for the chunk ``lo``..``hi``; returns the assignments made.

    Idempotent: a rerun with the same inputs changes nothing; with changed inputs (a new
    predikat after an appeal, new competency levels) it adds, updates and removes rows.
    Audited (unless ``audit_removals`` is off: an appeal records both in its own event):
    each withdrawn course, and each person's training JP when it changes.
    """
    if pack.training is None:
        return 0
    cid = cycle.cycle_id
    elsewhere, own_done = completed_jp(session, cycle_id=cid, year=year, lo=lo, hi=hi)
    levels = competency_levels(session, cycle_id=cid, lo=lo, hi=hi)
    existing = {
        (nip, course): status
        for nip, course, status in session.execute(
            select(
                TrainingAssignment.nip, TrainingAssignment.course, TrainingAssignment.status
            ).where(TrainingAssignment.cycle_id == cid, _chunk(TrainingAssignment.nip, lo, hi))
        )
    }
    assignments, ledger, updates, audited = [], [], [], []
    wanted: set[tuple[str, str]] = set()
    for nip, predikat, derivation, stored_jp in session.execute(
        select(Result.nip, Result.predikat, Result.derivation, Result.training_jp)
        .where(Result.cycle_id == cid, _chunk(Result.nip, lo, hi))
        .order_by(Result.nip)
    ):
        own = levels.get(nip, {})
        jp_so_far = elsewhere.get(nip, 0.0)
        done_here = own_done.get(nip, {})
        if done_here:
            # A completed course that the rules open again is counted as its assignment;
            # one they no longer open (a better predikat) still counts as hours trained.
            opened = {
                n.course
                for n in training_for(
                    predikat=predikat, jp_so_far=jp_so_far, rules=pack.training, competencies=own
                )
            } - {pack.training.topup_course}
            jp_so_far += sum(jp for course, jp in done_here.items() if course not in opened)
        needs = training_for(
            predikat=predikat, jp_so_far=jp_so_far, rules=pack.training, competencies=own
        )
        for need in needs:
            wanted.add((nip, need.course))
            assignments.append(
                {
                    "cycle_id": cid,
                    "nip": nip,
                    "course": need.course,
                    "jp": need.jp,
                    "reason": need.reason,
                    "status": "assigned",
                }
            )
            ledger.append(
                {
                    "key": planned_key(cid, nip, need.course),
                    "nip": nip,
                    "year": year,
                    "cycle_id": cid,
                    "source": need.course,
                    "jp": need.jp,
                    "status": "planned",
                }
            )
        steps = [f"JP so far {jp_so_far:g}"]
        steps += [
            f"competency {c}: required level {r}, actual {a} (gap {r - a})"
            for c, (r, a) in sorted(own.items())
        ]
        steps += [f"{n.course}: {n.jp:g} JP ({n.reason})" for n in needs]
        training_jp = sum(n.jp for n in needs)
        updates.append(
            {
                "cycle_id": cid,
                "nip": nip,
                "training_jp": training_jp,
                "derivation": {**(derivation or {}), "training": steps},
            }
        )
        if stored_jp is None or float(stored_jp) != float(training_jp):
            audited.append(
                {
                    "actor": "system",
                    "action": "result.training",
                    "cycle_id": cid,
                    "entity": "result",
                    "entity_id": nip,
                    "payload": {
                        "predikat": predikat,
                        "training_jp": training_jp,
                        "courses": {n.course: n.jp for n in needs},
                    },
                }
            )
    stale = [
        {"c": cid, "n": nip, "k": course}
        for (nip, course), status in sorted(existing.items())
        if (nip, course) not in wanted and status == "assigned"
    ]
    if stale:
        t = TrainingAssignment.__table__
        session.execute(
            t.delete().where(
                t.c.cycle_id == bindparam("c"),
                t.c.nip == bindparam("n"),
                t.c.course == bindparam("k"),
            ),
            stale,
        )
        keys = [planned_key(cid, s["n"], s["k"]) for s in stale]
        session.execute(
            JpLedgerEntry.__table__.delete().where(
                JpLedgerEntry.key.in_(keys), JpLedgerEntry.status == "planned"
            )
        )
    if audit_removals:
        withdrawn = [
            {
                "actor": "system",
                "action": "training.withdrawn",
                "cycle_id": cid,
                "entity": "result",
                "entity_id": x["n"],
                "payload": {"course": x["k"], "why": "the rules no longer open it"},
            }
            for x in stale
        ]
        append_many(session, events=withdrawn + audited, at=now or cycle_now(cycle.clock_at))
    # Status is not updated on conflict: a completed assignment stays completed.
    upsert(
        session,
        table=TrainingAssignment.__table__,
        rows=assignments,
        keys=["cycle_id", "nip", "course"],
        update=["jp", "reason"],
    )
    upsert(session, table=JpLedgerEntry.__table__, rows=ledger, keys=["key"], update=["jp", "year"])
    bulk_update(
        session,
        table=Result.__table__,
        keys=("cycle_id", "nip"),
        rows=updates,
        columns=("training_jp", "derivation"),
    )
    return len(assignments)
