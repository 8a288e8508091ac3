"""Bulk helpers of models/store/bulk.py, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import datetime

from sqlalchemy import func, insert, select, text

from kinerja.models.store.bulk import IN_LIST, executemany, pairs_in, upsert
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


def test_upsert_sets_the_columns_given_and_keeps_the_others(session):
    cycle_id = _cycle(session)
    at = datetime(2026, 3, 1, 9, 30)
    keys = ["cycle_id", "period", "nip"]

    def row(nip: str, **values: object) -> dict[str, object]:
        return {"cycle_id": cycle_id, "period": "2026-03", "nip": nip, **values}

    first = [row(f"N{i}", unit_id="U", expected=float(i), rated_at=at) for i in range(3)]
    assert upsert(session, table=PeriodResult.__table__, rows=first, keys=keys) == 3
    # N1 and N2 change, N3 is new; achievement is not given: N1 and N2 keep theirs.
    session.execute(
        PeriodResult.__table__.update().where(PeriodResult.nip == "N1").values(achievement=0.5)
    )
    second = [row(f"N{i}", unit_id="V", expected=10.0 + i, rated_at=None) for i in (1, 2, 3)]
    assert upsert(session, table=PeriodResult.__table__, rows=second, keys=keys) == 3
    # Only ``expected`` is updated on conflict; a new row takes every value given.
    third = [row(f"N{i}", unit_id="W", expected=20.0 + i, rated_at=at) for i in (0, 4)]
    upsert(session, table=PeriodResult.__table__, rows=third, keys=keys, update=["expected"])
    # Nothing is updated on conflict; the new row is inserted.
    fourth = [row(f"N{i}", unit_id="X", expected=99.0) for i in (1, 5)]
    upsert(session, table=PeriodResult.__table__, rows=fourth, keys=keys, update=[])
    got = session.execute(
        select(
            PeriodResult.nip,
            PeriodResult.unit_id,
            PeriodResult.expected,
            PeriodResult.achievement,
            PeriodResult.rated_at,
            PeriodResult.at_risk,
            PeriodResult.derivation,
        ).order_by(PeriodResult.nip)
    ).all()
    assert [tuple(r) for r in got] == [
        ("N0", "U", 20.0, None, at, False, {}),
        ("N1", "V", 11.0, 0.5, None, False, {}),
        ("N2", "V", 12.0, None, None, False, {}),
        ("N3", "V", 13.0, None, None, False, {}),
        ("N4", "W", 24.0, None, at, False, {}),
        ("N5", "X", 99.0, None, None, False, {}),
    ]
