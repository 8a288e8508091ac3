"""Server mode: a Prefect server on loopback, ``kinerja serve``, a cycle started through the
deployment; the run reaches the first human stage as a flow run of the deployment."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

DEMO = Path(__file__).resolve().parents[2] / "configs" / "demo"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(base: str, path: str, body: dict | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        base + path, data=data, headers={"Content-Type": "application/json"}
    )
    for attempt in range(10):
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            # 503: the server's database was busy and nothing was done; ask again.
            if exc.code != 503 or attempt == 9:
                raise
            time.sleep(1)


def wait_for(what: str, check, seconds: float, procs: list[subprocess.Popen]) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for p in procs:
            assert p.poll() is None, f"{p.args[:4]} exited while waiting for {what}"
        try:
            value = check()
        except OSError:
            value = None
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out after {seconds}s waiting for {what}")


def stop(proc: subprocess.Popen) -> None:
    """End the process group (the server's and the runner's children with it)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # stragglers left in the group
    except ProcessLookupError:
        pass


@pytest.fixture
def server(tmp_path) -> Iterator[dict[str, Any]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}/api"
    env = dict(os.environ)
    env.update(
        PREFECT_HOME=str(tmp_path / "prefect"),
        PREFECT_API_URL=base,
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_UI_ENABLED="false",
        PREFECT_LOGGING_LEVEL="WARNING",
        KINERJA_DATABASE_URL=f"sqlite:///{tmp_path / 'k.db'}",
        KINERJA_HOME=str(tmp_path / "home"),
    )
    procs: list[subprocess.Popen] = []

    def start(args: list[str], log: str) -> subprocess.Popen:
        out = open(tmp_path / log, "w")  # noqa: SIM115 - kept open for the process's life
        proc = subprocess.Popen(
            args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        procs.append(proc)
        return proc

    prefect = str(Path(sys.executable).with_name("prefect"))
    start([prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)], "server.log")
    try:
        wait_for("the Prefect server", lambda: api(base, "/health") is True, 120, procs)
        yield {"base": base, "env": env, "start": start, "procs": procs, "tmp": tmp_path}
    finally:
        for proc in reversed(procs):
            stop(proc)


def finished(base: str, run_id: str, what: str, procs: list[subprocess.Popen]) -> Any:
    """The flow run once it has ended (completed, failed or crashed)."""
    return wait_for(
        what,
        lambda: (
            (r := api(base, f"/flow_runs/{run_id}"))["state_type"]
            in ("COMPLETED", "FAILED", "CRASHED")
            and r
        ),
        240,
        procs,
    )


def kinerja(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "kinerja.cli.main", *args],
        env=env,
        text=True,
        capture_output=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_a_cycle_started_through_the_deployment_reaches_the_first_human_stage(server):
    env, base, procs = server["env"], server["base"], server["procs"]
    kinerja(env, "db", "upgrade")
    kinerja(env, "org", "import", str(DEMO))

    refused = subprocess.run(
        [sys.executable, "-m", "kinerja.cli.serve", "serve"],
        env={k: v for k, v in env.items() if k != "PREFECT_API_URL"},
        text=True,
        capture_output=True,
        timeout=120,
    )
    assert refused.returncode == 2 and "PREFECT_API_URL" in refused.stderr

    server["start"]([sys.executable, "-m", "kinerja.cli.serve", "serve"], "serve.log")
    deployment = wait_for(
        "the served deployments",
        lambda: api(base, "/deployments/name/performance-cycle/performance-cycle"),
        120,
        procs,
    )
    served = {"performance-cycle", "sweeper", "hr-task-action", "ops-alert"}
    # serve registers them one after the other: wait for the whole set
    wait_for(
        "every deployment",
        lambda: served <= {d["name"] for d in api(base, "/deployments/filter", {})},
        120,
        procs,
    )
    # No dispatcher deployment on a one-minute interval: the sweeper sends the outbox.
    assert "dispatcher" not in {d["name"] for d in api(base, "/deployments/filter", {})}
    automations = {a["name"] for a in api(base, "/automations/filter", {})}
    assert {
        "kinerja: stage run failed",
        "kinerja: stage open past its final deadline",
        "kinerja: notification dead",
    } <= automations

    started = kinerja(env, "cycle", "start", str(DEMO / "cycle.yaml"))
    assert started.stdout.strip() == "contoh-2026"
    assert "queued on the Prefect server: flow run " in started.stderr
    run_id = started.stderr.split("flow run ")[1].split()[0]

    run = finished(base, run_id, "the cycle run to finish", procs)
    assert run["state_type"] == "COMPLETED", run["state"]
    assert run["deployment_id"] == deployment["id"]
    assert run["name"] == "cycle-contoh-2026"
    with sqlite3.connect(server["tmp"] / "k.db") as db:
        stage = db.execute(
            "SELECT status FROM cycle_stages WHERE cycle_id = 'contoh-2026' AND stage = 'plan'"
        ).fetchone()
        open_tasks = db.execute(
            "SELECT count(*) FROM human_tasks WHERE stage = 'plan' AND state = 'open'"
        ).fetchone()
    assert stage == ("open",) and open_tasks[0] > 0
    # One start, one run of the cycle deployment.
    runs = api(base, "/flow_runs/filter", {"deployments": {"id": {"any_": [deployment["id"]]}}})
    assert [r["id"] for r in runs] == [run_id]


def test_a_cycle_started_from_the_run_form_reaches_its_first_human_tasks(server):
    """The ``start-cycle`` deployment's run form, through the API call the UI's form makes
    (``POST /deployments/{id}/create_flow_run`` with the form's parameters)."""
    env, base, procs = server["env"], server["base"], server["procs"]
    kinerja(env, "db", "upgrade")
    kinerja(env, "org", "import", str(DEMO))
    server["start"]([sys.executable, "-m", "kinerja.cli.serve", "serve"], "serve.log")
    form = wait_for(
        "the start-cycle deployment",
        lambda: api(base, "/deployments/name/start-cycle/start-cycle"),
        120,
        procs,
    )
    # The UI renders its form from this schema: the typed request, not a free dict.
    schema = form["parameter_openapi_schema"]
    fields = schema["definitions"]["CycleStart"]["properties"]
    assert {"config", "config_yaml", "run"} <= set(fields)
    assert fields["config"]["default"] == "demo/cycle.yaml"
    wait_for(
        "the cycle deployment",
        lambda: api(base, "/deployments/name/performance-cycle/performance-cycle"),
        120,
        procs,
    )

    def run_form(request: dict[str, Any]) -> dict[str, Any]:
        run = api(
            base,
            f"/deployments/{form['id']}/create_flow_run",
            {"parameters": {"request": request}, "state": {"type": "SCHEDULED"}},
        )
        return finished(base, run["id"], "the start-cycle run", procs)

    bad = run_form({"config": "demo/cycle.yaml", "config_yaml": "name: x\nbogus: 1\n"})
    assert bad["state_type"] == "FAILED"
    done = run_form({"config": "demo/cycle.yaml"})
    assert done["state_type"] == "COMPLETED", done["state"]

    cycle_runs = wait_for(
        "the cycle run it started",
        lambda: api(
            base, "/flow_runs/filter", {"flow_runs": {"name": {"any_": ["cycle-contoh-2026"]}}}
        ),
        60,
        procs,
    )
    run_id = cycle_runs[0]["id"]
    cycle_run = finished(base, run_id, "the cycle run to finish", procs)
    assert cycle_run["state_type"] == "COMPLETED", cycle_run["state"]
    with sqlite3.connect(server["tmp"] / "k.db") as db:
        open_tasks = db.execute(
            "SELECT count(*) FROM human_tasks WHERE stage = 'plan' AND state = 'open'"
        ).fetchone()
    assert open_tasks[0] > 0
