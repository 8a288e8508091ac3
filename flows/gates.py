"""How the cycle waits at a coordinator gate: a paused flow run with a form, or an outcome.

After ``incentives`` the cycle stops twice, at the payout gate and at the publication gate
(what is signed, and the checks: models/stages/gates.py). With a Prefect API other processes
can reach (a server, or the test harness), the cycle flow pauses with
``pause_flow_run(wait_for_input=GateInput)``: the coordinator signs in the run's Resume form
of the Prefect UI, or with ``kinerja gate`` (flows/signing.py, which resumes the paused
run). Without one, the flow stops with a ``waiting`` outcome and ``kinerja gate`` records
the decision and runs the cycle again. A simulated cycle (its own clock) is signed by its
coordinator through the same validation, with reason ``simulation``.

A pause that reaches its timeout fails the flow run (Prefect 3.9); the default is 30 days,
and a gate can still be signed afterwards with ``kinerja gate``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from prefect import get_run_logger
from prefect.artifacts import create_table_artifact
from prefect.context import get_run_context
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput
from pydantic import Field, create_model

from kinerja.models.schemas.config import GatesConfig
from kinerja.models.schemas.requests import GateSignature, UnitException
from kinerja.models.stages.gates import (
    GateError,
    check_input,
    gate_description,
    gate_markdown,
    simulated_signature,
)
from kinerja.models.stages.summaries import gate_table_rows
from kinerja.tasks.gates import announce_gate_task, read_gate_state, sign_task


class GateInput(RunInput, GateSignature):
    """The coordinator's signature as the Prefect pause form (a :class:`GateSignature`)."""


def api_reachable() -> bool:
    """Whether the flow talks to a Prefect API another process can reach (not ephemeral)."""
    from prefect.settings import PREFECT_API_URL

    return bool(PREFECT_API_URL.value())


def form_model(kind: str, state: dict[str, Any]) -> type[GateInput]:
    """The form, prefilled (signer, one row per failing unit) with its constraints kept.

    ``RunInput.with_initial_data`` rebuilds fields from bare annotations and drops their
    constraints, so the defaults are set with ``create_model`` on the model itself. The
    defaults are plain values, not factories: the UI prefills its form from the JSON
    schema's ``default``, which a ``default_factory`` leaves out (Pydantic copies a mutable
    default for each instance).
    """
    rows = [UnitException(unit_id=u) for u in state["summary"].get("failing", {})]
    return create_model(
        f"{kind.capitalize()}Gate",
        __base__=GateInput,
        signed_by=(str, Field(state["coordinator"], min_length=1, description="NIP koordinator")),
        exceptions=(
            list[UnitException],
            Field(rows, description=GateSignature.model_fields["exceptions"].description),
        ),
    )


def run_gate(cycle_id: str, db_url: str | None, kind: str) -> dict[str, Any] | None:
    """Hold the cycle at ``kind`` until signed; returns the decision, or None if it waits.

    Called from the cycle flow's own body (a pause belongs to a flow run, not a task).
    """
    log = get_run_logger()
    state = read_gate_state(db_url, cycle_id, kind)
    if not state["enabled"]:
        return {"decision": "approve", "signed_by": None, "reason": "gate off"}
    if state["decision"] is not None:
        return state["decision"]
    summary, coordinator = state["summary"], state["coordinator"]
    run_id = str(get_run_context().flow_run.id)
    if state["simulated"]:
        signed = simulated_signature(kind, state)
        return sign_task(db_url, cycle_id, kind, signed.model_dump(), run_id)
    key = f"{cycle_id}-gate-{kind}".replace("_", "-").lower()
    create_table_artifact(
        table=gate_table_rows(kind, summary),
        key=key,
        description=gate_description(cycle_id, kind, summary),
    )
    if announce_gate_task(db_url, cycle_id, kind, summary):
        log.info("cycle %s: the HR coordinator was told the %s gate waits", cycle_id, kind)
    if not api_reachable():
        log.info("cycle %s waits at the %s gate: sign with `kinerja gate`", cycle_id, kind)
        return None
    cfg = GatesConfig.model_validate(state["config"])
    problem = ""
    for attempt in range(1, 100):
        log.info("cycle %s pauses at the %s gate for the HR coordinator", cycle_id, kind)
        signed = pause_flow_run(
            wait_for_input=form_model(kind, state).with_initial_data(
                description=gate_markdown(cycle_id, kind, summary, problem)
            ),
            timeout=int(timedelta(days=cfg.timeout_days).total_seconds()),
            poll_interval=max(1, int(cfg.poll_seconds)),
            key=f"gate-{kind}-{attempt}",
        )
        try:
            # the server checked the form's schema only; the flow checks the content
            check_input(
                kind, GateSignature.model_validate(signed.model_dump()), summary, coordinator
            )
        except GateError as exc:
            problem = str(exc)
            log.warning("gate %s: %s", kind, problem)
            continue
        return sign_task(db_url, cycle_id, kind, signed.model_dump(), run_id)
    raise RuntimeError(f"gate {kind}: too many invalid signatures")
