"""A unit head's Rating Hasil Kerja follows the unit's result.

DOMAIN.md A1, "Organisation predikat, 3-stage annual evaluation": the leader one level up
rates the unit (Istimewa / Baik / Butuh Perbaikan / Kurang / Sangat Kurang), and "a unit
head's Rating Hasil Kerja = the unit's result". The review task proposes it so (the pack's
``result_rating.unit_head``: istimewa -> di_atas, baik -> sesuai, worse -> di_bawah); the
rater may change it with a written reason, which is recorded, audited and explained.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import pack_of
from kinerja.models.humantasks.opening import NewTask
from kinerja.models.humantasks.states import Actor, TaskError
from kinerja.models.responses.service import respond
from kinerja.models.results.explain import explain_lines
from kinerja.models.stages.review import review_tasks
from kinerja.models.stages.unit_heads import propose_for_unit_heads
from kinerja.models.store.tables import AuditEvent, Result, UnitRating
from kinerja.tests.models.orgfixture import (
    CYCLE_ID,
    HR,
    START,
    A,
    B,
    H,
    M,
    Org,
    build_org,
    open_with_tasks,
    task_by,
)

T1 = START + timedelta(days=1)


@pytest.fixture
def org(session: Session) -> Org:
    """M heads SEC; from M's own targets the numbers would propose di_atas, but SEC's own
    result (unit_ratings.csv, the leader's decision) is Butuh Perbaikan."""
    org = build_org(session)
    session.add(
        Result(
            cycle_id=CYCLE_ID,
            nip=M,
            unit_id="SEC",
            rater_nip=H,
            achievement=115.0,
            proposed_hasil_kerja="di_atas",
            perilaku_values={},
            derivation={"proposal": ["2 of 2 above expectation -> di_atas"]},
        )
    )
    session.add(
        UnitRating(
            cycle_id=CYCLE_ID,
            unit_id="SEC",
            predikat_organisasi="butuh_perbaikan",
            source="file",
        )
    )
    session.commit()
    return org


def test_the_head_is_proposed_the_units_result_and_staff_keep_their_own(session, org):
    stats = propose_for_unit_heads(session, cycle=org.cycle, pack=pack_of(org.cycle), now=START)
    session.commit()
    assert stats["heads"] == 1
    proposed = dict(session.execute(select(Result.nip, Result.proposed_hasil_kerja)).all())
    assert proposed == {M: "di_bawah", A: "sesuai", B: "sesuai"}
    head = session.get(Result, (CYCLE_ID, M))
    assert any("predikat organisasi butuh_perbaikan" in s for s in head.derivation["proposal"])
    # The review task carries the unit's result as the proposal.
    tasks = {
        t.subject_nip: t
        for t in review_tasks(session, cycle=org.cycle, coordinator=HR, lo=A, hi="Z")
    }
    assert tasks[M].payload["proposed_hasil_kerja"] == "di_bawah"
    # Running it again changes nothing and audits nothing more.
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "result.proposal_unit_head")
    ).all()
    assert len(events) == 1
    propose_for_unit_heads(session, cycle=org.cycle, pack=pack_of(org.cycle), now=START)
    session.commit()
    again = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "result.proposal_unit_head")
    ).all()
    assert len(again) == 1


def test_the_rater_changes_it_only_with_a_reason_recorded_and_explained(session, org):
    propose_for_unit_heads(session, cycle=org.cycle, pack=pack_of(org.cycle), now=START)
    open_with_tasks(
        session,
        org=org,
        stage="review",
        tasks=[NewTask("review", M, H, {"proposed_hasil_kerja": "di_bawah"})],
        now=START,
    )
    session.commit()
    task = task_by(session, "review", M)
    with pytest.raises(TaskError, match="needs a reason"):
        respond(
            session,
            task_id=task.id,
            actor=Actor(H),
            data={"hasil_kerja": "di_atas", "perilaku": "sesuai"},
            now=T1,
        )
    session.rollback()
    reason = "Seksi gagal karena anggaran dipotong; kepala seksi memimpin pemulihan layanan"
    respond(
        session,
        task_id=task.id,
        actor=Actor(H),
        data={"hasil_kerja": "di_atas", "perilaku": "sesuai", "comment": reason},
        now=T1,
    )
    session.commit()
    head = session.get(Result, (CYCLE_ID, M))
    assert (head.proposed_hasil_kerja, head.hasil_kerja, head.review_comment) == (
        "di_bawah",
        "di_atas",
        reason,
    )
    audited = [
        e.payload
        for e in session.scalars(select(AuditEvent).where(AuditEvent.entity_id == str(task.id)))
    ]
    assert any(reason in str(p) for p in audited)
    text = "\n".join(explain_lines(session, cycle=org.cycle, nip=M) or [])
    assert "2. Proposed rating hasil kerja: di_bawah" in text
    assert "unit head of SEC: predikat organisasi butuh_perbaikan" in text
    assert f"changed by the rater {H} from di_bawah to di_atas: {reason}" in text


def test_a_unit_without_a_predikat_leaves_the_proposal_from_the_targets(session, org):
    session.execute(UnitRating.__table__.delete())
    session.commit()
    propose_for_unit_heads(session, cycle=org.cycle, pack=pack_of(org.cycle), now=START)
    session.commit()
    head = session.get(Result, (CYCLE_ID, M))
    assert head.proposed_hasil_kerja == "di_atas"
    assert any("no predikat organisasi" in s for s in head.derivation["proposal"])
