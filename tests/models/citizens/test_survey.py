"""The SKM survey online: forms, one answer per respondent id, and the IKM it feeds."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from kinerja.models.citizens.survey import (
    SurveyError,
    check_period,
    form_rules,
    open_form,
    progress,
    respondent_id,
    submit_answer,
)
from kinerja.models.cycles.cycle import cycle_pack
from kinerja.models.schemas.citizens import SurveySubmission
from kinerja.models.stages.publish import compute_unit_indices
from kinerja.models.store.tables import SurveyResponse, UnitIndex
from kinerja.tests.models.citizens.surveyfixture import ALL_FOUR, ALL_TWO, NOW, survey_org

SECRET = b"survey-test-secret-0123456789abcdef"


def answer(scores: dict[str, int], **profile: str) -> SurveySubmission:
    return SurveySubmission(answers=scores, profile=profile)


def test_open_form_is_idempotent_and_keeps_the_pack_elements(session):
    org, form = survey_org(session)
    again = open_form(
        session, unit_id="SEC", period="2025", rules=cycle_pack(org.cycle).ikm, now=NOW
    )
    assert again.form_id == form.form_id
    assert (form.opens_on, form.closes_on) == (date(2025, 1, 1), date(2025, 12, 31))
    assert [e.code for e in form_rules(form).elements] == [f"U{i}" for i in range(1, 10)]
    assert len(form.form_id) == 7


def test_forms_only_for_service_units_and_known_periods(session):
    org, _ = survey_org(session)
    rules = cycle_pack(org.cycle).ikm
    with pytest.raises(SurveyError, match="not a service unit"):
        open_form(session, unit_id="ROOT", period="2025", rules=rules, now=NOW)
    with pytest.raises(SurveyError, match="unknown unit"):
        open_form(session, unit_id="NOPE", period="2025", rules=rules, now=NOW)
    with pytest.raises(SurveyError, match="unknown survey period"):
        check_period("2025-X9")
    assert check_period("2025-S2") == (date(2025, 7, 1), date(2025, 12, 31))


def test_one_answer_per_respondent_and_period(session):
    _, form = survey_org(session)
    rid = respondent_id(SECRET, browser="cookie-1", unit_id="SEC", period="2025")
    assert rid.startswith("web-") and "cookie-1" not in rid
    assert submit_answer(session, form=form, submission=answer(ALL_FOUR), respondent=rid, now=NOW)
    session.commit()
    assert not submit_answer(
        session, form=form, submission=answer(ALL_TWO), respondent=rid, now=NOW
    )
    session.commit()
    rows = session.scalars(select(SurveyResponse)).all()
    assert len(rows) == 1 and rows[0].answers == ALL_FOUR
    assert rows[0].source == "online" and rows[0].period == "2025"
    # Another period is another respondent id for the same browser.
    other = respondent_id(SECRET, browser="cookie-1", unit_id="SEC", period="2026")
    assert other != rid


def test_answers_must_be_the_forms_elements_on_its_scale(session):
    _, form = survey_org(session)
    rid = respondent_id(SECRET, browser="b", unit_id="SEC", period="2025")
    missing = dict(ALL_FOUR)
    del missing["U8"]
    with pytest.raises(SurveyError, match="not answered: U8"):
        submit_answer(session, form=form, submission=answer(missing), respondent=rid, now=NOW)
    with pytest.raises(SurveyError, match="unknown elements: U10"):
        submit_answer(
            session, form=form, submission=answer({**ALL_FOUR, "U10": 3}), respondent=rid, now=NOW
        )
    with pytest.raises(SurveyError, match="score 1-4"):
        submit_answer(
            session, form=form, submission=answer({**ALL_FOUR, "U3": 5}), respondent=rid, now=NOW
        )
    late = datetime(2026, 1, 2, 8, 0)
    with pytest.raises(SurveyError, match="not open"):
        submit_answer(session, form=form, submission=answer(ALL_FOUR), respondent=rid, now=late)
    assert session.scalar(select(func.count()).select_from(SurveyResponse)) == 0


def test_online_answers_feed_the_same_ikm_as_imported_ones(session):
    org, form = survey_org(session)
    pack = cycle_pack(org.cycle)
    session.add(
        SurveyResponse(unit_id="SEC", respondent_id="IMP-1", date=date(2025, 3, 1), answers=ALL_TWO)
    )
    compute_unit_indices(session, cycle=org.cycle, config=org.config, pack=pack)
    before = session.get(UnitIndex, (org.cycle.cycle_id, "SEC"))
    assert before is not None and before.respondents == 1 and before.ikm == 50.0
    rid = respondent_id(SECRET, browser="b1", unit_id="SEC", period="2025")
    submit_answer(session, form=form, submission=answer(ALL_FOUR), respondent=rid, now=NOW)
    compute_unit_indices(session, cycle=org.cycle, config=org.config, pack=pack)
    session.expire_all()
    after = session.get(UnitIndex, (org.cycle.cycle_id, "SEC"))
    assert after is not None and after.respondents == 2
    assert after.ikm == 75.0  # (2 + 4) / 2 = 3 on every element, x 25


def test_progress_counts_the_period_against_krejcie_morgan(session):
    _, form = survey_org(session)
    session.add(
        SurveyResponse(unit_id="SEC", respondent_id="IMP-1", date=date(2025, 3, 1), answers=ALL_TWO)
    )
    session.add(  # another year: not this form's period
        SurveyResponse(unit_id="SEC", respondent_id="IMP-0", date=date(2024, 3, 1), answers=ALL_TWO)
    )
    for i in range(3):
        rid = respondent_id(SECRET, browser=f"b{i}", unit_id="SEC", period="2025")
        submit_answer(
            session,
            form=form,
            submission=answer(ALL_FOUR),
            respondent=rid,
            now=NOW + timedelta(minutes=i),
        )
    shown = progress(session, form=form)
    assert (shown.respondents, shown.population, shown.required, shown.ok) == (4, 100, 80, False)
