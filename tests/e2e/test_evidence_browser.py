"""An evidence file attached on a phone shows up for the rater (issue acceptance), in a real
headless Chromium at 360 px: the employee first picks a file over the size limit and is
told so in their language next to the field, with what they typed kept; then picks a good
one and sends the report; the rater's review page lists it with its size, and tapping it
downloads exactly the bytes attached."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from kinerja.tests.e2e.test_browser import CHROMIUM_ARGS
from kinerja.tests.portal.portalfixture import build_portal
from kinerja.tests.portal.test_event_loop import _serve

PHONE = {"width": 360, "height": 800}
PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 40
TOO_BIG = b"%PDF-1.7\n" + b"0" * (700 * 1024)


@pytest.fixture
def served(engine, monkeypatch, tmp_path) -> Any:
    monkeypatch.setenv("KINERJA_EVIDENCE_MAX_MB", "0.5")
    monkeypatch.delenv("KINERJA_EVIDENCE_TYPES", raising=False)
    monkeypatch.setenv("KINERJA_EVIDENCE_URL", str(tmp_path / "evidence"))
    portal = build_portal(engine, monkeypatch)
    server, base = _serve(portal.client.app)
    try:
        yield portal, base, tmp_path
    finally:
        server.should_exit = True


def _fits(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_a_file_attached_on_a_phone_shows_up_for_the_rater(served):
    from playwright.sync_api import sync_playwright

    portal, base, tmp_path = served
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport=PHONE,
                is_mobile=True,
                has_touch=True,
                accept_downloads=True,
                locale="id-ID",
            )
            page = context.new_page()
            page.goto(f"{base}/t/{portal.token('report_realisation')}")  # Agus reads Indonesian
            page.fill("input[name='value:A-1-T1']", "110")
            page.fill("input[name='value:A-1-T2']", "95")
            field = page.locator("input[type=file][name='file:A-1-T1']")
            assert field.get_attribute("accept").startswith(".pdf,.jpg,")
            field.set_input_files(
                files=[
                    {"name": "laporan besar.pdf", "mimeType": "application/pdf", "buffer": TOO_BIG}
                ]
            )
            with page.expect_navigation():
                page.locator("form button[type=submit]").click()
            page.screenshot(path=str(tmp_path / "evidence-refused-360.png"), full_page=True)
            said = "laporan besar.pdf: 0,7 MB, melebihi batas 0,5 MB per berkas."
            assert said in page.locator("[role=alert]").inner_text()
            assert page.locator("#err-file\\:A-1-T1").inner_text() == said
            assert page.input_value("input[name='value:A-1-T1']") == "110"  # kept
            assert _fits(page) <= PHONE["width"]

            page.locator("input[type=file][name='file:A-1-T1']").set_input_files(
                files=[{"name": "foto kegiatan.jpg", "mimeType": "image/jpeg", "buffer": PHOTO}]
            )
            with page.expect_navigation():
                page.locator("form button[type=submit]").click()
            assert "Jawaban Anda telah dicatat." in page.locator("main").inner_text()

            rater = context.new_page()
            rater.goto(f"{base}/t/{portal.token('review')}?lang=en")
            rater.screenshot(path=str(tmp_path / "evidence-review-360.png"), full_page=True)
            listed = rater.locator(".files").first
            assert "Evidence files" in listed.inner_text()
            assert "foto kegiatan.jpg (10 KB, Period " in listed.inner_text()
            assert _fits(rater) <= PHONE["width"]
            with rater.expect_download() as caught:
                listed.locator("a", has_text="foto kegiatan.jpg").click()
            download = caught.value
            assert download.suggested_filename == "foto kegiatan.jpg"
            assert Path(download.path()).read_bytes() == PHOTO
        finally:
            browser.close()
