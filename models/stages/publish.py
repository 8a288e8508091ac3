"""Publication: per-unit aggregates with small-group suppression, IKM per service unit, exports.

Public aggregates never show a group smaller than the configured minimum: its counts are
replaced by a ``suppressed`` flag. Exports are deterministic (ordered by NIP) so two runs of
the same cycle give byte-identical files.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kinerja.models.schemas.config import CycleConfig
from kinerja.models.store.bulk import upsert
from kinerja.models.store.tables import (
    Cycle,
    Employee,
    Publication,
    Result,
    SurveyResponse,
    Unit,
    UnitIndex,
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


NO_SURVEY = "no survey this period / belum ada survei"


def compute_unit_indices(session: Session, *, cycle: Cycle, config: CycleConfig, pack: Any) -> int:
    """IKM per service unit from the survey responses dated within the cycle's period.

    Warnings (``detail["warning"]``): a service unit without any survey in the period
    (PermenPANRB 14/2017: at least once a year, the pack's ``min_surveys_per_year``), and a
    unit whose respondents fall short of the Krejcie-Morgan sample for its
    ``service_population`` (units.csv; no population, no check).
    """
    from kinerja.models.rules.ikm import compute_ikm
    from kinerja.models.rules.sample import sample_check

    session.execute(delete(UnitIndex).where(UnitIndex.cycle_id == cycle.cycle_id))
    if pack.ikm is None:
        return 0
    answers: dict[str, list[dict[str, int]]] = defaultdict(list)
    for unit_id, date, response in session.execute(
        select(SurveyResponse.unit_id, SurveyResponse.date, SurveyResponse.answers).order_by(
            SurveyResponse.unit_id, SurveyResponse.respondent_id
        )
    ):
        if date is None or config.period_start <= date <= config.period_end:
            answers[unit_id].append({k: int(v) for k, v in response.items()})
    service_units = session.scalars(select(Unit.unit_id).where(Unit.is_service_unit)).all()
    populations = dict(
        session.execute(
            select(Unit.unit_id, Unit.service_population).where(
                Unit.service_population.is_not(None)
            )
        ).all()
    )
    rows = []
    for unit_id in sorted(set(service_units) | set(answers)):
        responses = answers.get(unit_id, [])
        if not responses and pack.ikm.min_surveys_per_year == 0:
            continue
        if not responses:
            rows.append(
                {
                    "cycle_id": cycle.cycle_id,
                    "unit_id": unit_id,
                    "respondents": 0,
                    "ikm": None,
                    "mutu": None,
                    "detail": {"warning": NO_SURVEY},
                }
            )
            continue
        result = compute_ikm(responses, pack.ikm)
        detail = _jsonable(result)
        population = populations.get(unit_id)
        if population is not None and pack.ikm.sample is not None:
            ok, need, message = sample_check(result.respondents, population, pack.ikm.sample)
            detail["sample"] = {
                "population": population,
                "required": need,
                "respondents": result.respondents,
                "ok": ok,
                "message": message,
            }
            if not ok:
                detail["warning"] = message
        rows.append(
            {
                "cycle_id": cycle.cycle_id,
                "unit_id": unit_id,
                "respondents": result.respondents,
                "ikm": None if result.ikm is None else float(result.ikm),
                "mutu": result.mutu,
                "detail": detail,
            }
        )
    if rows:
        session.execute(UnitIndex.__table__.insert(), rows)
    return len(rows)


def index_warnings(session: Session, *, cycle_id: str) -> list[str]:
    """``"unit: warning"`` for every unit index with a warning (the publish artifact)."""
    return [
        f"{unit}: {detail['warning']}"
        for unit, detail in session.execute(
            select(UnitIndex.unit_id, UnitIndex.detail)
            .where(UnitIndex.cycle_id == cycle_id)
            .order_by(UnitIndex.unit_id)
        )
        if (detail or {}).get("warning")
    ]


def _jsonable(obj: Any) -> dict[str, Any]:
    from dataclasses import asdict, is_dataclass

    data = asdict(obj) if is_dataclass(obj) else dict(obj)
    return json.loads(json.dumps(data, default=str))


def publish_units(session: Session, *, cycle: Cycle, config: CycleConfig, now: datetime) -> int:
    """Per-unit aggregates: headcount, mean achievement, predikat counts; small groups hidden."""
    minimum = config.publication.min_group_size
    per_unit: dict[str, dict[str, Any]] = {}
    for unit_id, n, mean in session.execute(
        select(Result.unit_id, func.count(), func.avg(Result.achievement))
        .where(Result.cycle_id == cycle.cycle_id)
        .group_by(Result.unit_id)
    ):
        per_unit[unit_id] = {
            "headcount": n,
            "mean_achievement": None if mean is None else round(float(mean), 2),
            "predikat": {},
        }
    for unit_id, predikat, n in session.execute(
        select(Result.unit_id, Result.predikat, func.count())
        .where(Result.cycle_id == cycle.cycle_id)
        .group_by(Result.unit_id, Result.predikat)
    ):
        per_unit[unit_id]["predikat"][predikat or "not_rated"] = n
    indices = {
        u: (ikm, mutu, n, (detail or {}).get("warning"))
        for u, ikm, mutu, n, detail in session.execute(
            select(
                UnitIndex.unit_id,
                UnitIndex.ikm,
                UnitIndex.mutu,
                UnitIndex.respondents,
                UnitIndex.detail,
            ).where(UnitIndex.cycle_id == cycle.cycle_id)
        )
    }
    rows = []
    for unit_id in sorted(set(per_unit) | set(indices)):
        agg = per_unit.get(unit_id, {"headcount": 0, "mean_achievement": None, "predikat": {}})
        payload: dict[str, Any] = {"headcount": agg["headcount"]}
        if agg["headcount"] < minimum:
            payload["suppressed"] = True
        else:
            payload.update(
                mean_achievement=agg["mean_achievement"],
                predikat=dict(sorted(agg["predikat"].items())),
                suppressed=False,
            )
        if unit_id in indices:
            ikm, mutu, n, warning = indices[unit_id]
            payload["ikm"] = {"value": ikm, "mutu": mutu, "respondents": n}
            if warning:
                payload["ikm"]["warning"] = warning
        rows.append(
            {
                "cycle_id": cycle.cycle_id,
                "unit_id": unit_id,
                "payload": payload,
                "published_at": now,
            }
        )
    upsert(
        session,
        table=Publication.__table__,
        rows=rows,
        keys=["cycle_id", "unit_id"],
        update=["payload"],
    )
    return len(rows)


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

    from kinerja.models.store.db import DEFAULT_HOME

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


def announce(session: Session, *, cycle: Cycle, config: CycleConfig, now: datetime) -> int:
    """Tell every unit head and the HR coordinator that the results are published."""
    from kinerja.models.humantasks.messages import people
    from kinerja.models.outbox.notifications import enqueue_many, notification_key, render

    heads = sorted({h for h in session.scalars(select(Unit.head_nip)) if h})
    known = people(session, heads)
    recipients = [(nip, *known[nip]) for nip in heads if nip in known]
    recipients.append((config.coordinator.nip, config.coordinator.name, config.lang))
    link = f"{config.portal_url.rstrip('/')}/cycles/{cycle.cycle_id}"
    rows = []
    for nip, name, lang in recipients:
        subject, body = render(
            "cycle_published",
            lang,
            {
                "name": name,
                "cycle_name": cycle.name,
                "task_title": "",
                "subject_name": "",
                "assignee_name": "",
                "due_at": "",
                "link": link,
                "level": "0",
                "comment": "",
            },
        )
        rows.append(
            {
                "key": notification_key(
                    cycle_id=cycle.cycle_id, task_id=None, kind="cycle_published", recipient_nip=nip
                ),
                "cycle_id": cycle.cycle_id,
                "task_id": None,
                "kind": "cycle_published",
                "recipient_nip": nip,
                "lang": lang,
                "subject": subject,
                "body": body,
                "link": link,
            }
        )
    return enqueue_many(session, rows=rows, now=now)
