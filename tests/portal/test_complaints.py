"""The public complaint pages over HTTP: the form, validation, honeypot, CSRF, rate limit,
the tracking page (never the contact), and the officer's task page."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.models.store.clock import ManualClock
from kinerja.models.store.tables import Complaint
from kinerja.portal.app import create_app
from kinerja.portal.limits import RateLimit
from kinerja.portal.survey import PublicLimits
from kinerja.tests.models.citizens.complaintfixture import FILED, complaint_org
from kinerja.tests.portal.portalfixture import SECRET

TEXT = "Petugas tidak ada di loket sejak pagi."


def make(engine, per_address: int = 1000) -> TestClient:
    with Session(engine, expire_on_commit=False) as session:
        complaint_org(session)
    url = engine.url.render_as_string(hide_password=False)
    limits = PublicLimits(RateLimit(per_address, 3600), RateLimit(1000, 60))
    return TestClient(create_app(url, secret=SECRET, clock=ManualClock(FILED), limits=limits))


def csrf_of(client: TestClient) -> str:
    page = client.get("/pengaduan/unit/SEC")
    assert page.status_code == 200, page.text
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]


def stored(engine) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(Complaint)) or 0


@pytest.fixture
def client(engine):
    return make(engine)


def test_file_and_track_without_showing_the_contact(client, engine):
    csrf = csrf_of(client)
    response = client.post(
        "/pengaduan/unit/SEC",
        data={"csrf_token": csrf, "category": "normatif", "text": TEXT, "contact": "w@x.org"},
    )
    assert response.status_code == 200 and "Pengaduan diterima" in response.text
    code = re.search(r'id="tracking-code">([^<]+)<', response.text)[1]
    assert "w@x.org" not in response.text and TEXT in response.text
    assert "Normatif" in response.text and "5 Januari 2026" in response.text
    english = client.get(f"/pengaduan/{code}?lang=en")
    assert "Being handled" in english.text and "5 January 2026" in english.text
    assert client.get("/pengaduan/ADU-ZZZZZZZZ").status_code == 404
    assert stored(engine) == 1


def test_bad_input_shows_the_form_again(client, engine):
    csrf = csrf_of(client)
    short = client.post(
        "/pengaduan/unit/SEC",
        data={"csrf_token": csrf, "category": "ringan", "text": "pendek", "contact": "bukan"},
    )
    assert short.status_code == 400 and 'id="text" name="text"' in short.text
    assert "Isi pengaduan" in short.text and "E-mail untuk jawaban" in short.text
    assert stored(engine) == 0


def test_honeypot_csrf_and_unknown_units(client, engine):
    csrf = csrf_of(client)
    trap = client.post(
        "/pengaduan/unit/SEC",
        data={"csrf_token": csrf, "category": "ringan", "text": TEXT, "website": "x"},
    )
    assert trap.status_code == 200
    forged = client.post(
        "/pengaduan/unit/SEC", data={"csrf_token": "a.1.b", "category": "ringan", "text": TEXT}
    )
    assert forged.status_code == 400
    assert client.get("/pengaduan/unit/ROOT").status_code == 404  # not a service unit
    assert stored(engine) == 0


def test_rate_limit_per_address(engine):
    client = make(engine, per_address=2)
    codes = []
    for _ in range(3):
        csrf = csrf_of(client)
        codes.append(
            client.post(
                "/pengaduan/unit/SEC",
                data={"csrf_token": csrf, "category": "ringan", "text": TEXT},
            ).status_code
        )
    assert codes == [200, 200, 429]
    assert stored(engine) == 2


def test_tracking_lookups_are_limited_per_address(engine):
    with Session(engine, expire_on_commit=False) as session:
        complaint_org(session)
    url = engine.url.render_as_string(hide_password=False)
    limits = PublicLimits(RateLimit(1000, 3600), RateLimit(1000, 60), RateLimit(3, 3600))
    client = TestClient(create_app(url, secret=SECRET, clock=ManualClock(FILED), limits=limits))
    codes = [client.get(f"/pengaduan/ADU-{i:08d}").status_code for i in range(4)]
    assert codes == [404, 404, 404, 429]
