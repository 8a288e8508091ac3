"""Predikat organisasi from IKU capaian, distribution groups by rater, and the cascade's
escalation of unplanned superiors, on SQLite and PostgreSQL (DOMAIN.md A1, A5, A6)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import pack_of
from kinerja.models.imports.measurements import import_metrics
from kinerja.models.imports.plans import import_goals
from kinerja.models.imports.reviews import import_unit_ratings
from kinerja.models.responses.sweeper import sweep
from kinerja.models.results.explain import explain_lines
from kinerja.models.stages.distribution import check_distributions, group_label
from kinerja.models.store.tables import (
    AuditEvent,
    DistributionFinding,
    Goal,
    HumanTask,
    Notification,
    Result,
    UnitRating,
)
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
)

GOALS = """goal_id,unit_id,statement,indicator,target,unit_of_measure,direction
G-ROOT-1,ROOT,Layanan tepat waktu,Persentase layanan tepat waktu,95,persen,higher
G-ROOT-2,ROOT,Pengaduan tertangani,Hari penanganan pengaduan,10,hari,lower
G-SEC-1,SEC,Arsip tertata,Persentase arsip digital,90-98,persen,range
"""

# G-ROOT-1: 2025 value 104.5 -> 104.5/95 = 110; G-ROOT-2: 12 days -> (2 - 1.2) = 80;
# ROOT capaian (110 + 80) / 2 = 95 -> butuh_perbaikan (asn bands: >= 80).
METRICS = """target_id,period,value
G-ROOT-1,2025-Q2,50
G-ROOT-1,2025-Q4,104.5
G-ROOT-2,2025-Q4,12
G-SEC-1,2025-Q4,99
A-1-T1,2025-Q4,100
"""


def _results(session: Session, predikat: dict[str, str], raters: dict[str, str]) -> None:
    for nip, p in predikat.items():
        result = session.get(Result, (CYCLE_ID, nip))
        if result is None:
            unit = "ROOT" if nip in (H, STRANGER) else "SEC"
            result = Result(
                cycle_id=CYCLE_ID, nip=nip, unit_id=unit, perilaku_values={}, derivation={}
            )
            session.add(result)
        result.predikat = p
        result.rater_nip = raters[nip]
    session.flush()


def _files(tmp_path, session, cycle_id: str) -> None:
    (tmp_path / "goals.csv").write_text(GOALS)
    (tmp_path / "metrics.csv").write_text(METRICS)
    import_goals(session, path=tmp_path / "goals.csv", cycle_id=cycle_id)
    import_metrics(session, path=tmp_path / "metrics.csv", cycle_id=cycle_id)


def test_iku_capaian_gives_the_unit_predikat_unless_unit_ratings_says(engine, tmp_path):
    with Session(engine, expire_on_commit=False) as session:
        org = build_org(session)
        _files(tmp_path, session, org.cycle.cycle_id)
        (tmp_path / "unit_ratings.csv").write_text("unit_id,predikat_organisasi\nSEC,baik\n")
        pack = pack_of(org.cycle)
        _results(session, {H: "baik", STRANGER: "baik"}, {H: HR, STRANGER: H})
        check_distributions(session, cycle=org.cycle, pack=pack, now=START)

        # No unit_ratings yet: both units computed from their IKU.
        root = session.get(UnitRating, (CYCLE_ID, "ROOT"))
        assert (root.source, root.capaian, root.predikat_organisasi) == (
            "iku",
            95.0,
            "butuh_perbaikan",
        )
        goals = {g["goal_id"]: g for g in root.derivation["goals"]}
        assert goals["G-ROOT-1"]["realisation"] == 104.5  # the last period (pack: last)
        assert (goals["G-ROOT-1"]["achievement"], goals["G-ROOT-2"]["achievement"]) == (110, 80)
        sec = session.get(UnitRating, (CYCLE_ID, "SEC"))
        assert (sec.source, sec.capaian, sec.predikat_organisasi) == (
            "iku",
            98.98,
            "butuh_perbaikan",
        )

        # Rerunning changes nothing and audits nothing new.
        def events() -> int:
            return session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "unit.predikat_organisasi")
            )

        assert events() == 2
        check_distributions(session, cycle=org.cycle, pack=pack, now=START)
        assert events() == 2

        # The leader's decision in unit_ratings.csv wins over the computed one.
        import_unit_ratings(
            session,
            path=tmp_path / "unit_ratings.csv",
            cycle_id=CYCLE_ID,
            predikat=set(pack.distribution.org_predikat),
        )
        check_distributions(session, cycle=org.cycle, pack=pack, now=START)
        session.expire_all()
        sec = session.get(UnitRating, (CYCLE_ID, "SEC"))
        assert (sec.source, sec.capaian, sec.predikat_organisasi) == ("file", None, "baik")
        assert session.get(UnitRating, (CYCLE_ID, "ROOT")).source == "iku"

        # explain shows an employee's unit predikat and where it came from.
        text = "\n".join(explain_lines(session, cycle=org.cycle, nip=STRANGER))
        assert "unit ROOT: predikat organisasi: butuh_perbaikan" in text
        assert "computed from IKU capaian 95" in text
        assert "G-ROOT-2 [lower] target 10, realisation 12.0, achievement 80.0" in text
        text = "\n".join(explain_lines(session, cycle=org.cycle, nip=A))
        assert "unit SEC: predikat organisasi: baik" in text and "unit_ratings.csv" in text

        # ROOT's goals are withdrawn: its computed predikat goes, audited.
        session.execute(delete(Goal).where(Goal.cycle_id == CYCLE_ID, Goal.unit_id == "ROOT"))
        check_distributions(session, cycle=org.cycle, pack=pack, now=START)
        assert session.get(UnitRating, (CYCLE_ID, "ROOT")) is None
        (gone,) = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "unit_rating.withdrawn")
        ).all()
        assert (gone.entity_id, gone.payload["predikat_organisasi"]) == ("ROOT", "butuh_perbaikan")


def test_metrics_naming_both_a_target_and_a_goal_are_refused(engine, tmp_path):
    import pytest

    from kinerja.models.imports.errors import ImportRejected

    with Session(engine, expire_on_commit=False) as session:
        org = build_org(session)
        (tmp_path / "goals.csv").write_text(
            "goal_id,unit_id,statement,indicator,target,unit_of_measure\nA-1-T1,SEC,s,i,10,dok\n"
        )
        import_goals(session, path=tmp_path / "goals.csv", cycle_id=org.cycle.cycle_id)
        (tmp_path / "metrics.csv").write_text("target_id,period,value\nA-1-T1,2025,3\nZ,2025,1\n")
        with pytest.raises(ImportRejected) as caught:
            import_metrics(session, path=tmp_path / "metrics.csv", cycle_id=CYCLE_ID)
        text = str(caught.value)
        assert "both a target and a goal" in text and "unknown target or goal 'Z'" in text


def _findings(session: Session) -> dict[tuple[str, str, str], bool]:
    return {
        (f.unit_id, f.rater_nip, f.rule): f.passed
        for f in session.scalars(select(DistributionFinding))
    }


def test_distribution_by_rater_group_pass_and_fail(engine, tmp_path):
    with Session(engine, expire_on_commit=False) as session:
        org = build_org(session)
        session.add(UnitRating(cycle_id=CYCLE_ID, unit_id="SEC", predikat_organisasi="baik"))
        session.add(UnitRating(cycle_id=CYCLE_ID, unit_id="ROOT", predikat_organisasi="baik"))
        # SEC: A and B are rated by M; M (the head) by H. ROOT: X by H, H from outside the
        # organisation (recorded by the coordinator, who is no rater).
        _results(
            session,
            {A: "baik", B: "butuh_perbaikan", M: "baik", H: "baik", STRANGER: "baik"},
            {A: M, B: M, M: H, H: "EXTERNAL", STRANGER: H},
        )
        pack = pack_of(org.cycle)
        assert pack.distribution.group == "rater"
        stats = check_distributions(session, cycle=org.cycle, pack=pack, now=START)
        # Groups: M's reports {A, B}, H's reports {M, X} and the external rater's {H}.
        assert stats["group"] == "rater" and stats["groups"] == 3
        found = _findings(session)
        # M's direct reports (A baik, B butuh_perbaikan), under M's unit SEC (Baik): baik 1 <=
        # floor(0.7 x 2 = 1.4) = 1, and at least one butuh_perbaikan/kurang: both pass
        # (DOMAIN.md A1, kurva Baik, read literally).
        assert found["SEC", M, "baik.baik.max"] is True
        assert found["SEC", M, "baik.bp_kurang.min1"] is True
        # H's direct reports (M, the head of SEC, and X, both baik) form one group under H's
        # unit ROOT: baik 2 > floor(1.4) = 1 and the "must include" rule both fail.
        assert found["ROOT", H, "baik.baik.max"] is False
        assert found["ROOT", H, "baik.bp_kurang.min1"] is False
        assert ("SEC", H, "baik.bp_kurang.min1") not in found
        # H, rated from outside (not an employee): alone under H's own unit ROOT, a
        # one-person group, which never fails on its own; nothing is grouped by HR.
        assert found["ROOT", "EXTERNAL", "baik.bp_kurang.min1"] is True
        assert not any(rater == HR for _, rater, _ in found)
        assert group_label("SEC", M) == f"penilai / rater {M} (kurva unit / curve of unit SEC)"

        # The same data grouped per unit: SEC {A, B, M} passes as a whole.
        unit_pack = pack.model_copy(
            update={"distribution": pack.distribution.model_copy(update={"group": "unit"})}
        )
        stats = check_distributions(session, cycle=org.cycle, pack=unit_pack)
        assert stats["group"] == "unit" and stats["groups"] == 2
        found = _findings(session)
        assert found["SEC", "", "baik.baik.max"] is True  # 2 <= floor(0.7 x 3 = 2.1) = 2
        assert found["SEC", "", "baik.bp_kurang.min1"] is True
        assert found["ROOT", "", "baik.bp_kurang.min1"] is False  # H and X both baik


def test_unplanned_superior_escalated_once_past_the_plan_deadline(engine):
    with Session(engine, expire_on_commit=False) as session:
        org = build_org(session)
        from kinerja.models.cycles.cycle import open_stage
        from kinerja.models.stages.plan import cascade_report

        row = open_stage(session, cycle=org.cycle, stage="plan", now=START)
        session.flush()
        report = cascade_report(session, cycle=org.cycle)
        # H has no targets: M and X (H's staff without targets) are blocked; A and B planned.
        assert report["blocked_examples"] == sorted([M, STRANGER])
        assert report["unplanned_superiors"] == {H: 2}

        def messages() -> list[Notification]:
            return list(
                session.scalars(
                    select(Notification).where(Notification.kind == "superior_unplanned")
                )
            )

        sweep(session, cycle=org.cycle, now=row.due_at - timedelta(hours=1))
        assert messages() == []  # not before the deadline
        for _ in range(2):
            sweep(session, cycle=org.cycle, now=row.due_at + timedelta(hours=1))
            session.flush()
        sent = messages()
        # H has no manager: the HR coordinator hears of it, once, with the count.
        assert [(n.recipient_nip, n.lang) for n in sent] == [(HR, "id")]
        assert "Hartono" in sent[0].subject and "2 pegawai" in sent[0].body
        audited = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "plan.superior_unplanned")
        ).all()
        assert [(e.entity_id, e.payload["blocked"]) for e in audited] == [(H, 2)]


def test_an_unplanned_superior_given_more_time_is_escalated_at_their_own_deadline(engine):
    from kinerja.models.humantasks.extensions import extend_tasks
    from kinerja.models.humantasks.opening import NewTask

    with Session(engine, expire_on_commit=False) as session:
        org = build_org(session)
        open_with_tasks(
            session,
            org=org,
            stage="plan",
            tasks=[NewTask("propose_targets", H, H, {})],
            now=START,
        )
        (task,) = session.scalars(select(HumanTask).where(HumanTask.kind == "propose_targets"))
        stage_due = task.due_at
        extend_tasks(
            session, cycle=org.cycle, tasks=[task], days=5, reason="dinas luar", by=HR, now=START
        )
        session.flush()

        def notices() -> int:
            return session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.kind == "superior_unplanned")
            )

        sweep(session, cycle=org.cycle, now=stage_due + timedelta(hours=1))
        assert notices() == 0  # the stage's date has passed, H's own has not
        sweep(session, cycle=org.cycle, now=stage_due + timedelta(days=5, hours=1))
        assert notices() == 1
