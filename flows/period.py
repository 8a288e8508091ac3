"""One evaluation period of a cycle, as a flow run of its own (``period-2026-03-<cycle>``):
the period's realisation is reported, progress to date is measured against the expected
trajectory (people at risk flagged for coaching), then the raters' check-in gives the
periodic rating and feedback, and the periodic predikat follows.

Like every stage, it holds no process while people act or while the period has not ended:
the cycle flow runs it again when its tasks close or its date comes.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact

from kinerja.flows.gates import run_gate
from kinerja.flows.stage import StageOutcome, StageSpec, artifact_key, run_stage
from kinerja.models.schemas.config import period_stage
from kinerja.models.stages.gates import month_payout
from kinerja.tasks.stages import cycle_step


def period_specs(period: str, phases: tuple[str, ...], monthly_pay: bool) -> list[StageSpec]:
    """The stages of ``period``, in order: report, then check-in (when the config has it),
    which computes the month's tukin when it is paid monthly."""
    pay = ("month-incentives",) if monthly_pay else ()
    totals = ("month-budget", "month-totals") if monthly_pay else ()
    specs = {
        "report": StageSpec(
            period_stage("report", period),
            people=("period-report-tasks",),
            finish=("period-progress",),
            summary=("period-monitoring",),
        ),
        "checkin": StageSpec(
            period_stage("checkin", period),
            people=("checkin-tasks",),
            finish=("period-predikat", *pay),
            summary=("period-ratings", *totals),
        ),
    }
    return [specs[phase] for phase in phases]


@flow(name="evaluation-period", flow_run_name="period-{period}-{cycle_id}")
def evaluation_period(
    cycle_id: str,
    period: str,
    phases: tuple[str, ...] = ("report", "checkin"),
    monthly_pay: bool = False,
    db_url: str | None = None,
) -> StageOutcome:
    """Run one period's stages from the first one not done; stop where people act. With
    tukin paid monthly, the month's payout gate follows, then its payroll file."""
    log = get_run_logger()
    for spec in period_specs(period, phases, monthly_pay):
        outcome = run_stage(spec, cycle_id, db_url)
        if not outcome.done:
            return outcome
        units = outcome.stats.get("period-monitoring", {}).get("units")
        if units:
            _progress_artifact(cycle_id, period, units)
    last = period_stage(phases[-1], period)
    if monthly_pay:
        kind = month_payout(period)
        decision = run_gate(cycle_id, db_url, kind)
        if decision is None:
            log.info("cycle %s waits for the %s gate", cycle_id, kind)
            return StageOutcome(stage=kind, status="waiting", stats={"gate": kind})
        if decision["decision"] == "reject":
            log.warning(
                "cycle %s: the %s gate was rejected: %s", cycle_id, kind, decision["reason"]
            )
            return StageOutcome(stage=kind, status="rejected", stats={"gate": kind, **decision})
        payroll = cycle_step(db_url, cycle_id, last, "payroll")
        log.info("cycle %s: payroll of %s written to %s", cycle_id, period, payroll["file"])
    log.info("cycle %s: period %s is done", cycle_id, period)
    return StageOutcome(stage=last, status="done")


def _progress_artifact(cycle_id: str, period: str, units: list[dict[str, Any]]) -> None:
    """Progress to date per unit and for the organisation (``*``), as a table in the UI."""
    create_table_artifact(
        key=artifact_key(cycle_id, f"progress-{period}"),
        table=[
            {
                "unit": u["unit"] if u["unit"] != "*" else "* organisasi / organisation",
                "pegawai / people": u["people"],
                "capaian s.d. periode / achievement to date (%)": u["achievement"],
                "harapan / expected share (%)": u["expected"],
                "berisiko / at risk": u["at_risk"],
            }
            for u in units
        ],
        description=f"Kemajuan s.d. {period} / progress to date, {period}",
    )
