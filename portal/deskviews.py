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
from sqlalchemy import and_, case, func, or_, select
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
    scope = _scope(cycle.cycle_id, open_stages)
    progress = _progress(session, scope=scope, units=units, now=now)
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
        "late": _late(session, scope=scope, units=units, now=now, lang=lang),
        "gate": _gate(session, cycle=cycle, units=units, lang=lang),
        "units": sorted(units.items(), key=lambda item: (item[1], item[0])),
    }


def _scope(cycle_id: str, stages: list[str]) -> Any:
    """The tasks the desk counts: the open stages' (the whole cycle's when none is open)."""
    where = HumanTask.cycle_id == cycle_id
    return and_(where, HumanTask.stage.in_(stages)) if stages else where


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


def _progress(
    session: Session, *, scope: Any, units: dict[str, str], now: datetime
) -> list[dict[str, Any]]:
    """One row per unit: tasks, done, open on time, late, escalated, and the share done
    (percent); units by name. One grouped query, whatever the number of tasks."""
    t = HumanTask
    active = t.state.in_(ACTIVE)

    def count(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    query = (
        select(
            Employee.unit_id,
            func.count(),
            count(t.state.in_(DONE)),
            count(and_(active, t.due_at >= now)),
            count(and_(active, t.due_at < now)),
            count(t.state == "escalated"),
        )
        .join(Employee, Employee.nip == t.assignee_nip, isouter=True)
        .where(scope)
        .group_by(Employee.unit_id)
    )
    rows = []
    for unit, tasks, done, waiting, late, escalated in session.execute(query):
        unit = unit or "-"
        rows.append(
            {
                "unit_id": unit,
                "name": units.get(unit, unit),
                "tasks": tasks,
                "done": int(done or 0),
                "open": int(waiting or 0),
                "late": int(late or 0),
                "escalated": int(escalated or 0),
                "share": 100.0 * int(done or 0) / tasks,
            }
        )
    return sorted(rows, key=lambda r: (r["name"], r["unit_id"]))


def _late(
    session: Session, *, scope: Any, units: dict[str, str], now: datetime, lang: str
) -> list[dict[str, Any]]:
    """Per unit (by name), the active tasks past their due date or escalated, earliest due
    first, at most :data:`LATE_LIMIT` each (the rest counted): who must act, the task in
    words, whom it is about, the due date."""
    t = HumanTask
    query = (
        select(t, Employee.unit_id)
        .join(Employee, Employee.nip == t.assignee_nip, isouter=True)
        .where(scope, t.state.in_(ACTIVE), or_(t.due_at < now, t.state == "escalated"))
        .order_by(Employee.unit_id, t.due_at, t.id)
    )
    shown: dict[str, list[HumanTask]] = defaultdict(list)
    more: dict[str, int] = defaultdict(int)
    for task, unit in session.execute(query.execution_options(yield_per=1000)):
        unit = unit or "-"
        if len(shown[unit]) < LATE_LIMIT:
            shown[unit].append(task)
        else:
            more[unit] += 1
            session.expunge(task)  # only counted: keep the identity map small
    names = _names(
        session,
        {n for found in shown.values() for t in found for n in (acting_nip(t), t.subject_nip)},
    )
    out = []
    for unit, found in shown.items():
        people = [
            {
                "task_id": task.id,
                "nip": acting_nip(task),
                "name": names.get(acting_nip(task), acting_nip(task)),
                "kind": title(task.kind, lang),
                "subject": names.get(task.subject_nip, task.subject_nip),
                "due": format_day(task.due_at, lang),
                "escalated": task.state == "escalated",
                "level": task.escalation_level,
            }
            for task in found
        ]
        out.append(
            {"unit_id": unit, "name": units.get(unit, unit), "people": people, "more": more[unit]}
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
        .properties(title=t("desk_progress"), width=240)
        # Drawn about 400 px wide and shown smaller on a phone: larger type stays legible.
        .configure_axis(labelFontSize=13, titleFontSize=13, labelLimit=150)
        .configure_legend(labelFontSize=13)
        .configure_title(fontSize=15)
    )
    svg = render_svg(chart.to_dict())
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
