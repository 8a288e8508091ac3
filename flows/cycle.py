"""The performance cycle, as a table of contents: eight stages, in order, and (with
``periodic`` in the cycle config) each evaluation period between approving the targets and
the annual collection of metrics.

Each call advances the cycle as far as it can go now, then returns: a stage waiting for
people holds no process. Whoever closes a stage's last task (the response service or the
sweeper at a final deadline) starts this flow again; a rerun skips what is done, so a
crash or a restart at any point ends with the same result.

Before ``publish`` the HR coordinator signs two gates (flows/gates.py): the incentive totals
(payout) and the distribution findings (publication).
"""

from __future__ import annotations

from prefect import flow, get_run_logger

from kinerja.flows.approve_targets import approve_targets
from kinerja.flows.collect_metrics import collect_metrics
from kinerja.flows.feedback import feedback
from kinerja.flows.gates import run_gate
from kinerja.flows.incentives import incentives
from kinerja.flows.period import evaluation_period
from kinerja.flows.plan import plan
from kinerja.flows.publish import publish
from kinerja.flows.review import review
from kinerja.flows.stage import StageOutcome
from kinerja.flows.training import training
from kinerja.models.stages.gates import GATES
from kinerja.tasks.stages import cycle_periods, stage_state

STAGE_FLOWS = (
    plan,
    approve_targets,
    collect_metrics,
    review,
    feedback,
    training,
    incentives,
    publish,
)


@flow(name="performance-cycle", flow_run_name="cycle-{cycle_id}")
def performance_cycle(cycle_id: str, db_url: str | None = None) -> StageOutcome:
    """Run the cycle's stages in order from the first one not done; stop where people act."""
    log = get_run_logger()
    outcome = StageOutcome(stage="plan", status="pending")
    for stage_flow in STAGE_FLOWS:
        if stage_flow is collect_metrics:
            held = _periods(cycle_id, db_url)
            if held is not None:
                return held
        if stage_state(db_url, cycle_id, stage_flow.fn.__name__).status == "done":
            continue
        if stage_flow is publish:
            held = _coordinator_gates(cycle_id, db_url)
            if held is not None:
                return held
        outcome = stage_flow(cycle_id=cycle_id, db_url=db_url)
        if not outcome.done:
            log.info("cycle %s waits at %s", cycle_id, outcome.stage)
            return outcome
    log.info("cycle %s is complete", cycle_id)
    return StageOutcome(stage="publish", status="done")


def _periods(cycle_id: str, db_url: str | None) -> StageOutcome | None:
    """Run every period not yet done, each as a flow run of its own, in order; the outcome
    of the first one that waits (for people, or for its date), None once all are done."""
    for period, phases, monthly_pay in cycle_periods(db_url, cycle_id):
        outcome = evaluation_period(
            cycle_id=cycle_id,
            period=period,
            phases=phases,
            monthly_pay=monthly_pay,
            db_url=db_url,
        )
        if not outcome.done:
            get_run_logger().info("cycle %s waits at %s", cycle_id, outcome.stage)
            return outcome
    return None


def _coordinator_gates(cycle_id: str, db_url: str | None) -> StageOutcome | None:
    """Hold the cycle before publish until each gate is approved; None once they are."""
    log = get_run_logger()
    for kind in GATES:
        decision = run_gate(cycle_id, db_url, kind)
        if decision is None:
            log.info("cycle %s waits for the %s gate", cycle_id, kind)
            return StageOutcome(stage="publish", status="waiting", stats={"gate": kind})
        if decision["decision"] == "reject":
            log.warning(
                "cycle %s: the %s gate was rejected: %s", cycle_id, kind, decision["reason"]
            )
            return StageOutcome(
                stage="publish", status="rejected", stats={"gate": kind, **decision}
            )
    return None
