"""Evidence files on the portal (issue: "an evidence file attached on a phone shows up for
the rater and in explain; one over the size limit or of a refused type is refused with a
clear message").

The realisation forms take one file per target; a file is checked (size, type by name and
by its first bytes) before the answer is recorded, and a refused one shows the form again in
the page's language, naming the file and the limit, with nothing recorded or stored. An
accepted file is stored under its sha256, named in ``evidence_files`` with an audit event,
listed on the pages of the people who may see it, downloaded through a link signed for
each of them, and named by ``kinerja explain``. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from kinerja.cli.main import app as kinerja
from kinerja.models.cycles.cycle import cycle_config
from kinerja.models.evidence.links import sign_file
from kinerja.models.evidence.storage import EvidenceStore
from kinerja.models.humantasks.links import PERSON_LINK_DAYS, sign_person
from kinerja.models.humantasks.opening import NewTask, open_tasks
from kinerja.models.results.explain import explain_lines
from kinerja.models.store.tables import AuditEvent, Cycle, EvidenceFile, HumanTask
from kinerja.tests.models.orgfixture import H
from kinerja.tests.portal.portalfixture import (
    HR,
    SECRET,
    STRANGER,
    A,
    B,
    M,
    Portal,
    audit_events,
    build_portal,
    open_form,
    table_rows,
)

PDF = b"%PDF-1.7\n" + b"0123456789" * 300
PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 5000
LINK = re.compile(r'href="(/f/[^"]+)"')
Q1 = "2025-Q1"


def _portal(engine, monkeypatch, **kwargs) -> Portal:
    monkeypatch.setenv("KINERJA_EVIDENCE_MAX_MB", "0.5")
    monkeypatch.delenv("KINERJA_EVIDENCE_TYPES", raising=False)
    monkeypatch.delenv("KINERJA_EVIDENCE_URL", raising=False)
    return build_portal(engine, monkeypatch, **kwargs)


def _stored() -> list[str]:
    root = Path(EvidenceStore().root)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _report(portal: Portal, files: dict, *, lang: str = "en", kind: str = "report_realisation"):
    path = f"/t/{portal.token(kind)}?lang={lang}"
    csrf = open_form(portal, path)
    form = {"csrf_token": csrf, "value:A-1-T1": "110", "value:A-1-T2": "95"}
    return portal.client.post(path, data=form, files=files)


def _links(html: str) -> list[str]:
    return LINK.findall(html)


def _open(portal: Portal, *tasks: NewTask) -> None:
    with portal.session() as s:
        cycle = s.get(Cycle, "skp-2025")
        now = portal.clock.now()
        opened = open_tasks(
            s,
            cycle=cycle,
            config=cycle_config(cycle),
            stage_due_at=now + timedelta(days=14),
            stage_final_due_at=now + timedelta(days=21),
            tasks=list(tasks),
            now=now,
        )
        s.commit()
        for task in opened:
            portal.tasks[(task.kind, task.subject_nip)] = task.id


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("id", ["Lampirkan berkas bukti", "Boleh dikosongkan. Jenis: pdf, jpg", "0,5 MB"]),
        ("en", ["Attach an evidence file", "Optional. Types: pdf, jpg", "at most 0.5 MB per file"]),
    ],
)
def test_the_realisation_form_has_a_file_input_per_target(engine, monkeypatch, lang, words):
    portal = _portal(engine, monkeypatch)
    html = portal.client.get(f"/t/{portal.token('report_realisation')}?lang={lang}").text
    assert 'enctype="multipart/form-data"' in html
    for target in ("A-1-T1", "A-1-T2"):
        assert f'type="file" id="f-{target[-1]}" name="file:{target}"' in html
    assert 'accept=".pdf,.jpg,.jpeg,.png,.xlsx,.docx,.odt,.ods,.csv,.txt,application/pdf,' in html
    for word in words:
        assert word in html
    # Pages that take no files stay urlencoded.
    review = portal.client.get(f"/t/{portal.token('review')}").text
    assert "multipart" not in review and 'type="file"' not in review


def test_an_attached_file_is_stored_named_audited_and_shown_to_the_rater(engine, monkeypatch):
    portal = _portal(engine, monkeypatch)
    files = {
        "file:A-1-T1": ("Laporan Kegiatan Q1.pdf", PDF, "application/pdf"),
        "file:A-1-T2": ("", b"", "application/octet-stream"),  # an input left empty
    }
    done = _report(portal, files)
    assert done.status_code == 200, done.text
    digest = hashlib.sha256(PDF).hexdigest()
    assert _stored() == [f"{digest[:2]}/{digest}"]
    with portal.session() as s:
        [row] = s.scalars(select(EvidenceFile)).all()
        task_id = portal.tasks[("report_realisation", A)]
        assert (row.target_id, row.subject_nip, row.nip, row.task_id) == ("A-1-T1", A, A, task_id)
        assert (row.filename, row.media_type, row.size, row.sha256) == (
            "Laporan Kegiatan Q1.pdf",
            "application/pdf",
            len(PDF),
            digest,
        )
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "evidence.attached")).one()
        assert (event.actor, event.entity_id, event.payload["sha256"]) == (A, str(row.id), digest)
        assert s.get(HumanTask, task_id).state == "done"
    review = portal.client.get(f"/t/{portal.token('review')}?lang=en")
    assert "Evidence files" in review.text
    assert "Laporan Kegiatan Q1.pdf" in review.text and "3 KB" in review.text
    [link] = _links(review.text)
    download = portal.client.get(link)
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"] == (
        'attachment; filename="Laporan Kegiatan Q1.pdf"; '
        "filename*=UTF-8''Laporan%20Kegiatan%20Q1.pdf"
    )
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["cache-control"] == "no-store"


def test_the_same_file_twice_is_stored_once(engine, monkeypatch):
    portal = _portal(engine, monkeypatch)
    files = {
        "file:A-1-T1": ("foto.jpg", PHOTO, "image/jpeg"),
        "file:A-1-T2": ("foto yang sama.jpg", PHOTO, "image/jpeg"),
    }
    assert _report(portal, files).status_code == 200
    assert len(_stored()) == 1
    with portal.session() as s:
        rows = s.scalars(select(EvidenceFile).order_by(EvidenceFile.target_id)).all()
        assert [(r.target_id, r.filename, r.media_type) for r in rows] == [
            ("A-1-T1", "foto.jpg", "image/jpeg"),
            ("A-1-T2", "foto yang sama.jpg", "image/jpeg"),
        ]
        assert rows[0].sha256 == rows[1].sha256


REFUSALS = [
    # files sent, language, what the page says
    (
        {"file:A-1-T1": ("besar.pdf", b"%PDF-1.7" + b"0" * 700 * 1024, "application/pdf")},
        "id",
        "besar.pdf: 0,7 MB, melebihi batas 0,5 MB per berkas.",
    ),
    (
        {"file:A-1-T1": ("besar.pdf", b"%PDF-1.7" + b"0" * 700 * 1024, "application/pdf")},
        "en",
        "besar.pdf: 0.7 MB, over the limit of 0.5 MB per file.",
    ),
    (
        {"file:A-1-T2": ("foto.heic", b"\x00\x00\x00\x18ftypheic", "image/heic")},
        "id",
        "foto.heic: jenis berkas ini tidak diterima. Jenis yang diterima: pdf, jpg, jpeg, png,"
        " xlsx, docx, odt, ods, csv, txt.",
    ),
    (
        {"file:A-1-T2": ("foto.heic", b"\x00\x00\x00\x18ftypheic", "image/heic")},
        "en",
        "foto.heic: this type of file is not accepted. Accepted types: pdf, jpg, jpeg, png,"
        " xlsx, docx, odt, ods, csv, txt.",
    ),
    (
        {"file:A-1-T1": ("laporan.pdf", b"<html><body>bukan pdf", "application/pdf")},
        "id",
        "laporan.pdf: isinya bukan berkas PDF, walaupun namanya demikian.",
    ),
    (
        {"file:A-1-T1": ("laporan.pdf", b"<html><body>not a pdf", "application/pdf")},
        "en",
        "laporan.pdf: the content is not a PDF file, though the name says so.",
    ),
]


@pytest.mark.parametrize(("files", "lang", "message"), REFUSALS)
def test_a_refused_file_shows_the_form_again_and_changes_nothing(
    engine, monkeypatch, files, lang, message
):
    portal = _portal(engine, monkeypatch)
    before = table_rows(portal.engine, with_audit=True)
    # A good file beside the refused one is not stored either: nothing is, until all pass.
    other = "file:A-1-T2" if "file:A-1-T1" in files else "file:A-1-T1"
    response = _report(portal, {**files, other: ("baik.pdf", PDF, "application/pdf")}, lang=lang)
    assert response.status_code == 400
    html = response.text
    assert f'<html lang="{lang}">' in html
    assert message in html, re.findall(r"<li>.*?</li>", html)[:6]
    again = {"id": "pilih lagi sebelum mengirim", "en": "choose them again before sending"}
    assert again[lang] in html
    assert 'value="110"' in html and 'enctype="multipart/form-data"' in html
    assert table_rows(portal.engine, with_audit=True) == before
    assert _stored() == []


def test_a_file_for_a_target_not_on_the_page_is_refused(engine, monkeypatch):
    portal = _portal(engine, monkeypatch)
    before = table_rows(portal.engine, with_audit=True)
    response = _report(portal, {"file:B-1-T1": ("laporan.pdf", PDF, "application/pdf")})
    assert response.status_code == 400
    assert "file:B-1-T1" in response.text
    assert table_rows(portal.engine, with_audit=True) == before and _stored() == []


def test_a_page_without_file_inputs_takes_no_file(engine, monkeypatch):
    portal = _portal(engine, monkeypatch)
    before = table_rows(portal.engine, with_audit=True)
    path = f"/t/{portal.token('approve_targets')}"
    form = {"csrf_token": open_form(portal, path), "decision": "approve"}
    response = portal.client.post(
        path, data=form, files={"comment": ("laporan.pdf", PDF, "application/pdf")}
    )
    assert response.status_code == 400
    assert table_rows(portal.engine, with_audit=True) == before and _stored() == []


def test_files_together_over_the_upload_limit_are_refused_as_they_arrive(engine, monkeypatch):
    portal = _portal(engine, monkeypatch)
    before = table_rows(portal.engine, with_audit=True)
    big = b"%PDF-1.7" + b"0" * (3 * 1024 * 1024)
    response = _report(portal, {"file:A-1-T1": ("besar.pdf", big, "application/pdf")})
    assert response.status_code == 413
    assert "too large" in response.text
    assert table_rows(portal.engine, with_audit=True) == before and _stored() == []


def _attached(portal: Portal) -> int:
    assert _report(portal, {"file:A-1-T1": ("laporan.pdf", PDF, "application/pdf")}).is_success
    with portal.session() as s:
        return s.scalars(select(EvidenceFile.id)).one()


def test_a_download_link_works_for_the_people_who_may_see_the_file(engine, monkeypatch):
    portal = _portal(engine, monkeypatch)
    file_id = _attached(portal)
    expires = portal.clock.now() + timedelta(hours=1)
    # The employee on their own page, and the coordinator.
    me = sign_person(A, portal.clock.now() + timedelta(days=PERSON_LINK_DAYS), SECRET)
    page = portal.client.get(f"/me/{me}?lang=id")
    assert "laporan.pdf" in page.text and "Berkas bukti dukung" in page.text
    [own] = _links(page.text)
    assert portal.client.get(own).content == PDF
    coordinator = portal.client.get(f"/f/{sign_file(file_id, HR, expires, SECRET)}")
    assert coordinator.status_code == 200 and coordinator.content == PDF
    # The link expires a day after the page was shown.
    portal.clock.advance(timedelta(days=1, seconds=1))
    gone = portal.client.get(own)
    assert gone.status_code == 410 and "Link expired" in gone.text


def test_a_forged_or_someone_elses_link_is_refused(engine, monkeypatch):
    portal = _portal(engine, monkeypatch)
    file_id = _attached(portal)
    expires = portal.clock.now() + timedelta(hours=1)
    before = len(audit_events(portal.engine))
    for nip in (STRANGER, B, H):  # no task on A: not the rater, not in the chain yet
        refused = portal.client.get(f"/f/{sign_file(file_id, nip, expires, SECRET)}")
        assert refused.status_code == 403, nip
        assert "not valid for you" in refused.text and PDF[:20] not in refused.content
    events = audit_events(portal.engine)[before:]
    assert [(e.action, e.actor, e.entity_id) for e in events] == [
        ("evidence.refused", nip, str(file_id)) for nip in (STRANGER, B, H)
    ]
    genuine = sign_file(file_id, M, expires, SECRET)
    head, nip_part, exp, mac = genuine.split(".")
    forged = [
        genuine[:-2] + ("AA" if genuine[-2:] != "AA" else "BB"),  # another signature
        f"f{file_id + 1}.{nip_part}.{exp}.{mac}",  # another file
        f"{head}.{nip_part}.{int(exp) + 3600}.{mac}",  # a later expiry
        sign_file(file_id, M, expires, b"another-secret-0123456789-abcdefghijkl"),
        f"{portal.token('review')}",  # a task link is no file link
        "f1.QS0x.1.x",
    ]
    for token in forged:
        response = portal.client.get(f"/f/{token}")
        assert response.status_code == 403, token
        assert "Tautan tidak sah" in response.text
    assert len(audit_events(portal.engine)) == before + 3
    # The appeal's decider gets the door once the appeal is theirs.
    _open(portal, NewTask("decide_appeal", A, H, {"reason": "Saya melampaui target"}))
    appeal = portal.client.get(f"/t/{portal.token('decide_appeal')}?lang=en")
    assert "laporan.pdf" in appeal.text
    [link] = _links(appeal.text)
    assert portal.client.get(link).content == PDF
    assert portal.client.get(f"/f/{genuine}").content == PDF


def test_explain_names_each_targets_files(engine, monkeypatch):
    portal = _portal(engine, monkeypatch)
    _attached(portal)
    digest = hashlib.sha256(PDF).hexdigest()
    with portal.session() as s:
        period = s.scalars(select(EvidenceFile.period)).one()
        lines = explain_lines(s, cycle=s.get(Cycle, "skp-2025"), nip=A) or []
    expected = f"evidence {period}: laporan.pdf, {len(PDF):,} bytes, sha256 {digest[:12]}"
    [line] = [x for x in lines if "evidence " in x]
    assert line.strip().startswith(expected)
    # Under its own target, before the next one.
    first = next(i for i, x in enumerate(lines) if x.startswith("   A-1-T1 ["))
    second = next(i for i, x in enumerate(lines) if x.startswith("   A-1-T2 ["))
    assert first < lines.index(line) < second
    monkeypatch.setenv("KINERJA_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    out = CliRunner().invoke(kinerja, ["explain", A, "--cycle", "skp-2025"])
    assert out.exit_code == 0, out.output
    assert expected in out.output


PERIODIC = [
    ("report-2025-Q1", NewTask("report_period", A, A, {"period": Q1}, period=Q1)),
    ("checkin-2025-Q1", NewTask("checkin", A, M, {"period": Q1}, period=Q1)),
]


def test_a_periods_report_attaches_under_its_period_and_the_checkin_shows_it(engine, monkeypatch):
    portal = _portal(engine, monkeypatch, periodic=PERIODIC)
    files = {"file:A-1-T2": ("rekap triwulan.csv", b"nip;nilai\nA-1;95\n", "text/csv")}
    assert _report(portal, files, kind="report_period", lang="id").status_code == 200
    with portal.session() as s:
        row = s.scalars(select(EvidenceFile)).one()
        assert (row.period, row.target_id, row.media_type) == (Q1, "A-1-T2", "text/csv")
    checkin = portal.client.get(f"/t/{portal.token('checkin')}?lang=id")
    assert "rekap triwulan.csv" in checkin.text and f"Periode {Q1}" in checkin.text
    [link] = _links(checkin.text)
    download = portal.client.get(link)
    assert download.content == b"nip;nilai\nA-1;95\n"
    assert download.headers["content-type"].startswith("text/csv")


def test_a_file_whose_bytes_are_lost_is_not_found(engine, monkeypatch):
    portal = _portal(engine, monkeypatch)
    file_id = _attached(portal)
    for stored in Path(EvidenceStore().root).rglob("*"):
        if stored.is_file():
            stored.unlink()
    token = sign_file(file_id, A, portal.clock.now() + timedelta(hours=1), SECRET)
    response = portal.client.get(f"/f/{token}?lang=en")
    assert response.status_code == 404 and "This file was not found." in response.text
