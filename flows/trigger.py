"""Start the cycle flow again when a stage's last task closes.

With a Prefect server and the served ``performance-cycle`` deployment (``kinerja serve``),
a new run of the deployment is created, with an idempotency key per cycle, stage and
number of closed tasks, so two people closing the last tasks at once start one run. Without
a server (the ephemeral API of the demo and of a single machine), the flow runs in this
process.
"""

from __future__ import annotations

import os
from typing import Any

DEPLOYMENT = "performance-cycle/performance-cycle"


def advance_cycle(cycle_id: str, *, db_url: str | None = None, key: str = "") -> dict[str, Any]:
    """Advance ``cycle_id`` now: through the deployment when a server runs it, else in-process."""
    if os.environ.get("PREFECT_API_URL"):
        from prefect.deployments import run_deployment

        run = run_deployment(
            DEPLOYMENT,
            parameters={"cycle_id": cycle_id, "db_url": db_url},
            timeout=0,
            as_subflow=False,
            idempotency_key=f"advance-{cycle_id}-{key}" if key else None,
        )
        return {"mode": "deployment", "flow_run_id": str(run.id)}
    from kinerja.flows.cycle import performance_cycle

    outcome = performance_cycle(cycle_id=cycle_id, db_url=db_url)
    return {"mode": "in-process", "stage": outcome.stage, "status": outcome.status}
