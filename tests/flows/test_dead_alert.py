"""A message parked as dead tells ops once: the sweeper flow (which sends the outbox) emits
``kinerja.notification.dead`` per dead row, and the automation ``ensure_automations`` creates
starts the ``ops-alert`` deployment with the message's key.

Runs against Prefect's test harness, whose server runs the event triggers and actions. The
automation and its event are the same on both database backends, and the automation alerts
at most once per window in the whole harness, so this runs on SQLite only; the marking of
dead rows runs on both backends in tests/models/outbox/test_recovery.py.
"""

from __future__ import annotations

import time
from datetime import datetime

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

from kinerja.flows.deploy import (
    AUTOMATION_DEAD,
    AUTOMATION_FAILED,
    AUTOMATION_OVERDUE,
    ensure_automations,
    ops_alert,
)
from kinerja.flows.sweeper import sweeper
from kinerja.models.outbox.queue import enqueue_many, notification_key
from kinerja.models.store.db import get_engine, session_scope
from kinerja.models.store.tables import Notification

NOW = datetime(2025, 5, 5, 8, 0)


def alert_runs(deployment_id) -> list:  # noqa: ANN001
    with get_client(sync_client=True) as client:
        return client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))
        )


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_dead_message_starts_the_ops_alert_once(db_url):
    key = notification_key(cycle_id=None, task_id=None, kind="task_opened", recipient_nip="X9")
    with session_scope(get_engine(db_url)) as session:
        # Nobody has nip X9: the sweeper's dispatch parks the message as dead at its first attempt.
        row = {
            "key": key,
            "cycle_id": None,
            "task_id": None,
            "kind": "task_opened",
            "recipient_nip": "X9",
            "lang": "id",
            "subject": "s",
            "body": "b",
            "link": None,
        }
        enqueue_many(session, rows=[row], now=NOW)
    alert_id = ops_alert.to_deployment(name="ops-alert").apply()
    names = ensure_automations(alert_id)
    assert ensure_automations(alert_id) == names  # found by name the second time
    assert {AUTOMATION_FAILED, AUTOMATION_OVERDUE, AUTOMATION_DEAD} <= set(names)

    first = sweeper(db_url=db_url)
    assert first["messages"] == {"sent": 0, "failed": 0, "dead": 1}
    assert first["dead"] == [key]
    with session_scope(get_engine(db_url)) as session:
        [stored] = session.query(Notification).all()
        assert stored.status == "dead" and stored.dead_alerted_at is not None

    deadline = time.monotonic() + 90
    runs = alert_runs(alert_id)
    while not runs and time.monotonic() < deadline:
        time.sleep(1)
        runs = alert_runs(alert_id)
    assert len(runs) == 1, "the automation did not start ops-alert"
    parameters = runs[0].parameters
    assert parameters["reason"] == "Pesan gagal permanen / notification dead"
    assert parameters["details"]["key"] == key
    assert parameters["details"]["kind"] == "task_opened"
    assert parameters["details"]["recipient"] == "X9"

    # Announced once: the next pass emits nothing for the same row.
    again = sweeper(db_url=db_url)
    assert again["dead"] == [] and again["messages"] == {"sent": 0, "failed": 0, "dead": 0}
    time.sleep(3)
    assert len(alert_runs(alert_id)) == 1
