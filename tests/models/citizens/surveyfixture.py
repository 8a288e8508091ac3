"""The test organisation (tests/models/orgfixture.py) with SEC as a service unit of 100
people served, and its SKM form for 2025 opened at ``NOW``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from kinerja.models.citizens.survey import open_form
from kinerja.models.cycles.cycle import cycle_pack
from kinerja.models.store.tables import SurveyForm, Unit
from kinerja.tests.models.orgfixture import Org, build_org

NOW = datetime(2025, 6, 2, 9, 30)
ALL_FOUR = {f"U{i}": 4 for i in range(1, 10)}
ALL_TWO = {f"U{i}": 2 for i in range(1, 10)}


def survey_org(session: Session) -> tuple[Org, SurveyForm]:
    org = build_org(session)
    sec = session.get(Unit, "SEC")
    assert sec is not None
    sec.is_service_unit, sec.service_population = True, 100
    form = open_form(
        session, unit_id="SEC", period="2025", rules=cycle_pack(org.cycle).ikm, now=NOW
    )
    session.commit()
    return org, form
