"""Attaching evidence names a stored file for one target and period, with an audit event in
the same transaction; the same bytes on the same target and period are one row; and only the
person, whoever attached it, the people the cycle's tasks on the person were given to and
the HR coordinator may see it (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from kinerja.models.audit.verify import verify
from kinerja.models.evidence.files import NewEvidence, attach, evidence_of, may_see
from kinerja.models.humantasks.opening import NewTask
from kinerja.models.store.tables import AuditEvent, EvidenceFile, HumanTask
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

PHOTO = NewEvidence("A-1-T1", "foto kegiatan.jpg", "image/jpeg", 2048, "a" * 64)
REPORT = NewEvidence("A-1-T2", "laporan.pdf", "application/pdf", 4096, "b" * 64)


def _attach(session, files, *, nip=A, period="2025", now=START):
    return attach(
        session,
        cycle_id=CYCLE_ID,
        subject_nip=A,
        period=period,
        task_id=None,
        nip=nip,
        files=files,
        now=now,
    )


def test_attaching_writes_a_row_and_an_audit_event_each(session):
    build_org(session)
    rows = _attach(session, [PHOTO, REPORT])
    session.commit()
    assert [(r.target_id, r.filename, r.size, r.period, r.nip) for r in rows] == [
        ("A-1-T1", "foto kegiatan.jpg", 2048, "2025", A),
        ("A-1-T2", "laporan.pdf", 4096, "2025", A),
    ]
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "evidence.attached").order_by(AuditEvent.seq)
    ).all()
    assert [(e.actor, e.entity, e.entity_id) for e in events] == [
        (A, "evidence_file", str(rows[0].id)),
        (A, "evidence_file", str(rows[1].id)),
    ]
    assert events[1].payload == {
        "subject": A,
        "target_id": "A-1-T2",
        "period": "2025",
        "task_id": None,
        "filename": "laporan.pdf",
        "media_type": "application/pdf",
        "size": 4096,
        "sha256": "b" * 64,
    }
    assert verify(session).ok


def test_the_same_bytes_on_the_same_target_and_period_are_one_row(session):
    build_org(session)
    first = _attach(session, [PHOTO])
    again = _attach(session, [PHOTO], now=START + timedelta(days=1))
    later = _attach(session, [PHOTO], period="2025-Q2")
    session.commit()
    assert again[0].id == first[0].id
    assert later[0].id != first[0].id
    assert session.scalar(select(EvidenceFile.id).where(EvidenceFile.id > later[0].id)) is None
    attached = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "evidence.attached")
    ).all()
    assert len(attached) == 2
    listed = evidence_of(session, cycle_id=CYCLE_ID, subject_nip=A)
    assert [(f.filename, f.period) for f in listed["A-1-T1"]] == [
        ("foto kegiatan.jpg", "2025"),
        ("foto kegiatan.jpg", "2025-Q2"),
    ]
    assert evidence_of(session, cycle_id=CYCLE_ID, subject_nip=B) == {}


def test_who_may_see_a_persons_evidence(session):
    org = build_org(session)
    open_with_tasks(
        session, org=org, stage="review", tasks=[NewTask("review", A, M, {})], now=START
    )
    [row] = _attach(session, [PHOTO])
    session.commit()
    allowed = {nip: may_see(session, file=row, nip=nip) for nip in (A, M, HR, H, B, STRANGER)}
    # The manager's manager decides an appeal: a task on A opens the door to A's evidence.
    assert allowed == {A: True, M: True, HR: True, H: False, B: False, STRANGER: False}
    open_with_tasks(
        session,
        org=org,
        stage="review",
        tasks=[NewTask("decide_appeal", A, H, {"reason": "Saya melampaui target"})],
        now=START,
    )
    session.commit()
    assert may_see(session, file=row, nip=H)
    # A delegate of a task on A may see it too; someone attaching for A sees what they attached.
    task = session.scalars(select(HumanTask).where(HumanTask.kind == "review")).one()
    task.delegate_nip = B
    session.commit()
    assert may_see(session, file=row, nip=B)
    [theirs] = _attach(session, [REPORT], nip=STRANGER)
    assert may_see(session, file=theirs, nip=STRANGER)
    assert not may_see(session, file=row, nip=STRANGER)
