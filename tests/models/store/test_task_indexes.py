"""Which index SQLite takes for the human-task lookups whose cost must not grow with the
cycle (SQLite has no statistics to guide it: the indexes alone decide)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from kinerja.models.humantasks.states import ACTIVE
from kinerja.models.store.tables import HumanTask


def _plan(session: Session, query) -> str:
    sql = str(query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    return "\n".join(row[-1] for row in session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))


@pytest.fixture
def sqlite_session(session: Session) -> Session:
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("query plans of SQLite")
    return session


def test_a_persons_latest_task_of_a_kind_is_found_by_subject(sqlite_session):
    # How a revision of returned targets finds its approval task: once per answer.
    latest = (
        select(HumanTask)
        .where(
            HumanTask.cycle_id == "c1",
            HumanTask.kind == "approve_targets",
            HumanTask.subject_nip == "N1",
        )
        .order_by(HumanTask.round.desc())
        .limit(1)
    )
    assert "ix_human_tasks_subject_cycle (subject_nip=? AND cycle_id=?)" in _plan(
        sqlite_session, latest
    )


def test_a_stages_active_tasks_keep_the_cycle_stage_state_index(sqlite_session):
    active = select(func.count()).where(
        HumanTask.cycle_id == "c1",
        HumanTask.stage == "approve_targets",
        HumanTask.state.in_(ACTIVE),
    )
    plan = _plan(sqlite_session, active)
    assert "ix_human_tasks_cycle_stage_state" in plan
    assert "subject" not in plan
