"""Bulk helpers of models/store/bulk.py, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import datetime

from sqlalchemy import func, insert, select, text

from kinerja.models.store.bulk import IN_LIST, executemany, pairs_in
from kinerja.models.store.tables import Cycle, PeriodResult


def _cycle(session) -> str:
    session.execute(
        insert(Cycle.__table__).values(
            cycle_id="c1",
            name="c1",
            pack_name="p",
            pack_version="1",
            config={},
            config_hash="h",
            pack={},
            pack_hash="h",
            status="running",
            created_at=datetime(2026, 1, 1),
        )
    )
    return "c1"


def test_pairs_in_matches_exactly_the_pairs(session):
    cycle_id = _cycle(session)
    periods = [f"2026-{m:02d}" for m in range(1, 13)]
    nips = [f"N{i:05d}" for i in range(IN_LIST + 300)]  # one period needs two IN lists
    rows = [
        {"cycle_id": cycle_id, "period": p, "nip": n, "unit_id": "U", "expected": 50.0}
        for p in periods[:3]
        for n in nips
    ]
    executemany(session, insert(PeriodResult.__table__), rows)
    rng = random.Random(5)
    wanted = {("2026-01", n) for n in nips} | {
        (p, n) for p in periods for n in rng.sample(nips, 40)
    }
    found = set()
    for where in pairs_in(PeriodResult.period, PeriodResult.nip, sorted(wanted)):
        found |= set(
            session.execute(
                select(PeriodResult.period, PeriodResult.nip).where(
                    PeriodResult.cycle_id == cycle_id, where
                )
            ).all()
        )
    stored = {(r["period"], r["nip"]) for r in rows}
    assert found == wanted & stored
    assert len(pairs_in(PeriodResult.period, PeriodResult.nip, sorted(wanted))) == 12 + 1
    assert session.scalar(select(func.count()).select_from(PeriodResult)) == len(rows)


def test_executemany_converts_like_sqlalchemy_and_fills_defaults(session):
    cycle_id = _cycle(session)
    at = datetime(2026, 3, 1, 9, 30)  # no microseconds: str(at) would drop them
    rows = [
        {
            "cycle_id": cycle_id,
            "period": "2026-03",
            "nip": f"N{i}",
            "unit_id": "U",
            "expected": 25.0,
            "rated_at": at,
            "derivation": {"steps": ["é", i]},
        }
        for i in range(3)
    ]
    executemany(session, insert(PeriodResult.__table__), rows[:2])
    session.execute(insert(PeriodResult.__table__), rows[2:])
    got = session.execute(
        select(
            PeriodResult.nip, PeriodResult.rated_at, PeriodResult.derivation, PeriodResult.at_risk
        ).order_by(PeriodResult.nip)
    ).all()
    assert [tuple(r) for r in got] == [(f"N{i}", at, {"steps": ["é", i]}, False) for i in range(3)]
    # Stored alike, as SQLite's text too (a comparison in SQL sees the same value).
    raw = session.execute(text("SELECT rated_at FROM period_results ORDER BY nip")).scalars()
    assert len(set(raw)) == 1
