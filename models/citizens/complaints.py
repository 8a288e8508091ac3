"""Complaints (pengaduan): intake, the officer's task, the reply, and the tracking view.

A complaint comes from a service unit's public form or from an SP4N-LAPOR! export
(:mod:`kinerja.models.citizens.lapor`). Filing it, in one transaction: the complaint row with
its tracking code, a human task ``answer_complaint`` for the unit's complaint officer (the
unit head when none is named) due at the end of its category's service level in working
days (the pack's ``complaints`` section, the holiday calendar), the task's message with its
signed link, and an audit event. The officer answers through the response service like any
task (:func:`complaint_answered` is the effect); the reply shows on the tracking page and
is mailed when the citizen left a contact.

The task belongs to the newest cycle (its portal address, coordinator and messages); the
complaint counts in the figures of the cycle whose period holds the day it was received.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_event
from kinerja.models.citizens.calendar import holidays
from kinerja.models.cycles.cycle import CycleError, cycle_config, get_cycle, pack_of
from kinerja.models.humantasks.messages import queue_task_messages
from kinerja.models.humantasks.opening import NewTask, open_tasks
from kinerja.models.humantasks.states import Actor
from kinerja.models.outbox.queue import enqueue_many, notification_key
from kinerja.models.outbox.recipients import CITIZEN
from kinerja.models.outbox.templates import render
from kinerja.models.policy.complaints import ComplaintRules
from kinerja.models.rules.workdays import add_working_days
from kinerja.models.schemas.citizens import ComplaintFiling
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.schemas.inputs import ComplaintReply
from kinerja.models.store.tables import Complaint, Cycle, Employee, HumanTask, Unit

KIND = "answer_complaint"
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CLOSE_REASONS = {
    "resolved": ("Selesai ditangani", "Resolved"),
    "not_substantiated": ("Tidak terbukti", "Not substantiated"),
    "out_of_scope": ("Bukan kewenangan unit ini", "Outside this unit's remit"),
    "duplicate": ("Pengaduan ganda", "Duplicate"),
    "withdrawn": ("Dicabut pelapor", "Withdrawn"),
}
"""Why a complaint was closed: code -> (Bahasa Indonesia, English)."""


class ComplaintError(ValueError):
    """A complaint the engine refuses; the message is bilingual."""


@dataclass(frozen=True)
class Tracking:
    """What the tracking page shows: never the contact, never who the citizen is."""

    code: str
    unit_name: str
    category: str
    text: str
    received_at: datetime
    due_at: datetime
    status: str
    reply: str | None
    replied_at: datetime | None
    close_reason: str | None


def complaint_rules(cycle: Cycle) -> ComplaintRules:
    rules = pack_of(cycle).complaints
    if rules is None:
        raise ComplaintError(
            "paket kebijakan tanpa bagian pengaduan / the policy pack has no complaints section"
        )
    return rules


def due_at(received: datetime, working_days: int, days_off: set[Any]) -> datetime:
    """The end of the service level: the close of its last working day."""
    return datetime.combine(add_working_days(received.date(), working_days, days_off), time.max)


def officer_of(session: Session, unit: Unit) -> str:
    """Who answers the unit's complaints: its complaint officer, else its head."""
    nip = unit.complaint_officer_nip or unit.head_nip
    if not nip or session.get(Employee, nip) is None:
        raise ComplaintError(
            f"unit {unit.unit_id!r} tanpa petugas pengaduan atau kepala / "
            f"unit {unit.unit_id!r} has no complaint officer or head"
        )
    return nip


def file_complaint(
    session: Session,
    *,
    unit_id: str,
    filing: ComplaintFiling,
    now: datetime,
    source: str = "portal",
    external_id: str | None = None,
    received_at: datetime | None = None,
) -> Complaint:
    """File one complaint and open its officer's task; see the module docstring.

    ``received_at`` (default ``now``) starts the service level: an imported LAPOR! complaint
    keeps the day it reached the national channel.
    """
    unit = session.get(Unit, unit_id)
    if unit is None or not unit.is_service_unit:
        raise ComplaintError(
            f"unit layanan {unit_id!r} tidak dikenal / unknown service unit {unit_id!r}"
        )
    try:
        cycle = get_cycle(session, None)
    except CycleError as exc:
        raise ComplaintError(str(exc)) from None
    config = cycle_config(cycle)
    rules = complaint_rules(cycle)
    category = rules.category(filing.category)
    if category is None:
        known = ", ".join(c.code for c in rules.categories)
        raise ComplaintError(
            f"kategori tidak dikenal {filing.category!r} / unknown category (one of {known})"
        )
    officer = officer_of(session, unit)
    received = received_at or now
    days_off = holidays(session)
    due = due_at(received, category.working_days, days_off)
    final = due_at(due, rules.final_after_working_days, days_off)
    complaint = Complaint(
        tracking_code=_new_code(session),
        unit_id=unit_id,
        cycle_id=cycle.cycle_id,
        source=source,
        external_id=external_id,
        category=category.code,
        text=filing.text,
        contact=filing.contact,
        received_at=received,
        due_at=due,
        status="open",
    )
    session.add(complaint)
    session.flush()
    payload = {"complaint": complaint.tracking_code, "unit_id": unit_id}
    [task] = open_tasks(
        session,
        cycle=cycle,
        config=config,
        stage_due_at=due,
        stage_final_due_at=final,
        tasks=[NewTask(KIND, complaint.tracking_code, officer, payload)],
        now=now,
        notify=False,
    )
    # The service level stands even when it ends within a day, or (an import) has passed.
    task.due_at = due
    complaint.task_id = task.id
    queue_task_messages(
        session, cycle=cycle, config=config, tasks=[task], kind="task_opened", now=now
    )
    append_event(
        session,
        at=now,
        actor="citizen" if source == "portal" else source,
        action="complaint.received",
        cycle_id=cycle.cycle_id,
        entity="complaint",
        entity_id=complaint.tracking_code,
        payload={
            "unit_id": unit_id,
            "category": category.code,
            "source": source,
            "external_id": external_id,
            "due_at": due.isoformat(),
            "task_id": task.id,
        },
    )
    session.flush()
    return complaint


def _new_code(session: Session) -> str:
    while True:
        code = "ADU-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        if session.scalar(select(Complaint.id).where(Complaint.tracking_code == code)) is None:
            return code


def complaint_answered(
    session: Session,
    *,
    task: HumanTask,
    cycle: Cycle,
    config: CycleConfig,
    actor: Actor,
    data: ComplaintReply,
    now: datetime,
) -> None:
    """The response effect of ``answer_complaint``: the reply, the closure, the citizen's mail.

    The response service has claimed the task (exactly one answer wins) and closes it.
    """
    complaint = session.scalar(
        select(Complaint).where(Complaint.task_id == task.id).with_for_update()
    )
    if complaint is None:
        raise ComplaintError(f"tugas {task.id} tanpa pengaduan / task without a complaint")
    complaint.reply = data.reply
    complaint.replied_at = now
    complaint.replied_by = actor.nip
    complaint.close_reason = data.close_reason
    complaint.status = "closed" if data.close_reason else "answered"
    if complaint.contact:
        _mail_reply(session, complaint=complaint, cycle=cycle, config=config, now=now)


def tracking_link(config: CycleConfig, code: str) -> str:
    return f"{config.portal_url.rstrip('/')}/pengaduan/{code}"


def _mail_reply(
    session: Session, *, complaint: Complaint, cycle: Cycle, config: CycleConfig, now: datetime
) -> None:
    officer = session.get(Employee, complaint.replied_by or "")
    lang = "id"
    link = tracking_link(config, complaint.tracking_code)
    subject, body = render(
        "complaint_answered",
        lang,
        {
            "name": "Bapak/Ibu",
            "subject_name": complaint.tracking_code,
            "assignee_name": officer.name if officer else complaint.unit_id,
            "comment": complaint.reply or "",
            "link": link,
        },
    )
    recipient = CITIZEN + complaint.tracking_code
    enqueue_many(
        session,
        rows=[
            {
                "key": notification_key(
                    cycle_id=cycle.cycle_id,
                    task_id=complaint.task_id,
                    kind="complaint_answered",
                    recipient_nip=recipient,
                ),
                "cycle_id": cycle.cycle_id,
                "task_id": complaint.task_id,
                "kind": "complaint_answered",
                "recipient_nip": recipient,
                "lang": lang,
                "subject": subject,
                "body": body,
                "link": link,
            }
        ],
        now=now,
    )


def tracking(session: Session, code: str, lang: str) -> Tracking | None:
    """The tracking view of a complaint, or None for an unknown code."""
    complaint = session.scalar(select(Complaint).where(Complaint.tracking_code == code.upper()))
    if complaint is None:
        return None
    unit = session.get(Unit, complaint.unit_id)
    cycle = session.get(Cycle, complaint.cycle_id)
    category = complaint.category
    if cycle is not None and (rules := pack_of(cycle).complaints) is not None:
        found = rules.category(category)
        category = found.label.get(lang) if found else category
    reason = CLOSE_REASONS.get(complaint.close_reason or "")
    return Tracking(
        code=complaint.tracking_code,
        unit_name=unit.name if unit else complaint.unit_id,
        category=category,
        text=complaint.text,
        received_at=complaint.received_at,
        due_at=complaint.due_at,
        status=complaint.status,
        reply=complaint.reply,
        replied_at=complaint.replied_at,
        close_reason=(reason[0] if lang == "id" else reason[1]) if reason else None,
    )


def complaint_of_task(session: Session, task_id: int) -> Complaint | None:
    return session.scalar(select(Complaint).where(Complaint.task_id == task_id))
