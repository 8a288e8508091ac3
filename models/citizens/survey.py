"""The SKM survey online (PermenPANRB 14/2017, DOMAIN.md A2): forms, answers, progress.

A form is one service unit's survey for one period (``2026``, ``2026-S1``, ``2026-Q3``,
``2026-03``), reached by a short code (``/s/{form_id}``). An answer lands in
``survey_responses``, the table ``kinerja survey import`` fills, so the IKM of the publish
stage counts both alike. One answer per browser per period: the respondent id of an online
answer is a keyed hash of the browser's random cookie with the unit and the period, and the
table's primary key (unit, respondent) refuses a second one, on both backends and across
processes, without a lock.

What is stored about a respondent: the scores, the coarse profile
(:class:`~kinerja.models.schemas.citizens.RespondentProfile`), the day and time, the form and
period, and that hash. Not the address, not the cookie itself, not the browser.

Example::

    form = open_form(session, unit_id="U-SVC", period="2026", rules=pack.ikm, now=now)
    stored = submit_answer(session, form=form, submission=answer, respondent_id=rid, now=now)
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.models.policy.ikm import IkmRules
from kinerja.models.rules.periods import period_days
from kinerja.models.rules.sample import sample_check
from kinerja.models.schemas.citizens import SurveySubmission
from kinerja.models.store.bulk import insert_ignore
from kinerja.models.store.tables import SurveyForm, SurveyResponse, Unit

CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
"""Short codes avoid look-alikes (0/o, 1/l/i): people type them from a printed sheet."""
CODE_LENGTH = 7
ONLINE = "online"


class SurveyError(ValueError):
    """A form or an answer the survey refuses; the message is bilingual."""


@dataclass(frozen=True)
class Progress:
    """Respondents of a form so far against the Krejcie-Morgan sample of its unit."""

    form_id: str
    unit_id: str
    period: str
    respondents: int
    population: int | None
    required: int | None
    ok: bool | None


def check_period(period: str) -> tuple[date, date]:
    """The first and last day of a survey period label, or :class:`SurveyError`."""
    try:
        first, last = period_days(period)
    except (ValueError, IndexError):
        raise SurveyError(
            f"periode survei tidak dikenal {period!r} (YYYY, YYYY-Sn, YYYY-Qn, YYYY-MM) / "
            f"unknown survey period {period!r}"
        ) from None
    if len(period) not in (4, 7) or first > last:
        raise SurveyError(f"periode survei tidak dikenal {period!r} / unknown survey period")
    return first, last


def open_form(
    session: Session,
    *,
    unit_id: str,
    period: str,
    rules: IkmRules,
    now: datetime,
    opens_on: date | None = None,
    closes_on: date | None = None,
) -> SurveyForm:
    """The form of ``unit_id`` for ``period``, opened now if it does not exist yet.

    Idempotent: a second call returns the existing form unchanged. The unit must be a
    service unit; the form is open from ``opens_on`` to ``closes_on`` (default: the period).
    """
    existing = session.scalar(
        select(SurveyForm).where(SurveyForm.unit_id == unit_id, SurveyForm.period == period)
    )
    if existing is not None:
        return existing
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise SurveyError(f"unit {unit_id!r} tidak dikenal / unknown unit {unit_id!r}")
    if not unit.is_service_unit:
        raise SurveyError(
            f"unit {unit_id!r} bukan unit layanan / {unit_id!r} is not a service unit"
        )
    first, last = check_period(period)
    opens_on, closes_on = opens_on or first, closes_on or last
    if closes_on < opens_on:
        raise SurveyError("tanggal tutup sebelum tanggal buka / closes before it opens")
    form = SurveyForm(
        form_id=_new_code(session),
        unit_id=unit_id,
        period=period,
        opens_on=opens_on,
        closes_on=closes_on,
        rules=rules.model_dump(mode="json", include={"elements", "scale", "sample"}),
        created_at=now,
    )
    session.add(form)
    session.flush()
    return form


def _new_code(session: Session) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if session.get(SurveyForm, code) is None:
            return code


def form_rules(form: SurveyForm) -> IkmRules:
    """The IKM rules the form was opened with (elements, scale, sample size)."""
    data = dict(form.rules)
    # Bands do not matter to a form; a placeholder satisfies the model.
    data.setdefault("bands", [{"min": 0, "mutu": "-", "label": {"id": "-", "en": "-"}}])
    return IkmRules.model_validate(data)


def is_open(form: SurveyForm, today: date) -> bool:
    """Whether the form takes answers on ``today``."""
    return form.opens_on <= today <= form.closes_on


def respondent_id(secret: bytes, *, browser: str, unit_id: str, period: str) -> str:
    """The stored respondent id of a browser's answer: a keyed hash, never the cookie."""
    mac = hmac.new(secret, f"skm\n{browser}\n{unit_id}\n{period}".encode(), hashlib.sha256)
    return "web-" + mac.hexdigest()[:40]


def check_answers(submission: SurveySubmission, rules: IkmRules) -> dict[str, int]:
    """Every element of the form answered on its scale, nothing else; or :class:`SurveyError`."""
    codes = [e.code for e in rules.elements]
    low, high = rules.scale
    missing = [c for c in codes if c not in submission.answers]
    unknown = sorted(set(submission.answers) - set(codes))
    if unknown:
        raise SurveyError(f"unsur tidak dikenal / unknown elements: {', '.join(unknown)}")
    if missing:
        raise SurveyError(f"belum dijawab / not answered: {', '.join(missing)}")
    out = {}
    for code in codes:
        value = submission.answers[code]
        if not low <= value <= high:
            raise SurveyError(f"{code}: nilai {low}-{high} / score {low}-{high}")
        out[code] = value
    return out


def has_answered(session: Session, *, form: SurveyForm, respondent: str) -> bool:
    """Whether this respondent id already answered the form's unit in its period."""
    return session.get(SurveyResponse, (form.unit_id, respondent)) is not None


def submit_answer(
    session: Session,
    *,
    form: SurveyForm,
    submission: SurveySubmission,
    respondent: str,
    now: datetime,
) -> bool:
    """Store one answer; False when this respondent already answered (nothing changes).

    Refuses (:class:`SurveyError`) an answer outside the form's dates or off its elements.
    """
    if not is_open(form, now.date()):
        raise SurveyError("survei ini sedang tidak dibuka / this survey is not open now")
    answers = check_answers(submission, form_rules(form))
    row: dict[str, Any] = {
        "unit_id": form.unit_id,
        "respondent_id": respondent,
        "date": now.date(),
        "answers": answers,
        "form_id": form.form_id,
        "period": form.period,
        "source": ONLINE,
        "profile": submission.profile.model_dump(exclude_none=True),
        "submitted_at": now,
    }
    inserted = insert_ignore(
        session, table=SurveyResponse.__table__, rows=[row], keys=["unit_id", "respondent_id"]
    )
    return bool(inserted)


def progress(session: Session, *, form: SurveyForm) -> Progress:
    """The unit's respondents in the form's period so far (online through this form, and
    imported rows dated within the period) and the sample its population requires."""
    first, last = check_period(form.period)
    imported = SurveyResponse.source.is_(None) & SurveyResponse.date.between(first, last)
    n = session.scalar(
        select(func.count())
        .select_from(SurveyResponse)
        .where(
            SurveyResponse.unit_id == form.unit_id,
            (SurveyResponse.form_id == form.form_id) | imported,
        )
    )
    unit = session.get(Unit, form.unit_id)
    population = unit.service_population if unit is not None else None
    rules = form_rules(form)
    if population is None or rules.sample is None:
        return Progress(form.form_id, form.unit_id, form.period, n or 0, population, None, None)
    ok, required, _ = sample_check(n or 0, population, rules.sample)
    return Progress(form.form_id, form.unit_id, form.period, n or 0, population, required, ok)


def forms(session: Session) -> list[SurveyForm]:
    """Every survey form, newest period first."""
    return list(
        session.scalars(select(SurveyForm).order_by(SurveyForm.period.desc(), SurveyForm.unit_id))
    )
