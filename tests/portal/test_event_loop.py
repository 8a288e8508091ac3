"""A POST that waits for the database does not stall the portal.

The answer's database work runs in the thread pool: while one POST waits for a lock another
responder holds, other requests are served. Checked against a real server (uvicorn, one
event loop, on loopback) and by order, not by time: the other requests complete while the
first is still waiting.
"""

from __future__ import annotations

import socket
import threading
import time

import httpx
import uvicorn
from sqlalchemy import text

from kinerja.tests.portal.portalfixture import build_portal, csrf_of


def _serve(app: object) -> tuple[uvicorn.Server, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the portal did not start"
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def test_a_post_waiting_for_a_lock_leaves_other_requests_served(engine, monkeypatch):
    portal = build_portal(engine, monkeypatch)
    server, base = _serve(portal.client.app)
    try:
        client = httpx.Client(base_url=base, timeout=120)
        path = f"/t/{portal.token('approve_targets')}"
        csrf = csrf_of(client.get(path).text)
        task_id = portal.tasks[("approve_targets", "A-1")]
        posted: list[int] = []
        with engine.connect() as blocker:
            # Another transaction holds the task's row (PostgreSQL), the write lock (SQLite).
            blocker.execute(
                text("UPDATE human_tasks SET payload = payload WHERE id = :id"), {"id": task_id}
            )

            def post() -> None:
                with httpx.Client(base_url=base, timeout=120) as own:
                    posted.append(
                        own.post(path, data={"csrf_token": csrf, "decision": "approve"}).status_code
                    )

            waiting = threading.Thread(target=post)
            waiting.start()
            waiting.join(timeout=1.5)
            assert waiting.is_alive(), "the POST should wait for the lock"
            health = client.get("/healthz")
            page = client.get(f"/t/{portal.token('approve_targets', 'B-1')}")
            assert (health.status_code, page.status_code) == (200, 200)
            assert waiting.is_alive() and posted == [], "served while the POST still waited"
            blocker.rollback()
        waiting.join(timeout=60)
        assert posted == [200]
    finally:
        server.should_exit = True
