"""The message to the HR coordinator when a gate starts waiting for their signature.

Queued once per cycle and gate (its outbox key names the gate), in the cycle's language,
with the gate's figures (the units failing the distribution check, or the incentive total
against the budget, in that language's number format), the date the pause runs out, and a
signed link that opens the coordinator's desk in the portal.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import cycle_config
from kinerja.models.humantasks.links import LINK_GRACE, link_secret, sign_desk
from kinerja.models.outbox.formats import format_day
from kinerja.models.outbox.queue import enqueue_many, notification_key
from kinerja.models.outbox.templates import render
from kinerja.models.rules.numbers import money, number
from kinerja.models.stages.gates import gate_title, gates_config
from kinerja.models.store.tables import Cycle

KIND = "gate_waiting"


def gate_figures(kind: str, summary: dict[str, Any], lang: str) -> str:
    """One line of what the coordinator signs, in ``lang``."""
    en = lang == "en"
    if kind == "publication":
        failing = len(summary.get("failing") or {})
        if not failing:
            return (
                "Every unit passes the distribution check."
                if en
                else ("Semua unit lolos uji distribusi.")
            )
        return (
            f"{number(failing, lang=lang)} unit(s) fail the distribution check: accept each"
            " with a reason, or reject."
            if en
            else f"{number(failing, lang=lang)} unit gagal uji distribusi: terima masing-masing"
            " dengan alasan, atau tolak."
        )
    budget = summary.get("budget")
    total = money(summary["total"], lang=lang)
    cap = money(budget, lang=lang) if budget is not None else "-"
    return f"Total: {total}; budget: {cap}." if en else f"Total: {total}; pagu: {cap}."


def announce_gate(
    session: Session,
    *,
    cycle: Cycle,
    kind: str,
    summary: dict[str, Any],
    now: datetime,
) -> int:
    """Queue the gate-waiting message to the cycle's coordinator; 0 when already queued.

    Its link opens the coordinator's desk at once (a desk token, valid while the gate may
    still be signed); ``now`` is the wall clock, which the portal checks links against.
    """
    config = cycle_config(cycle)
    coordinator, lang = config.coordinator, config.lang
    title = gate_title(kind)[0 if lang == "id" else 1]
    until = now + timedelta(days=gates_config(cycle).timeout_days)
    token = sign_desk(coordinator.nip, until + LINK_GRACE, link_secret())
    link = f"{config.portal_url.rstrip('/')}/desk/{token}"
    subject, body = render(
        KIND,
        lang,
        {
            "name": coordinator.name,
            "cycle_name": cycle.name,
            "task_title": title,
            "subject_name": "",
            "assignee_name": "",
            "due_at": format_day(until, lang),
            "link": link,
            "level": "0",
            "comment": gate_figures(kind, summary, lang),
        },
    )
    row = {
        "key": notification_key(
            cycle_id=cycle.cycle_id,
            task_id=f"gate-{kind}",
            kind=KIND,
            recipient_nip=coordinator.nip,
        ),
        "cycle_id": cycle.cycle_id,
        "task_id": None,
        "kind": KIND,
        "recipient_nip": coordinator.nip,
        "lang": lang,
        "subject": subject,
        "body": body,
        "link": link,
    }
    return enqueue_many(session, rows=[row], now=now)
