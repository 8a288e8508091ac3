"""The yearly JP ledger per person: training planned by cycles and training completed.

PP 11/2017 (DOMAIN.md A3): at least 20 JP of competency development a year. A cycle's
training step plans courses (ledger status ``planned``); training.csv records completed
training (status ``completed``, in the year of ``completed_on``, keyed by person, course and
day so importing it again changes nothing). A completion of a planned course marks that
plan ``fulfilled`` and its assignment ``completed``. The next cycle of the same year counts
the completed hours, so its top-up to the minimum shrinks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session, aliased

from kinerja.models.audit.chain import append_many
from kinerja.models.cycles.cycle import cycle_pack
from kinerja.models.imports.errors import ImportReport
from kinerja.models.imports.training import import_training_completions
from kinerja.models.store.tables import Cycle, JpLedgerEntry, TrainingAssignment


def record_completions(
    session: Session, *, path: str | Path, now: datetime, actor: str = "import"
) -> tuple[ImportReport, int]:
    """Import training.csv and match completions to planned courses, audited.

    Returns the import report and how many planned courses the import fulfilled. Every
    completion not yet matched is tried again, so a completion recorded before its course
    was planned is matched by the next import.
    """
    report = import_training_completions(session, path=path)
    done, plan = aliased(JpLedgerEntry), aliased(JpLedgerEntry)
    pairs = session.execute(
        select(done.id, done.nip, done.source, done.jp, plan.id, plan.cycle_id)
        .join(
            plan,
            and_(
                plan.nip == done.nip,
                plan.source == done.source,
                plan.year == done.year,
                plan.status == "planned",
            ),
        )
        .where(done.status == "completed", done.cycle_id.is_(None))
        .order_by(done.id, plan.id)
    ).all()
    taken: set[int] = set()
    matched: set[int] = set()
    events: list[dict[str, Any]] = []
    for done_id, nip, course, jp, plan_id, cycle_id in pairs:
        if done_id in matched or plan_id in taken:
            continue
        matched.add(done_id)
        taken.add(plan_id)
        session.execute(
            update(JpLedgerEntry).where(JpLedgerEntry.id == plan_id).values(status="fulfilled")
        )
        session.execute(
            update(JpLedgerEntry).where(JpLedgerEntry.id == done_id).values(cycle_id=cycle_id)
        )
        session.execute(
            update(TrainingAssignment)
            .where(
                TrainingAssignment.cycle_id == cycle_id,
                TrainingAssignment.nip == nip,
                TrainingAssignment.course == course,
            )
            .values(status="completed")
        )
        events.append(
            {
                "actor": actor,
                "action": "training.completed",
                "cycle_id": cycle_id,
                "entity": "training_assignment",
                "entity_id": f"{nip}:{course}",
                "payload": {"nip": nip, "course": course, "jp": jp},
            }
        )
    events.append(
        {
            "actor": actor,
            "action": "training.import",
            "cycle_id": None,
            "entity": "jp_ledger",
            "entity_id": report.file,
            "payload": {
                "rows": report.rows,
                "inserted": report.inserted,
                "updated": report.updated,
                "fulfilled": len(matched),
            },
        }
    )
    append_many(session, events=events, at=now)
    return report, len(matched)


@dataclass(frozen=True)
class LedgerYear:
    """One person's JP ledger for one year."""

    year: int
    entries: list[JpLedgerEntry]
    planned_jp: float
    open_jp: float
    completed_jp: float
    minimum: float | None

    @property
    def met(self) -> bool | None:
        """Whether completed JP reach the minimum (None when no pack says the minimum)."""
        return None if self.minimum is None else self.completed_jp >= self.minimum


def _minimum_for(session: Session, year: int) -> float | None:
    """The yearly minimum of the pack of the newest cycle ending in ``year`` (else of the
    newest cycle); None without cycles or a training section."""

    cycles = list(session.scalars(select(Cycle).order_by(Cycle.created_at.desc())))
    in_year = [c for c in cycles if date.fromisoformat(str(c.config["period_end"])).year == year]
    for cycle in (in_year or cycles)[:1]:
        training = cycle_pack(cycle).training
        return None if training is None else float(training.min_jp_per_year)
    return None


def ledger_for(session: Session, *, nip: str, year: int | None = None) -> list[LedgerYear]:
    """The ledger of ``nip`` per year, oldest first (one year with ``year``)."""
    query = select(JpLedgerEntry).where(JpLedgerEntry.nip == nip)
    if year is not None:
        query = query.where(JpLedgerEntry.year == year)
    by_year: dict[int, list[JpLedgerEntry]] = {}
    for entry in session.scalars(query.order_by(JpLedgerEntry.year, JpLedgerEntry.id)):
        by_year.setdefault(entry.year, []).append(entry)
    if year is not None and year not in by_year:
        by_year[year] = []
    out = []
    for y, entries in sorted(by_year.items()):

        def total(*statuses: str, rows: list[JpLedgerEntry] = entries) -> float:
            return float(sum(e.jp for e in rows if e.status in statuses))

        out.append(
            LedgerYear(
                year=y,
                entries=entries,
                planned_jp=total("planned", "fulfilled"),
                open_jp=total("planned"),
                completed_jp=total("completed"),
                minimum=_minimum_for(session, y),
            )
        )
    return out
