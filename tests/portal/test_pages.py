"""Every task kind has a page in both languages, and each form answers through respond()."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

import pytest
from pydantic import BaseModel
from sqlalchemy import select

from kinerja.models.cycles.cycle import cycle_config
from kinerja.models.humantasks.opening import NewTask, open_tasks
from kinerja.models.schemas import inputs
from kinerja.models.store.tables import Cycle, Feedback, HumanTask, Measurement, Result, Target
from kinerja.tests.models.orgfixture import H
from kinerja.tests.portal.portalfixture import (
    SECRET,
    A,
    B,
    M,
    audit_events,
    build_portal,
    csrf_of,
    message_link,
    open_form,
    table_rows,
)

PAGES = [
    # kind, subject, what the page must show (id, en)
    ("approve_targets", A, ("Menyetujui SKP", "Approve targets"), ["Hasil kerja 1", "tc:A-1-T2"]),
    ("review", A, ("Menilai kinerja", "Review performance"), ["Hasil kerja 2", "pv:akuntabel"]),
    ("write_feedback", A, ("Menulis umpan balik", "Write feedback"), ['name="text"']),
    (
        "acknowledge_feedback",
        B,
        ("Menerima umpan balik", "Acknowledge feedback"),
        ["Pertahankan kinerja."],
    ),
    ("propose_targets", A, ("Menyusun rencana SKP", "Propose your targets"), ["row3.statement"]),
    ("report_realisation", A, ("Melaporkan realisasi", "Report realisation"), ["value:A-1-T1"]),
]
WORDS = {
    "review": ({"Akuntabel", "Sesuai Ekspektasi"}, {"Accountable", "Meets expectations"}),
    "approve_targets": ({"Setujui", "Kembalikan"}, {"Approve", "Return for revision"}),
}


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize(("kind", "subject", "titles", "shown"), PAGES, ids=[p[0] for p in PAGES])
def test_each_kind_renders_in_each_language(
    engine, monkeypatch, lang, kind, subject, titles, shown
):
    portal = build_portal(engine, monkeypatch)
    response = portal.client.get(f"/t/{portal.token(kind, subject)}?lang={lang}")
    assert response.status_code == 200
    html = response.text
    assert f'<html lang="{lang}">' in html
    assert f"<h1>{titles[0 if lang == 'id' else 1]}</h1>" in html
    for text in shown:
        assert text in html
    for word in WORDS.get(kind, (set(), set()))[0 if lang == "id" else 1]:
        assert word in html
    assert 'name="csrf_token"' in html
    assert response.headers["cache-control"] == "no-store"


def test_without_lang_the_page_is_in_the_persons_language(engine, monkeypatch):
    portal = build_portal(engine, monkeypatch)
    # Bella's language is English, Maya's Bahasa Indonesia.
    assert (
        "<h1>Acknowledge feedback</h1>"
        in portal.client.get(f"/t/{portal.token('acknowledge_feedback', B)}").text
    )
    assert (
        "<h1>Menyetujui SKP</h1>" in portal.client.get(f"/t/{portal.token('approve_targets')}").text
    )


def test_the_link_in_the_message_opens_the_task_and_approving_closes_it(engine, monkeypatch):
    portal = build_portal(engine, monkeypatch)
    task_id = portal.tasks[("approve_targets", A)]
    path = message_link(portal, task_id, M)  # the link Maya got, from the outbox
    csrf = open_form(portal, path)
    response = portal.client.post(path, data={"csrf_token": csrf, "decision": "approve"})
    assert response.status_code == 200
    assert "Jawaban Anda telah dicatat." in response.text
    with portal.session() as s:
        task = s.get(HumanTask, task_id)
        assert (task.state, task.closed_by) == ("done", M)
        assert task.response["input"]["decision"] == "approve"
        statuses = s.scalars(select(Target.status).where(Target.nip == A)).all()
        assert statuses == ["approved", "approved"]
    last = audit_events(engine)[-1]
    assert (last.action, last.actor, last.entity_id) == ("task.respond", M, str(task_id))


def test_a_double_click_is_one_response(engine, monkeypatch):
    portal = build_portal(engine, monkeypatch)
    path = f"/t/{portal.token('approve_targets')}"
    csrf = open_form(portal, path)
    form = {"csrf_token": csrf, "decision": "approve"}
    assert portal.client.post(path, data=form).status_code == 200
    before = table_rows(engine, with_audit=True)
    again = portal.client.post(path, data=form)
    assert again.status_code == 200
    assert "sudah tercatat" in again.text
    assert table_rows(engine, with_audit=True) == before


def test_returning_targets_carries_a_comment_per_target(engine, monkeypatch):
    portal = build_portal(engine, monkeypatch)
    path = f"/t/{portal.token('approve_targets')}?lang=en"
    csrf = open_form(portal, path)
    form = {"csrf_token": csrf, "decision": "return", "tc:A-1-T1": "Target terlalu rendah"}
    assert portal.client.post(path, data=form).status_code == 200
    with portal.session() as s:
        revise = s.scalars(select(HumanTask).where(HumanTask.kind == "revise_targets")).one()
        assert revise.payload["target_comments"] == {"A-1-T1": "Target terlalu rendah"}
        revision = revise.id
    portal.tasks[("revise_targets", A)] = revision
    page = portal.client.get(f"/t/{portal.token('revise_targets')}?lang=en").text
    assert "Target terlalu rendah" in page and "Resubmit unchanged" in page


def test_returning_without_any_comment_names_the_problem_and_changes_nothing(engine, monkeypatch):
    portal = build_portal(engine, monkeypatch)
    path = f"/t/{portal.token('approve_targets')}?lang=en"
    csrf = open_form(portal, path)
    before = table_rows(engine, with_audit=True)
    response = portal.client.post(path, data={"csrf_token": csrf, "decision": "return"})
    assert response.status_code == 400
    assert "returning targets needs a comment" in response.text
    assert table_rows(engine, with_audit=True) == before


def test_a_review_that_changes_the_proposal_needs_a_reason(engine, monkeypatch):
    portal = build_portal(engine, monkeypatch)
    path = f"/t/{portal.token('review')}"
    csrf = open_form(portal, path)
    values = {f"pv:{v}": "sesuai" for v in ("berorientasi_pelayanan", "akuntabel", "kompeten")}
    values |= {f"pv:{v}": "di_atas" for v in ("harmonis", "loyal", "adaptif", "kolaboratif")}
    form = {"csrf_token": csrf, "proposed": "sesuai", "hasil_kerja": "di_atas", **values}
    before = table_rows(engine, with_audit=True)
    refused = portal.client.post(path, data=form)
    assert refused.status_code == 400
    assert 'id="err-comment"' in refused.text and "alasan wajib diisi" in refused.text
    assert table_rows(engine, with_audit=True) == before
    form["comment"] = "Melampaui target utama"
    assert portal.client.post(path, data=form).status_code == 200
    with portal.session() as s:
        result = s.get(Result, ("skp-2025", A))
        assert (result.hasil_kerja, result.perilaku) == ("di_atas", "di_atas")
        assert result.perilaku_values["akuntabel"] == "sesuai"
        assert result.review_comment == "Melampaui target utama"


def test_realisation_with_evidence_and_a_bad_number(engine, monkeypatch):
    portal = build_portal(engine, monkeypatch)
    path = f"/t/{portal.token('report_realisation')}?lang=en"
    csrf = open_form(portal, path)
    bad = portal.client.post(path, data={"csrf_token": csrf, "value:A-1-T1": "banyak"})
    assert bad.status_code == 400
    assert "value:A-1-T1" in bad.text and "must be a number" in bad.text
    form = {
        "csrf_token": csrf,
        "value:A-1-T1": "110,5",
        "value:A-1-T2": "95",
        "evidence": "https://arsip.example/laporan.pdf",
    }
    assert portal.client.post(path, data=form).status_code == 200
    with portal.session() as s:
        rows = s.scalars(select(Measurement).order_by(Measurement.target_id)).all()
        assert [(m.target_id, m.value) for m in rows] == [("A-1-T1", 110.5), ("A-1-T2", 95.0)]
        assert rows[0].evidence == "https://arsip.example/laporan.pdf"


def test_proposing_targets_from_the_form(engine, monkeypatch):
    portal = build_portal(engine, monkeypatch)
    path = f"/t/{portal.token('propose_targets')}?lang=en"
    csrf = open_form(portal, path)
    row = {
        "row1.target_id": "A-1-T1",
        "row1.serves": "G-1",
        "row1.statement": "Laporan layanan",
        "row1.indicator": "Jumlah laporan",
        "row1.target": "12",
        "row1.unit_of_measure": "laporan",
        "row1.direction": "higher",
        "row1.kind": "utama",
    }
    missing = portal.client.post(path, data={"csrf_token": csrf, **row, "row4.statement": "x"})
    assert missing.status_code == 400
    assert "row4.serves" in missing.text and "required" in missing.text
    assert portal.client.post(path, data={"csrf_token": csrf, **row}).status_code == 200
    with portal.session() as s:
        targets = {t.target_id: t for t in s.scalars(select(Target).where(Target.nip == A))}
        assert targets["A-1-T1"].statement == "Laporan layanan"
        assert targets["A-1-T1"].target_value == 12
        assert targets["A-1-T2"].status == "withdrawn"


def test_feedback_written_then_acknowledged(engine, monkeypatch):
    portal = build_portal(engine, monkeypatch)
    path = f"/t/{portal.token('write_feedback')}"
    csrf = open_form(portal, path)
    empty = portal.client.post(path, data={"csrf_token": csrf, "text": "  "})
    assert empty.status_code == 400 and "text" in empty.text
    form = {"csrf_token": csrf, "text": "Tingkatkan kolaborasi."}
    assert portal.client.post(path, data=form).status_code == 200
    with portal.session() as s:
        ack = s.scalars(
            select(HumanTask).where(
                HumanTask.kind == "acknowledge_feedback", HumanTask.subject_nip == A
            )
        ).one()
        portal.tasks[("acknowledge_feedback", A)] = ack.id
    ack_path = message_link(portal, ack.id, A)
    page = portal.client.get(ack_path)
    assert "Tingkatkan kolaborasi." in page.text
    reply = portal.client.post(ack_path, data={"csrf_token": csrf_of(page.text)})
    assert reply.status_code == 200
    with portal.session() as s:
        assert s.get(Feedback, ("skp-2025", A)).acknowledged_at is not None


class Keberatan(BaseModel):
    """A stand-in for a kind this portal has no dedicated page for."""

    decision: Literal["uphold", "reject"]
    reason: str
    final: bool = True


def test_an_unknown_kind_gets_the_generic_page(engine, monkeypatch):
    portal = build_portal(engine, monkeypatch)
    monkeypatch.setitem(inputs.INPUT_FOR_KIND, "appeal_hearing", Keberatan)
    with portal.session() as s:
        task = s.get(HumanTask, portal.tasks[("review", A)])
        task.kind, task.payload = "appeal_hearing", {"grounds": "Nilai tidak sesuai bukti"}
        s.commit()
    page = portal.client.get(f"/t/{portal.token('review')}?lang=en")
    assert page.status_code == 200
    assert "Nilai tidak sesuai bukti" in page.text
    assert '<option value="uphold"' in page.text and 'name="reason"' in page.text
    monkeypatch.delitem(inputs.INPUT_FOR_KIND, "appeal_hearing")
    bare = portal.client.get(f"/t/{portal.token('review')}?lang=en")
    assert bare.status_code == 200 and "cannot be answered in the portal" in bare.text


def test_my_page_lists_my_open_tasks_targets_results_and_feedback(engine, monkeypatch):
    from kinerja.models.humantasks.links import sign_person

    portal = build_portal(engine, monkeypatch)
    with portal.session() as s:
        result = s.get(Result, ("skp-2025", A))
        result.hasil_kerja, result.perilaku, result.predikat = "sesuai", "sesuai", "baik"
        s.add(Feedback(cycle_id="skp-2025", nip=A, manager_nip=M, text="Kerja bagus."))
        s.commit()
    token = sign_person(A, portal.clock.now() + timedelta(days=3), SECRET)
    page = portal.client.get(f"/me/{token}?lang=en")
    assert page.status_code == 200
    html = page.text
    assert "Propose your targets" in html and "Report realisation" in html
    assert "Approve targets" not in html  # Maya's task about Agus, not Agus's
    assert "Hasil kerja 1" in html and "Meets expectations" in html and "Kerja bagus." in html
    assert '<span class="status">Proposed</span>' in html and ">proposed<" not in html
    link = html.split('href="/t/', 1)[1].split("?", 1)[0]
    assert portal.client.get(f"/t/{link}").status_code == 200
    maya = portal.client.get(
        f"/me/{sign_person(M, portal.clock.now() + timedelta(days=3), SECRET)}"
    )
    assert "Menyetujui SKP" in maya.text and "Bella" in maya.text


def test_healthz(engine, monkeypatch):
    portal = build_portal(engine, monkeypatch)
    assert portal.client.get("/healthz").json() == {"status": "ok"}


def _appeal_task(portal) -> int:
    """A's appeal against the review, decided by H (Maya's superior), opened as filed."""
    with portal.session() as s:
        cycle = s.get(Cycle, "skp-2025")
        result = s.get(Result, ("skp-2025", A))
        result.hasil_kerja, result.perilaku, result.predikat = (
            "di_bawah",
            "sesuai",
            "butuh_perbaikan",
        )
        payload = {"reason": "Capaian saya 110%", "rater_nip": M, "hasil_kerja": "di_bawah"}
        payload |= {"perilaku": "sesuai", "predikat": "butuh_perbaikan"}
        (task,) = open_tasks(
            s,
            cycle=cycle,
            config=cycle_config(cycle),
            stage_due_at=portal.clock.now() + timedelta(days=14),
            stage_final_due_at=portal.clock.now() + timedelta(days=21),
            tasks=[NewTask("decide_appeal", A, H, payload)],
            now=portal.clock.now(),
        )
        s.commit()
        portal.tasks[("decide_appeal", A)] = task.id
        return task.id


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_appeal_page_shows_the_reason_and_the_ratings(engine, monkeypatch, lang):
    portal = build_portal(engine, monkeypatch)
    _appeal_task(portal)
    page = portal.client.get(f"/t/{portal.token('decide_appeal')}?lang={lang}")
    assert page.status_code == 200
    assert "Capaian saya 110%" in page.text
    words = ("Memutus keberatan", "Di Bawah Ekspektasi", "Terima keberatan", "Butuh Perbaikan")
    if lang == "en":
        words = ("Decide an appeal", "Below expectations", "Uphold the appeal", "Needs")
    for word in words:
        assert word in page.text


def test_rejecting_an_appeal_needs_a_reason_then_closes_it(engine, monkeypatch):
    portal = build_portal(engine, monkeypatch)
    task_id = _appeal_task(portal)
    path = message_link(portal, task_id, H)
    csrf = open_form(portal, path)
    before = table_rows(engine, with_audit=True)
    bare = portal.client.post(path, data={"csrf_token": csrf, "decision": "reject"})
    assert bare.status_code == 400 and "reason" in bare.text
    assert table_rows(engine, with_audit=True) == before
    form = {"csrf_token": csrf, "decision": "reject", "reason": "Bukti tidak mendukung"}
    assert portal.client.post(path, data=form).status_code == 200
    with portal.session() as s:
        task = s.get(HumanTask, task_id)
        assert (task.state, task.closed_by) == ("done", H)
        assert s.get(Result, ("skp-2025", A)).hasil_kerja == "di_bawah"


@pytest.mark.parametrize(
    ("lang", "words"),
    [("id", "berhak mengajukan keberatan"), ("en", "you may appeal in writing")],
)
def test_the_feedback_page_says_how_to_appeal(engine, monkeypatch, lang, words):
    portal = build_portal(engine, monkeypatch)
    html = portal.client.get(f"/t/{portal.token('acknowledge_feedback', B)}?lang={lang}").text
    with portal.session() as s:
        config = cycle_config(s.get(Cycle, "skp-2025"))
    section = html.split('class="appeal-right"')[1].split("</section>")[0]
    assert words in section
    assert f"{config.appeal_window_days} " in section
    assert config.coordinator.name in section


@pytest.mark.parametrize(("lang", "shown"), [("id", "1.234,5"), ("en", "1,234.5")])
def test_numbers_on_a_page_are_in_its_language(engine, monkeypatch, lang, shown):
    portal = build_portal(engine, monkeypatch)
    with portal.session() as s:
        s.get(Target, ("skp-2025", "A-1-T1")).target_value = 1234.5
        s.commit()
    html = portal.client.get(f"/t/{portal.token('approve_targets')}?lang={lang}").text
    assert shown in html
