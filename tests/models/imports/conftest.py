"""Fixtures for the importer tests: a session on each backend, a cycle, small files."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from kinerja.models.store.tables import (
    Cycle,
    Employee,
    Goal,
    Measurement,
    ScriptedReview,
    SurveyResponse,
    Target,
    Unit,
    UnitRating,
)

CYCLE = "c2025"
IMPORTED = (Unit, Employee, Goal, Target, Measurement, SurveyResponse, ScriptedReview, UnitRating)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """write("units.csv", "unit_id,name", "U1,Dinas") -> the file's path (UTF-8)."""

    def _write(name: str, *lines: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding=encoding)
        return path

    return _write


@pytest.fixture
def counts(session: Session) -> Callable[[], dict[str, int]]:
    """Rows per imported table as this session sees them, to show a refusal wrote nothing."""

    def _counts() -> dict[str, int]:
        return {
            t.__tablename__: session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in IMPORTED
        }

    return _counts


@pytest.fixture
def cycle(session: Session) -> str:
    """A minimal cycle row (goals, targets, ... refer to it by foreign key)."""
    cycle_id = CYCLE
    session.add(
        Cycle(
            cycle_id=cycle_id,
            name="Siklus 2025",
            pack_name="asn",
            pack_version="1",
            config={},
            config_hash="0" * 64,
            pack={},
            pack_hash="0" * 64,
            created_at=datetime(2025, 1, 1),
        )
    )
    session.commit()
    return cycle_id


@pytest.fixture
def org(session: Session) -> None:
    """A small organisation: a head office with two units, a head, managers and staff.

    KADIS heads DINAS; M1 (unit A) and M2 (unit B) report to KADIS; S1, S2 to M1; S3 to M2.
    """
    session.add_all(
        [
            Unit(unit_id="DINAS", name="Dinas", parent_id=None, head_nip="KADIS"),
            Unit(unit_id="A", name="Bidang A", parent_id="DINAS", is_service_unit=True),
            Unit(unit_id="B", name="Bidang B", parent_id="DINAS"),
        ]
    )
    people = [
        ("KADIS", "DINAS", None),
        ("M1", "A", "KADIS"),
        ("M2", "B", "KADIS"),
        ("S1", "A", "M1"),
        ("S2", "A", "M1"),
        ("S3", "B", "M2"),
    ]
    session.add_all(
        Employee(nip=n, name=f"Pegawai {n}", unit_id=u, position="Staf", manager_nip=m)
        for n, u, m in people
    )
    session.commit()
