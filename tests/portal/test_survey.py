"""The public SKM form over HTTP: cookie, CSRF, honeypot, rate limits, one answer per
browser per period, the QR codes, and the IKM the answers feed."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest
import segno
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from kinerja.models.store.clock import ManualClock
from kinerja.models.store.tables import SurveyForm, SurveyResponse
from kinerja.portal.app import create_app
from kinerja.portal.limits import RateLimit
from kinerja.portal.survey import PublicLimits
from kinerja.tests.models.citizens.surveyfixture import NOW, survey_org
from kinerja.tests.portal.portalfixture import SECRET


@dataclass
class Survey:
    client: TestClient
    engine: Engine
    form: SurveyForm

    def stored(self) -> int:
        with Session(self.engine) as s:
            return s.scalar(select(func.count()).select_from(SurveyResponse)) or 0

    def open_page(self, client: TestClient | None = None) -> tuple[str, str]:
        """GET the form; returns (html, csrf token)."""
        page = (client or self.client).get(f"/s/{self.form.form_id}")
        assert page.status_code == 200, page.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token, page.text
        return page.text, token[1]

    def post(self, data: dict[str, str], client: TestClient | None = None):
        return (client or self.client).post(f"/s/{self.form.form_id}", data=data)


def full_answer(csrf: str, score: int = 4, **extra: str) -> dict[str, str]:
    return {"csrf_token": csrf, **{f"U{i}": str(score) for i in range(1, 10)}, **extra}


def make(engine: Engine, limits: PublicLimits | None = None) -> Survey:
    with Session(engine, expire_on_commit=False) as session:
        _, form = survey_org(session)
    url = engine.url.render_as_string(hide_password=False)
    app = create_app(
        url,
        secret=SECRET,
        clock=ManualClock(NOW),
        limits=limits or PublicLimits(RateLimit(1000, 60), RateLimit(1000, 60)),
    )
    return Survey(TestClient(app), engine, form)


@pytest.fixture
def survey(engine: Engine) -> Survey:
    return make(engine)


def test_form_asks_the_nine_elements_and_the_profile_in_indonesian(survey):
    html, _ = survey.open_page()
    assert "Survei Kepuasan Masyarakat" in html and "Seksi Layanan" in html
    for i in range(1, 10):
        assert f'name="U{i}"' in html
    for field in ("age", "sex", "education", "occupation", "service"):
        assert f'name="{field}"' in html
    assert "kinerja_skm" in survey.client.cookies
    english = survey.client.get(f"/s/{survey.form.form_id}?lang=en").text
    assert "Citizen satisfaction survey" in english and "How fast was the service" in english


def test_an_answer_is_stored_once_and_a_second_is_refused_politely(survey):
    _, csrf = survey.open_page()
    done = survey.post(full_answer(csrf, age="30-39", sex="P", service="KTP"))
    assert done.status_code == 200 and "Terima kasih" in done.text
    assert survey.stored() == 1
    again = survey.post(full_answer(csrf, score=1))
    assert again.status_code == 409 and "sudah mengisi" in again.text
    assert survey.stored() == 1
    revisit = survey.client.get(f"/s/{survey.form.form_id}")
    assert "sudah mengisi" in revisit.text and 'name="U1"' not in revisit.text
    with Session(survey.engine) as s:
        row = s.scalars(select(SurveyResponse)).one()
    assert row.profile == {"age": "30-39", "sex": "P", "service": "KTP"}
    assert row.answers == {f"U{i}": 4 for i in range(1, 10)}
    assert row.respondent_id.startswith("web-")
    assert survey.client.cookies["kinerja_skm"] not in row.respondent_id


def test_another_browser_may_answer(survey):
    _, csrf = survey.open_page()
    assert survey.post(full_answer(csrf)).status_code == 200
    other = TestClient(survey.client.app)
    _, csrf2 = survey.open_page(other)
    assert survey.post(full_answer(csrf2), other).status_code == 200
    assert survey.stored() == 2


def test_missing_answers_show_the_form_again_with_what_is_missing(survey):
    _, csrf = survey.open_page()
    data = full_answer(csrf)
    del data["U7"]
    response = survey.post(data)
    assert response.status_code == 400 and 'id="q-U7" class="invalid"' in response.text
    assert len(re.findall(r"required\s+checked>", response.text)) == 8  # the answers kept
    assert survey.stored() == 0


def test_honeypot_is_thanked_and_nothing_stored(survey):
    _, csrf = survey.open_page()
    response = survey.post(full_answer(csrf, website="http://spam.example"))
    assert response.status_code == 200 and "Terima kasih" in response.text
    assert survey.stored() == 0


def test_without_the_cookie_or_token_nothing_is_stored(survey):
    _, csrf = survey.open_page()
    assert survey.post(full_answer("forged.1.abc")).status_code == 400
    bare = TestClient(survey.client.app)  # no cookie: the token was made for another browser
    assert survey.post(full_answer(csrf), bare).status_code == 400
    assert survey.stored() == 0


def test_rate_limit_per_address(engine):
    survey = make(engine, PublicLimits(RateLimit(3, 3600), RateLimit(1000, 60)))
    codes = []
    for _ in range(5):
        client = TestClient(survey.client.app)  # a new browser each time, same address
        _, csrf = survey.open_page(client)
        codes.append(survey.post(full_answer(csrf), client).status_code)
    assert codes == [200, 200, 200, 429, 429]
    assert survey.stored() == 3


def test_rate_limit_per_form(engine):
    survey = make(engine, PublicLimits(RateLimit(1000, 3600), RateLimit(2, 60)))
    codes = []
    for _ in range(3):
        client = TestClient(survey.client.app)
        _, csrf = survey.open_page(client)
        codes.append(survey.post(full_answer(csrf), client).status_code)
    assert codes == [200, 200, 429]
    assert survey.stored() == 2


def test_rate_limit_window_slides():
    limit = RateLimit(2, 10)
    assert [limit.allow("a", t) for t in (0, 1, 2, 9.9, 10.5)] == [True, True, False, False, True]
    assert limit.allow("b", 2)


def test_closed_form_and_unknown_code(survey):
    survey.client.app.state.portal.clock.set(NOW.replace(year=2026))
    page = survey.client.get(f"/s/{survey.form.form_id}")
    assert page.status_code == 410 and "31 Desember 2025" in page.text
    assert survey.client.get("/s/zzzzzzz").status_code == 404


@pytest.mark.parametrize("kind", ["svg", "png"])
def test_qr_codes_encode_the_short_link(survey, kind, monkeypatch):
    monkeypatch.setenv("KINERJA_PUBLIC_URL", "https://layanan.example.go.id")
    response = survey.client.get(f"/s/{survey.form.form_id}/qr.{kind}")
    assert response.status_code == 200
    expected = io.BytesIO()
    link = f"https://layanan.example.go.id/s/{survey.form.form_id}"
    options = {"scale": 8, "title": f"SKM {survey.form.form_id}"} if kind == "svg" else {}
    segno.make(link, error="m").save(
        expected, kind=kind, border=4, **({"scale": 10} if kind == "png" else options)
    )
    assert response.content == expected.getvalue()
    if kind == "png":
        assert response.content.startswith(b"\x89PNG") and response.headers["content-type"] == (
            "image/png"
        )
    else:
        assert b"<svg" in response.content
    assert survey.client.get(f"/s/{survey.form.form_id}/qr.gif").status_code == 404
