"""Every task page on a phone (360 px) and a desktop (1366 px), in a real headless Chromium.

The portal of tests/portal/portalfixture.py (a task of every kind, the periodic ones of a
quarterly cycle too) is served by uvicorn on loopback. For each page and width: nothing is
wider than the viewport (``scrollWidth``), every button, select, input and text box lies
inside the viewport's width and is the element found at its own centre (nothing covers it),
and the page speaks one language: an English page shows no Indonesian label of
portal/i18n.py, an Indonesian page no English one.

Screenshots go to ``KINERJA_SCREENSHOTS`` (default: the test's temporary directory).
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kinerja.models.citizens.complaints import file_complaint
from kinerja.models.cycles.cycle import cycle_config
from kinerja.models.humantasks.opening import NewTask, open_tasks
from kinerja.models.schemas.citizens import ComplaintFiling
from kinerja.models.store.tables import Cycle, Goal, PeriodResult, Target, Unit
from kinerja.portal.i18n import TEXTS
from kinerja.tests.e2e.test_browser import CHROMIUM_ARGS
from kinerja.tests.models.orgfixture import H
from kinerja.tests.portal.portalfixture import A, B, M, Portal, build_portal
from kinerja.tests.portal.test_event_loop import _serve

Q1 = "2025-Q1"
PERIODIC = [
    ("report-2025-Q1", NewTask("report_period", A, A, {"period": Q1}, period=Q1)),
    ("checkin-2025-Q1", NewTask("checkin", A, M, {"period": Q1}, period=Q1)),
]
COMPLAINT = "complaint"
"""The key of the complaint officer's task (its subject is the complaint's tracking code)."""
PAGES = [
    ("propose_targets", A),
    ("revise_targets", A),
    ("approve_targets", A),
    ("report_realisation", A),
    ("report_period", A),
    ("checkin", A),
    ("review", A),
    ("write_feedback", A),
    ("acknowledge_feedback", B),
    ("decide_appeal", A),
    ("answer_complaint", COMPLAINT),
]
WIDTHS = (360, 1366)

# Per control: inside the viewport's width and found at its own centre once scrolled to.
CONTROLS_JS = """
() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll("button, select, input, textarea")) {
    if (el.type === "hidden") continue;
    el.scrollIntoView({block: "center", inline: "nearest"});
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    const covered = !(hit === el || el.contains(hit));
    const outside = r.width === 0 || r.height === 0 || r.left < 0 || r.right > width + 0.5;
    if (covered || outside) {
      out.push({
        name: el.name || el.id || el.tagName, left: r.left, right: r.right,
        width: r.width, covered: covered,
        by: hit ? hit.tagName + "#" + hit.id + "." + hit.className : null,
      });
    }
  }
  return out;
}
"""


def _other_language_labels(lang: str) -> list[re.Pattern[str]]:
    """The UI labels of the other language that cannot be read as this one's words: not
    short, and not a word of one of this language's labels ("Unit" of "Unit kerja")."""
    mine, other = (0, 1) if lang == "id" else (1, 0)
    own = "\n".join(pair[mine] for pair in TEXTS.values())
    found = []
    for pair in TEXTS.values():
        word = re.compile(r"(?<!\w)" + re.escape(pair[other]) + r"(?!\w)")
        if len(pair[other]) < 4 or "{" in pair[other] or word.search(own):
            continue
        found.append(word)
    return found


def _add_revision_appeal_and_words(portal: Portal) -> None:
    """The tasks the fixture has not (a revision, an appeal) and the words the pages show:
    the unit goal the targets serve, a check-in's progress, a few weights."""
    with portal.session() as s:
        cycle = s.get(Cycle, "skp-2025")
        assert cycle is not None
        s.add(
            Goal(
                cycle_id="skp-2025",
                goal_id="G-1",
                unit_id="SEC",
                statement="Meningkatnya kualitas layanan administrasi kependudukan di seksi",
                indicator="Indeks kepuasan layanan",
                target_value=80.0,
                unit_of_measure="indeks",
            )
        )
        # People's words that read as no UI label of either language.
        for t in s.scalars(select(Target).where(Target.nip == A)):
            t.weight = 50.0
            # A long unbroken token, as NIP-based ids and links are, must wrap too.
            t.indicator = (
                f"Jumlah dokumen selesai ({t.target_id}) menurut "
                "https://arsip.example.go.id/laporan/2025/dokumen-pendukung-kinerja-seksi.pdf"
            )
        s.add(
            PeriodResult(
                cycle_id="skp-2025",
                period=Q1,
                nip=A,
                unit_id="SEC",
                achievement=52.5,
                expected=24.66,
                at_risk=True,
                proposed_hasil_kerja="di_bawah",
                derivation={},
            )
        )
        appeal = {"reason": "Saya melampaui target 110%", "rater_nip": M, "hasil_kerja": "di_bawah"}
        appeal |= {"perilaku": "sesuai", "predikat": "butuh_perbaikan"}
        revise = {"comment": "Perbaiki indikator", "target_comments": {"A-1-T1": "Terlalu rendah"}}
        now = portal.clock.now()
        opened = open_tasks(
            s,
            cycle=cycle,
            config=cycle_config(cycle),
            stage_due_at=now + timedelta(days=14),
            stage_final_due_at=now + timedelta(days=21),
            tasks=[
                NewTask("revise_targets", A, A, revise, round=2),
                NewTask("decide_appeal", A, H, appeal),
            ],
            now=now,
        )
        s.commit()
        for task in opened:
            portal.tasks[(task.kind, task.subject_nip)] = task.id
        # A citizen's complaint for the officer of a service unit (A), in the citizen's words.
        sec = s.get(Unit, "SEC")
        assert sec is not None
        sec.is_service_unit, sec.complaint_officer_nip = True, A
        filing = ComplaintFiling(
            category="ringan",
            text="Antrean KTP terlalu lama, petugas loket tidak ada sejak pukul 10.00.",
            contact="warga@example.org",
        )
        complaint = file_complaint(s, unit_id="SEC", filing=filing, now=now)
        s.commit()
        portal.tasks[("answer_complaint", COMPLAINT)] = complaint.task_id


def _refused_review_on_a_phone(browser: Any, portal: Portal, base: str, shots: Path) -> list[str]:
    """Submit the review untouched on a phone: refused, said in the page's language next to
    the fields, and the refused page still fits."""
    page = browser.new_page(viewport={"width": 360, "height": 800})
    try:
        page.goto(f"{base}/t/{portal.token('review')}?lang=id")
        with page.expect_navigation():
            page.locator("form button[type=submit]").click()
        page.screenshot(path=shots / "review-refused-id-360.png", full_page=True)
        problems = []
        alert = page.locator("[role=alert]").inner_text()
        said = [line.strip() for line in alert.splitlines() if "wajib dipilih" in line]
        if said[:3] != [
            "Rating hasil kerja: wajib dipilih",
            "Berorientasi Pelayanan: wajib dipilih",
            "Akuntabel: wajib dipilih",
        ]:
            problems.append(f"refused review: the alert says {alert!r}")
        if page.locator("#err-hasil_kerja").inner_text() != "wajib dipilih":
            problems.append("refused review: no message next to the result rating")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > 360:
            problems.append(f"refused review: scrollWidth {scroll} > 360")
        return problems
    finally:
        page.close()


@pytest.fixture
def served(engine, monkeypatch, tmp_path) -> Any:
    portal = build_portal(engine, monkeypatch, periodic=PERIODIC)
    _add_revision_appeal_and_words(portal)
    server, base = _serve(portal.client.app)
    shots = Path(os.environ.get("KINERJA_SCREENSHOTS", tmp_path / "screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    try:
        yield portal, base, shots
    finally:
        server.should_exit = True


def test_every_task_page_fits_a_phone_and_a_desktop_in_one_language(served):
    from playwright.sync_api import sync_playwright

    portal, base, shots = served
    problems: list[str] = []
    widest: dict[int, tuple[int, str]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        try:
            for width in WIDTHS:
                page = browser.new_page(viewport={"width": width, "height": 800})
                for kind, subject in PAGES:
                    for lang in ("id", "en"):
                        where = f"{kind} {lang} @{width}px"
                        response = page.goto(f"{base}/t/{portal.token(kind, subject)}?lang={lang}")
                        assert response is not None and response.status == 200, where
                        assert page.locator("form button[type=submit]").count() > 0, where
                        scroll = page.evaluate("document.documentElement.scrollWidth")
                        if scroll > widest.get(width, (0, ""))[0]:
                            widest[width] = (scroll, where)
                        if scroll > width:
                            problems.append(f"{where}: scrollWidth {scroll} > {width}")
                        ratings = page.eval_on_selector_all(
                            "select[aria-required=true]", "els => els.map(e => [e.name, e.value])"
                        )
                        if kind in ("review", "checkin") and len(ratings) < 2:
                            problems.append(f"{where}: the ratings are not marked required")
                        chosen = [name for name, value in ratings if value]
                        if chosen:
                            problems.append(f"{where}: a rating chosen before the rater {chosen}")
                        for bad in page.evaluate(CONTROLS_JS):
                            problems.append(f"{where}: control not tappable {bad}")
                        # The header's switch names the other language in its own words.
                        text = page.locator("main").inner_text()
                        for pattern in _other_language_labels(lang):
                            if pattern.search(text):
                                problems.append(f"{where}: other language {pattern.pattern!r}")
                        page.screenshot(path=shots / f"{kind}-{lang}-{width}.png", full_page=True)
                page.close()
            problems += _refused_review_on_a_phone(browser, portal, base, shots)
        finally:
            browser.close()
    print(f"widest pages: {widest}")
    assert not problems, "\n".join(problems)
