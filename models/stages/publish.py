"""The publish stage's automated work: IKM per service unit, per-unit aggregates with
small-group suppression, and the message that results are published.

Public aggregates never show a group smaller than the configured minimum: its counts are
replaced by a ``suppressed`` flag. The results files are :mod:`kinerja.models.results.exports`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kinerja.models.humantasks.messages import people
from kinerja.models.outbox.queue import enqueue_many, notification_key
from kinerja.models.outbox.templates import render
from kinerja.models.rules.ikm import compute_ikm
from kinerja.models.rules.sample import sample_check
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.store.bulk import upsert
from kinerja.models.store.tables import (
    Cycle,
    Publication,
    Result,
    SurveyResponse,
    Unit,
    UnitIndex,
)

NO_SURVEY = "no survey this period / belum ada survei"


def compute_unit_indices(session: Session, *, cycle: Cycle, config: CycleConfig, pack: Any) -> int:
    """IKM per service unit from the survey responses dated within the cycle's period.

    Warnings (``detail["warning"]``): a service unit without any survey in the period
    (PermenPANRB 14/2017: at least once a year, the pack's ``min_surveys_per_year``), and a
    unit whose respondents fall short of the Krejcie-Morgan sample for its
    ``service_population`` (units.csv; no population, no check).
    """

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


def announce(session: Session, *, cycle: Cycle, config: CycleConfig, now: datetime) -> int:
    """Tell every unit head and the HR coordinator that the results are published."""

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
