"""Races: two responders answer the same task at the same moment, on both backends.

Exactly one wins the compare-and-set on the task's state: its answer stands, with one
closing audit event; the other changes nothing and is told the task was already answered
(or, for the same answer, that it was already recorded). Raced in threads with their own
connections (as two portal workers would), as two ``kinerja respond`` processes, and an
answer against the sweeper's final deadline.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import get_cycle
from kinerja.models.humantasks.opening import NewTask
from kinerja.models.humantasks.states import Actor, TaskError
from kinerja.models.responses.service import respond
from kinerja.models.responses.sweeper import sweep
from kinerja.models.store.db import get_engine, session_scope
from kinerja.models.store.tables import AuditEvent, Employee, HumanTask, Target
from kinerja.tests.models.orgfixture import CYCLE_ID, START, M, build_org, open_with_tasks
from kinerja.tests.reliability.conftest import scale

CLOSING = ("task.respond", "task.return", "task.expire")
APPROVE = {"decision": "approve"}
RETURN = {"decision": "return", "comment": "Perbaiki target 1 / revise target 1"}


def _staff(n: int) -> list[str]:
    return [f"S-{i:03d}" for i in range(n)]


def _org_with_approvals(db_url: str, n: int) -> list[int]:
    """The test organisation plus ``n`` staff of M with one proposed target each, and an
    open approval task per person; returns the task ids."""
    with session_scope(get_engine(db_url)) as session:
        org = build_org(session)
        for nip in _staff(n):
            session.add(
                Employee(
                    nip=nip, name=f"Staf {nip}", unit_id="SEC", position="Analis", manager_nip=M
                )
            )
            session.add(
                Target(
                    cycle_id=CYCLE_ID,
                    target_id=f"{nip}-T1",
                    nip=nip,
                    serves="G-1",
                    statement="Hasil kerja",
                    indicator="Indikator",
                    aspect="kuantitas",
                    target_value=10.0,
                    unit_of_measure="dokumen",
                    direction="higher",
                    kind="utama",
                    status="proposed",
                )
            )
        session.flush()
        tasks = open_with_tasks(
            session,
            org=org,
            stage="approve_targets",
            tasks=[NewTask("approve_targets", nip, M, {"targets": 1}) for nip in _staff(n)],
            now=START,
        )
        return [t.id for t in tasks]


def _answer(db_url: str, task_id: int, data: dict[str, Any]) -> str:
    """One responder in its own session and connection: ``recorded``, ``repeat`` or the
    refusal's text."""
    try:
        with session_scope(get_engine(db_url)) as session:
            outcome = respond(
                session, task_id=task_id, actor=Actor(M), data=data, now=START + timedelta(1)
            )
        return "recorded" if outcome.recorded else "repeat"
    except TaskError as exc:
        return f"refused: {exc}"


def _together(*calls: Callable[[], str]) -> list[str]:
    """Run the calls in threads released at the same moment; their results, in order."""
    barrier = threading.Barrier(len(calls))
    results: list[str] = [""] * len(calls)

    def run(i: int, call: Callable[[], str]) -> None:
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def _closing_events(session: Session, task_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.entity == "human_task",
                AuditEvent.entity_id == str(task_id),
                AuditEvent.action.in_(CLOSING),
            )
        )
        or 0
    )


def _held(db_url: str, task_id: int, outcomes: list[str], answers: list[dict]) -> bool:
    """One winner; the loser refused as already answered (or told it was a repeat of the
    same answer); one closing event; the task and its targets say what the winner said."""
    winners = [i for i, o in enumerate(outcomes) if o == "recorded"]
    if len(winners) != 1:
        return False
    for i, outcome in enumerate(outcomes):
        if i == winners[0]:
            continue
        same = answers[i] == answers[winners[0]]
        if not (outcome == "repeat" if same else "already answered" in outcome):
            return False
    won = answers[winners[0]]
    with session_scope(get_engine(db_url)) as session:
        task = session.get(HumanTask, task_id)
        assert task is not None
        status = session.scalar(
            select(Target.status).where(Target.nip == task.subject_nip, Target.cycle_id == CYCLE_ID)
        )
        expected = (
            ("done", "approved") if won["decision"] == "approve" else ("returned", "returned")
        )
        return _closing_events(session, task_id) == 1 and (task.state, status) == expected


def test_two_responders_on_one_task_one_wins(db_url, tally):
    n = scale(12, 120)
    task_ids = _org_with_approvals(db_url, n)
    held = 0
    for i, task_id in enumerate(task_ids):
        # Mostly different answers; every third race is a double submission of one answer.
        answers = [APPROVE, RETURN] if i % 3 else [APPROVE, dict(APPROVE)]
        outcomes = _together(*(lambda a=a, t=task_id: _answer(db_url, t, a) for a in answers))
        held += _held(db_url, task_id, outcomes, answers)
    tally(f"one winner per race, threads [{db_url.split(':')[0]}]", n, held)
    assert held == n


def test_an_answer_racing_the_final_deadline_closes_the_task_once(db_url, tally):
    n = scale(6, 40)
    task_ids = _org_with_approvals(db_url, n)
    # Task i reaches its final deadline on day 30 + i: each race's sweep finds only its task
    # past due (the tasks before it are closed already).
    base = START + timedelta(days=30)
    with session_scope(get_engine(db_url)) as session:
        for i, task_id in enumerate(task_ids):
            session.get(HumanTask, task_id).final_due_at = base + timedelta(days=i)
    moments = {task_id: base + timedelta(days=i, hours=12) for i, task_id in enumerate(task_ids)}

    def sweeper(task_id: int) -> str:
        with session_scope(get_engine(db_url)) as session:
            sweep(session, cycle=get_cycle(session, CYCLE_ID), now=moments[task_id])
        return "swept"

    held = 0
    for task_id in task_ids:
        answer = _together(
            lambda t=task_id: _answer(db_url, t, APPROVE), lambda t=task_id: sweeper(t)
        )[0]
        with session_scope(get_engine(db_url)) as session:
            task = session.get(HumanTask, task_id)
            assert task is not None
            ok = _closing_events(session, task_id) == 1 and (
                (answer == "recorded" and task.state == "done")
                # The loser is refused either way: "already answered" when it lost the
                # compare-and-set, "is expired" when the sweeper committed before it loaded.
                or (answer.startswith("refused:") and task.state == "expired")
            )
        held += ok
    tally(f"answer vs final deadline, one close [{db_url.split(':')[0]}]", n, held)
    assert held == n


def test_two_kinerja_respond_processes_one_wins(db_url, tally, tmp_path):
    n = scale(2, 10)
    task_ids = _org_with_approvals(db_url, n)
    env = {
        **os.environ,
        "KINERJA_DATABASE_URL": db_url,
        "KINERJA_HOME": str(tmp_path),
        "PREFECT_HOME": str(tmp_path / "prefect"),
    }
    held = 0
    for task_id in task_ids:
        argv = [
            [
                sys.executable,
                "-m",
                "kinerja.cli.main",
                "respond",
                str(task_id),
                "--as",
                M,
                "--no-advance",
                "--decision",
                d,
                *(["--comment", "Perbaiki"] if d == "return" else []),
            ]
            for d in ("approve", "return")
        ]
        procs = [
            subprocess.Popen(a, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for a in argv
        ]
        outs = [p.communicate(timeout=300) for p in procs]
        codes = [p.returncode for p in procs]
        won = [i for i, c in enumerate(codes) if c == 0]
        lost_ok = len(won) == 1 and "already answered" in outs[1 - won[0]][1]
        with session_scope(get_engine(db_url)) as session:
            task = session.get(HumanTask, task_id)
            assert task is not None
            state = ("done", "returned")[won[0]] if len(won) == 1 else None
            ok = lost_ok and _closing_events(session, task_id) == 1 and task.state == state
        if not ok:
            print(codes, outs)
        held += ok
    tally(f"one winner per race, two processes [{db_url.split(':')[0]}]", n, held)
    assert held == n


@pytest.mark.parametrize("answers", [[APPROVE, RETURN], [RETURN, APPROVE]])
def test_a_stale_session_cannot_answer_a_closed_task(db_url, answers):
    # The first responder's session loaded the task before the second closed it: its own
    # copy still says open, yet its answer is refused and changes nothing.
    (task_id,) = _org_with_approvals(db_url, 1)
    engine = get_engine(db_url)
    with Session(engine) as stale:
        assert stale.get(HumanTask, task_id).state == "open"
        assert _answer(db_url, task_id, answers[1]) == "recorded"
        with pytest.raises(TaskError, match="already answered"):
            respond(
                stale, task_id=task_id, actor=Actor(M), data=answers[0], now=START + timedelta(1)
            )
        stale.rollback()
    with session_scope(engine) as session:
        assert _closing_events(session, task_id) == 1
