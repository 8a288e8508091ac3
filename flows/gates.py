"""Coordinator gates: the HR coordinator signs before payout and before publication.

After ``incentives`` the cycle stops twice: the payout gate shows the incentive totals per
unit against the cycle's budget (pagu), the publication gate shows the distribution findings
per unit, where every failing unit that is accepted needs a written reason. With a Prefect
API other processes can reach (a server, or the test harness), the cycle flow pauses with
``pause_flow_run(wait_for_input=GateInput)``: the coordinator signs in the run's Resume form
of the Prefect UI, or with ``kinerja gate`` (which resumes the paused run). Without one,
the flow stops with a ``waiting`` outcome and ``kinerja gate`` records the decision and runs
the cycle again.

A decision is stored in the ``incentives`` stage's stats (``stats["gates"][kind]``, the
stage both gates follow, which never changes once done) and audited, so a rerun does not
pause again. A rejection stops the cycle (status ``rejected``); a later approval, once the
data is corrected, lets it go on. A simulated cycle (its own clock) is signed by its
coordinator through the same validation, with reason ``simulation``.

A pause that reaches its timeout fails the flow run (Prefect 3.9); the default is 30 days,
and a gate can still be signed afterwards with ``kinerja gate``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any, Literal

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.input import RunInput
from pydantic import BaseModel, Field, create_model
from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_event
from kinerja.models.cycles.cycle import cycle_config, get_cycle, stage_row
from kinerja.models.schemas.config import GatesConfig
from kinerja.models.store.clock import cycle_now
from kinerja.models.store.db import get_engine, session_scope
from kinerja.models.store.tables import Cycle, UnitRating

GATES: tuple[str, ...] = ("payout", "publication")
"""The gates, in the order the cycle meets them (both after ``incentives``)."""

GATE_TITLES = {
    "payout": ("Persetujuan pembayaran tunjangan", "Payout approval"),
    "publication": ("Persetujuan publikasi", "Publication approval"),
}


class UnitException(BaseModel):
    """A failing unit accepted anyway, with the coordinator's written reason."""

    unit_id: str
    reason: str = ""


class GateInput(RunInput):
    """The coordinator's signature on a gate: the Prefect form, ``kinerja gate`` and the audit."""

    decision: Literal["approve", "reject"] = Field(description="approve / reject")
    signed_by: str = Field(min_length=1, description="NIP of the HR coordinator")
    reason: str = Field("", description="Alasan (wajib jika menolak) / reason (required to reject)")
    exceptions: list[UnitException] = Field(
        default_factory=list,
        description="Unit gagal yang diterima, beralasan / accepted failing units, with reasons",
    )


class GateError(ValueError):
    """A gate input that cannot be accepted; the message is for the coordinator."""


def gates_config(cycle: Cycle) -> GatesConfig:
    """The cycle's gate settings (all on when its config names none)."""
    gates = cycle_config(cycle).gates
    poll = os.environ.get("KINERJA_GATE_POLL_SECONDS")  # snappy resumes in tests
    return gates.model_copy(update={"poll_seconds": float(poll)}) if poll else gates


def enabled_gates(cycle: Cycle) -> list[str]:
    cfg = gates_config(cycle)
    return [kind for kind in GATES if getattr(cfg, kind)]


def gate_decisions(session: Session, cycle_id: str) -> dict[str, dict[str, Any]]:
    return dict(stage_row(session, cycle_id, "incentives").stats.get("gates") or {})


def failing_units(session: Session, cycle_id: str) -> dict[str, list[str]]:
    """Failing distribution findings per unit: ``{unit: ["group: rule: detail", ...]}``.

    The group is the unit, or all direct reports of one rater, listed under the unit whose
    predikat keys their curve (the pack's ``distribution.group``).
    """
    from kinerja.models.stages.distribution import failing_groups

    return failing_groups(session, cycle_id=cycle_id)


def org_predikat_rows(session: Session, cycle_id: str) -> list[tuple[str, str, str]]:
    """``(unit, predikat organisasi, where it came from)`` for every rated unit."""
    out = []
    for r in session.scalars(
        select(UnitRating).where(UnitRating.cycle_id == cycle_id).order_by(UnitRating.unit_id)
    ):
        source = (
            "unit_ratings.csv"
            if r.source == "file"
            else f"capaian IKU / IKU capaian {r.capaian:g}"
            if r.capaian is not None
            else r.source
        )
        out.append((r.unit_id, r.predikat_organisasi, source))
    return out


def gate_summary(session: Session, *, cycle: Cycle, kind: str) -> dict[str, Any]:
    """What the coordinator signs: the failing units, or the totals against the budget."""
    from kinerja.models.stages.incentives import incentive_totals

    if kind == "publication":
        return {
            "failing": failing_units(session, cycle.cycle_id),
            "org_predikat": org_predikat_rows(session, cycle.cycle_id),
        }
    budget = cycle_config(cycle).incentive_budget
    totals = incentive_totals(session, cycle=cycle)
    return {"units": totals["units"], "total": totals["total"], "budget": budget}


def gate_markdown(cycle_id: str, kind: str, summary: dict[str, Any], problem: str = "") -> str:
    """The form's description and the gate artifact."""
    id_title, en_title = GATE_TITLES[kind]
    lines = [f"# {id_title} / {en_title}", "", f"Cycle `{cycle_id}`.", ""]
    if problem:
        lines += [f"**{problem}**", ""]
    if kind == "publication":
        failing = summary["failing"]
        org = summary.get("org_predikat") or []
        if org:
            lines += [
                "Predikat organisasi per unit (kurva distribusi) / each unit's own predikat"
                " (the distribution curve it keys):",
                "",
                "| unit | predikat organisasi | sumber / source |",
                "|---|---|---|",
                *(f"| {unit} | {predikat} | {source} |" for unit, predikat, source in org),
                "",
            ]
        if not failing:
            lines.append(
                "Semua unit lolos uji distribusi / every unit passed the distribution check."
            )
        else:
            lines += [
                "Unit yang gagal uji distribusi; setiap unit yang diterima perlu alasan tertulis /"
                " units failing the distribution check; each accepted unit needs a written reason:",
                "",
                "| unit | findings |",
                "|---|---|",
                *(f"| {unit} | {'; '.join(items)} |" for unit, items in failing.items()),
            ]
    else:
        budget = summary["budget"]
        lines += [
            f"Pagu / budget: **{budget if budget is not None else '-'}**, "
            f"total: **{summary['total']}**",
            "",
            "| unit | pegawai / employees | total |",
            "|---|---|---|",
            *(f"| {unit} | {n} | {total} |" for unit, n, total in summary["units"]),
        ]
    return "\n".join(lines)


def check_input(kind: str, signed: GateInput, summary: dict[str, Any], coordinator: str) -> None:
    """Validate a signature against what it signs (constraints the form cannot carry)."""
    if signed.signed_by.strip() != coordinator:
        raise GateError(
            f"Hanya koordinator SDM {coordinator} yang dapat menandatangani / "
            f"only the HR coordinator {coordinator} can sign"
        )
    if signed.decision == "reject":
        if not signed.reason.strip():
            raise GateError("Penolakan memerlukan alasan / a rejection needs a reason")
        return
    if kind == "publication":
        failing = summary["failing"]
        given = {e.unit_id: e.reason.strip() for e in signed.exceptions}
        unknown = sorted(set(given) - set(failing))
        if unknown:
            raise GateError(
                f"Unit tanpa temuan gagal: {unknown} / units without a failing finding: {unknown}"
            )
        missing = sorted(u for u in failing if not given.get(u))
        if missing:
            raise GateError(
                f"Alasan wajib untuk unit: {missing} / a reason is required for units: {missing}"
            )
    elif summary["budget"] is not None and float(summary["total"]) > float(summary["budget"]):
        if not signed.reason.strip():
            raise GateError(
                "Total melebihi pagu: alasan wajib / total over the budget: a reason is required"
            )


def record_decision(
    session: Session, *, cycle: Cycle, kind: str, signed: GateInput, flow_run_id: str | None
) -> dict[str, Any]:
    """Store and audit a gate decision; a rejection stops the cycle, an approval resumes it."""
    now = cycle_now(cycle.clock_at)
    decision = {
        "decision": signed.decision,
        "signed_by": signed.signed_by.strip(),
        "reason": signed.reason.strip(),
        "exceptions": {e.unit_id: e.reason.strip() for e in signed.exceptions},
        "signed_at": now.isoformat(),
        "flow_run_id": flow_run_id,
    }
    row = stage_row(session, cycle.cycle_id, "incentives")
    row.stats = {**row.stats, "gates": {**(row.stats.get("gates") or {}), kind: decision}}
    if signed.decision == "reject":
        cycle.status = "rejected"
    elif cycle.status == "rejected" and not any(
        d["decision"] == "reject" for d in gate_decisions(session, cycle.cycle_id).values()
    ):
        cycle.status = "running"
    append_event(
        session,
        actor=decision["signed_by"],
        action=f"gate.{signed.decision}",
        entity="cycle_gate",
        entity_id=f"{cycle.cycle_id}/{kind}",
        payload={"gate": kind, **decision},
        cycle_id=cycle.cycle_id,
        at=now,
    )
    return decision


def sign(
    db_url: str | None, *, cycle_id: str, kind: str, signed: GateInput, flow_run_id: str | None
) -> dict[str, Any]:
    """Validate and record one signature in one transaction; raises :class:`GateError`."""
    with session_scope(get_engine(db_url)) as session:
        cycle = get_cycle(session, cycle_id)
        summary = gate_summary(session, cycle=cycle, kind=kind)
        check_input(kind, signed, summary, cycle_config(cycle).coordinator.nip)
        return record_decision(
            session, cycle=cycle, kind=kind, signed=signed, flow_run_id=flow_run_id
        )


def pending_gate(session: Session, cycle: Cycle) -> str | None:
    """The gate the cycle waits at now (unsigned or rejected), if any."""
    if stage_row(session, cycle.cycle_id, "incentives").status != "done":
        return None
    if stage_row(session, cycle.cycle_id, "publish").status == "done":
        return None
    decisions = gate_decisions(session, cycle.cycle_id)
    for kind in enabled_gates(cycle):
        if decisions.get(kind, {}).get("decision") != "approve":
            return kind
    return None


@task(name="gate-state", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def gate_state(db_url: str | None, cycle_id: str, kind: str) -> dict[str, Any]:
    """The gate's stored decision, its summary, and whether the cycle signs it by itself."""
    with session_scope(get_engine(db_url)) as session:
        cycle = get_cycle(session, cycle_id)
        return {
            "enabled": kind in enabled_gates(cycle),
            "decision": gate_decisions(session, cycle_id).get(kind),
            "summary": gate_summary(session, cycle=cycle, kind=kind),
            "simulated": cycle.clock_at is not None,
            "coordinator": cycle_config(cycle).coordinator.nip,
            "config": gates_config(cycle).model_dump(),
        }


@task(name="sign-gate", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def sign_task(
    db_url: str | None, cycle_id: str, kind: str, signed: dict[str, Any], flow_run_id: str | None
) -> dict[str, Any]:
    return sign(
        db_url,
        cycle_id=cycle_id,
        kind=kind,
        signed=GateInput.model_validate(signed),
        flow_run_id=flow_run_id,
    )


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
            Field(rows, description=GateInput.model_fields["exceptions"].description),
        ),
    )


def run_gate(cycle_id: str, db_url: str | None, kind: str) -> dict[str, Any] | None:
    """Hold the cycle at ``kind`` until signed; returns the decision, or None if it waits.

    Called from the cycle flow's own body (a pause belongs to a flow run, not a task).
    """
    from prefect.artifacts import create_markdown_artifact
    from prefect.context import get_run_context
    from prefect.flow_runs import pause_flow_run

    log = get_run_logger()
    state = gate_state(db_url, cycle_id, kind)
    if not state["enabled"]:
        return {"decision": "approve", "signed_by": None, "reason": "gate off"}
    if state["decision"] is not None:
        return state["decision"]
    summary, coordinator = state["summary"], state["coordinator"]
    run_id = str(get_run_context().flow_run.id)
    if state["simulated"]:
        signed = GateInput(
            decision="approve",
            signed_by=coordinator,
            reason="simulation",
            exceptions=[UnitException(unit_id=u, reason="simulation") for u in summary["failing"]]
            if kind == "publication"
            else [],
        )
        return sign_task(db_url, cycle_id, kind, signed.model_dump(), run_id)
    key = f"{cycle_id}-gate-{kind}".replace("_", "-").lower()
    create_markdown_artifact(
        markdown=gate_markdown(cycle_id, kind, summary), key=key, description=GATE_TITLES[kind][1]
    )
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
            check_input(kind, GateInput.model_validate(signed.model_dump()), summary, coordinator)
        except GateError as exc:
            problem = str(exc)
            log.warning("gate %s: %s", kind, problem)
            continue
        return sign_task(db_url, cycle_id, kind, signed.model_dump(), run_id)
    raise RuntimeError(f"gate {kind}: too many invalid signatures")


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

    Raises :class:`GateError` when no gate waits or the signature is not acceptable.
    """
    from prefect.flow_runs import resume_flow_run

    from kinerja.flows.trigger import advance_cycle

    with session_scope(get_engine(db_url)) as session:
        cycle = get_cycle(session, cycle_id)
        kind = pending_gate(session, cycle)
        if kind is None:
            raise GateError(
                f"Siklus {cycle_id} tidak menunggu persetujuan / cycle {cycle_id} waits at no gate"
            )
        coordinator = cycle_config(cycle).coordinator.nip
        summary = gate_summary(session, cycle=cycle, kind=kind)
    signed = GateInput(
        decision=decision,  # type: ignore[arg-type]
        signed_by=signed_by or coordinator,
        reason=reason,
        exceptions=[UnitException(unit_id=u, reason=r) for u, r in (exceptions or {}).items()],
    )
    check_input(kind, signed, summary, coordinator)
    paused = find_paused_run(cycle_id) if api_reachable() else None
    if paused is not None and paused[1].startswith(f"gate-{kind}-"):
        resume_flow_run(paused[0], run_input=signed.model_dump(mode="json"))
        return {"gate": kind, "mode": "resumed", "flow_run_id": paused[0]}
    stored = sign(db_url, cycle_id=cycle_id, kind=kind, signed=signed, flow_run_id=None)
    out: dict[str, Any] = {"gate": kind, "mode": "recorded", "decision": stored["decision"]}
    if stored["decision"] == "approve":
        out["cycle"] = advance_cycle(
            cycle_id, db_url=db_url, key=f"gate-{kind}-{stored['signed_at']}"
        )
    return out
