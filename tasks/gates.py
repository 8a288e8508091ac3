"""Prefect tasks and transactions of the coordinator gates (see models/stages/gates.py).

Each function here is one database transaction: reading a gate's state, or validating and
recording one signature.
"""

from __future__ import annotations

from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from kinerja.models.cycles.cycle import cycle_config, get_cycle
from kinerja.models.schemas.requests import GateSignature
from kinerja.models.stages.gatemessage import announce_gate
from kinerja.models.stages.gates import (
    GateError,
    check_input,
    gate_state,
    gate_summary,
    pending_gate,
    record_decision,
)
from kinerja.models.store.clock import SYSTEM_CLOCK, cycle_now
from kinerja.models.store.db import get_engine, session_scope
from kinerja.tasks.audit import audit_checkpoint


@task(name="gate-state", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def read_gate_state(db_url: str | None, cycle_id: str, kind: str) -> dict[str, Any]:
    """The gate's stored decision, its summary, and whether the cycle signs it by itself."""
    with session_scope(get_engine(db_url)) as session:
        return gate_state(session, cycle=get_cycle(session, cycle_id), kind=kind)


def sign(
    db_url: str | None,
    *,
    cycle_id: str,
    kind: str,
    signed: GateSignature,
    flow_run_id: str | None,
) -> dict[str, Any]:
    """Validate and record one signature in one transaction, then pin the audit log
    (a checkpoint); raises :class:`GateError`."""
    with session_scope(get_engine(db_url)) as session:
        cycle = get_cycle(session, cycle_id)
        summary = gate_summary(session, cycle=cycle, kind=kind)
        check_input(kind, signed, summary, cycle_config(cycle).coordinator.nip)
        decision = record_decision(
            session, cycle=cycle, kind=kind, signed=signed, flow_run_id=flow_run_id
        )
        now = cycle_now(cycle.clock_at)
    audit_checkpoint(db_url, reason=f"{cycle_id}: gate {kind} {signed.decision}", at=now)
    return decision


@task(name="announce-gate", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def announce_gate_task(
    db_url: str | None, cycle_id: str, kind: str, summary: dict[str, Any]
) -> int:
    """Tell the coordinator the gate waits, with the ``summary`` the gate shows (one
    message per cycle and gate, ever)."""
    with session_scope(get_engine(db_url)) as session:
        return announce_gate(
            session,
            cycle=get_cycle(session, cycle_id),
            kind=kind,
            summary=summary,
            now=SYSTEM_CLOCK.now(),
        )


@task(name="sign-gate", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def sign_task(
    db_url: str | None, cycle_id: str, kind: str, signed: dict[str, Any], flow_run_id: str | None
) -> dict[str, Any]:
    return sign(
        db_url,
        cycle_id=cycle_id,
        kind=kind,
        signed=GateSignature.model_validate(signed),
        flow_run_id=flow_run_id,
    )


def waiting_gate(db_url: str | None, cycle_id: str) -> tuple[str, str, dict[str, Any]]:
    """The gate ``cycle_id`` waits at: ``(kind, coordinator NIP, summary)``.

    Raises :class:`GateError` when the cycle waits at no gate.
    """
    with session_scope(get_engine(db_url)) as session:
        cycle = get_cycle(session, cycle_id)
        kind = pending_gate(session, cycle)
        if kind is None:
            raise GateError(
                f"Siklus {cycle_id} tidak menunggu persetujuan / cycle {cycle_id} waits at no gate"
            )
        return (
            kind,
            cycle_config(cycle).coordinator.nip,
            gate_summary(session, cycle=cycle, kind=kind),
        )
