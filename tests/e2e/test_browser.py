"""As people would: a Prefect server, ``kinerja serve``, the portal and a mail server on
loopback; a cycle started through the deployment; a real headless Chromium opens the links
from the captured e-mails, approves targets, reports a realisation, submits reviews, writes
and acknowledges feedback, and the cycle moves on to the coordinator gates. There the HR
coordinator signs the payout gate in the Prefect UI's Resume form (the flow run's page of
the same ``prefect server start``) and the publication gate with ``kinerja gate``; the cycle
publishes.

Screenshots of the portal pages and of the Prefect UI's gate form are written to
``KINERJA_SCREENSHOTS`` (default: the test's temporary directory) for people to look at.
"""

from __future__ import annotations

import json
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


def paused_run(base: str, cycle_id: str, gate: str) -> dict[str, Any] | None:
    """The cycle's flow run paused at ``gate`` (its pause key is ``gate-<kind>-<attempt>``)."""
    runs = api(
        base,
        "/flow_runs/filter",
        {
            "flow_runs": {
                "name": {"any_": [f"cycle-{cycle_id}"]},
                "state": {"type": {"any_": ["PAUSED"]}},
            }
        },
    )
    for run in runs:
        if (run["state"]["state_details"].get("pause_key") or "").startswith(f"gate-{gate}-"):
            return run
    return None


def gate_decision(db: Path, gate: str) -> dict[str, Any] | None:
    with sqlite3.connect(db) as conn:
        (stats,) = conn.execute(
            "SELECT stats FROM cycle_stages WHERE stage = 'incentives'"
        ).fetchone()
    return (json.loads(stats or "{}").get("gates") or {}).get(gate)


def failing_units(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT DISTINCT unit_id FROM distribution_findings WHERE passed = 0 ORDER BY unit_id"
        ).fetchall()
    return [unit for (unit,) in rows]


def answer_feedback(page: Any, env: dict[str, str], mail: MailCatcher, seen: set[str]) -> None:
    """Managers write feedback from their mail; each employee acknowledges it from theirs."""
    for kind, fill in (("write_feedback", True), ("acknowledge_feedback", False)):
        kinerja(env, "notify", "send")
        urls = [u for m in mails_of(mail, "task_opened") for u in links(m) if u not in seen]
        assert urls, f"no {kind} link reached the mail catcher"
        seen.update(urls)
        for url in urls:
            page.goto(url)
            if fill:
                page.fill("#text", "Pertahankan kinerja / keep it up")
            else:
                page.fill("#comment", "Terima kasih / thank you")
            submit(page, "button[type=submit]")


def sign_in_the_prefect_ui(page: Any, url: str, shot: Path) -> None:
    """The HR coordinator opens the paused run, clicks Resume, reads the gate's Markdown
    description and signs the form the flow's Pydantic model renders."""
    page.goto(url)
    page.get_by_role("button", name="Resume").click()
    form = page.locator(".p-modal")
    form.get_by_role(
        "heading", name="Persetujuan pembayaran tunjangan / Payout approval"
    ).wait_for()
    for label in ("Decision", "Signed By", "Reason", "Exceptions"):
        form.locator(".schema-form-property__label", has_text=label).first.wait_for()
    signer = form.locator(".schema-form-property", has_text="NIP koordinator").locator("textarea")
    assert signer.input_value(), "the form is not prefilled with the coordinator"
    # The decision is a listbox: the keyboard opens it (a click on its button does not).
    form.locator(".p-select-button__control").first.focus()
    page.keyboard.press("ArrowDown")
    page.get_by_role("option", name="approve", exact=True).click()
    form.locator(".schema-form-property", has_text="Alasan (wajib jika menolak)").locator(
        "textarea"
    ).fill("sesuai pagu / within the budget")
    page.screenshot(path=shot)
    form.get_by_role("button", name="Submit").click()
    form.wait_for(state="hidden")


def test_people_answer_from_their_mail_and_the_coordinator_signs_in_the_prefect_ui(stack):
    from playwright.sync_api import sync_playwright

    env, db, mail, procs = stack["env"], stack["db"], stack["mail"], stack["procs"]
    scenario = stack["tmp"] / "scenario"
    shutil.copytree(DEMO, scenario)
    config = yaml.safe_load((scenario / "cycle.yaml").read_text(encoding="utf-8"))
    config.update(portal_url=stack["portal"], metrics_at_period_end=False)
    (scenario / "cycle.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))

    kinerja(env, "org", "import", str(scenario))
    cycle_id = kinerja(
        env, "cycle", "start", str(scenario / "cycle.yaml"), "--no-run"
    ).stdout.strip()
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
            # No rating is pre-selected: the rater chooses each. Everyone above
            # expectations, so that the curve fails somewhere and the publication gate
            # asks the coordinator for a reason.
            page.select_option("#hasil_kerja", "di_atas")
            for select in page.locator("select[id^='pv-']").all():
                select.select_option("di_atas")
            page.fill("#comment", "Melampaui target / above target")
            submit(page, "button[type=submit]")
        seen.update(reviews)
        wait_for("feedback to open", lambda: stage_opened(db, "feedback"), 180, procs)
        assert stage_status(db, "review") == "done"
        answer_feedback(page, env, mail, seen)
        # The last acknowledgement closed feedback: training and incentives run by themselves,
        # then the cycle's run pauses at the payout gate.
        run = wait_for(
            "the payout gate", lambda: paused_run(stack["base"], cycle_id, "payout"), 180, procs
        )
        assert stage_status(db, "feedback") == "done"
        assert stage_status(db, "incentives") == "done"
        # tall enough for the whole form: the description shrinks to fit the window
        ui = browser.new_page(viewport={"width": 1280, "height": 2000})
        sign_in_the_prefect_ui(
            ui,
            f"{stack['prefect_ui']}/runs/flow-run/{run['id']}",
            stack["shots"] / "prefect-ui-gate-form.png",
        )
        # The flow checked the form's signature, recorded it, and went on to the next gate,
        # whose form comes with one row per failing unit, for the coordinator's reasons.
        paused = wait_for(
            "the publication gate",
            lambda: paused_run(stack["base"], cycle_id, "publication"),
            120,
            procs,
        )
        assert paused["id"] == run["id"]
        failing = failing_units(db)
        assert failing, "the demo scenario has a unit failing the distribution check"
        ui.goto(f"{stack['prefect_ui']}/runs/flow-run/{run['id']}")
        ui.get_by_role("button", name="Resume").click()
        form = ui.locator(".p-modal")
        form.get_by_role("heading", name="Persetujuan publikasi / Publication approval").wait_for()
        # a row's own field (the list around it also contains the words)
        rows = form.locator(".schema-form-property", has_text=re.compile(r"^\s*Unit Id")).locator(
            "textarea"
        )
        rows.first.wait_for()
        assert [row.input_value() for row in rows.all()] == failing
        ui.screenshot(path=stack["shots"] / "prefect-ui-publication-gate.png")
        browser.close()

    signed = gate_decision(db, "payout")
    assert signed is not None and signed["decision"] == "approve"
    assert signed["reason"] == "sesuai pagu / within the budget"
    assert signed["flow_run_id"] == run["id"]
    with sqlite3.connect(db) as conn:
        audited = conn.execute(
            "SELECT actor FROM audit_events WHERE action = 'gate.approve' AND entity_id = ?",
            (f"{cycle_id}/payout",),
        ).fetchall()
    assert audited == [(signed["signed_by"],)]
    assert stage_status(db, "publish") != "done"

    exceptions = [f"--exception={unit}=diterima / accepted" for unit in failing]
    gate = kinerja(env, "gate", cycle_id, "approve", *exceptions)
    assert "gate publication: approve (resumed)" in gate.stdout
    done = wait_for(
        "the cycle run to finish",
        lambda: (
            (r := api(stack["base"], f"/flow_runs/{run['id']}"))["state_type"]
            in ("COMPLETED", "FAILED", "CRASHED")
            and r
        ),
        120,
        procs,
    )
    assert done["state_type"] == "COMPLETED", done["state"]
    assert stage_status(db, "publish") == "done"
    assert gate_decision(db, "publication")["signed_by"] == signed["signed_by"]
    for name in (
        "portal-approve-targets.png",
        "portal-review.png",
        "prefect-ui-gate-form.png",
        "prefect-ui-publication-gate.png",
    ):
        assert (stack["shots"] / name).stat().st_size > 10_000, name
