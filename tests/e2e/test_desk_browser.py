"""The HR coordinator's desk on a phone (360 px) and a desktop (1366 px), in a real headless
Chromium (Debian's), served by uvicorn on loopback.

The desk of tests/portal/deskfixture.py (late and escalated people, a payout gate waiting
with its figures, the three action forms), with a unit whose long name must wrap. For each
width and language: nothing is wider than the viewport (``scrollWidth``), every control lies
inside the viewport's width and is the element found at its own centre, and the page speaks
one language. Then one bulk action is performed through the browser on a phone: reminding a
unit, which comes back to the desk with the line saying what was done.

Screenshots go to ``KINERJA_SCREENSHOTS`` (default: the test's temporary directory).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kinerja.models.store.tables import Notification, Unit
from kinerja.tests.e2e.test_browser import CHROMIUM_ARGS
from kinerja.tests.e2e.test_task_pages import CONTROLS_JS, _other_language_labels
from kinerja.tests.portal.deskfixture import Desk, build_desk, wait_at_payout
from kinerja.tests.portal.test_event_loop import _serve

WIDTHS = (360, 1366)
LONG_UNIT = (
    "Bidang Pengelolaan Informasi Administrasi Kependudukan dan Pemanfaatan Data "
    "(PIAKPD-2025-SEKSI-LAYANAN-TERPADU-SATU-PINTU)"
)


@pytest.fixture
def served(engine, monkeypatch, tmp_path) -> Any:
    desk = build_desk(engine, monkeypatch)
    wait_at_payout(desk)
    with desk.session() as s:
        unit = s.get(Unit, "SEC")
        assert unit is not None
        unit.name = LONG_UNIT
        s.commit()
    server, base = _serve(desk.client.app)
    shots = Path(os.environ.get("KINERJA_SCREENSHOTS", tmp_path / "screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    try:
        yield desk, base, shots
    finally:
        server.should_exit = True


def _check_page(page: Any, where: str, width: int, lang: str) -> list[str]:
    problems = []
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > width:
        problems.append(f"{where}: scrollWidth {scroll} > {width}")
    for bad in page.evaluate(CONTROLS_JS):
        problems.append(f"{where}: control not tappable {bad}")
    if page.locator("html").get_attribute("lang") != lang:
        problems.append(f"{where}: <html lang> is not {lang}")
    text = page.locator("main").inner_text()
    for pattern in _other_language_labels(lang):
        if pattern.search(text):
            problems.append(f"{where}: other language {pattern.pattern!r}")
    return problems


def _remind_on_a_phone(browser: Any, desk: Desk, base: str, shots: Path) -> list[str]:
    """Remind the long-named unit from a phone: back on the desk with the confirmation."""
    page = browser.new_page(viewport={"width": 360, "height": 800}, is_mobile=True, has_touch=True)
    try:
        page.goto(f"{base}{desk.path()}?lang=id")
        form = page.locator("form.remind").first
        form.locator("select[name=unit]").select_option("SEC")
        with page.expect_navigation():
            form.locator("button[type=submit]").tap()
        page.screenshot(path=shots / "desk-reminded-id-360.png", full_page=True)
        problems = []
        said = page.locator("#confirmation").inner_text()
        if "tugas diingatkan 7," not in said or LONG_UNIT not in said:
            problems.append(f"remind: the confirmation says {said!r}")
        if "/desk/" not in page.url or "done=remind" not in page.url:
            problems.append(f"remind: not back on the desk ({page.url})")
        problems += _check_page(page, "reminded id @360px", 360, "id")
        with desk.session() as s:
            sent = s.scalars(select(Notification).where(Notification.kind == "task_reminder"))
            if len(sent.all()) != 7:
                problems.append("remind: not seven reminders queued")
        return problems
    finally:
        page.close()


def test_the_desk_fits_a_phone_and_a_desktop_in_one_language(served):
    from playwright.sync_api import sync_playwright

    desk, base, shots = served
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        try:
            for width in WIDTHS:
                page = browser.new_page(viewport={"width": width, "height": 800})
                for lang in ("id", "en"):
                    for name, path in (("signin", "/desk"), ("desk", desk.path())):
                        where = f"{name} {lang} @{width}px"
                        response = page.goto(f"{base}{path}?lang={lang}")
                        assert response is not None and response.status == 200, where
                        assert page.locator("form button[type=submit]").count() > 0, where
                        problems += _check_page(page, where, width, lang)
                        page.screenshot(path=shots / f"{name}-{lang}-{width}.png", full_page=True)
                    chart = page.locator("figure img").first
                    if chart.evaluate("img => img.naturalWidth") == 0:
                        problems.append(f"desk {lang} @{width}px: the chart did not render")
                page.close()
            problems += _remind_on_a_phone(browser, desk, base, shots)
        finally:
            browser.close()
    assert not problems, "\n".join(problems)
