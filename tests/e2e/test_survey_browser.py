"""A citizen on a phone: scans the counter's QR code (the PNG the portal serves, decoded),
answers the SKM survey, is thanked; a second answer from the same browser in the same period
is refused politely; the unit's IKM changes at the next computation."""

from __future__ import annotations

import cv2
import numpy as np
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import cycle_pack
from kinerja.models.stages.publish import compute_unit_indices
from kinerja.models.store.clock import ManualClock
from kinerja.models.store.tables import Base, SurveyResponse, UnitIndex
from kinerja.portal.app import create_app
from kinerja.tests.e2e.liveportal import live_portal, phone
from kinerja.tests.models.citizens.surveyfixture import ALL_TWO, NOW, survey_org

SECRET = b"survey-browser-secret-0123456789abcdef"


def test_a_citizen_answers_the_survey_on_a_phone(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'k.db'}"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        org, form = survey_org(session)
        pack = cycle_pack(org.cycle)
        # One imported answer (all 2s): the IKM before the online answer is 50.
        session.add(
            SurveyResponse(unit_id="SEC", respondent_id="IMP-1", date=NOW.date(), answers=ALL_TWO)
        )
        compute_unit_indices(session, cycle=org.cycle, config=org.config, pack=pack)
        session.commit()
        assert session.get(UnitIndex, (org.cycle.cycle_id, "SEC")).ikm == 50.0

    app = create_app(url, secret=SECRET, clock=ManualClock(NOW))
    with live_portal(app) as live, phone() as context:
        monkeypatch.setenv("KINERJA_PUBLIC_URL", live.base)
        page = context.new_page()
        # The printed QR code is scanned (decoded by OpenCV) and the phone opens its link.
        qr = page.request.get(f"{live.base}/s/{form.form_id}/qr.png")
        assert qr.ok and qr.headers["content-type"] == "image/png"
        image = cv2.imdecode(np.frombuffer(qr.body(), np.uint8), cv2.IMREAD_GRAYSCALE)
        link = cv2.QRCodeDetector().detectAndDecode(image)[0]
        assert link == f"{live.base}/s/{form.form_id}"

        page.goto(link)
        assert "Survei Kepuasan Masyarakat" in page.inner_text("h1")
        second_tab = context.new_page()  # the same browser, the form opened twice
        second_tab.goto(link)
        # Phone-sized: the form fits the screen's width, nothing scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        for i in range(1, 10):
            page.locator(f"#q-U{i} label").nth(3).tap()  # "Sangat baik"
        page.select_option("#p-age", "30-39")
        page.select_option("#p-education", "s1")
        page.fill("#p-service", "Pembuatan KTP")
        with page.expect_navigation() as nav:
            page.get_by_role("button", name="Kirim jawaban").tap()
        assert nav.value.status == 200
        assert "Terima kasih" in page.inner_text("main")

        for i in range(1, 10):
            second_tab.locator(f"#q-U{i} label").nth(0).tap()
        with second_tab.expect_navigation() as nav:
            second_tab.get_by_role("button", name="Kirim jawaban").tap()
        assert nav.value.status == 409
        assert "Anda sudah mengisi survei ini" in second_tab.inner_text("main")

        page.goto(link)  # coming back later: thanked, no form
        assert "sudah mengisi" in page.inner_text("main")
        assert page.locator("form").count() == 0

    with Session(engine) as session:
        online = session.scalars(
            select(SurveyResponse).where(SurveyResponse.source == "online")
        ).all()
        assert len(online) == 1
        assert online[0].answers == {f"U{i}": 4 for i in range(1, 10)}
        assert online[0].profile == {"age": "30-39", "education": "s1", "service": "Pembuatan KTP"}
        assert session.scalar(select(func.count()).select_from(SurveyResponse)) == 2
        compute_unit_indices(session, cycle=org.cycle, config=org.config, pack=pack)
        session.commit()
        assert session.get(UnitIndex, (org.cycle.cycle_id, "SEC")).ikm == 75.0
    engine.dispose()
