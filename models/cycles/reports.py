"""Read-only views of a cycle for people: stage tables, open tasks by unit, status."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from kinerja.models.rules.numbers import money
from kinerja.models.rules.periods import period_key
from kinerja.models.store.tables import (
    CycleStage,
    Employee,
    HumanTask,
    Notification,
    PeriodResult,
)


def stage_task_counts(session: Session, *, cycle_id: str, stage: str) -> dict[str, int]:
    """Tasks of one stage: total, done on time, late, escalated, expired, still open."""
    t = HumanTask
    row = session.execute(
        select(
            func.count(),
            func.sum(case((t.state.in_(("done", "returned")), 1), else_=0)),
            func.sum(case((t.late, 1), else_=0)),
            func.sum(case((t.escalation_level > 0, 1), else_=0)),
            func.sum(case((t.state == "expired", 1), else_=0)),
            func.sum(case((t.state.in_(("open", "escalated")), 1), else_=0)),
        ).where(t.cycle_id == cycle_id, t.stage == stage)
    ).one()
    keys = ("tasks", "done", "late", "escalated", "expired", "open")
    return {k: int(v or 0) for k, v in zip(keys, row, strict=True)}


def late_by_unit(
    session: Session, *, cycle_id: str, stage: str, limit: int = 20
) -> list[tuple[str, int]]:
    """The units with the most late tasks in a stage (by the subject's unit), most first."""
    t = HumanTask
    late = func.sum(case((t.late, 1), else_=0))
    rows = session.execute(
        select(Employee.unit_id, late)
        .join(Employee, Employee.nip == t.subject_nip)
        .where(t.cycle_id == cycle_id, t.stage == stage)
        .group_by(Employee.unit_id)
        .having(late > 0)
        .order_by(late.desc(), Employee.unit_id)
        .limit(limit)
    ).all()
    return [(unit, int(n)) for unit, n in rows]


def notifications_by_stage(session: Session, *, cycle_id: str) -> dict[str, dict[str, int]]:
    """Messages per stage (by the task they are about) and status."""
    out: dict[str, dict[str, int]] = {}
    for stage, status, n in session.execute(
        select(HumanTask.stage, Notification.status, func.count())
        .join(HumanTask, HumanTask.id == Notification.task_id)
        .where(Notification.cycle_id == cycle_id)
        .group_by(HumanTask.stage, Notification.status)
    ):
        out.setdefault(stage, {})[status] = n
    for status, n in session.execute(
        select(Notification.status, func.count())
        .where(Notification.cycle_id == cycle_id, Notification.task_id.is_(None))
        .group_by(Notification.status)
    ):
        out.setdefault("publish", {})[status] = out.get("publish", {}).get(status, 0) + n
    return out


def stage_table(session: Session, *, cycle_id: str) -> list[dict[str, Any]]:
    """One row per stage: status, tasks done, late, escalated, expired, messages sent."""
    notes = notifications_by_stage(session, cycle_id=cycle_id)
    rows = []
    for stage in session.scalars(
        select(CycleStage).where(CycleStage.cycle_id == cycle_id).order_by(CycleStage.position)
    ):
        counts = stage_task_counts(session, cycle_id=cycle_id, stage=stage.stage)
        sent = notes.get(stage.stage, {})
        rows.append(
            {
                "stage": stage.stage,
                "status": stage.status,
                **counts,
                "sent": sent.get("sent", 0),
                "queued": sum(v for k, v in sent.items() if k != "sent"),
            }
        )
    return rows


def open_tasks_by_unit(session: Session, *, cycle_id: str, now: Any = None) -> list[tuple]:
    """(unit, stage, open, late) for the cycle's active tasks, by the subject's unit."""
    t = HumanTask
    late = case((t.due_at < now, 1), else_=0) if now is not None else case((t.late, 1), else_=0)
    return list(
        session.execute(
            select(Employee.unit_id, t.stage, func.count(), func.sum(late))
            .join(Employee, Employee.nip == t.subject_nip)
            .where(t.cycle_id == cycle_id, t.state.in_(("open", "escalated")))
            .group_by(Employee.unit_id, t.stage)
            .order_by(Employee.unit_id, t.stage)
        ).all()
    )


def format_table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """A plain-text table for the terminal."""
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns)]
    lines.append("  ".join("-" * widths[c] for c in columns))
    for r in rows:
        lines.append("  ".join(str(r.get(c, "")).ljust(widths[c]) for c in columns))
    return "\n".join(lines)


def period_monitoring(session: Session, *, cycle_id: str, period: str) -> list[dict[str, Any]]:
    """Progress to date per unit at the end of ``period``: people, mean achievement to date
    against the expected share of the year, people at risk; the organisation last (unit
    ``*``). Each periodic predikat given is counted once the check-in closed."""
    r = PeriodResult
    query = (
        select(
            r.unit_id,
            func.count(),
            func.avg(r.achievement),
            func.max(r.expected),
            func.count().filter(r.at_risk.is_(True)),
        )
        .where(r.cycle_id == cycle_id, r.period == period)
        .group_by(r.unit_id)
        .order_by(r.unit_id)
    )
    rows = [
        {
            "unit": unit,
            "people": people,
            "achievement": None if mean is None else round(float(mean), 2),
            "expected": expected,
            "at_risk": at_risk,
        }
        for unit, people, mean, expected, at_risk in session.execute(query)
    ]
    if rows:
        people, mean, at_risk = session.execute(
            select(
                func.count(), func.avg(r.achievement), func.count().filter(r.at_risk.is_(True))
            ).where(r.cycle_id == cycle_id, r.period == period)
        ).one()
        rows.append(
            {
                "unit": "*",
                "people": people,
                "achievement": None if mean is None else round(float(mean), 2),
                "expected": rows[0]["expected"],
                "at_risk": at_risk,
            }
        )
    return rows


def period_predikat_counts(session: Session, *, cycle_id: str, period: str) -> dict[str, int]:
    """How many people got each periodic predikat in ``period``."""
    r = PeriodResult
    return {
        str(predikat): n
        for predikat, n in session.execute(
            select(r.predikat, func.count())
            .where(r.cycle_id == cycle_id, r.period == period)
            .group_by(r.predikat)
            .order_by(r.predikat)
        )
    }


def period_table(session: Session, *, cycle_id: str) -> list[dict[str, Any]]:
    """One row per evaluation period of the cycle: people, mean achievement to date against
    the expected share, people at risk, check-ins given, the periodic predikat counts and
    the month's tukin total (when paid monthly)."""
    r = PeriodResult
    rows = []
    for period, people, mean, expected, at_risk, rated, tukin in session.execute(
        select(
            r.period,
            func.count(),
            func.avg(r.achievement),
            func.max(r.expected),
            func.count().filter(r.at_risk.is_(True)),
            func.count().filter(r.rated_at.is_not(None)),
            func.sum(r.incentive),
        )
        .where(r.cycle_id == cycle_id)
        .group_by(r.period)
        .order_by(r.period)
    ):
        counts = period_predikat_counts(session, cycle_id=cycle_id, period=period)
        rows.append(
            {
                "period": period,
                "people": people,
                "achievement": "-" if mean is None else f"{float(mean):.1f}%",
                "expected": f"{expected:.1f}%",
                "at_risk": at_risk,
                "checked_in": rated,
                "predikat": " ".join(f"{k}:{v}" for k, v in counts.items()),
                "tukin": "-" if tukin is None else money(tukin),
            }
        )
    return rows


def next_step(session: Session, *, cycle: Any, now: datetime) -> str:
    """What the cycle waits for next and when, in Bahasa Indonesia and English: the open
    stage's tasks and their due dates, or the date a pending stage opens."""
    from kinerja.models.cycles.cycle import cycle_config
    from kinerja.models.cycles.periods import opens_on_date

    if cycle.status == "done":
        return "selesai / complete"
    config = cycle_config(cycle)
    for row in session.scalars(
        select(CycleStage)
        .where(CycleStage.cycle_id == cycle.cycle_id)
        .order_by(CycleStage.position)
    ):
        if row.status == "done":
            continue
        if row.status == "open":
            open_tasks = session.scalar(
                select(func.count()).where(
                    HumanTask.cycle_id == cycle.cycle_id,
                    HumanTask.stage == row.stage,
                    HumanTask.state.in_(("open", "escalated")),
                )
            )
            due = f"{row.due_at:%Y-%m-%d}" if row.due_at else "-"
            final = f"{row.final_due_at:%Y-%m-%d}" if row.final_due_at else "-"
            return (
                f"{row.stage}: menunggu {open_tasks} tugas, batas {due}, batas akhir {final} /"
                f" waits for {open_tasks} tasks, due {due}, final deadline {final}"
            )
        when = opens_on_date(config, row.stage)
        if when is not None and when > now:
            return f"{row.stage}: dibuka {when:%Y-%m-%d} / opens on {when:%Y-%m-%d}"
        return f"{row.stage}: siap dijalankan sekarang / ready to run now"
    return "menunggu persetujuan / waits for a gate"


def periodic_history(session: Session, *, cycle_id: str, nips: list[str]) -> dict[str, list]:
    """Each person's periodic results in period order: (period, hasil kerja, predikat,
    achievement to date), what the annual review shows the rater."""
    out: dict[str, list] = defaultdict(list)
    for nip, label, hasil, predikat, achievement in session.execute(
        select(
            PeriodResult.nip,
            PeriodResult.period,
            PeriodResult.hasil_kerja,
            PeriodResult.predikat,
            PeriodResult.achievement,
        ).where(PeriodResult.cycle_id == cycle_id, PeriodResult.nip.in_(nips))
    ):
        out[nip].append([label, hasil, predikat, achievement])
    for rows in out.values():
        rows.sort(key=lambda r: period_key(r[0]))
    return dict(out)
