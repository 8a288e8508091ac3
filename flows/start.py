"""The ``start-cycle`` flow: the HR coordinator creates and starts a cycle from the Prefect UI.

``kinerja serve`` serves it as ``start-cycle/start-cycle``. Its one parameter is a
:class:`~kinerja.models.schemas.requests.CycleStart`, so the UI's "Run" form is typed: the
name of a cycle config the server has (``demo/cycle.yaml``, or one under
``KINERJA_HOME/configs``), or the text of an uploaded cycle.yaml, and whether to run the
cycle now. It creates the cycle in one transaction (the same function as ``kinerja cycle
start``: creating the same config twice is a no-op), writes a table artifact naming the
cycle and its stages, then starts the cycle flow: a run of the ``performance-cycle``
deployment on a server, so the cycle runs on to its first human tasks as its own run.
A bad config ends the run Failed with the config's field named in the log.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact

from kinerja.flows.trigger import advance_cycle
from kinerja.models.schemas.config import stage_title
from kinerja.models.schemas.requests import CycleStart
from kinerja.tasks.starting import create_cycle_task


@flow(name="start-cycle", flow_run_name="start-cycle")
def start_cycle(request: CycleStart, db_url: str | None = None) -> dict[str, Any]:
    """Create the cycle the form names and start its cycle flow."""
    log = get_run_logger()
    created = create_cycle_task(db_url, request)
    cycle_id = created["cycle_id"]
    log.info("cycle %s (%s) created", cycle_id, created["name"])
    create_table_artifact(
        key=f"{cycle_id}-start",
        table=[
            {"#": i + 1, "tahap / stage": s, "judul / title": " / ".join(stage_title(s))}
            for i, s in enumerate(created["stages"])
        ],
        description=f"**{created['name']}** (`{cycle_id}`): siklus dibuat / cycle created",
    )
    if not request.run:
        log.info("not started: run the cycle with `kinerja cycle run %s`", cycle_id)
        return {"cycle_id": cycle_id, "started": False}
    result = advance_cycle(cycle_id, db_url=db_url, key="start")
    if result["mode"] == "deployment":
        log.info("cycle %s started: flow run %s", cycle_id, result["flow_run_id"])
    else:
        log.info("cycle %s ran to stage %s (%s)", cycle_id, result["stage"], result["status"])
    return {"cycle_id": cycle_id, "started": True, **result}
