"""The quantitative / qualitative approach of PermenPANRB 6/2022 (DOMAIN.md A1): in a
qualitative cycle a target may have no number, a realisation may be evidence only, nothing
is proposed from numbers, and the rater must choose the rating hasil kerja."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import create_cycle
from kinerja.models.humantasks.opening import NewTask
from kinerja.models.humantasks.states import Actor, TaskError
from kinerja.models.imports.errors import ImportRejected
from kinerja.models.imports.measurements import import_metrics
from kinerja.models.imports.plans import import_targets
from kinerja.models.responses.service import respond
from kinerja.models.stages.collect_metrics import compute_achievements
from kinerja.models.stages.plan import ensure_results
from kinerja.models.store.tables import Measurement, Result, Target
from kinerja.tests.models.orgfixture import HR, START, A, M, build_org, open_with_tasks

TARGETS = (
    "target_id,nip,serves,statement,indicator,aspect,target,unit_of_measure\n"
    "Q-H-1,H-1,G-1,Kebijakan layanan,Kualitas kebijakan,kualitas,,dokumen\n"
)
GOALS = "goal_id,unit_id,statement,indicator,target,unit_of_measure\nG-1,ROOT,s,i,1,dok\n"


@pytest.mark.parametrize("approach", ["quantitative", "qualitative"])
def test_empty_target_only_in_a_qualitative_cycle(engine, tmp_path, approach):
    from kinerja.models.imports.plans import import_goals

    with Session(engine, expire_on_commit=False) as session:
        org = build_org(session)
        config = org.config.model_copy(
            update={"cycle_id": f"{approach[:4]}-2025", "approach": approach}
        )
        cycle = create_cycle(session, config=config, config_dir=None, now=START)
        (tmp_path / "goals.csv").write_text(GOALS)
        import_goals(session, path=tmp_path / "goals.csv", cycle_id=cycle.cycle_id)
        (tmp_path / "targets.csv").write_text(TARGETS)
        qualitative = approach == "qualitative"
        kwargs = {"path": tmp_path / "targets.csv", "cycle_id": cycle.cycle_id, "weights_sum": None}
        if not qualitative:
            with pytest.raises(ImportRejected, match="target"):
                import_targets(session, **kwargs, qualitative=False)
            return
        import_targets(session, **kwargs, qualitative=True)
        target = session.get(Target, (cycle.cycle_id, "Q-H-1"))
        assert (target.target_value, target.target_high) == (None, None)
        # The realisation is the evidence: no number needed, but evidence is.
        (tmp_path / "metrics.csv").write_text(
            "target_id,period,value,evidence\nQ-H-1,2025,,laporan/kebijakan.pdf\n"
        )
        import_metrics(
            session, path=tmp_path / "metrics.csv", cycle_id=cycle.cycle_id, qualitative=True
        )
        row = session.get(Measurement, (cycle.cycle_id, "Q-H-1", "2025"))
        assert (row.value, row.evidence) == (None, "laporan/kebijakan.pdf")
        (tmp_path / "metrics.csv").write_text("target_id,period,value,evidence\nQ-H-1,2025,,\n")
        with pytest.raises(ImportRejected, match="value"):
            import_metrics(
                session, path=tmp_path / "metrics.csv", cycle_id=cycle.cycle_id, qualitative=True
            )


def test_qualitative_review_has_no_proposal_and_the_rater_chooses(engine):
    with Session(engine, expire_on_commit=False) as session:
        org = build_org(session)
        config = org.config.model_copy(update={"cycle_id": "qual-2025", "approach": "qualitative"})
        cycle = create_cycle(session, config=config, config_dir=None, now=START)
        ensure_results(session, cycle=cycle, coordinator=HR, lo="", hi="\uffff")
        session.flush()
        session.get(Result, (cycle.cycle_id, A)).proposed_hasil_kerja = "sesuai"  # stale
        compute_achievements(session, cycle=cycle, pack=_pack(cycle), lo="", hi="\uffff")
        session.flush()
        result = session.get(Result, (cycle.cycle_id, A))
        session.refresh(result)
        assert (result.proposed_hasil_kerja, result.achievement) == (None, None)
        assert "qualitative approach" in result.derivation["proposal"][0]

        from kinerja.tests.models.orgfixture import Org

        q = Org(cycle=cycle, config=config, clock=org.clock)
        open_with_tasks(
            session,
            org=q,
            stage="review",
            tasks=[NewTask("review", A, result.rater_nip, {"proposed_hasil_kerja": None})],
            now=START,
        )
        session.flush()
        from sqlalchemy import select

        from kinerja.models.store.tables import HumanTask

        task = session.scalars(select(HumanTask).where(HumanTask.cycle_id == cycle.cycle_id)).one()
        with pytest.raises(TaskError, match="choose a rating hasil kerja"):
            respond(session, task_id=task.id, actor=Actor(task.assignee_nip), data={}, now=START)
        # Choosing needs no reason: there was no proposal to depart from.
        respond(
            session,
            task_id=task.id,
            actor=Actor(task.assignee_nip),
            data={"hasil_kerja": "di_atas", "perilaku": "sesuai"},
            now=START,
        )
        session.refresh(result)
        assert (result.hasil_kerja, result.perilaku) == ("di_atas", "sesuai")


def _pack(cycle):
    from kinerja.models.cycles.cycle import pack_of

    return pack_of(cycle)


def test_a_qualitative_review_nobody_gives_is_not_closed_but_held_with_hr(engine):
    from sqlalchemy import select

    from kinerja.models.responses.sweeper import sweep
    from kinerja.models.store.tables import HumanTask, Notification
    from kinerja.tests.models.orgfixture import Org

    with Session(engine, expire_on_commit=False) as session:
        org = build_org(session)
        config = org.config.model_copy(update={"cycle_id": "qual-2025", "approach": "qualitative"})
        cycle = create_cycle(session, config=config, config_dir=None, now=START)
        ensure_results(session, cycle=cycle, coordinator=HR, lo="", hi="\uffff")
        q = Org(cycle=cycle, config=config, clock=org.clock)
        open_with_tasks(
            session,
            org=q,
            stage="review",
            tasks=[NewTask("review", A, M, {"proposed_hasil_kerja": None})],
            now=START,
        )
        session.commit()
        task = session.scalars(select(HumanTask).where(HumanTask.cycle_id == cycle.cycle_id)).one()
        for _ in range(3):
            sweep(session, cycle=cycle, now=task.final_due_at + timedelta(days=1))
            session.commit()
        assert (task.state, task.escalated_to) == ("escalated", HR)  # open: someone must rate
        to_hr = session.scalars(
            select(Notification).where(
                Notification.kind == "task_escalated", Notification.recipient_nip == HR
            )
        ).all()
        assert len(to_hr) == 1
        # HR rates, with a written reason: the result has a rating, hence a predikat later.
        respond(
            session,
            task_id=task.id,
            actor=Actor(HR, reason="atasan tidak menilai / the rater did not rate"),
            data={"hasil_kerja": "sesuai", "perilaku": "sesuai"},
            now=task.final_due_at + timedelta(days=2),
        )
        assert session.get(Result, (cycle.cycle_id, A)).hasil_kerja == "sesuai"


@pytest.mark.parametrize("approach", ["quantitative", "qualitative"])
def test_no_number_answers_only_in_a_qualitative_cycle(engine, approach):
    from sqlalchemy import select

    from kinerja.models.store.tables import HumanTask, Measurement
    from kinerja.portal.forms import realisation
    from kinerja.tests.models.orgfixture import Org

    with Session(engine, expire_on_commit=False) as session:
        org = build_org(session)
        config = org.config.model_copy(update={"cycle_id": f"c-{approach}", "approach": approach})
        cycle = create_cycle(session, config=config, config_dir=None, now=START)
        q = Org(cycle=cycle, config=config, clock=org.clock)
        open_with_tasks(
            session,
            org=q,
            stage="plan",
            tasks=[NewTask("propose_targets", A, A, {})],
            now=START,
        )
        session.commit()
        propose = session.scalars(
            select(HumanTask).where(HumanTask.cycle_id == cycle.cycle_id)
        ).one()
        target = {
            "target_id": f"{A}-Q1",
            "serves": "G-SEC-1",
            "statement": "Layanan konsultasi kepegawaian",
            "indicator": "Kepuasan pemohon atas konsultasi",
            "aspect": "kualitas",
            "unit_of_measure": "-",
        }
        answer = {"targets": [target]}
        if approach == "quantitative":
            with pytest.raises(TaskError, match="a number is required"):
                respond(session, task_id=propose.id, actor=Actor(A), data=answer, now=START)
            session.rollback()
            return
        respond(session, task_id=propose.id, actor=Actor(A), data=answer, now=START)
        session.get(Target, (cycle.cycle_id, f"{A}-Q1")).status = "approved"
        open_with_tasks(
            session,
            org=q,
            stage="collect_metrics",
            tasks=[NewTask("report_realisation", A, A, {})],
            now=START,
        )
        session.commit()
        report = session.scalars(
            select(HumanTask).where(
                HumanTask.cycle_id == cycle.cycle_id, HumanTask.kind == "report_realisation"
            )
        ).one()
        # The portal form with no number but evidence: an evidence-only report.
        parsed = realisation({f"value:{A}-Q1": "", "evidence": "notulen + survei"}, "id")
        assert parsed.data["values"] == {f"{A}-Q1": None} and not parsed.errors
        respond(session, task_id=report.id, actor=Actor(A), data=parsed.data, now=START)
        (m,) = session.scalars(select(Measurement).where(Measurement.cycle_id == cycle.cycle_id))
        assert (m.value, m.evidence) == (None, "notulen + survei")
