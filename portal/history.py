"""A person's results in earlier cycles, for the pages where a rater decides (a review, a
check-in, an appeal): each cycle's name, its ratings and predikat in the page's language,
by that cycle's own pack. Read-only.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import pack_of
from kinerja.models.store.tables import Cycle, Result
from kinerja.portal.codes import pack_label

EARLIER_CYCLES = 5
"""How many earlier cycles a rater's page shows, newest first."""


def earlier_results(
    session: Session, *, nip: str, cycle_id: str, lang: str
) -> list[dict[str, Any]]:
    """The rated results of ``nip`` in cycles other than ``cycle_id``, newest first."""
    rows = session.execute(
        select(Result, Cycle)
        .join(Cycle, Cycle.cycle_id == Result.cycle_id)
        .where(Result.nip == nip, Result.cycle_id != cycle_id, Result.hasil_kerja.is_not(None))
        .order_by(Cycle.created_at.desc())
        .limit(EARLIER_CYCLES)
    ).all()
    out = []
    for result, cycle in rows:
        pack = pack_of(cycle)
        out.append(
            {
                "cycle": cycle.name,
                "hasil_kerja": pack_label(pack.result_rating.labels, result.hasil_kerja, lang),
                "perilaku": pack_label(pack.behaviour.labels, result.perilaku, lang),
                "predikat": pack_label(pack.predikat.labels, result.predikat, lang)
                if result.predikat
                else None,
            }
        )
    return out
