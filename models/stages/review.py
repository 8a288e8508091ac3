"""The review stage's automated work: a review task per person for their rater, then the
predikat from the ratings, credit points, and the distribution check.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_many
from kinerja.models.humantasks.opening import NewTask
from kinerja.models.rules.predikat import predikat_for
from kinerja.models.stages.common import in_chunk, rater, update_results
from kinerja.models.stages.credit_points import compute_credit_points
from kinerja.models.stages.distribution import check_distributions as check_groups
from kinerja.models.store.tables import Cycle, Employee, Result

# --- review ------------------------------------------------------------------------------------


def review_tasks(
    session: Session, *, cycle: Cycle, coordinator: str, lo: str, hi: str
) -> list[NewTask]:
    """A review task per person for their rater; for a rater outside the organisation, for
    the HR coordinator to record that rater's rating on their behalf (``on_behalf_of``)."""
    rows = session.execute(
        select(
            Result.nip,
            Result.proposed_hasil_kerja,
            Result.achievement,
            Employee.manager_nip,
            Result.external_rater,
        )
        .join(Employee, Employee.nip == Result.nip)
        .where(Result.cycle_id == cycle.cycle_id, in_chunk(Result.nip, lo, hi))
    ).all()
    return [
        NewTask(
            "review",
            nip,
            rater(m, coordinator),
            {"proposed_hasil_kerja": proposed, "achievement": achievement}
            | ({"on_behalf_of": outside} if outside and not m else {}),
        )
        for nip, proposed, achievement, m, outside in rows
    ]


def compute_predikat(
    session: Session, *, cycle: Cycle, pack: Any, lo: str, hi: str, now: datetime
) -> int:
    """The predikat of every rated employee of the chunk, with its derivation, audited."""

    updates = []
    events = []
    for nip, hasil, perilaku, derivation in session.execute(
        select(Result.nip, Result.hasil_kerja, Result.perilaku, Result.derivation)
        .where(Result.cycle_id == cycle.cycle_id, in_chunk(Result.nip, lo, hi))
        .order_by(Result.nip)
    ):
        if hasil is None or perilaku is None:
            predikat, steps = None, ["not rated: the review was closed without a rating"]
        else:
            derived = predikat_for(hasil_kerja=hasil, perilaku=perilaku, rules=pack.predikat)
            predikat, steps = derived.value, list(derived.steps)
        new_derivation = dict(derivation or {})
        new_derivation["predikat"] = steps
        updates.append(
            {
                "cycle_id": cycle.cycle_id,
                "nip": nip,
                "predikat": predikat,
                "derivation": new_derivation,
                "rule_version": pack.rule_version,
            }
        )
        events.append(
            {
                "actor": "system",
                "action": "result.predikat",
                "cycle_id": cycle.cycle_id,
                "entity": "result",
                "entity_id": nip,
                "payload": {
                    "hasil_kerja": hasil,
                    "perilaku": perilaku,
                    "predikat": predikat,
                    "rules": pack.rule_version,
                },
            }
        )
    update_results(session, updates, ("predikat", "derivation", "rule_version"))
    append_many(session, events=events, at=now)
    compute_credit_points(session, cycle=cycle, pack=pack, lo=lo, hi=hi, now=now)
    return len(updates)


def check_distributions(
    session: Session, *, cycle: Cycle, pack: Any, now: datetime | None = None
) -> dict[str, Any]:
    """The distribution curve per group (see models/stages/distribution.py); findings stored."""

    return check_groups(session, cycle=cycle, pack=pack, now=now)
