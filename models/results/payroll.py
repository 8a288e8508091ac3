"""The payroll file of one month of tukin paid monthly: what an agency hands to its finance
office, one row per person (models/stages/monthly_pay.py computes the amounts)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.results.exports import exports_dir, spreadsheet_text
from kinerja.models.store.tables import Cycle, Employee, PeriodResult

PAYROLL_COLUMNS = (
    "nip",
    "nama",
    "golongan",
    "unit",
    "predikat",
    "tunjangan_dasar",
    "potongan_kehadiran_persen",
    "potongan_disiplin_persen",
    "jumlah",
)
"""The payroll file's columns: NIP, name, grade, unit, the predikat the month is paid on (its
periodic one, or the pack's ``last_annual``), the base amount (before the predikat factor and
cuts), the attendance and discipline cuts in percent, and the amount to pay."""


def payroll_csv(session: Session, *, cycle: Cycle, pack: Any, period: str) -> str:
    """The month's payroll file (:data:`PAYROLL_COLUMNS`), one row per person by NIP, text
    cells safe for a spreadsheet; amounts in the pack's money step (``incentive.quantum``:
    whole rupiah for the asn pack, as the results export writes them)."""
    rules = pack.incentive
    quantum = Decimal(1) if rules is None else rules.quantum
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PAYROLL_COLUMNS)
    p, e = PeriodResult.__table__, Employee.__table__
    session.flush()
    # Plain rows, and of the derivation only the two entries the file shows: the database
    # reads them out of its JSON, not Python the whole derivation of every person.
    for nip, unit_id, predikat, incentive, paid_on, cuts, name, grade in session.execute(
        select(
            p.c.nip,
            p.c.unit_id,
            p.c.predikat,
            p.c.incentive,
            p.c.derivation["incentive_predikat"].as_string(),
            p.c.derivation["cuts"],
            e.c.name,
            e.c.grade,
        )
        .join(e, e.c.nip == p.c.nip)
        .where(p.c.cycle_id == cycle.cycle_id, p.c.period == period)
        .order_by(p.c.nip)
    ):
        base = None
        if rules is not None:
            base = rules.base_by_grade.get(grade, rules.default_base) if grade else None
            base = rules.default_base if base is None else base
        attendance, discipline = (cuts or ["0", "0"])[:2]
        writer.writerow(
            (
                spreadsheet_text(nip),
                spreadsheet_text(name or ""),
                spreadsheet_text(grade or ""),
                spreadsheet_text(unit_id),
                paid_on or predikat or "",
                "" if base is None else _amount(base, quantum),
                _percent(attendance),
                _percent(discipline),
                "" if incentive is None else _amount(incentive, quantum),
            )
        )
    return out.getvalue()


def _amount(value: Decimal | int | str, quantum: Decimal) -> str:
    """An amount in the pack's money step: ``5189113.00`` -> ``5189113`` when it is 1."""
    return format(Decimal(value).quantize(quantum), "f")


def _percent(text: str) -> str:
    """A percentage as written by people: ``1.0`` -> ``1``, ``3.50`` -> ``3.5``."""
    return format(Decimal(text).normalize(), "f")


def write_payroll(session: Session, *, cycle: Cycle, pack: Any, period: str) -> Path:
    """Write ``payroll-<month>.csv`` into the cycle's exports folder; returns its path."""
    directory = exports_dir(cycle.cycle_id)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"payroll-{period}.csv"
    path.write_text(payroll_csv(session, cycle=cycle, pack=pack, period=period), encoding="utf-8")
    return path
