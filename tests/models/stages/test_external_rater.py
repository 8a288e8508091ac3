"""The HR coordinator is not a rater.

The head of an agency is rated from outside the organisation (by the regional secretary or
the minister: PermenPANRB 6/2022, the rater is the superior, DOMAIN.md A1 "SKP structure",
*Pejabat Penilai Kinerja*). In the engine the HR coordinator records that rating on the
external rater's behalf: the result names the external rater as the rater and the
coordinator as who recorded it, ``explain`` says so, and the person forms no distribution
group with the coordinator. A one-person group never fails the curve on its own (one person
has no distribution), and the publication gate lists every group it was shown.

The organisation (tests/models/orgfixture.py)::

    ROOT  head H (no manager: rated from outside); X reports to H
    SEC   head M (reports to H); A, B report to M
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import pack_of
from kinerja.models.humantasks.opening import NewTask
from kinerja.models.humantasks.states import Actor
from kinerja.models.responses.service import respond
from kinerja.models.results.explain import explain_lines
from kinerja.models.stages.distribution import check_distributions
from kinerja.models.stages.gates import gate_markdown, gate_summary
from kinerja.models.stages.plan import ensure_results
from kinerja.models.stages.review import review_tasks
from kinerja.models.store.tables import DistributionFinding, Result, UnitRating
from kinerja.tests.models.orgfixture import (
    CYCLE_ID,
    HR,
    START,
    STRANGER,
    A,
    B,
    H,
    M,
    build_org,
    open_with_tasks,
    task_by,
)

X = STRANGER
T1 = START + timedelta(days=1)
OUTSIDE = "Pejabat penilai di luar organisasi / rater outside the organisation"


def _rated(session: Session, ratings: dict[str, str]) -> None:
    for nip, predikat in ratings.items():
        session.get(Result, (CYCLE_ID, nip)).predikat = predikat
    session.flush()


def test_the_top_of_the_tree_is_rated_from_outside_recorded_by_the_coordinator(session):
    org = build_org(session)
    ensure_results(session, cycle=org.cycle, coordinator=HR, lo="0", hi="Z")
    session.commit()
    top = session.get(Result, (CYCLE_ID, H))
    assert top.rater_nip != HR
    assert (getattr(top, "external_rater", None), top.rater_nip) == (OUTSIDE, "EXTERNAL")
    # The coordinator still gets the task: to record the external rater's rating.
    tasks = {
        t.subject_nip: t
        for t in review_tasks(session, cycle=org.cycle, coordinator=HR, lo="0", hi="Z")
    }
    assert tasks[H].assignee_nip == HR
    assert tasks[H].payload["on_behalf_of"] == OUTSIDE

    open_with_tasks(session, org=org, stage="review", tasks=[tasks[H]], now=START)
    session.commit()
    respond(
        session,
        task_id=task_by(session, "review", H).id,
        actor=Actor(HR, reason="penilaian Sekda diterima 10 Jan"),
        data={"hasil_kerja": "sesuai", "perilaku": "sesuai"},
        now=T1,
    )
    session.commit()
    top = session.get(Result, (CYCLE_ID, H))
    assert (top.rater_nip, top.external_rater, top.recorded_by) == ("EXTERNAL", OUTSIDE, HR)
    text = "\n".join(explain_lines(session, cycle=org.cycle, nip=H) or [])
    assert (
        f"rated by {OUTSIDE} (outside the organisation), recorded by {HR} on their behalf" in text
    )


def test_an_escalated_review_the_coordinator_records_stays_the_raters(session):
    org = build_org(session)
    ensure_results(session, cycle=org.cycle, coordinator=HR, lo="0", hi="Z")
    open_with_tasks(
        session,
        org=org,
        stage="review",
        tasks=[NewTask("review", A, M, {"proposed_hasil_kerja": "sesuai"})],
        now=START,
    )
    session.commit()
    respond(
        session,
        task_id=task_by(session, "review", A).id,
        actor=Actor(HR, reason="M cuti panjang; penilaian M diterima lewat surat"),
        data={"perilaku": "sesuai"},
        now=T1,
    )
    session.commit()
    result = session.get(Result, (CYCLE_ID, A))
    assert (result.rater_nip, result.recorded_by) == (M, HR)


def test_the_head_forms_no_group_with_the_coordinator_and_a_group_of_one_passes(session):
    org = build_org(session)
    ensure_results(session, cycle=org.cycle, coordinator=HR, lo="0", hi="Z")
    session.add_all(
        UnitRating(cycle_id=CYCLE_ID, unit_id=u, predikat_organisasi="baik")
        for u in ("ROOT", "SEC")
    )
    # H (Baik unit) is baik alone; X, whose review the coordinator recorded for H, too.
    _rated(session, {H: "baik", X: "baik", M: "kurang", A: "baik", B: "butuh_perbaikan"})
    session.get(Result, (CYCLE_ID, X)).recorded_by = HR
    session.commit()
    check_distributions(session, cycle=org.cycle, pack=pack_of(org.cycle))
    session.commit()
    findings = {
        (f.unit_id, f.rater_nip, f.rule): f for f in session.scalars(select(DistributionFinding))
    }
    assert not any(rater == HR for _, rater, _ in findings)
    # H's group: H alone under ROOT's curve; never failing on its own.
    alone = findings["ROOT", "EXTERNAL", "baik.bp_kurang.min1"]
    assert alone.passed and "one-person group" in alone.detail
    # X and M are H's reports, one group under ROOT's curve: 1 baik, 1 kurang.
    assert findings["ROOT", H, "baik.bp_kurang.min1"].passed

    summary = gate_summary(session, cycle=org.cycle, kind="publication")
    groups = {(g["unit_id"], g["rater"]): g for g in summary["groups"]}
    assert groups["ROOT", "EXTERNAL"]["people"] == 1
    assert groups["ROOT", "EXTERNAL"]["rater_name"] == OUTSIDE
    assert groups["ROOT", H]["people"] == 2 and groups["SEC", M]["people"] == 2
    page = gate_markdown(CYCLE_ID, "publication", summary)
    assert "Kelompok distribusi / distribution groups" in page
    assert f"| ROOT | {OUTSIDE} | 1 |" in page
