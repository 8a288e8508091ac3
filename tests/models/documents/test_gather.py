"""What a document holds, gathered from the database (both backends)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kinerja.models.cycles.cycle import CycleError
from kinerja.models.documents.gather import DocumentError, NoDocument, gather
from kinerja.models.documents.render import document_html
from kinerja.models.documents.service import people_of
from kinerja.models.store.tables import UnitRating
from kinerja.tests.models.documents.docfixture import (
    GOAL,
    MANAGER_TARGET,
    RETURNED,
    add_documents_data,
)
from kinerja.tests.models.orgfixture import (
    CYCLE_ID,
    START,
    STRANGER,
    A,
    B,
    H,
    M,
    approvals,
    build_org,
    open_with_tasks,
)


@pytest.fixture
def org(session):
    org = build_org(session, periodic=True)
    add_documents_data(session, periodic=True)
    session.commit()
    return org


def test_the_skp_holds_the_approved_targets_only_with_what_each_serves(session, org):
    doc = gather(session, cycle_id=CYCLE_ID, nip=A, kind="skp")
    assert doc.kind == "skp" and doc.lang == "id" and doc.evaluation is None
    assert [t.target_id for t in doc.targets] == ["A-1-T1", "A-1-T3"]  # A-1-T2 was returned
    assert RETURNED not in {t.statement for t in doc.targets}
    main, extra = doc.targets
    # The cascade: a unit goal (IKU), and the manager's own target.
    assert (main.serves, main.serves_statement) == ("G-1", GOAL)
    assert (extra.serves, extra.serves_statement) == ("M-1-T1", MANAGER_TARGET)
    assert (extra.kind.code, extra.kind.label) == ("tambahan", "Tambahan")
    assert (main.aspect.label, extra.target_value) == ("Kuantitas", 1250.0)
    assert [k.label for k in doc.kinds] == ["Utama", "Tambahan"]
    # The SKP names the BerAKHLAK values, not yet rated.
    assert [b.value.label for b in doc.behaviour][:2] == ["Berorientasi Pelayanan", "Akuntabel"]
    assert len(doc.behaviour) == 7 and all(b.rating is None for b in doc.behaviour)
    # No realisation on an SKP, even where the target has one.
    assert main.realisation is None and main.achievement is None


def test_the_rater_and_the_raters_superior(session, org):
    doc = gather(session, cycle_id=CYCLE_ID, nip=A, kind="skp")
    assert doc.employee.name == "Agus" and doc.employee.unit_name == "Seksi Layanan"
    assert (doc.rater.nip, doc.rater.name, doc.rater.position) == (M, "Maya", "Kepala Seksi")
    assert (doc.rater_superior.nip, doc.rater_superior.name) == (H, "Hartono")
    assert doc.rater_superior.unit_name == "Dinas Contoh"
    assert doc.agency == "Dinas Contoh"
    # The head has no manager: rated from outside the organisation, no superior named.
    head = gather(session, cycle_id=CYCLE_ID, nip=H, kind="skp")
    assert head.rater.nip is None and "luar organisasi" in head.rater.name
    assert head.rater_superior is None
    # Maya's rater is Hartono, whose own rater is outside: the superior is that rater.
    maya = gather(session, cycle_id=CYCLE_ID, nip=M, kind="skp")
    assert maya.rater.nip == H and maya.rater_superior.nip is None


def test_the_evaluation_holds_the_result_the_behaviour_and_the_periods(session, org):
    doc = gather(session, cycle_id=CYCLE_ID, nip=A, kind="evaluation")
    e = doc.evaluation
    assert e is not None
    assert (e.achievement, e.hasil_kerja.label, e.perilaku.label) == (
        87.5,
        "Sesuai Ekspektasi",
        "Di Atas Ekspektasi",
    )
    assert (e.predikat.code, e.predikat.label) == ("baik", "Baik")
    assert e.comment == "Pertahankan ketelitian."
    ratings = {b.value.code: b.rating.label for b in doc.behaviour if b.rating}
    assert ratings["kompeten"] == "Sesuai Ekspektasi" and len(ratings) == 7
    assert [(t.target_id, t.realisation, t.achievement) for t in doc.targets] == [
        ("A-1-T1", 90.0, 90.0),
        ("A-1-T3", 1100.0, 88.0),
    ]
    # The periodic results, in period order, with their words.
    assert [(p.period, p.period_name) for p in e.periods] == [
        ("2025-Q1", "Triwulan I 2025"),
        ("2025-Q2", "Triwulan II 2025"),
    ]
    assert e.periods[0].predikat.label == "-" and e.periods[1].predikat.label == "Baik"
    assert e.periods[1].achievement == 48.5


def test_labels_follow_the_language_asked(session, org):
    doc = gather(session, cycle_id=CYCLE_ID, nip=A, kind="evaluation", lang="en")
    assert doc.evaluation.predikat.label == "Good"
    assert doc.targets[0].aspect.label == "Quantity"
    assert doc.evaluation.periods[0].period_name == "Quarter 1 2025"


def test_no_document_before_approval_or_rating(session, org):
    with pytest.raises(NoDocument, match="no approved targets") as no_skp:
        gather(session, cycle_id=CYCLE_ID, nip=B, kind="skp")
    assert no_skp.value.reason == "belum ada SKP disetujui / no approved targets"
    with pytest.raises(NoDocument, match="not rated yet"):
        gather(session, cycle_id=CYCLE_ID, nip=M, kind="evaluation")


def test_unknown_cycle_nip_or_kind_is_a_clear_error(session, org):
    with pytest.raises(CycleError, match="unknown cycle: nope"):
        gather(session, cycle_id="nope", nip=A, kind="skp")
    with pytest.raises(DocumentError, match="unknown NIP: 999"):
        gather(session, cycle_id=CYCLE_ID, nip="999", kind="skp")
    with pytest.raises(DocumentError, match="unknown document kind 'cv'"):
        gather(session, cycle_id=CYCLE_ID, nip=A, kind="cv")


def test_people_of_a_unit_one_nip_or_the_cycle(session, org):
    assert [e.nip for e in people_of(session, cycle_id=CYCLE_ID, unit_id="SEC")] == [A, B, M]
    assert [e.nip for e in people_of(session, cycle_id=CYCLE_ID, nip=H)] == [H]
    # The stranger has neither targets nor a result in the cycle.
    assert STRANGER not in {e.nip for e in people_of(session, cycle_id=CYCLE_ID)}
    with pytest.raises(DocumentError, match="unknown unit: NOPE"):
        people_of(session, cycle_id=CYCLE_ID, unit_id="NOPE")
    with pytest.raises(DocumentError, match="unknown NIP: 999"):
        people_of(session, cycle_id=CYCLE_ID, nip="999")


def test_the_units_predikat_organisasi_when_the_pack_has_a_curve(session, org):
    before = gather(session, cycle_id=CYCLE_ID, nip=A, kind="evaluation").evaluation
    assert before.predikat_organisasi is None
    session.add(UnitRating(cycle_id=CYCLE_ID, unit_id="SEC", predikat_organisasi="istimewa"))
    session.commit()
    e = gather(session, cycle_id=CYCLE_ID, nip=A, kind="evaluation").evaluation
    assert e.predikat_organisasi.label == "Istimewa"


def test_the_skp_is_dated_the_day_its_targets_were_approved(session, org):
    assert gather(session, cycle_id=CYCLE_ID, nip=A, kind="skp").signed_on is None
    (task, _) = open_with_tasks(
        session, org=org, stage="approve_targets", tasks=approvals(), now=START
    )
    task.state, task.closed_at = "done", datetime(2025, 1, 20, 9, 30)
    session.commit()
    doc = gather(session, cycle_id=CYCLE_ID, nip=A, kind="skp")
    assert doc.signed_on == date(2025, 1, 20)
    assert "Kota Contoh, 20 Januari 2025" in document_html(doc, place="Kota Contoh")
