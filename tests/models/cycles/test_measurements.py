"""A report and an import for the same target and period: the later stands, the earlier
stays in the history with an audit event, and explain shows both (issue: an employee's
correction was silently overridden by an imported quarterly value)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.cycles.files import import_cycle_file
from kinerja.models.cycles.measurements import history, record
from kinerja.models.humantasks.opening import NewTask
from kinerja.models.humantasks.states import Actor
from kinerja.models.responses.service import respond
from kinerja.models.results.explain import explain_lines
from kinerja.models.store.tables import AuditEvent, Measurement, MeasurementRevision, Target
from kinerja.tests.models.orgfixture import CYCLE_ID, START, A, build_org, open_with_tasks

T1 = START + timedelta(days=1)


def _standing(session: Session, target_id: str, period: str) -> tuple:
    m = session.get(Measurement, (CYCLE_ID, target_id, period))
    assert m is not None
    return (m.value, m.source, m.recorded_by)


def _replacements(session: Session) -> list[dict]:
    return [
        e.payload
        for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "measurement.replace")
        )
    ]


def _approve_all(session: Session) -> None:
    for t in session.scalars(select(Target).where(Target.cycle_id == CYCLE_ID)):
        t.status = "approved"


def test_the_same_value_again_is_no_revision(session: Session):
    build_org(session)
    rows = [{"target_id": "A-1-T1", "period": "2025", "value": 10.0, "evidence": None}]
    assert record(session, cycle_id=CYCLE_ID, rows=rows, source="import", by="m.csv", now=T1) == []
    assert record(session, cycle_id=CYCLE_ID, rows=rows, source="import", by="m.csv", now=T1) == []
    assert session.scalars(select(MeasurementRevision)).all() == []
    assert _standing(session, "A-1-T1", "2025") == (10.0, "import", "m.csv")


def test_a_report_after_an_import_stands_and_keeps_the_import_in_the_history(
    session: Session, tmp_path: Path
):
    org = build_org(session)
    _approve_all(session)
    metrics = tmp_path / "metrics.csv"
    metrics.write_text("target_id,period,value\nA-1-T1,2025-Q4,10\nA-1-T2,2025-Q4,80\n")
    import_cycle_file(session, cycle=org.cycle, kind="metrics", path=metrics)
    (task,) = open_with_tasks(
        session,
        org=org,
        stage="collect_metrics",
        tasks=[NewTask("report_realisation", A, A, {})],
        now=START,
    )
    session.commit()
    respond(session, task_id=task.id, actor=Actor(A), data={"values": {"A-1-T1": 12}}, now=T1)
    session.commit()
    # The annual report is written under the cycle's last period (quarterly: 2025-Q4), the
    # same row as the imported quarter: it replaces it, openly.
    assert _standing(session, "A-1-T1", "2025-Q4") == (12.0, "report", A)
    assert _standing(session, "A-1-T2", "2025-Q4") == (80.0, "import", "metrics.csv")
    (revision,) = session.scalars(select(MeasurementRevision)).all()
    assert (revision.value, revision.source, revision.replaced_by_source) == (
        10.0,
        "import",
        "report",
    )
    assert _replacements(session) == [
        {
            "old": {"value": 10.0, "source": "import", "by": "metrics.csv"},
            "new": {"value": 12.0, "source": "report", "by": A},
        }
    ]
    lines = history(session, cycle_id=CYCLE_ID, target_ids=["A-1-T1"])["A-1-T1"]
    assert len(lines) == 1 and lines[0].startswith("2025-Q4: 12 (report, A-1")
    assert "replaced 10 (import, metrics.csv" in lines[0]


def test_an_import_after_a_report_stands_and_the_report_stays_in_the_history(
    session: Session, tmp_path: Path
):
    org = build_org(session)
    _approve_all(session)
    record(
        session,
        cycle_id=CYCLE_ID,
        rows=[{"target_id": "A-1-T1", "period": "2025", "value": 12.0, "evidence": "laporan"}],
        source="report",
        by=A,
        now=T1,
    )
    metrics = tmp_path / "q.csv"
    metrics.write_text("target_id,period,value\nA-1-T1,2025,10\n")
    import_cycle_file(session, cycle=org.cycle, kind="metrics", path=metrics)
    session.commit()
    assert _standing(session, "A-1-T1", "2025") == (10.0, "import", "q.csv")
    (revision,) = session.scalars(select(MeasurementRevision)).all()
    assert (revision.value, revision.evidence, revision.recorded_by) == (12.0, "laporan", A)
    assert [p["old"]["source"] for p in _replacements(session)] == ["report"]


def test_explain_shows_both_values(session: Session):
    org = build_org(session)
    for value, source, by in ((10.0, "import", "metrics.csv"), (12.0, "report", A)):
        record(
            session,
            cycle_id=CYCLE_ID,
            rows=[{"target_id": "A-1-T1", "period": "2025", "value": value, "evidence": None}],
            source=source,
            by=by,
            now=T1,
        )
    text = "\n".join(explain_lines(session, cycle=org.cycle, nip=A) or [])
    assert "2025: 12 (report, A-1" in text and "replaced 10 (import, metrics.csv" in text
    assert "(last of the periods)" in text
