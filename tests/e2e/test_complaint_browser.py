"""A citizen on a phone files a complaint and gets a tracking code; the unit's complaint
officer gets a message with a link and answers in the browser; the citizen's tracking page
shows the answer, and the answer is mailed (SMTP on loopback). Another complaint left
unanswered is reminded and escalated by the sweeper on working days (holidays skipped) and
counted late on the cycle's public page."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from kinerja.flows.sweeper import sweeper
from kinerja.models.cycles.cycle import cycle_config
from kinerja.models.outbox.routes import Routes
from kinerja.models.stages import publish
from kinerja.models.store.clock import ManualClock
from kinerja.models.store.db import session_factory
from kinerja.models.store.tables import Base, Complaint, Employee, HumanTask, Notification
from kinerja.portal.app import create_app
from kinerja.tasks.mailcatcher import MailCatcher
from kinerja.tasks.notify import dispatch_due
from kinerja.tests.e2e.liveportal import live_portal, phone
from kinerja.tests.models.citizens.complaintfixture import FILED, complaint_org, file_one
from kinerja.tests.models.orgfixture import HR, A, M

SECRET = "complaint-browser-secret-0123456789abcdef"


def test_complaint_filed_answered_tracked_and_the_late_one_escalated(tmp_path, monkeypatch):
    monkeypatch.setenv("KINERJA_SECRET", SECRET)  # the officer's link is signed with it
    url = f"sqlite:///{tmp_path / 'k.db'}"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        org = complaint_org(session)
        for nip in (A, M):
            session.get(Employee, nip).email = f"{nip.lower()}@dinas.example.go.id"
        session.commit()
        # An earlier complaint nobody answers (filed through the same service).
        ignored = file_one(session, contact=None)
    clock = ManualClock(FILED)
    app = create_app(url, secret=SECRET, clock=clock)
    with live_portal(app) as live, phone() as context, MailCatcher(tmp_path / "mail") as mail:
        monkeypatch.setenv("KINERJA_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("KINERJA_SMTP_PORT", str(mail.port))
        citizen = context.new_page()
        citizen.goto(f"{live.base}/pengaduan/unit/SEC")
        assert "Pengaduan" in citizen.inner_text("h1")
        citizen.select_option("#category", "ringan")
        citizen.fill("#text", "Petugas loket meminta biaya tambahan untuk KTP.")
        citizen.fill("#contact", "warga@example.org")
        with citizen.expect_navigation():
            citizen.get_by_role("button", name="Kirim pengaduan").tap()
        code = citizen.inner_text("#tracking-code")
        assert re.fullmatch(r"ADU-[0-9A-Z]{8}", code)
        assert "Sedang ditangani" in citizen.inner_text("#status")
        assert "30 Desember 2025" in citizen.inner_text("main")  # 2 working days, holidays

        # The officer's message, as the relay delivered it, carries the task's signed link.
        assert dispatch_due(session_factory(engine), clock=clock, routes=Routes.load()).dead == 0
        with Session(engine) as session:
            complaint = session.scalars(
                select(Complaint).where(Complaint.tracking_code == code)
            ).one()
        to_officer = [
            m
            for m in mail.messages()
            if m["To"] == "a-1@dinas.example.go.id"
            and f":{complaint.task_id}:" in m["X-Kinerja-Key"]
        ]
        assert len(to_officer) == 1
        body = to_officer[0].get_payload(decode=True).decode()
        token = re.search(r"/t/([\w.-]+)", body)[1]
        clock.set(FILED + timedelta(hours=3))
        officer = context.new_page()
        officer.goto(f"{live.base}/t/{token}")
        assert code in officer.inner_text("main")
        officer.fill("#reply", "Pungutan itu tidak sah; petugas sudah ditegur. Maaf.")
        officer.select_option("#close_reason", "resolved")
        with officer.expect_navigation() as nav:
            officer.get_by_role("button", name="Kirim").tap()
        assert nav.value.status == 200 and "Terima kasih" in officer.inner_text("main")

        citizen.goto(f"{live.base}/pengaduan?kode={code.lower()}")
        assert "Pungutan itu tidak sah" in citizen.inner_text("#reply")
        assert "Selesai" in citizen.inner_text("#status")

        report = dispatch_due(session_factory(engine), clock=clock, routes=Routes.load())
        assert (report.sent, report.dead) == (1, 0)
        to_citizen = [m for m in mail.messages() if m["To"] == "warga@example.org"]
        assert len(to_citizen) == 1 and code in to_citizen[0]["Subject"]

    # The unanswered one: the sweeper flow, on working days only.
    def sweep_on(day: datetime) -> dict:
        with Session(engine) as session:  # the cycle's clock is the simulated day
            cycle = session.get(type(org.cycle), org.cycle.cycle_id)
            cycle.clock_at = day
            session.commit()
        return sweeper(db_url=url, advance=False)["complaints"]

    assert sweep_on(datetime(2025, 12, 26, 8))["working_day"] is False  # cuti bersama
    assert sweep_on(datetime(2025, 12, 29, 8))["reminders"] == 1
    assert sweep_on(datetime(2025, 12, 31, 8))["escalations"] == 1
    assert sweep_on(datetime(2026, 1, 1, 8))["working_day"] is False  # New Year
    assert sweep_on(datetime(2026, 1, 5, 8))["escalations"] == 1
    with Session(engine) as session:
        task = session.get(HumanTask, ignored.task_id)
        assert (task.state, task.escalation_level, task.escalated_to) == ("escalated", 2, HR)
        sent = session.scalars(
            select(Notification.recipient_nip).where(
                Notification.task_id == ignored.task_id, Notification.kind == "task_escalated"
            )
        ).all()
        assert sorted(sent) == sorted([M, HR])
        cycle = session.get(type(org.cycle), org.cycle.cycle_id)
        publish.publish_units(
            session, cycle=cycle, config=cycle_config(cycle), now=datetime(2026, 1, 6)
        )
        session.commit()

    app = create_app(url, secret=SECRET, clock=ManualClock(datetime(2026, 1, 6, 9)))
    with live_portal(app) as live, phone() as context:
        page = context.new_page()
        page.goto(f"{live.base}/cycles/{org.cycle.cycle_id}")
        row = page.inner_text("#complaints-SEC")
        cells = [c.strip() for c in row.split("\t")]
        # received 2, on time 1 (50%), late 1, open 1, median 0 working days
        assert cells[1:] == ["2", "1 (50,0%)", "1", "1", "0,0"], cells
    engine.dispose()
