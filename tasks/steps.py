"""The named steps of the stages: what one chunk (or the whole cycle) does at each step.

A step is a plain function of a :class:`StepContext`; the Prefect tasks in tasks/stages.py
run them in one database transaction each, so a step either happens completely or not at
all, and every step is idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import Chunk, stage_row
from kinerja.models.cycles.periods import period_by_label
from kinerja.models.cycles.reports import period_monitoring, period_predikat_counts
from kinerja.models.humantasks.opening import NewTask, open_task_ids
from kinerja.models.results import exports
from kinerja.models.results.payroll import write_payroll
from kinerja.models.rules.periods import Period
from kinerja.models.schemas.config import CycleConfig, period_of_stage
from kinerja.models.stages import (
    approve_targets,
    collect_metrics,
    feedback,
    incentives,
    monthly_pay,
    periods,
    plan,
    publish,
    review,
    training,
    unit_heads,
)
from kinerja.models.store.tables import Cycle


def paid_monthly(config: CycleConfig) -> bool:
    """Whether the cycle pays tukin month by month (each month's check-in computes it)."""
    return config.periodic is not None and config.periodic.incentives == "monthly"


@dataclass
class StepContext:
    session: Session
    cycle: Cycle
    config: CycleConfig
    pack: Any
    now: datetime
    stage: str
    chunk: Chunk | None = None

    @property
    def lo(self) -> str:
        assert self.chunk is not None
        return self.chunk.first_nip

    @property
    def hi(self) -> str:
        assert self.chunk is not None
        return self.chunk.last_nip

    @property
    def coordinator(self) -> str:
        return self.config.coordinator.nip

    @property
    def period(self) -> Period:
        """The period of a period's stage (``checkin-2026-03`` -> 2026-03)."""
        label = period_of_stage(self.stage)
        assert label is not None, f"{self.stage} is not a period's stage"
        return period_by_label(self.config, label)


def _opener(make: Callable[[StepContext], list[NewTask]]) -> Callable[[StepContext], dict]:
    """A step that opens the human tasks ``make`` lists, with the stage's due dates."""

    def step(ctx: StepContext) -> dict[str, int]:
        row = stage_row(ctx.session, ctx.cycle.cycle_id, ctx.stage)
        assert row.due_at is not None and row.final_due_at is not None
        wanted = make(ctx)
        # Announced once the whole stage is open (stage-opened): one message per person.
        opened = open_task_ids(
            ctx.session,
            cycle=ctx.cycle,
            stage_due_at=row.due_at,
            stage_final_due_at=row.final_due_at,
            tasks=wanted,
            now=ctx.now,
        )
        return {"tasks_wanted": len(wanted), "tasks_opened": len(opened)}

    step.__doc__ = make.__doc__
    return step


def _payroll(ctx: StepContext) -> dict[str, Any]:
    """Write the month's payroll file once its payout is approved, and remember it in the
    month's check-in stage (the month is then done)."""
    path = str(write_payroll(ctx.session, cycle=ctx.cycle, pack=ctx.pack, period=ctx.period.label))
    row = stage_row(ctx.session, ctx.cycle.cycle_id, ctx.stage)
    row.stats = {**row.stats, "paid": {"payroll": path, "at": ctx.now.isoformat()}}
    return {"file": path}


CHUNK_STEPS: dict[str, Callable[[StepContext], dict[str, Any]]] = {
    "results": lambda c: {
        "results": plan.ensure_results(
            c.session, cycle=c.cycle, coordinator=c.coordinator, lo=c.lo, hi=c.hi
        )
    },
    "propose-tasks": _opener(lambda c: plan.plan_tasks(c.session, cycle=c.cycle, lo=c.lo, hi=c.hi)),
    "approval-tasks": _opener(
        lambda c: approve_targets.approval_tasks(
            c.session, cycle=c.cycle, coordinator=c.coordinator, lo=c.lo, hi=c.hi
        )
    ),
    "realisation-tasks": _opener(
        lambda c: collect_metrics.realisation_tasks(c.session, cycle=c.cycle, lo=c.lo, hi=c.hi)
    ),
    "period-report-tasks": _opener(
        lambda c: periods.report_tasks(
            c.session, cycle=c.cycle, config=c.config, period=c.period, lo=c.lo, hi=c.hi
        )
    ),
    "period-progress": lambda c: {
        "people": periods.period_progress(
            c.session,
            cycle=c.cycle,
            config=c.config,
            pack=c.pack,
            period=c.period,
            lo=c.lo,
            hi=c.hi,
        )
    },
    "checkin-tasks": _opener(
        lambda c: periods.checkin_tasks(
            c.session, cycle=c.cycle, period=c.period, coordinator=c.coordinator, lo=c.lo, hi=c.hi
        )
    ),
    "period-predikat": lambda c: {
        "rated": periods.period_predikat(
            c.session, cycle=c.cycle, pack=c.pack, period=c.period, lo=c.lo, hi=c.hi, now=c.now
        )
    },
    "month-incentives": lambda c: {
        "computed": monthly_pay.month_incentives(
            c.session, cycle=c.cycle, pack=c.pack, period=c.period, lo=c.lo, hi=c.hi, now=c.now
        )
    },
    "achievements": lambda c: {
        "targets": collect_metrics.compute_achievements(
            c.session, cycle=c.cycle, pack=c.pack, lo=c.lo, hi=c.hi
        ),
        "from_periods": periods.annual_proposal_from_periods(
            c.session, cycle=c.cycle, pack=c.pack, lo=c.lo, hi=c.hi
        ),
    },
    "review-tasks": _opener(
        lambda c: review.review_tasks(
            c.session, cycle=c.cycle, coordinator=c.coordinator, lo=c.lo, hi=c.hi
        )
    ),
    "predikat": lambda c: {
        "rated": review.compute_predikat(
            c.session, cycle=c.cycle, pack=c.pack, lo=c.lo, hi=c.hi, now=c.now
        )
    },
    "feedback-tasks": _opener(
        lambda c: feedback.feedback_tasks(
            c.session, cycle=c.cycle, coordinator=c.coordinator, lo=c.lo, hi=c.hi
        )
    ),
    "training": lambda c: {
        "assignments": training.assign_training_chunk(
            c.session,
            cycle=c.cycle,
            pack=c.pack,
            year=c.config.period_end.year,
            lo=c.lo,
            hi=c.hi,
            now=c.now,
        )
    },
    "incentives": lambda c: (
        {
            "computed": 0,
            "paid": "monthly: see each month's check-in / bulanan: lihat evaluasi tiap bulan",
        }
        if paid_monthly(c.config)
        else {
            "computed": incentives.compute_incentives(
                c.session, cycle=c.cycle, pack=c.pack, lo=c.lo, hi=c.hi, now=c.now
            )
        }
    ),
}

CYCLE_STEPS: dict[str, Callable[[StepContext], dict[str, Any]]] = {
    "period-monitoring": lambda c: {
        "units": period_monitoring(c.session, cycle_id=c.cycle.cycle_id, period=c.period.label)
    },
    "month-budget": lambda c: monthly_pay.month_budget(
        c.session,
        cycle=c.cycle,
        pack=c.pack,
        period=c.period,
        budget=c.config.periodic.monthly_budget if c.config.periodic else None,
        now=c.now,
    ),
    "month-totals": lambda c: monthly_pay.month_totals(
        c.session, cycle_id=c.cycle.cycle_id, period=c.period.label
    ),
    "payroll": lambda c: _payroll(c),
    "period-ratings": lambda c: {
        "predikat": period_predikat_counts(
            c.session, cycle_id=c.cycle.cycle_id, period=c.period.label
        )
    },
    "cascade": lambda c: plan.cascade_report(c.session, cycle=c.cycle),
    "unit-heads": lambda c: unit_heads.propose_for_unit_heads(
        c.session, cycle=c.cycle, pack=c.pack, now=c.now
    ),
    "distribution": lambda c: review.check_distributions(
        c.session, cycle=c.cycle, pack=c.pack, now=c.now
    ),
    "feedback-counts": lambda c: feedback.feedback_counts(c.session, cycle=c.cycle),
    "budget": lambda c: incentives.apply_incentive_budget(
        c.session, cycle=c.cycle, budget=c.config.incentive_budget, pack=c.pack, now=c.now
    ),
    "incentive-totals": lambda c: incentives.incentive_totals(c.session, cycle=c.cycle),
    "unit-indices": lambda c: {
        "units": publish.compute_unit_indices(
            c.session, cycle=c.cycle, config=c.config, pack=c.pack
        ),
        "warnings": publish.index_warnings(c.session, cycle_id=c.cycle.cycle_id),
    },
    "publish-units": lambda c: {
        "units": publish.publish_units(c.session, cycle=c.cycle, config=c.config, now=c.now)
    },
    "exports": lambda c: {
        "files": [
            str(p)
            for p in exports.write_exports(
                c.session,
                cycle_id=c.cycle.cycle_id,
                directory=exports.exports_dir(c.cycle.cycle_id),
            )
        ]
    },
    "announce": lambda c: {
        "messages": publish.announce(c.session, cycle=c.cycle, config=c.config, now=c.now)
    },
}
