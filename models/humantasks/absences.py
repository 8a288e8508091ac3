"""Absences with a delegate (pelaksana harian, the person who acts for someone away).

The HR coordinator, or the person themselves, records "NIP is away from D1 to D2 (both days
included), delegate NIP2, because ...". While an absence holds by a cycle's clock,
:func:`sync_delegations` hands the away person's active tasks of that cycle to the delegate:
the tasks they are the assignee of, and the tasks escalated to them. A handed task gets
``delegate_nip`` (which every "who may act" check honours), a ``task_delegations`` row, a
``task.delegate`` audit event, and the delegate a ``task_delegated`` message with a link
signed for them. When the absence no longer holds (it ended, or an escalated task moved on
to someone else) the delegation is lifted: ``delegate_nip`` is cleared and
``task.delegation_lifted`` audited. The away person may still act on their own tasks.

The sweeper syncs on every pass, and opening tasks syncs the tasks just opened, so stage
openings and escalations pick an absence up. Set-based and idempotent: a second sync at the
same moment changes nothing.

Four eyes: nobody approves or rates their own work, so a task about the delegate (their own
targets, their own review) is never handed to them. Recording an absence is refused while
such a task is active; one opened later stays with the assignee and its escalation chain.
Only tasks that judge someone else's work (approve, review, feedback, appeal decisions) are
handed over: a person's own tasks (propose targets, report realisation, acknowledge
feedback) stay theirs, and HR extends them if need be.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_event
from kinerja.models.cycles.cycle import cycle_config
from kinerja.models.humantasks.delegations import sync_delegations
from kinerja.models.humantasks.states import ACTIVE, TaskError, judges_other
from kinerja.models.schemas.itemresult import ItemResult
from kinerja.models.store.clock import Clock, cycle_now
from kinerja.models.store.tables import Absence, Cycle, Employee, HumanTask

RUNNING = ("created", "running")


def running_cycles(session: Session) -> list[Cycle]:
    """The cycles with work to hand over: those running, and done ones whose appeals wait
    for a decision."""
    waiting = select(HumanTask.cycle_id).where(HumanTask.state.in_(ACTIVE))
    return list(
        session.scalars(
            select(Cycle)
            .where(or_(Cycle.status.in_(RUNNING), Cycle.cycle_id.in_(waiting)))
            .order_by(Cycle.cycle_id)
        )
    )


def coordinators(session: Session) -> set[str]:
    """The HR coordinators of those cycles."""
    return {cycle_config(c).coordinator.nip for c in running_cycles(session)}


def record_absence(
    session: Session,
    *,
    nip: str,
    delegate_nip: str,
    starts_on: date,
    ends_on: date,
    reason: str,
    by: str,
    clock: Clock,
) -> list[ItemResult]:
    """Record one absence and hand the tasks it covers now to the delegate, in every
    running cycle by that cycle's clock.

    Refused with :class:`TaskError` (and nothing written) for an unknown NIP, a delegate who
    is the person themselves or the subject of one of their active four-eyes tasks, an end
    before the start, an absence overlapping another of the same person, a missing reason,
    or a recorder who is neither the person nor an HR coordinator. Returns the absence's
    item followed by one item per task handed over now.
    """
    reason = (reason or "").strip()
    if not reason:
        raise TaskError("Alasan wajib diisi / a reason is required")
    if ends_on < starts_on:
        raise TaskError(
            f"Tanggal selesai {ends_on} sebelum tanggal mulai {starts_on} / "
            f"the end {ends_on} is before the start {starts_on}"
        )
    if delegate_nip == nip:
        raise TaskError(
            f"{nip} tidak dapat menjadi pelaksana bagi dirinya sendiri / "
            f"{nip} cannot be their own delegate"
        )
    known = set(session.scalars(select(Employee.nip).where(Employee.nip.in_([nip, delegate_nip]))))
    for who in (nip, delegate_nip):
        if who not in known:
            raise TaskError(f"NIP tidak dikenal / unknown NIP: {who}")
    if by != nip and by not in coordinators(session):
        raise TaskError(
            f"{by} bukan Koordinator SDM maupun pegawai ybs. / "
            f"{by} is neither the HR coordinator nor the person away"
        )
    overlap = session.scalars(
        select(Absence).where(
            Absence.nip == nip, Absence.starts_on <= ends_on, Absence.ends_on >= starts_on
        )
    ).first()
    if overlap is not None:
        raise TaskError(
            f"{nip} sudah tercatat berhalangan {overlap.starts_on} s.d. {overlap.ends_on} "
            f"(absen {overlap.id}) / {nip} is already away {overlap.starts_on} to "
            f"{overlap.ends_on} (absence {overlap.id})"
        )
    own = [
        t.id
        for t in session.scalars(
            select(HumanTask)
            .where(
                HumanTask.state.in_(ACTIVE),
                HumanTask.subject_nip == delegate_nip,
                or_(HumanTask.assignee_nip == nip, HumanTask.escalated_to == nip),
            )
            .order_by(HumanTask.id)
        )
        if judges_other(t.kind)
    ]
    if own:
        raise TaskError(
            f"{delegate_nip} tidak boleh menilai/menyetujui pekerjaannya sendiri (tugas "
            f"{', '.join(map(str, own))}) / {delegate_nip} may not approve or rate their own "
            f"work (tasks {', '.join(map(str, own))})"
        )
    now = clock.now()
    absence = Absence(
        nip=nip,
        delegate_nip=delegate_nip,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        recorded_by=by,
        recorded_at=now,
    )
    session.add(absence)
    session.flush()
    append_event(
        session,
        actor=by,
        action="absence.record",
        entity="absence",
        entity_id=str(absence.id),
        payload={
            "nip": nip,
            "delegate": delegate_nip,
            "from": starts_on,
            "until": ends_on,
            "reason": reason,
        },
        at=now,
    )
    items = [
        ItemResult(
            None,
            nip,
            "ok",
            f"absence {absence.id}: {starts_on} - {ends_on}, delegate {delegate_nip}",
        )
    ]
    for cycle in running_cycles(session):
        items += sync_delegations(session, cycle=cycle, now=cycle_now(cycle.clock_at, clock))
    return items


def end_absence(
    session: Session,
    *,
    absence_id: int,
    last_day: date | None,
    reason: str,
    by: str,
    clock: Clock,
) -> list[ItemResult]:
    """End an absence early: ``last_day`` becomes its last day (the person is back the day
    after), or, with ``last_day`` None or before the first day, the absence is cancelled
    (it never holds). Delegations that no longer hold are lifted at once, in every running
    cycle. Only shortening is allowed; a longer absence is a new one.

    Refused with :class:`TaskError` (nothing written) for an unknown absence, a missing
    reason, a last day after the recorded one, or a recorder who is neither the person nor
    an HR coordinator.
    """
    reason = (reason or "").strip()
    if not reason:
        raise TaskError("Alasan wajib diisi / a reason is required")
    absence = session.get(Absence, absence_id)
    if absence is None:
        raise TaskError(f"Absen tidak dikenal / unknown absence: {absence_id}")
    if by != absence.nip and by not in coordinators(session):
        raise TaskError(
            f"{by} bukan Koordinator SDM maupun pegawai ybs. / "
            f"{by} is neither the HR coordinator nor the person away"
        )
    if last_day is not None and last_day > absence.ends_on:
        raise TaskError(
            f"Hanya dapat dipersingkat: hari terakhir tercatat {absence.ends_on} / "
            f"an absence can only be shortened: its last day is {absence.ends_on}"
        )
    cancelled = last_day is None or last_day < absence.starts_on
    before = absence.ends_on
    absence.ends_on = absence.starts_on - timedelta(days=1) if cancelled else last_day
    now = clock.now()
    append_event(
        session,
        actor=by,
        action="absence.cancel" if cancelled else "absence.end",
        entity="absence",
        entity_id=str(absence.id),
        payload={
            "nip": absence.nip,
            "until_before": before,
            "until": absence.ends_on,
            "reason": reason,
        },
        at=now,
    )
    session.flush()
    what = "cancelled" if cancelled else f"ends {absence.ends_on}"
    items = [ItemResult(None, absence.nip, "ok", f"absence {absence.id}: {what}")]
    for cycle in running_cycles(session):
        items += sync_delegations(session, cycle=cycle, now=cycle_now(cycle.clock_at, clock))
    return items


def list_absences(session: Session, *, nip: str | None = None) -> list[Absence]:
    query = select(Absence).order_by(Absence.starts_on, Absence.id)
    if nip is not None:
        query = query.where(or_(Absence.nip == nip, Absence.delegate_nip == nip))
    return list(session.scalars(query))
