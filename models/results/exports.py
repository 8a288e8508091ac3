"""A cycle's results as files: CSV, JSON and xlsx, one row per employee ordered by NIP.

Exports are deterministic, so two runs of the same cycle give byte-identical files. The
publish stage writes results.csv and results.json under ``KINERJA_HOME/exports/<cycle>``; an
upheld appeal writes them again once its transaction commits.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.store.db import DEFAULT_HOME
from kinerja.models.store.tables import (
    Employee,
    Result,
)

EXPORT_COLUMNS = (
    "nip",
    "name",
    "unit_id",
    "rater_nip",
    "achievement",
    "score",
    "proposed_hasil_kerja",
    "hasil_kerja",
    "perilaku",
    "predikat",
    "training_jp",
    "incentive",
    "credit_points",
    "rule_version",
)


def result_rows(session: Session, *, cycle_id: str) -> list[dict[str, Any]]:
    """Every employee's result, ordered by NIP, as plain values."""
    out = []
    for r, name in session.execute(
        select(Result, Employee.name)
        .join(Employee, Employee.nip == Result.nip)
        .where(Result.cycle_id == cycle_id)
        .order_by(Result.nip)
    ):
        row = {c: getattr(r, c) for c in EXPORT_COLUMNS if c != "name"}
        row["name"] = name
        if isinstance(row["incentive"], Decimal):
            row["incentive"] = str(row["incentive"].quantize(Decimal("1")))
        if isinstance(row["credit_points"], Decimal):
            row["credit_points"] = str(row["credit_points"].quantize(Decimal("0.01")))
        out.append({c: row[c] for c in EXPORT_COLUMNS})
    return out


def export_results(session: Session, *, cycle_id: str, fmt: str) -> str:
    """The results of a cycle as CSV or JSON text (xlsx: see :func:`export_results_xlsx`)."""
    rows = result_rows(session, cycle_id=cycle_id)
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1, default=str) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
        return buf.getvalue()
    raise ValueError(f"unknown format {fmt!r}: csv, json or xlsx")


def export_results_xlsx(session: Session, *, cycle_id: str, path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("results")
    ws.append(list(EXPORT_COLUMNS))
    for row in result_rows(session, cycle_id=cycle_id):
        ws.append([row[c] for c in EXPORT_COLUMNS])
    wb.save(path)
    return path


def exports_dir(cycle_id: str) -> Path:
    """Where the publish stage writes a cycle's results files: KINERJA_HOME/exports/CYCLE."""
    import os

    return Path(os.environ.get("KINERJA_HOME", DEFAULT_HOME)) / "exports" / cycle_id


def rewrite_exports_after_commit(session: Session, *, cycle_id: str) -> None:
    """Once ``session`` commits, write the cycle's results files again (an upheld appeal
    changed a result after publication), if the publish stage wrote them here. Written from
    a new session after the commit, so the files never show a change that was rolled back.
    """
    from sqlalchemy import event

    directory = exports_dir(cycle_id)
    if not (directory / "results.json").exists():
        return
    bind = session.get_bind()

    def write(_: Session) -> None:
        with Session(bind) as fresh:
            write_exports(fresh, cycle_id=cycle_id, directory=directory)

    event.listen(session, "after_commit", write, once=True)


def write_exports(session: Session, *, cycle_id: str, directory: Path) -> list[Path]:
    """Write results.csv and results.json for a cycle into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in ("csv", "json"):
        path = directory / f"results.{fmt}"
        path.write_text(export_results(session, cycle_id=cycle_id, fmt=fmt), encoding="utf-8")
        paths.append(path)
    return paths
