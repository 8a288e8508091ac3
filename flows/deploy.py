"""The deployments ``kinerja serve`` runs, and the automations that alert ops.

One ``serve`` process (no work pool, no worker) runs:

- ``performance-cycle/performance-cycle``: the cycle flow, started by ``kinerja cycle start``,
  by the response service when a stage's last task closes, and by the sweeper;
- ``sweeper/sweeper``: on an interval, reminders, escalations, final deadlines; then it
  sends due notifications, emits ``kinerja.notification.dead`` once for every message
  parked as dead and ``kinerja.stage.overdue`` once for every stage still open past its
  final deadline (flows/sweeper.py: sending folds into the sweep, so the runs list is not
  an empty dispatcher run a minute);
- ``start-cycle/start-cycle``: the HR coordinator creates and starts a cycle from the
  UI's typed run form, from a config the server has or an uploaded one (flows/start.py);
- ``hr-task-action/hr-task-action``: the HR coordinator's delegate / extend / remind, with
  a typed form and a table artifact of each item's result (flows/taskadmin.py);
- ``ops-alert/ops-alert``: one message to ops, started by the automations below.

Automations (created idempotently, by name): a stage or cycle flow run that fails or
crashes, a ``kinerja.stage.overdue`` event, and a ``kinerja.notification.dead`` event, each
start ``ops-alert``. Dead messages come in bursts (a relay down for longer than the retry
schedule), so their automation starts at most one alert per ``DEAD_ALERT_WINDOW``: the
first dead message of a burst names itself, ``kinerja notify status`` lists them all, and
every one has its own event in the Prefect UI's event feed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from prefect import flow, get_run_logger

from kinerja.flows.cycle import performance_cycle
from kinerja.flows.start import start_cycle
from kinerja.flows.sweeper import sweeper
from kinerja.flows.taskadmin import hr_task_action
from kinerja.tasks.ops import DEAD_EVENT, OVERDUE_EVENT

SERVE_LIMIT = 8  # concurrent runs: 50 starved a 2-core server's DB pool, 8 was safe
AUTOMATION_FAILED = "kinerja: stage run failed"
AUTOMATION_OVERDUE = "kinerja: stage open past its final deadline"
AUTOMATION_DEAD = "kinerja: notification dead"
DEAD_ALERT_WINDOW = timedelta(minutes=15)


@flow(name="ops-alert")
def ops_alert(
    reason: str,
    ops_email: str | None = None,
    routes_path: str | None = None,
    details: dict[str, Any] | None = None,
) -> str:
    """One message to ops through the Apprise routes (role ``ops``); logged in any case."""
    from kinerja.models.outbox.routes import Routes
    from kinerja.tasks.delivery import send_one

    log = get_run_logger()
    body = "\n".join([reason, *(f"{k}: {v}" for k, v in (details or {}).items())])
    log.warning("ops alert: %s", body)
    if not ops_email:
        return "logged"
    routes = Routes.load(routes_path)
    recipient = {"nip": "ops", "role": "ops", "name": "Ops", "email": ops_email}
    for channel in routes.channels_for(recipient):
        url, _ = routes.url_for(channel, recipient)
        if send_one(url, title=f"[kinerja] {reason}", body=body) is None:
            return f"sent via {channel}"
    raise RuntimeError("ops alert could not be delivered on any channel")


def deployments(
    *,
    db_url: str | None,
    sweep_minutes: float = 5,
    ops_email: str | None = None,
    routes_path: str | None = None,
) -> list[Any]:
    """The deployments, bound to one application database; ops-alert comes last."""
    return [
        performance_cycle.to_deployment(name="performance-cycle", parameters={"db_url": db_url}),
        sweeper.to_deployment(
            name="sweeper",
            interval=timedelta(minutes=sweep_minutes),
            parameters={"db_url": db_url},
        ),
        start_cycle.to_deployment(name="start-cycle", parameters={"db_url": db_url}),
        hr_task_action.to_deployment(name="hr-task-action", parameters={"db_url": db_url}),
        ops_alert.to_deployment(
            name="ops-alert",
            parameters={"ops_email": ops_email, "routes_path": routes_path},
        ),
    ]


def ensure_automations(alert_deployment_id: Any) -> list[str]:
    """Create the ops automations unless they exist (matched by name); returns their names."""
    from prefect.automations import Automation
    from prefect.events.actions import RunDeployment
    from prefect.events.schemas.automations import EventTrigger, Posture

    def run_alert(reason: str, details: dict[str, str]) -> list[Any]:
        return [
            RunDeployment(
                source="selected",
                deployment_id=alert_deployment_id,
                parameters={"reason": reason, "details": details},
            )
        ]

    wanted = [
        Automation(
            name=AUTOMATION_FAILED,
            description="A cycle or stage flow run failed or crashed",
            trigger=EventTrigger(
                expect={"prefect.flow-run.Failed", "prefect.flow-run.Crashed"},
                match_related={
                    "prefect.resource.role": "flow",
                    "prefect.resource.name": ["performance-cycle", "stage-*"],
                },
                posture=Posture.Reactive,
                threshold=1,
                within=timedelta(0),
            ),
            # a bare {{ flow_run.id }} fails with InvalidJinja in Prefect 3.9: UUIDs need | string
            actions=run_alert(
                "Tahap gagal / stage run failed",
                {"flow_run_id": "{{ flow_run.id | string }}", "flow_run": "{{ flow_run.name }}"},
            ),
        ),
        Automation(
            name=AUTOMATION_OVERDUE,
            description="A stage is still open after its final deadline",
            trigger=EventTrigger(
                expect={OVERDUE_EVENT},
                posture=Posture.Reactive,
                threshold=1,
                within=timedelta(0),
            ),
            actions=run_alert(
                "Tahap melewati batas akhir / stage open past its final deadline",
                {
                    "cycle": "{{ event.resource['kinerja.cycle'] }}",
                    "stage": "{{ event.resource['kinerja.stage'] }}",
                },
            ),
        ),
        Automation(
            name=AUTOMATION_DEAD,
            description="A message was parked as dead after its last attempt",
            # Reactive with a window: the first event fires at once, later ones within
            # the window are not alerted again (each stays in the event feed).
            trigger=EventTrigger(
                expect={DEAD_EVENT},
                posture=Posture.Reactive,
                threshold=1,
                within=DEAD_ALERT_WINDOW,
            ),
            actions=run_alert(
                "Pesan gagal permanen / notification dead",
                {
                    "key": "{{ event.resource['kinerja.notification.key'] }}",
                    "cycle": "{{ event.resource['kinerja.cycle'] }}",
                    "kind": "{{ event.resource['kinerja.kind'] }}",
                    "recipient": "{{ event.resource['kinerja.recipient'] }}",
                    "next": (
                        "kinerja notify status; kinerja notify retry --status dead"
                        f" (alerts at most once per {DEAD_ALERT_WINDOW.seconds // 60} min)"
                    ),
                },
            ),
        ),
    ]
    names = []
    for automation in wanted:
        try:
            Automation.read(name=automation.name)
        except ValueError:
            automation.create()
        names.append(automation.name)
    return names


def serve_all(
    *,
    db_url: str | None,
    sweep_minutes: float = 5,
    ops_email: str | None = None,
    routes_path: str | None = None,
    limit: int = SERVE_LIMIT,
) -> None:
    """Register the deployments and automations, then serve them until interrupted."""
    from prefect import serve

    deps = deployments(
        db_url=db_url,
        sweep_minutes=sweep_minutes,
        ops_email=ops_email,
        routes_path=routes_path,
    )
    alert_id = deps[-1].apply()
    ensure_automations(alert_id)
    serve(*deps, limit=limit)
