"""What the HR coordinator's desk shows for each of their cycles: read-only queries.

Per cycle: its stage and period, what it waits for and until when (the open stages' tasks and
deadlines, the gate it waits at, or when the next stage opens: the facts of ``kinerja cycle
status``'s next step, in the page's language), progress per unit, the late and escalated
people per unit, and the gate waiting with its figures.

A unit's tasks are those its people must act on (by the assignee's unit), the same tasks the
desk's "remind a unit" and "extend a unit" act on. Progress counts the tasks of the stages
open now (of the whole cycle when none is open). Nothing here writes.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from datetime import datetime
from typing import Any

import altair as alt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import CycleError, cycle_config
from kinerja.models.cycles.periods import opens_on_date
from kinerja.models.humantasks.states import ACTIVE, acting_nip, title
from kinerja.models.rules.numbers import money, number
from kinerja.models.schemas.config import stage_title
from kinerja.models.stages.gates import gate_summary, gate_title, pending_gate
from kinerja.models.store.clock import Clock, cycle_now
from kinerja.models.store.tables import Cycle, CycleStage, Employee, HumanTask, Unit
from kinerja.portal.charts import render_svg
from kinerja.portal.formats import format_day
from kinerja.portal.i18n import translator

DONE = ("done", "returned")
LATE_LIMIT = 30
"""Late or escalated tasks listed per unit; the rest are counted."""


def _side(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "id" else pair[1]


def cycle_view(session: Session, *, cycle: Cycle, clock: Clock, lang: str) -> dict[str, Any]:
    """Everything the desk shows of ``cycle`` (see the module doc)."""
    config = cycle_config(cycle)
    now = cycle_now(cycle.clock_at, clock)
    stages = list(
        session.scalars(
            select(CycleStage)
            .where(CycleStage.cycle_id == cycle.cycle_id)
            .order_by(CycleStage.position)
        )
    )
    open_stages = [s.stage for s in stages if s.status == "open"]
    units = dict(session.execute(select(Unit.unit_id, Unit.name)).all())
    tasks = _tasks(session, cycle_id=cycle.cycle_id, stages=open_stages)
    names = _names(session, {n for t in tasks for n in (acting_nip(t), t.subject_nip)})
    unit_of = _units_of(session, {t.assignee_nip for t in tasks})
    progress = _progress(tasks, unit_of=unit_of, units=units, now=now)
    return {
        "cycle": cycle,
        "now": now,
        "status": translator(lang)(f"desk_status_{cycle.status}"),
        "stages": [_side(stage_title(s), lang) for s in open_stages],
        "period": (
            f"{format_day(config.period_start, lang)} – {format_day(config.period_end, lang)}"
        ),
        "waiting": _waiting(session, cycle=cycle, stages=stages, now=now, lang=lang),
        "all_stages": not open_stages,
        "progress": progress,
        "chart": _chart(progress, lang) if progress else None,
        "late": _late(tasks, unit_of=unit_of, units=units, names=names, now=now, lang=lang),
        "gate": _gate(session, cycle=cycle, units=units, lang=lang),
        "units": sorted(units.items(), key=lambda item: (item[1], item[0])),
    }


def _tasks(session: Session, *, cycle_id: str, stages: list[str]) -> list[HumanTask]:
    query = select(HumanTask).where(HumanTask.cycle_id == cycle_id)
    if stages:
        query = query.where(HumanTask.stage.in_(stages))
    return list(session.scalars(query.order_by(HumanTask.due_at, HumanTask.id)))


def _names(session: Session, nips: set[str]) -> dict[str, str]:
    wanted = sorted(nips)
    out: dict[str, str] = {}
    for i in range(0, len(wanted), 1000):
        out.update(
            session.execute(
                select(Employee.nip, Employee.name).where(Employee.nip.in_(wanted[i : i + 1000]))
            ).all()
        )
    return out


def _units_of(session: Session, nips: set[str]) -> dict[str, str]:
    wanted = sorted(nips)
    out: dict[str, str] = {}
    for i in range(0, len(wanted), 1000):
        out.update(
            session.execute(
                select(Employee.nip, Employee.unit_id).where(Employee.nip.in_(wanted[i : i + 1000]))
            ).all()
        )
    return out


def _progress(
    tasks: list[HumanTask], *, unit_of: dict[str, str], units: dict[str, str], now: datetime
) -> list[dict[str, Any]]:
    """One row per unit: tasks, done, open on time, late, escalated, closed otherwise, and
    the share done (percent); units by name."""
    rows: dict[str, dict[str, Any]] = {}
    for task in tasks:
        unit = unit_of.get(task.assignee_nip, "-")
        row = rows.setdefault(
            unit,
            {
                "unit_id": unit,
                "name": units.get(unit, unit),
                "tasks": 0,
                "done": 0,
                "open": 0,
                "late": 0,
                "escalated": 0,
                "closed": 0,
            },
        )
        row["tasks"] += 1
        if task.state in DONE:
            row["done"] += 1
        elif task.state in ACTIVE:
            row["late" if task.due_at < now else "open"] += 1
            row["escalated"] += task.state == "escalated"
        else:
            row["closed"] += 1
    for row in rows.values():
        row["share"] = 100.0 * row["done"] / row["tasks"]
    return sorted(rows.values(), key=lambda r: (r["name"], r["unit_id"]))


def _late(
    tasks: list[HumanTask],
    *,
    unit_of: dict[str, str],
    units: dict[str, str],
    names: dict[str, str],
    now: datetime,
    lang: str,
) -> list[dict[str, Any]]:
    """Per unit (by name), the active tasks past their due date or escalated, earliest due
    first: who must act, the task in words, whom it is about, the due date."""
    by_unit: dict[str, list[HumanTask]] = defaultdict(list)
    for task in tasks:
        if task.state in ACTIVE and (task.due_at < now or task.state == "escalated"):
            by_unit[unit_of.get(task.assignee_nip, "-")].append(task)
    out = []
    for unit, found in by_unit.items():
        people = [
            {
                "task_id": t.id,
                "nip": acting_nip(t),
                "name": names.get(acting_nip(t), acting_nip(t)),
                "kind": title(t.kind, lang),
                "subject": names.get(t.subject_nip, t.subject_nip),
                "due": format_day(t.due_at, lang),
                "escalated": t.state == "escalated",
                "level": t.escalation_level,
            }
            for t in found[:LATE_LIMIT]
        ]
        out.append(
            {
                "unit_id": unit,
                "name": units.get(unit, unit),
                "people": people,
                "more": max(0, len(found) - LATE_LIMIT),
            }
        )
    return sorted(out, key=lambda u: (u["name"], u["unit_id"]))


def _waiting(
    session: Session, *, cycle: Cycle, stages: list[CycleStage], now: datetime, lang: str
) -> list[str]:
    """What the cycle waits for and until when, one line each, in ``lang``."""
    t = translator(lang)
    if cycle.status == "done":
        return [t("desk_waits_nothing")]
    lines = []
    gate = _pending(session, cycle)
    if gate is not None:
        lines.append(t("desk_waits_gate").format(gate=_side(gate_title(gate), lang)))
    config = cycle_config(cycle)
    for row in stages:
        if row.status != "open":
            continue
        count = session.scalar(
            select(func.count()).where(
                HumanTask.cycle_id == cycle.cycle_id,
                HumanTask.stage == row.stage,
                HumanTask.state.in_(ACTIVE),
            )
        )
        lines.append(
            t("desk_waits_tasks").format(
                stage=_side(stage_title(row.stage), lang),
                n=number(count or 0, lang=lang),
                due=format_day(row.due_at, lang) if row.due_at else "-",
                final=format_day(row.final_due_at, lang) if row.final_due_at else "-",
            )
        )
    if lines:
        return lines
    pending = next((row for row in stages if row.status != "done"), None)
    if pending is None:
        return [t("desk_waits_nothing")]
    when = opens_on_date(config, pending.stage)
    stage = _side(stage_title(pending.stage), lang)
    if when is not None and when > now:
        return [t("desk_waits_opens").format(stage=stage, day=format_day(when, lang))]
    return [t("desk_waits_ready").format(stage=stage)]


def _pending(session: Session, cycle: Cycle) -> str | None:
    try:
        return pending_gate(session, cycle)
    except CycleError:  # a cycle without the stages a gate follows
        return None


def _gate(
    session: Session, *, cycle: Cycle, units: dict[str, str], lang: str
) -> dict[str, Any] | None:
    """The gate the cycle waits at and its figures, in ``lang``'s number format."""
    kind = _pending(session, cycle)
    if kind is None:
        return None
    summary = gate_summary(session, cycle=cycle, kind=kind)
    gate: dict[str, Any] = {"kind": kind, "title": _side(gate_title(kind), lang)}
    if kind == "publication":
        gate["failing"] = [
            (units.get(unit, unit), "; ".join(findings))
            for unit, findings in summary["failing"].items()
        ]
        gate["groups"] = number(len(summary.get("groups") or []), lang=lang)
        gate["org_predikat"] = [
            (units.get(unit, unit), predikat, source)
            for unit, predikat, source in summary.get("org_predikat") or []
        ]
        return gate
    budget = summary["budget"]
    gate["rows"] = [
        (units.get(unit, unit), number(people, lang=lang), money(total, lang=lang))
        for unit, people, total in summary["units"]
    ]
    gate["total"] = money(summary["total"], lang=lang)
    gate["budget"] = money(budget, lang=lang) if budget is not None else "-"
    gate["over"] = budget is not None and float(summary["total"]) > float(budget)
    return gate


def _chart(progress: list[dict[str, Any]], lang: str) -> str:
    """The progress chart as an SVG data URI: per unit, tasks done, open and late."""
    t = translator(lang)
    states = [("done", "#2e7d32"), ("open", "#0b5cad"), ("late", "#b00020")]
    values = [
        {"unit": row["name"], "state": t(f"desk_{key}"), "rank": rank, "count": row[key]}
        for row in progress
        for rank, (key, _) in enumerate(states)
    ]
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            x=alt.X("count:Q", title=t("desk_tasks"), axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("unit:N", title=None),
            color=alt.Color(
                "state:N",
                title=None,
                sort=[t(f"desk_{key}") for key, _ in states],
                scale=alt.Scale(
                    domain=[t(f"desk_{key}") for key, _ in states],
                    range=[colour for _, colour in states],
                ),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("rank:Q"),
        )
        .properties(title=t("desk_progress"), width=260)
    )
    svg = render_svg(chart.to_dict())
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
