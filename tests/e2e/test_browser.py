"""As people would: a Prefect server, ``kinerja serve``, the portal and a mail server on
loopback; a cycle started through the deployment; a real headless Chromium opens the links
from the captured e-mails, approves targets and submits reviews, and the cycle moves on.

Screenshots of the portal pages and of the Prefect UI's gate form are written to
``KINERJA_SCREENSHOTS`` (default: the test's temporary directory) for people to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import yaml

from kinerja.tasks.mailcatcher import MailCatcher
from kinerja.tests.e2e.test_server import api, free_port, kinerja, stop, wait_for

DEMO = Path(__file__).resolve().parents[2] / "configs" / "demo"
SECRET = "e2e-browser-secret-of-at-least-32-characters"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def stack(tmp_path) -> Any:
    """Prefect server (with its UI), mail catcher, portal and ``kinerja serve``."""
    prefect_port, portal_port = free_port(), free_port()
    base = f"http://127.0.0.1:{prefect_port}/api"
    shots = Path(os.environ.get("KINERJA_SCREENSHOTS", tmp_path / "screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    catcher = MailCatcher(tmp_path / "mail")
    catcher.start()
    env = dict(os.environ)
    env.update(
        PREFECT_HOME=str(tmp_path / "prefect"),
        PREFECT_API_URL=base,
        PREFECT_UI_API_URL=base,
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="WARNING",
        KINERJA_DATABASE_URL=f"sqlite:///{tmp_path / 'k.db'}",
        KINERJA_HOME=str(tmp_path / "home"),
        KINERJA_SECRET=SECRET,
        KINERJA_SMTP_HOST="127.0.0.1",
        KINERJA_SMTP_PORT=str(catcher.port),
        KINERJA_GATE_POLL_SECONDS="1",
    )
    env.pop("KINERJA_DEMO", None)
    procs: list[subprocess.Popen] = []

    def start(args: list[str], log: str) -> subprocess.Popen:
        out = open(tmp_path / log, "w")  # noqa: SIM115 - kept open for the process's life
        proc = subprocess.Popen(
            args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        procs.append(proc)
        return proc

    prefect = str(Path(sys.executable).with_name("prefect"))
    start(
        [prefect, "server", "start", "--host", "127.0.0.1", "--port", str(prefect_port)],
        "server.log",
    )
    try:
        wait_for("the Prefect server", lambda: api(base, "/health") is True, 120, procs)
        kinerja(env, "db", "upgrade")
        start(
            [sys.executable, "-m", "kinerja.cli.main", "portal", "--port", str(portal_port)],
            "portal.log",
        )
        start([sys.executable, "-m", "kinerja.cli.main", "serve"], "serve.log")
        wait_for(
            "the served deployments",
            lambda: api(base, "/deployments/name/performance-cycle/performance-cycle"),
            120,
            procs,
        )
        portal = f"http://127.0.0.1:{portal_port}"
        wait_for("the portal", lambda: api(portal, "/healthz"), 60, procs)
        yield {
            "env": env,
            "base": base,
            "portal": portal,
            "procs": procs,
            "mail": catcher,
            "db": tmp_path / "k.db",
            "tmp": tmp_path,
            "shots": shots,
            "prefect_ui": f"http://127.0.0.1:{prefect_port}",
        }
    finally:
        for proc in reversed(procs):
            stop(proc)
        catcher.stop()


def links(message: Message) -> list[str]:
    body = message.get_payload(decode=True).decode()
    return re.findall(r"https?://127\.0\.0\.1:\d+/t/[\w.-]+", body)


def mails_of(catcher: MailCatcher, kind: str) -> list[Message]:
    out = []
    for path in catcher.files():
        message = message_from_bytes(path.read_bytes())
        if f":{kind}:" in (message["X-Kinerja-Key"] or ""):
            out.append(message)
    return out


def submit(page: Any, button: str) -> None:
    """Click a form's button and wait for the answer page: the response was recorded."""
    with page.expect_navigation() as navigation:
        page.click(button)
    response = navigation.value
    assert response is not None and response.status == 200, page.inner_text("body")
    assert "Terima kasih" in page.inner_text("body") or "Thank you" in page.inner_text("body")


def stage_status(db: Path, stage: str) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT status FROM cycle_stages WHERE stage = ?", (stage,)).fetchone()[
            0
        ]


def stage_opened(db: Path, stage: str) -> bool:
    """The stage has opened its tasks and announced them (its messages are queued)."""
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT stats FROM cycle_stages WHERE stage = ?", (stage,)).fetchone()
    return bool(row and '"opened": true' in (row[0] or ""))


def open_tasks(db: Path, stage: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT count(*) FROM human_tasks WHERE stage = ? AND state IN ('open', 'escalated')",
            (stage,),
        ).fetchone()[0]


def test_people_answer_from_their_mail_and_the_cycle_moves_on(stack):
    from playwright.sync_api import sync_playwright

    env, db, mail, procs = stack["env"], stack["db"], stack["mail"], stack["procs"]
    scenario = stack["tmp"] / "scenario"
    shutil.copytree(DEMO, scenario)
    config = yaml.safe_load((scenario / "cycle.yaml").read_text(encoding="utf-8"))
    config.update(portal_url=stack["portal"], metrics_at_period_end=False)
    (scenario / "cycle.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))

    kinerja(env, "org", "import", str(scenario))
    kinerja(env, "cycle", "start", str(scenario / "cycle.yaml"), "--no-run")
    kinerja(env, "cycle", "import", "goals", str(scenario / "goals.csv"))
    kinerja(env, "cycle", "import", "unit_ratings", str(scenario / "unit_ratings.csv"))
    kinerja(env, "targets", "import", str(scenario / "targets.csv"))
    kinerja(env, "metrics", "import", str(scenario / "metrics.csv"))
    kinerja(env, "cycle", "run")  # through the deployment: plan closes, approvals open
    wait_for("approvals to open", lambda: open_tasks(db, "approve_targets") > 0, 180, procs)
    kinerja(env, "notify", "send")
    approvals = [u for m in mails_of(mail, "task_opened") for u in links(m)]
    assert approvals, "no approval link reached the mail catcher"

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        for i, url in enumerate(approvals):
            page.goto(url)
            if i == 0:
                page.screenshot(path=stack["shots"] / "portal-approve-targets.png", full_page=True)
            submit(page, "button[name=decision][value=approve]")
        # The last approval closed the stage: the portal started the cycle flow again.
        wait_for(
            "approvals to close",
            lambda: stage_status(db, "approve_targets") == "done",
            180,
            procs,
        )
        seen = set(approvals)
        # One person of the scenario has no metrics: they report their realisation.
        wait_for("realisation tasks", lambda: stage_opened(db, "collect_metrics"), 180, procs)
        kinerja(env, "notify", "send")
        reports = [u for m in mails_of(mail, "task_opened") for u in links(m) if u not in seen]
        assert reports, "no realisation link reached the mail catcher"
        seen.update(reports)
        for url in reports:
            page.goto(url)
            for field in page.locator("input[name^='value:']").all():
                field.fill("90")
            page.fill("#evidence", "laporan triwulan / quarterly report")
            submit(page, "button[type=submit]")
        wait_for("reviews to open", lambda: stage_opened(db, "review"), 180, procs)
        kinerja(env, "notify", "send")
        reviews = [u for m in mails_of(mail, "task_opened") for u in links(m) if u not in seen]
        assert reviews, "no review link reached the mail catcher"
        for i, url in enumerate(reviews):
            page.goto(url)
            if i == 0:
                page.screenshot(path=stack["shots"] / "portal-review.png", full_page=True)
            submit(page, "button[type=submit]")
        wait_for("feedback to open", lambda: stage_opened(db, "feedback"), 180, procs)
        assert stage_status(db, "review") == "done"
        browser.close()
    assert list(stack["shots"].glob("portal-*.png"))
