"""``kinerja gate``: the HR coordinator signs the gate a cycle waits at.

With a Prefect API another process can reach and the cycle's run paused at that gate, the
signature resumes the run, which checks and records it (flows/gates.py). Otherwise the
signature is checked and recorded here, and an approval advances the cycle.
"""

from __future__ import annotations

from typing import Any

from kinerja.flows.gates import api_reachable
from kinerja.flows.trigger import advance_cycle
from kinerja.models.schemas.requests import GateSignature, UnitException
from kinerja.models.stages.gates import check_input
from kinerja.tasks.gates import sign, waiting_gate


def find_paused_run(cycle_id: str) -> tuple[str, str] | None:
    """The cycle's flow run paused at a gate, as ``(flow_run_id, pause_key)``, if any."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterName,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["performance-cycle"])),
            flow_run_filter=FlowRunFilter(
                name=FlowRunFilterName(any_=[f"cycle-{cycle_id}"]),
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED])),
            ),
            limit=20,
        )
    for run in runs:
        key = (run.state.state_details.pause_key if run.state else None) or ""
        if run.parameters.get("cycle_id") == cycle_id and key.startswith("gate-"):
            return str(run.id), key
    return None


def sign_gate(
    cycle_id: str,
    *,
    db_url: str | None,
    decision: str,
    reason: str = "",
    exceptions: dict[str, str] | None = None,
    signed_by: str | None = None,
) -> dict[str, Any]:
    """Sign the gate the cycle waits at: resume its paused run, or record and advance.

    Raises :class:`~kinerja.models.stages.gates.GateError` when no gate waits or the
    signature is not acceptable.
    """
    from prefect.flow_runs import resume_flow_run

    kind, coordinator, summary = waiting_gate(db_url, cycle_id)
    signed = GateSignature(
        decision=decision,  # type: ignore[arg-type]
        signed_by=signed_by or coordinator,
        reason=reason,
        exceptions=[UnitException(unit_id=u, reason=r) for u, r in (exceptions or {}).items()],
    )
    check_input(kind, signed, summary, coordinator)
    paused = find_paused_run(cycle_id) if api_reachable() else None
    if paused is not None and paused[1].startswith(f"gate-{kind}-"):
        resume_flow_run(paused[0], run_input=signed.model_dump(mode="json"))
        return {"gate": kind, "mode": "resumed", "flow_run_id": paused[0], "summary": summary}
    stored = sign(db_url, cycle_id=cycle_id, kind=kind, signed=signed, flow_run_id=None)
    out: dict[str, Any] = {
        "gate": kind,
        "mode": "recorded",
        "decision": stored["decision"],
        "summary": summary,
    }
    if stored["decision"] == "approve":
        out["cycle"] = advance_cycle(
            cycle_id, db_url=db_url, key=f"gate-{kind}-{stored['signed_at']}"
        )
    return out
