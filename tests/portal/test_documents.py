"""The PDFs behind the portal's signed links: one's own, and the ratee's SKP for the rater."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from kinerja.models.humantasks.links import sign, sign_person, task_expiry
from kinerja.tests.models.documents.docfixture import GOAL, add_documents_data
from kinerja.tests.models.documents.pdftext import pdf_text
from kinerja.tests.portal.portalfixture import (
    NOW,
    SECRET,
    STRANGER,
    A,
    B,
    audit_events,
    build_portal,
)


@pytest.fixture
def portal(engine, monkeypatch):
    portal = build_portal(engine, monkeypatch)
    with Session(engine) as session:
        add_documents_data(session)
        session.commit()
    return portal


def me(nip: str) -> str:
    return sign_person(nip, NOW + timedelta(days=30), SECRET)


def test_the_person_gets_their_own_pdfs(portal):
    for kind, shown in (("skp", "SASARAN KINERJA PEGAWAI"), ("evaluation", "Baik")):
        response = portal.client.get(f"/me/{me(A)}/documents/{kind}.pdf?cycle=skp-2025")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["cache-control"] == "no-store"
        assert f'filename="{A}-{kind}.pdf"' in response.headers["content-disposition"]
        text = pdf_text(response.content)
        assert "Agus" in text and A in text and shown in text
    # Without ?cycle=: the newest cycle with an approved SKP.
    assert portal.client.get(f"/me/{me(A)}/documents/skp.pdf").status_code == 200


def test_the_persons_page_links_the_documents_there_are(portal):
    page = portal.client.get(f"/me/{me(A)}").text
    assert f"/me/{me(A)}/documents/skp.pdf?cycle=skp-2025" in page
    assert f"/me/{me(A)}/documents/evaluation.pdf?cycle=skp-2025" in page
    # Bella's targets are not approved: no document, no link.
    assert "/documents/" not in portal.client.get(f"/me/{me(B)}").text


def test_a_document_not_there_yet_is_not_found(portal):
    response = portal.client.get(f"/me/{me(B)}/documents/skp.pdf?cycle=skp-2025")
    assert response.status_code == 404
    assert "SKP belum disetujui" in response.text
    assert portal.client.get(f"/me/{me(A)}/documents/skp.pdf?cycle=nope").status_code == 404
    assert portal.client.get(f"/me/{me(A)}/documents/cv.pdf").status_code == 404


def test_a_forged_or_expired_person_link_is_refused(portal):
    token = me(A)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert portal.client.get(f"/me/{forged}/documents/skp.pdf").status_code == 403
    old = sign_person(A, NOW - timedelta(days=1), SECRET)
    assert portal.client.get(f"/me/{old}/documents/skp.pdf").status_code == 410


def test_the_rater_gets_the_ratees_skp_from_the_review_task(portal):
    token = portal.token("review", A)  # Maya's own review task for Agus
    page = portal.client.get(f"/t/{token}").text
    assert f"/t/{token}/documents/skp.pdf" in page
    response = portal.client.get(f"/t/{token}/documents/skp.pdf")
    assert response.status_code == 200, response.text
    text = pdf_text(response.content)
    assert "Agus" in text and GOAL in text and "Maya" in text


def test_someone_elses_token_is_refused_and_recorded(portal):
    task = portal.task("review", A)
    theirs = sign(task.id, STRANGER, task_expiry(task.final_due_at), SECRET)
    before = len(audit_events(portal.engine))
    response = portal.client.get(f"/t/{theirs}/documents/skp.pdf")
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    events = audit_events(portal.engine)[before:]
    assert [e.action for e in events] == ["portal.refused"]


def test_only_the_skp_and_only_from_a_raters_task(portal):
    review = portal.token("review", A)
    assert portal.client.get(f"/t/{review}/documents/evaluation.pdf").status_code == 403
    # Agus's own task about himself shows no document through the task link.
    own = portal.token("report_realisation", A)
    assert portal.client.get(f"/t/{own}/documents/skp.pdf").status_code == 403


def test_the_coordinator_gets_documents_of_their_cycles_from_the_desk(engine, monkeypatch):
    from kinerja.tests.portal.deskfixture import OTHER, OTHER_CYCLE, build_desk

    desk = build_desk(engine, monkeypatch)
    with Session(engine) as session:
        add_documents_data(session)
        session.commit()
    token = desk.token()
    page = desk.client.get(f"/desk/{token}").text
    assert f'action="/desk/{token}/documents/skp.pdf"' in page
    assert f'formaction="/desk/{token}/documents/evaluation.pdf"' in page
    for kind, shown in (("skp", "SASARAN KINERJA PEGAWAI"), ("evaluation", "Baik")):
        response = desk.client.get(
            f"/desk/{token}/documents/{kind}.pdf", params={"cycle": "skp-2025", "nip": A}
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/pdf"
        assert shown in pdf_text(response.content)

    # A cycle the token's coordinator does not coordinate: refused and recorded.
    def refusals() -> int:
        return sum(1 for e in audit_events(engine) if e.action == "portal.refused")

    before = refusals()
    refused = desk.client.get(
        f"/desk/{token}/documents/skp.pdf", params={"cycle": OTHER_CYCLE, "nip": A}
    )
    assert refused.status_code == 403
    assert refusals() == before + 1
    # The other coordinator's token opens nothing of this cycle either.
    other = desk.client.get(
        f"/desk/{desk.token(OTHER)}/documents/skp.pdf", params={"cycle": "skp-2025", "nip": A}
    )
    assert other.status_code == 403
    # A person's link is not a desk link.
    assert (
        desk.client.get(
            f"/desk/{me(A)}/documents/skp.pdf", params={"cycle": "skp-2025", "nip": A}
        ).status_code
        == 403
    )
