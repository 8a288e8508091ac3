"""A stage's summary and a gate's figures as table rows people read (the Prefect artifacts).

A stage's stats are whatever its steps returned: counts, lists of units, nested dicts. They
become rows of three columns (step, measure, value), every number with Indonesian
thousands separators and never a Python repr, so the Prefect UI shows a table and not
``{'units': [('DINAS', 5, '21285000.00')]}``. A gate's figures become one row per unit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kinerja.models.rules.numbers import cell, money, number

STEP, MEASURE, VALUE = "langkah / step", "ukuran / measure", "nilai / value"

_NUMERIC = re.compile(r"^-?\d+(\.\d+)?$")


def _value(value: Any) -> str:
    """One scalar: numbers (also numbers stored as text) with separators, ``-`` for none."""
    if isinstance(value, str) and _NUMERIC.match(value):
        return number(value, places=2 if "." in value else 0)
    return cell(value)


def _row_text(row: Any) -> tuple[str, str]:
    """A listed item as (its name, the rest): ``('DINAS', 5, '21285000.00')`` gives
    ``('DINAS', '5 · 21.285.000,00')``; a dict names its fields."""
    if isinstance(row, Mapping):
        items = list(row.items())
        if not items:
            return "-", "-"
        (_, first), rest = items[0], items[1:]
        return _value(first), " · ".join(f"{k}: {_value(v)}" for k, v in rest) or "-"
    if isinstance(row, list | tuple):
        if not row:
            return "-", "-"
        return _value(row[0]), " · ".join(_value(v) for v in row[1:]) or "-"
    return _value(row), "-"


def _flatten(step: str, measure: str, value: Any) -> list[dict[str, str]]:
    if isinstance(value, Mapping):
        if not value:
            return [{STEP: step, MEASURE: measure or "-", VALUE: "-"}]
        out: list[dict[str, str]] = []
        for key, inner in value.items():
            out += _flatten(step, f"{measure} · {key}" if measure else str(key), inner)
        return out
    if isinstance(value, list | tuple):
        if not value:
            return [{STEP: step, MEASURE: measure or "-", VALUE: "-"}]
        if all(not isinstance(v, Mapping | list | tuple) for v in value):
            return [{STEP: step, MEASURE: measure or "-", VALUE: ", ".join(map(_value, value))}]
        rows = []
        for item in value:
            name, rest = _row_text(item)
            rows.append(
                {STEP: step, MEASURE: f"{measure}: {name}" if measure else name, VALUE: rest}
            )
        return rows
    return [{STEP: step, MEASURE: measure or "-", VALUE: _value(value)}]


def stage_summary_rows(stats: Mapping[str, Any]) -> list[dict[str, str]]:
    """Every figure of a stage's stats as ``{step, measure, value}`` rows: the task counts
    first, then late tasks by unit, then each step's own figures."""
    rows: list[dict[str, str]] = []
    tasks = stats.get("tasks") or {}
    for key in ("tasks", "done", "late", "escalated", "expired"):
        if key in tasks:
            rows.append({STEP: "tugas / tasks", MEASURE: key, VALUE: number(tasks[key])})
    for unit, n in stats.get("late_by_unit") or []:
        rows.append({STEP: "terlambat per unit / late by unit", MEASURE: unit, VALUE: number(n)})
    for key, value in stats.items():
        if key not in ("tasks", "late_by_unit"):
            rows += _flatten(key, "", value)
    return rows


def stage_summary_line(stats: Mapping[str, Any]) -> str:
    """The task counts in one sentence, for the artifact's description."""
    tasks = stats.get("tasks") or {}
    if not tasks.get("tasks"):
        return "Tanpa tugas manusia / no human tasks."
    return (
        f"{number(tasks['tasks'])} tugas / tasks: {number(tasks.get('done', 0))} selesai / done,"
        f" {number(tasks.get('late', 0))} terlambat / late,"
        f" {number(tasks.get('escalated', 0))} dieskalasi / escalated,"
        f" {number(tasks.get('expired', 0))} ditutup batas akhir / expired."
    )


def gate_table_rows(kind: str, summary: Mapping[str, Any]) -> list[dict[str, str]]:
    """A gate's figures, one row per unit: its people and incentive total against the budget
    (payout, with a last row for the organisation), or its predikat organisasi and the
    distribution findings (publication)."""
    if kind == "publication":
        failing = summary.get("failing") or {}
        org = {
            unit: (predikat, source) for unit, predikat, source in summary.get("org_predikat") or []
        }
        units = sorted(set(org) | set(failing))
        return [
            {
                "unit": unit,
                "predikat organisasi": org.get(unit, ("-", "-"))[0],
                "sumber / source": org.get(unit, ("-", "-"))[1],
                "uji distribusi / distribution check": "; ".join(failing[unit])
                if unit in failing
                else "lolos / passed",
            }
            for unit in units
        ]
    rows = [
        {"unit": unit, "pegawai / employees": number(n), "total": money(total)}
        for unit, n, total in summary.get("units") or []
    ]
    people = sum(int(n) for _, n, _ in summary.get("units") or [])
    rows.append(
        {
            "unit": "* total",
            "pegawai / employees": number(people),
            "total": money(summary["total"]),
        }
    )
    budget = summary.get("budget")
    rows.append(
        {
            "unit": "* pagu / budget",
            "pegawai / employees": "-",
            "total": money(budget) if budget is not None else "-",
        }
    )
    return rows
