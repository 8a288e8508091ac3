"""Coordinator gates: what the HR coordinator signs before payout and before publication.

After ``incentives`` the cycle stops twice: the payout gate shows the incentive totals per
unit against the cycle's budget (pagu), the publication gate shows the distribution findings
per unit, where every failing unit that is accepted needs a written reason. How the cycle
waits (a paused flow run with a form, or a ``waiting`` outcome) is flows/gates.py; this
module is what is signed, the checks a signature must pass, and its record.

A decision is stored in the ``incentives`` stage's stats (``stats["gates"][kind]``, the
stage both gates follow, which never changes once done) and audited, so a rerun does not
pause again. A rejection stops the cycle (status ``rejected``); a later approval, once the
data is corrected, lets it go on.
"""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_event
from kinerja.models.cycles.cycle import cycle_config, pack_of, stage_row
from kinerja.models.rules.numbers import money, number
from kinerja.models.schemas.config import GatesConfig, period_stage
from kinerja.models.schemas.requests import GateSignature, UnitException
from kinerja.models.stages.distribution import failing_groups, group_list
from kinerja.models.stages.incentives import incentive_totals
from kinerja.models.stages.monthly_pay import month_totals
from kinerja.models.store.clock import cycle_now
from kinerja.models.store.tables import Cycle, CycleStage, UnitRating

GATES: tuple[str, ...] = ("payout", "publication")
"""The gates, in the order the cycle meets them (both after ``incentives``)."""

GATE_TITLES = {
    "payout": ("Persetujuan pembayaran tunjangan", "Payout approval"),
    "publication": ("Persetujuan publikasi", "Publication approval"),
}

MONTH_PAYOUT = "payout-"
"""A month's payout gate is ``payout-<month>`` (``payout-2026-03``), when tukin is paid
monthly: signed after that month's check-in, stored in that stage's stats."""


def month_payout(period: str) -> str:
    return f"{MONTH_PAYOUT}{period}"


def gate_title(kind: str) -> tuple[str, str]:
    """The gate's title in Bahasa Indonesia and English (a month's payout names the month)."""
    if kind.startswith(MONTH_PAYOUT):
        month = kind.removeprefix(MONTH_PAYOUT)
        id_title, en_title = GATE_TITLES["payout"]
        return f"{id_title} {month}", f"{en_title} {month}"
    return GATE_TITLES[kind]


def _gate_stage(kind: str) -> str:
    """The stage whose stats keep the gate's decision."""
    if kind.startswith(MONTH_PAYOUT):
        return period_stage("checkin", kind.removeprefix(MONTH_PAYOUT))
    return "incentives"


class GateError(ValueError):
    """A gate input that cannot be accepted; the message is for the coordinator."""


def gates_config(cycle: Cycle) -> GatesConfig:
    """The cycle's gate settings (all on when its config names none)."""
    gates = cycle_config(cycle).gates
    poll = os.environ.get("KINERJA_GATE_POLL_SECONDS")  # snappy resumes in tests
    return gates.model_copy(update={"poll_seconds": float(poll)}) if poll else gates


def enabled_gates(cycle: Cycle) -> list[str]:
    """The cycle's annual gates that are on; tukin paid monthly is signed month by month,
    so the annual payout gate is off then."""
    cfg = gates_config(cycle)
    periodic = cycle_config(cycle).periodic
    monthly = periodic is not None and periodic.incentives == "monthly"
    return [kind for kind in GATES if getattr(cfg, kind) and not (monthly and kind == "payout")]


def gate_enabled(cycle: Cycle, kind: str) -> bool:
    if kind.startswith(MONTH_PAYOUT):
        return gates_config(cycle).payout
    return kind in enabled_gates(cycle)


def gate_decisions(
    session: Session, cycle_id: str, stage: str = "incentives"
) -> dict[str, dict[str, Any]]:
    return dict(stage_row(session, cycle_id, stage).stats.get("gates") or {})


def gate_decision(session: Session, cycle_id: str, kind: str) -> dict[str, Any] | None:
    return gate_decisions(session, cycle_id, _gate_stage(kind)).get(kind)


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
    """What the coordinator signs: the failing units, or the totals against the budget.

    Failing distribution findings are per unit, ``{unit: ["group: rule: detail", ...]}``; the
    group is the unit, or all direct reports of one rater, listed under the unit whose
    predikat keys their curve (the pack's ``distribution.group``).
    """
    if kind == "publication":
        return {
            "failing": failing_groups(session, cycle_id=cycle.cycle_id),
            "org_predikat": org_predikat_rows(session, cycle.cycle_id),
            "groups": group_list(session, cycle=cycle, pack=pack_of(cycle)),
        }
    if kind.startswith(MONTH_PAYOUT):
        periodic = cycle_config(cycle).periodic
        budget = periodic.monthly_budget if periodic else None
        totals = month_totals(
            session, cycle_id=cycle.cycle_id, period=kind.removeprefix(MONTH_PAYOUT)
        )
        return {"units": totals["units"], "total": totals["total"], "budget": budget}
    budget = cycle_config(cycle).incentive_budget
    totals = incentive_totals(session, cycle=cycle)
    return {"units": totals["units"], "total": totals["total"], "budget": budget}


def gate_state(session: Session, *, cycle: Cycle, kind: str) -> dict[str, Any]:
    """The gate's stored decision, its summary, and whether the cycle signs it by itself."""
    return {
        "enabled": gate_enabled(cycle, kind),
        "decision": gate_decision(session, cycle.cycle_id, kind),
        "summary": gate_summary(session, cycle=cycle, kind=kind),
        "simulated": cycle.clock_at is not None,
        "coordinator": cycle_config(cycle).coordinator.nip,
        "config": gates_config(cycle).model_dump(),
    }


def simulated_signature(kind: str, state: dict[str, Any]) -> GateSignature:
    """A simulated cycle (its own clock) is signed by its coordinator, reason ``simulation``."""
    failing = state["summary"].get("failing", {}) if kind == "publication" else {}
    return GateSignature(
        decision="approve",
        signed_by=state["coordinator"],
        reason="simulation",
        exceptions=[UnitException(unit_id=u, reason="simulation") for u in failing],
    )


def gate_markdown(cycle_id: str, kind: str, summary: dict[str, Any], problem: str = "") -> str:
    """The form's description and the gate artifact."""
    id_title, en_title = gate_title(kind)
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
        lines += _group_lines(summary.get("groups") or [])
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
        lines += [
            _totals(summary),
            "",
            "| unit | pegawai / employees | total |",
            "|---|---|---|",
            *(f"| {unit} | {number(n)} | {money(total)} |" for unit, n, total in summary["units"]),
        ]
    return "\n".join(lines)


def _group_lines(groups: list[dict[str, Any]]) -> list[str]:
    """The table of every checked group (a finding is a flag here, not a block)."""
    if not groups:
        return []

    def rater(g: dict[str, Any]) -> str:
        if not g["rater"]:
            return "- (seluruh unit / whole unit)"
        if g["external"]:
            return g["rater_name"]
        return f"{g['rater']} {g['rater_name']}".strip()

    return [
        "Kelompok distribusi / distribution groups (kelompok satu orang tidak gagal sendirian /"
        " a one-person group never fails on its own):",
        "",
        "| unit | penilai / rater | orang / people | predikat organisasi | aturan gagal /"
        " failing rules |",
        "|---|---|---|---|---|",
        *(
            f"| {g['unit_id']} | {rater(g)} | {g['people']} |"
            f" {g['predikat_organisasi'] or '-'} | {g['failing']} |"
            for g in groups
        ),
        "",
    ]


def _totals(summary: dict[str, Any]) -> str:
    budget = summary["budget"]
    return (
        f"Pagu / budget: **{money(budget) if budget is not None else '-'}**, "
        f"total: **{money(summary['total'])}**"
    )


def gate_description(cycle_id: str, kind: str, summary: dict[str, Any]) -> str:
    """The short Markdown above the gate's table artifact: title, cycle, the payout total."""
    id_title, en_title = gate_title(kind)
    lines = [f"# {id_title} / {en_title}", "", f"Cycle `{cycle_id}`."]
    if kind != "publication":
        lines += ["", _totals(summary)]
    elif summary["failing"]:
        lines += ["", f"Unit gagal uji distribusi / units failing: {len(summary['failing'])}"]
    return "\n".join(lines)


def check_input(
    kind: str, signed: GateSignature, summary: dict[str, Any], coordinator: str
) -> None:
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
                f"Unit tanpa temuan gagal: {', '.join(unknown)} / units without a failing"
                f" finding: {', '.join(unknown)}"
            )
        missing = sorted(u for u in failing if not given.get(u))
        if missing:
            raise GateError(
                f"Alasan wajib untuk unit: {', '.join(missing)} / a reason is required for"
                f" units: {', '.join(missing)}"
            )
    elif summary["budget"] is not None and float(summary["total"]) > float(summary["budget"]):
        if not signed.reason.strip():
            raise GateError(
                "Total melebihi pagu: alasan wajib / total over the budget: a reason is required"
            )


def record_decision(
    session: Session,
    *,
    cycle: Cycle,
    kind: str,
    signed: GateSignature,
    flow_run_id: str | None,
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
    row = stage_row(session, cycle.cycle_id, _gate_stage(kind))
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


def pending_gate(session: Session, cycle: Cycle) -> str | None:
    """The gate the cycle waits at now (unsigned or rejected), if any."""
    month = _pending_month_payout(session, cycle)
    if month is not None:
        return month
    if stage_row(session, cycle.cycle_id, "incentives").status != "done":
        return None
    if stage_row(session, cycle.cycle_id, "publish").status == "done":
        return None
    decisions = gate_decisions(session, cycle.cycle_id)
    for kind in enabled_gates(cycle):
        if decisions.get(kind, {}).get("decision") != "approve":
            return kind
    return None


def _pending_month_payout(session: Session, cycle: Cycle) -> str | None:
    """The first month whose check-in is done and whose payout is not approved, when tukin
    is paid monthly and the payout gate is on."""
    config = cycle_config(cycle)
    if config.periodic is None or config.periodic.incentives != "monthly":
        return None
    if not gates_config(cycle).payout:
        return None
    for stage in session.scalars(
        select(CycleStage)
        .where(CycleStage.cycle_id == cycle.cycle_id, CycleStage.stage.like("checkin-%"))
        .order_by(CycleStage.position)
    ):
        if stage.status != "done":
            return None
        kind = month_payout(stage.stage.removeprefix("checkin-"))
        if (stage.stats.get("gates") or {}).get(kind, {}).get("decision") != "approve":
            return kind
    return None
