"""The appellant hears the outcome of their appeal (keberatan): one message, once.

The decision of the rater's superior is final (PP 30/2019 Pasal 59, DOMAIN.md A1), so the
employee is told what was decided, why, and their result now, with a signed link to their
own page (``/me/<token>``) where the recalculated result, training and incentive show. An
appeal nobody decided by its final deadline is closed by the sweeper, and the appellant is
told that too.
The message is written in the same transaction as the decision; its key (cycle, task,
``appeal_decided``, appellant) keeps a repeated decision from sending twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.orm import Session

from kinerja.models.humantasks.links import PERSON_LINK_DAYS, link_secret, sign_person
from kinerja.models.humantasks.messages import people
from kinerja.models.humantasks.states import title
from kinerja.models.outbox.queue import enqueue_many, notification_key
from kinerja.models.outbox.templates import render
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.store.tables import Cycle, HumanTask, Result

KIND = "appeal_decided"


def _summary(
    *, outcome: str, reason: str, decider: str, cycle_name: str, result: Result | None, lang: str
) -> str:
    predikat = (result.predikat if result is not None else None) or "-"
    if lang == "id":
        if outcome == "lapsed":
            return (
                f"Keberatan Anda atas hasil siklus {cycle_name} tidak diputus sampai batas waktu"
                f" akhir; keberatan ditutup dan hasil Anda tetap. Predikat Anda: {predikat}."
            )
        verdict = "DITERIMA (hasil dihitung ulang)" if outcome == "upheld" else "DITOLAK"
        return (
            f"{decider} telah memutus keberatan Anda atas hasil siklus {cycle_name}."
            f" Keputusan ini bersifat final.\n\n{verdict}. Alasan: {reason}."
            f" Predikat Anda sekarang: {predikat}."
        )
    if outcome == "lapsed":
        return (
            f"Your appeal on your {cycle_name} result was not decided by the final deadline;"
            f" it was closed and your result stands. Your predikat: {predikat}."
        )
    verdict = "UPHELD (result recalculated)" if outcome == "upheld" else "REJECTED"
    return (
        f"{decider} decided your appeal on your {cycle_name} result. This decision is final."
        f"\n\n{verdict}. Reason: {reason}. Your predikat is now: {predikat}."
    )


def queue_appeal_outcome(
    session: Session,
    *,
    cycle: Cycle,
    config: CycleConfig,
    task: HumanTask,
    outcome: Literal["upheld", "rejected", "lapsed"],
    reason: str,
    decided_by: str,
    now: datetime,
) -> int:
    """Queue the ``appeal_decided`` message to the appellant: the decision (``upheld``,
    ``rejected``) or, when nobody decided by the final deadline, ``lapsed``. Returns rows
    newly queued."""
    appellant = task.subject_nip
    known = people(session, [appellant, decided_by])
    name, lang = known.get(appellant, (appellant, config.lang))
    result = session.get(Result, (cycle.cycle_id, appellant))
    token = sign_person(appellant, now + timedelta(days=PERSON_LINK_DAYS), link_secret())
    link = f"{config.portal_url.rstrip('/')}/me/{token}"
    subject, body = render(
        KIND,
        lang,
        {
            "name": name,
            "cycle_name": cycle.name,
            "task_title": title(task.kind, lang),
            "subject_name": name,
            "assignee_name": known.get(decided_by, (decided_by, lang))[0],
            "due_at": "",
            "link": link,
            "level": "0",
            "comment": _summary(
                outcome=outcome,
                reason=reason,
                decider=known.get(decided_by, (decided_by, lang))[0],
                cycle_name=cycle.name,
                result=result,
                lang=lang,
            ),
        },
    )
    row = {
        "key": notification_key(
            cycle_id=cycle.cycle_id, task_id=task.id, kind=KIND, recipient_nip=appellant
        ),
        "cycle_id": cycle.cycle_id,
        "task_id": task.id,
        "kind": KIND,
        "recipient_nip": appellant,
        "lang": lang,
        "subject": subject,
        "body": body,
        "link": link,
    }
    return enqueue_many(session, rows=[row], now=now)
