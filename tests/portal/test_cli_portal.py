"""``kinerja portal``: refuses to start without a real secret, and serves over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import typer
from sqlalchemy import create_engine
from typer.testing import CliRunner

from kinerja.cli.portal import register
from kinerja.models.store.tables import Base

APP = typer.Typer()
register(APP)
APP.command("noop", hidden=True)(lambda: None)  # keeps "portal" a subcommand


def test_refuses_a_missing_or_placeholder_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("KINERJA_DATABASE_URL", f"sqlite:///{tmp_path / 'k.db'}")
    monkeypatch.delenv("KINERJA_DEMO", raising=False)
    for value in ("", "changethis"):
        monkeypatch.setenv("KINERJA_SECRET", value)
        result = CliRunner().invoke(APP, ["portal"])
        assert result.exit_code == 2
        assert "KINERJA_SECRET" in result.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serves_the_portal_on_the_given_port(tmp_path):
    url = f"sqlite:///{tmp_path / 'k.db'}"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    port = _free_port()
    env = {**os.environ, "KINERJA_DATABASE_URL": url, "KINERJA_SECRET": "s" * 40}
    env.pop("KINERJA_DEMO", None)
    code = (
        "import typer; from kinerja.cli.portal import register; app = typer.Typer(); "
        "register(app); app.command('noop')(lambda: None); app()"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "portal", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
                assert time.monotonic() < deadline, "the portal did not start"
                time.sleep(0.2)
        assert response.json() == {"status": "ok"}
        forged = httpx.get(f"http://127.0.0.1:{port}/t/1.QS0x.1.xx", timeout=5)
        assert forged.status_code == 403
    finally:
        proc.terminate()
        proc.wait(timeout=10)
