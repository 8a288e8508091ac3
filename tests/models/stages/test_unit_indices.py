"""IKM warnings per service unit (PermenPANRB 14/2017, DOMAIN.md A2): the Krejcie-Morgan
sample (N = 100 needs 80 respondents) and at least one survey a year."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import pack_of
from kinerja.models.imports.org import import_units
from kinerja.models.results.explain import explain_lines
from kinerja.models.stages.publish import compute_unit_indices, index_warnings, publish_units
from kinerja.models.store.tables import Publication, SurveyResponse, Unit, UnitIndex
from kinerja.tests.models.orgfixture import CYCLE_ID, A, build_org

ANSWERS = {f"U{i}": 3 for i in range(1, 10)}


# (population, respondents, warned): K&M with chi2 3.841, P 0.5, d 0.05 (asn pack).
SAMPLES = [(100, 79, True), (100, 80, False), (100, 100, False), (10, 9, True), (10, 10, False)]


@pytest.mark.parametrize(("population", "respondents", "warned"), SAMPLES)
def test_sample_warning(engine, population, respondents, warned):
    with Session(engine, expire_on_commit=False) as session:
        org = build_org(session)
        unit = session.get(Unit, "SEC")
        unit.is_service_unit = True
        unit.service_population = population
        session.add_all(
            SurveyResponse(
                unit_id="SEC", respondent_id=f"R{i:03d}", date=date(2025, 6, 1), answers=ANSWERS
            )
            for i in range(respondents)
        )
        session.flush()
        pack = pack_of(org.cycle)
        compute_unit_indices(session, cycle=org.cycle, config=org.config, pack=pack)
        index = session.get(UnitIndex, (CYCLE_ID, "SEC"))
        assert index.ikm == 75.0 and index.detail["sample"]["respondents"] == respondents
        assert index.detail["sample"]["ok"] is not warned
        assert ("warning" in index.detail) is warned
        warnings = index_warnings(session, cycle_id=CYCLE_ID)
        publish_units(session, cycle=org.cycle, config=org.config, now=datetime(2026, 1, 5))
        payload = session.get(Publication, (CYCLE_ID, "SEC")).payload
        explained = "\n".join(explain_lines(session, cycle=org.cycle, nip=A))
        if warned:
            need = index.detail["sample"]["required"]
            assert warnings == [f"SEC: {index.detail['warning']}"]
            assert f"at least {need} for a population of {population}" in warnings[0]
            assert "Sample too small" in payload["ikm"]["warning"]
            assert "Sampel kurang" in explained
        else:
            assert warnings == [] and "warning" not in payload["ikm"]
            assert "Sample sufficient" in explained


def test_service_unit_without_a_survey_this_year_is_flagged(engine):
    with Session(engine, expire_on_commit=False) as session:
        org = build_org(session)
        session.get(Unit, "SEC").is_service_unit = True
        # An answer from the year before does not count for this cycle's period.
        session.add(
            SurveyResponse(
                unit_id="SEC", respondent_id="OLD", date=date(2024, 12, 1), answers=ANSWERS
            )
        )
        session.flush()
        pack = pack_of(org.cycle)
        assert pack.ikm.min_surveys_per_year == 1
        compute_unit_indices(session, cycle=org.cycle, config=org.config, pack=pack)
        index = session.get(UnitIndex, (CYCLE_ID, "SEC"))
        assert (index.respondents, index.ikm) == (0, None)
        assert "no survey" in index.detail["warning"]
        assert index_warnings(session, cycle_id=CYCLE_ID) == [f"SEC: {index.detail['warning']}"]
        # A pack that asks for no yearly survey flags nothing.
        lax = pack.model_copy(
            update={"ikm": pack.ikm.model_copy(update={"min_surveys_per_year": 0})}
        )
        compute_unit_indices(session, cycle=org.cycle, config=org.config, pack=lax)
        assert session.scalars(select(UnitIndex)).all() == []


def test_units_csv_service_population(engine, tmp_path):
    from kinerja.models.imports.errors import ImportRejected

    with Session(engine, expire_on_commit=False) as session:
        build_org(session)
        path = tmp_path / "units.csv"
        path.write_text("unit_id,name,is_service_unit,service_population\nSEC,Seksi,ya,1500\n")
        import_units(session, path=path)
        assert session.get(Unit, "SEC").service_population == 1500
        path.write_text("unit_id,name,service_population\nSEC,Seksi,banyak\nROOT,Dinas,-3\n")
        with pytest.raises(ImportRejected) as caught:
            import_units(session, path=path)
        text = str(caught.value)
        assert "row 2" in text and "row 3" in text and "service_population" in text
