"""A period's pages: the realisation form names its period and shows the value that stands
for it (imported); answering replaces it with the history kept, and explain shows both; the
check-in page shows progress to date and asks for the coaching dialog of a person at risk."""

from __future__ import annotations

from sqlalchemy import select

from kinerja.models.cycles.measurements import record
from kinerja.models.humantasks.opening import NewTask
from kinerja.models.results.explain import explain_lines
from kinerja.models.store.tables import (
    Cycle,
    Measurement,
    MeasurementRevision,
    PeriodResult,
    Target,
)
from kinerja.tests.portal.portalfixture import (
    START,
    A,
    M,
    build_portal,
    open_form,
)

Q1 = "2025-Q1"
REPORT = NewTask("report_period", A, A, {"period": Q1, "imported": {"A-1-T1": 30.0}}, period=Q1)
CHECKIN = NewTask("checkin", A, M, {"period": Q1, "at_risk": True}, period=Q1)


def _progress(
    portal, *, achievement: float, at_risk: bool, proposed: str, derivation: dict
) -> None:
    """A's progress row of Q1, as the period's progress step writes it."""
    with portal.session() as s:
        s.add(
            PeriodResult(
                cycle_id="skp-2025",
                period=Q1,
                nip=A,
                unit_id="SEC",
                achievement=achievement,
                expected=24.66,
                at_risk=at_risk,
                proposed_hasil_kerja=proposed,
                derivation=derivation,
            )
        )
        s.commit()


def test_the_period_form_shows_the_imported_value_and_an_answer_keeps_it_in_the_history(
    engine, monkeypatch
):
    portal = build_portal(engine, monkeypatch, periodic=[("report-2025-Q1", REPORT)])
    with portal.session() as s:
        for t in s.scalars(select(Target).where(Target.nip == A)):
            t.status = "approved"
        rows = [{"target_id": "A-1-T1", "period": Q1, "value": 30.0, "evidence": None}]
        record(s, cycle_id="skp-2025", rows=rows, source="import", by="metrics.csv", now=START)
        s.commit()
    path = f"/t/{portal.token('report_period')}?lang=en"
    page = portal.client.get(path)
    assert page.status_code == 200
    assert f"Period: {Q1}" in page.text
    assert "Value already imported: <strong>30</strong>" in page.text
    csrf = open_form(portal, path)
    form = {"csrf_token": csrf, "value:A-1-T1": "34", "value:A-1-T2": "25", "evidence": "lap"}
    assert portal.client.post(path, data=form).status_code == 200
    with portal.session() as s:
        standing = s.get(Measurement, ("skp-2025", "A-1-T1", Q1))
        assert (standing.value, standing.source, standing.recorded_by) == (34.0, "report", A)
        earlier = s.scalars(select(MeasurementRevision)).all()
        assert [(r.target_id, r.value, r.source) for r in earlier] == [("A-1-T1", 30.0, "import")]
        cycle = s.get(Cycle, "skp-2025")
        text = "\n".join(explain_lines(s, cycle=cycle, nip=A) or [])
    assert "34" in text and "30" in text and "metrics.csv" in text


def test_a_checkin_of_a_person_at_risk_needs_the_coaching_dialog(engine, monkeypatch):
    portal = build_portal(engine, monkeypatch, periodic=[("checkin-2025-Q1", CHECKIN)])
    _progress(portal, achievement=52.5, at_risk=True, proposed="di_bawah", derivation={})
    path = f"/t/{portal.token('checkin')}?lang=en"
    page = portal.client.get(path)
    assert page.status_code == 200
    assert f"Period: {Q1}" in page.text and "52.5%" in page.text
    assert "at risk of missing their targets" in page.text
    # No rating arrives chosen: the proposal is a suggestion, the rater picks.
    assert "Suggested: <strong>Below expectations</strong>" in page.text
    assert page.text.count("— choose —") == 2 and " selected" not in page.text
    csrf = open_form(portal, path)
    unchosen = portal.client.post(path, data={"csrf_token": csrf, "feedback": "Baik"})
    assert unchosen.status_code == 400
    assert "<strong>Result rating</strong>: a choice is required" in unchosen.text
    assert "<strong>Work behaviour (BerAKHLAK)</strong>: a choice is required" in unchosen.text
    form = {"csrf_token": csrf, "hasil_kerja": "di_bawah", "perilaku": "sesuai", "feedback": "Baik"}
    refused = portal.client.post(path, data=form)
    assert refused.status_code == 400
    assert "record the coaching dialog" in refused.text and "catat dialog" not in refused.text
    form["coaching"] = "Rencana perbaikan disepakati"
    assert portal.client.post(path, data=form).status_code == 200
    with portal.session() as s:
        row = s.get(PeriodResult, ("skp-2025", Q1, A))
        assert (row.hasil_kerja, row.perilaku, row.rater_nip) == ("di_bawah", "sesuai", M)
        assert row.coaching == "Rencana perbaikan disepakati" and row.feedback == "Baik"


def test_a_checkin_comment_is_added_to_the_derivation_and_keeps_the_rest(engine, monkeypatch):
    calm = NewTask("checkin", A, M, {"period": Q1, "at_risk": False}, period=Q1)
    portal = build_portal(engine, monkeypatch, periodic=[("checkin-2025-Q1", calm)])
    progress = {"progress": ["A-1-T1: 1 value(s)"]}
    _progress(portal, achievement=101.0, at_risk=False, proposed="sesuai", derivation=progress)
    path = f"/t/{portal.token('checkin')}?lang=en"
    csrf = open_form(portal, path)
    form = {"csrf_token": csrf, "hasil_kerja": "di_atas", "perilaku": "sesuai", "feedback": ""}
    assert portal.client.post(path, data=form).status_code == 400  # above: a reason is needed
    form["comment"] = "Melampaui target triwulan"
    assert portal.client.post(path, data=form).status_code == 200
    with portal.session() as s:
        row = s.get(PeriodResult, ("skp-2025", Q1, A))
        assert (row.hasil_kerja, row.rater_nip, row.feedback) == ("di_atas", M, None)
        assert row.derivation == {**progress, "checkin_comment": "Melampaui target triwulan"}
