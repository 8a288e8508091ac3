"""Cycles and their stages: create a cycle with its config snapshot, track stage state, chunk.

A cycle stores the exact config and policy pack it started with, and their content hashes:
editing a policy file afterwards never changes a running cycle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kinerja.models.cycles.periods import period_stages
from kinerja.models.policy.loading import load_pack, pack_from_dict, pack_hash, pack_to_dict
from kinerja.models.rules.periods import periods_of
from kinerja.models.schemas.config import STAGES, CycleConfig, content_hash
from kinerja.models.store.clock import cycle_now
from kinerja.models.store.tables import Cycle, CycleStage, Employee, HumanTask

ACTIVE_TASK_STATES = ("open", "escalated")


class CycleError(ValueError):
    """A cycle operation was refused; the message says why (Indonesian / English)."""


@dataclass(frozen=True)
class Chunk:
    """A slice of employees by NIP range, inclusive: the unit of work of a Prefect task."""

    index: int
    first_nip: str
    last_nip: str
    size: int


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:48] or "cycle"


def cycle_id_for(config: CycleConfig) -> str:
    """The cycle id a config gets: its own ``cycle_id``, else a slug of its name and hash."""
    digest = content_hash(config.model_dump(mode="json"))
    return config.cycle_id or f"{slugify(config.name)}-{digest[:8]}"


def with_routes_resolved(config: CycleConfig, config_dir: Path | None) -> CycleConfig:
    """The cycle's own notification routes file, as an absolute path (it is given relative
    to the config), checked to exist: the dispatcher reads it for this cycle's messages."""
    routes = config.notifications.routes
    if not routes:
        return config
    path = Path(routes).expanduser()
    if not path.is_absolute():
        path = (config_dir or Path.cwd()) / path
    path = path.resolve()
    if not path.is_file():
        raise CycleError(f"notifications.routes: berkas tidak ditemukan / file not found: {path}")
    notifications = config.notifications.model_copy(update={"routes": str(path)})
    return config.model_copy(update={"notifications": notifications})


def create_cycle(
    session: Session,
    *,
    config: CycleConfig,
    config_dir: Path | None,
    now: datetime,
    simulated: bool = False,
) -> Cycle:
    """Create a cycle, snapshotting its config and policy pack (with hashes) and its stages.

    Creating a cycle whose id exists with the same config is a no-op that returns it; with
    a different config it is refused.
    """

    config = with_routes_resolved(config, config_dir)
    config_data = config.model_dump(mode="json")
    cfg_hash = content_hash(config_data)
    cycle_id = cycle_id_for(config)
    existing = session.get(Cycle, cycle_id)
    if existing is not None:
        if existing.config_hash != cfg_hash:
            raise CycleError(
                f"Siklus '{cycle_id}' sudah ada dengan konfigurasi lain / "
                f"cycle '{cycle_id}' already exists with a different config"
            )
        return existing  # its pack is the snapshot: the pack file may have changed or gone
    # the pack version in force when the cycle's period starts
    pack = load_pack(config.policy, base_dir=config_dir, on=config.period_start)
    cycle = Cycle(
        cycle_id=cycle_id,
        name=config.name,
        pack_name=pack.name,
        pack_version=pack.version,
        config=config_data,
        config_hash=cfg_hash,
        pack=pack_to_dict(pack),
        pack_hash=pack_hash(pack),
        status="created",
        current_stage=STAGES[0],
        clock_at=now if simulated else None,
        created_at=now,
    )
    session.add(cycle)
    # The periods' stages run between approving the targets and the annual collection of
    # metrics (flows/cycle.py), and stand there in order.
    split = STAGES.index("collect_metrics")
    ordered = [*STAGES[:split], *period_stages(config), *STAGES[split:]]
    for position, stage in enumerate(ordered):
        session.add(CycleStage(cycle_id=cycle_id, stage=stage, position=position, stats={}))
    session.flush()
    return cycle


def get_cycle(session: Session, cycle_id: str | None) -> Cycle:
    """The cycle by id, or the newest one when ``cycle_id`` is None."""
    if cycle_id is None:
        cycle = session.scalars(select(Cycle).order_by(Cycle.created_at.desc()).limit(1)).first()
        if cycle is None:
            raise CycleError("Belum ada siklus / no cycle exists yet: run `kinerja cycle start`")
        return cycle
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise CycleError(f"Siklus tidak dikenal / unknown cycle: {cycle_id}")
    return cycle


def annual_period(config: CycleConfig) -> str:
    """The period an annual realisation report is written under: the cycle's last
    evaluation period (its year for an annual-only cycle), so that a report and an imported
    value for the same period meet in one row (models/cycles/measurements.py)."""
    periods = periods_of(config.period_start, config.period_end, config.evaluation_periods)
    return periods[-1].label if periods else str(config.period_end.year)


def cycle_config(cycle: Cycle) -> CycleConfig:
    return CycleConfig.model_validate(cycle.config)


def cycle_pack(cycle: Cycle) -> Any:
    """The policy pack snapshot the cycle started with."""

    return pack_from_dict(cycle.pack)


_pack_cache: dict[str, Any] = {}


def pack_of(cycle: Cycle) -> Any:
    """The cycle's pack snapshot, validated once per pack hash and process."""
    pack = _pack_cache.get(cycle.pack_hash)
    if pack is None:
        pack = _pack_cache[cycle.pack_hash] = cycle_pack(cycle)
    return pack


def past_final_deadline(session: Session, *, stage: CycleStage, now: datetime) -> bool:
    """The stage is still open past its final deadline, and past every extended one: no
    active task of it has a final deadline still ahead (HR extended none, or they ran out)."""
    if stage.status != "open" or stage.final_due_at is None or now <= stage.final_due_at:
        return False
    latest = session.scalar(
        select(func.max(HumanTask.final_due_at)).where(
            HumanTask.cycle_id == stage.cycle_id,
            HumanTask.stage == stage.stage,
            HumanTask.state.in_(("open", "escalated")),
        )
    )
    return latest is None or now > latest


def overdue_stages(session: Session) -> list[tuple[CycleStage, Cycle, datetime]]:
    """Open stages of running cycles past their (extended) final deadline, each with its
    cycle and the cycle's now, that ops have not yet been told of
    (``stats["overdue_alerted"]``, see :func:`mark_overdue_alerted`)."""
    rows = session.execute(
        select(CycleStage, Cycle)
        .join(Cycle, Cycle.cycle_id == CycleStage.cycle_id)
        .where(CycleStage.status == "open", CycleStage.final_due_at.is_not(None))
        .where(Cycle.status.in_(("created", "running")))
    ).all()
    out = []
    for stage, cycle in rows:
        now = cycle_now(cycle.clock_at)
        if not stage.stats.get("overdue_alerted") and past_final_deadline(
            session, stage=stage, now=now
        ):
            out.append((stage, cycle, now))
    return out


def mark_overdue_alerted(stage: CycleStage, *, now: datetime) -> None:
    """Remember that ops heard of an overdue stage, so they hear once."""
    stage.stats = {**stage.stats, "overdue_alerted": now.isoformat()}


def stage_row(session: Session, cycle_id: str, stage: str) -> CycleStage:
    row = session.get(CycleStage, (cycle_id, stage))
    if row is None:
        raise CycleError(f"unknown stage {stage!r} of cycle {cycle_id!r}")
    return row


def open_stage(session: Session, *, cycle: Cycle, stage: str, now: datetime) -> CycleStage:
    """Mark a stage open (idempotent) with its due dates from the cycle config."""
    row = stage_row(session, cycle.cycle_id, stage)
    if row.status == "pending":
        cfg = cycle_config(cycle).stage(stage)
        row.status = "open"
        row.opened_at = now
        row.due_at = now + timedelta(days=cfg.deadline_days)
        row.final_due_at = row.due_at + timedelta(days=cfg.final_after_days)
        cycle.current_stage = stage
        cycle.status = "running"
    return row


def close_stage(
    session: Session, *, cycle: Cycle, stage: str, now: datetime, stats: dict[str, Any]
) -> CycleStage:
    """Mark a stage done (idempotent); the last stage finishes the cycle."""
    row = stage_row(session, cycle.cycle_id, stage)
    if row.status != "done":
        row.status = "done"
        row.closed_at = now
        row.stats = stats
        if stage not in STAGES:
            pass  # a period's stage: the cycle stays where the annual stages stand
        elif stage == STAGES[-1]:
            cycle.status = "done"
            cycle.finished_at = now
            cycle.current_stage = None
        else:
            cycle.current_stage = STAGES[STAGES.index(stage) + 1]
    return row


def active_task_count(session: Session, *, cycle_id: str, stage: str | None = None) -> int:
    query = select(func.count()).where(
        HumanTask.cycle_id == cycle_id, HumanTask.state.in_(ACTIVE_TASK_STATES)
    )
    if stage is not None:
        query = query.where(HumanTask.stage == stage)
    return session.scalar(query) or 0


def plan_chunks(session: Session, *, chunk_size: int, max_chunks: int | None = None) -> list[Chunk]:
    """Split employees into NIP ranges of ``chunk_size`` (the last one may be smaller), or
    of the size that makes ``max_chunks`` ranges when ``chunk_size`` would make more."""
    rn = func.row_number().over(order_by=Employee.nip).label("rn")
    sub = select(Employee.nip, rn).subquery()
    total = session.scalar(select(func.count()).select_from(Employee)) or 0
    if total == 0:
        return []
    if max_chunks is not None:
        chunk_size = max(chunk_size, -(-total // max_chunks))
    bounds = session.execute(
        select(sub.c.nip, sub.c.rn)
        .where(
            ((sub.c.rn - 1) % chunk_size == 0) | (sub.c.rn % chunk_size == 0) | (sub.c.rn == total)
        )
        .order_by(sub.c.rn)
    ).all()
    chunks: list[Chunk] = []
    start: tuple[str, int] | None = None
    for nip, position in bounds:
        if (position - 1) % chunk_size == 0:
            start = (nip, position)
        if position % chunk_size == 0 or position == total:
            assert start is not None
            chunks.append(Chunk(len(chunks), start[0], nip, position - start[1] + 1))
    return chunks


def set_clock(session: Session, *, cycle_id: str, when: datetime) -> None:
    """Move a simulated cycle's clock (never backwards)."""
    session.execute(
        update(Cycle)
        .where(Cycle.cycle_id == cycle_id, Cycle.clock_at.is_not(None), Cycle.clock_at < when)
        .values(clock_at=when)
    )
