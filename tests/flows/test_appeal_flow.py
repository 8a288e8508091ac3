"""An appeal after a whole simulated cycle, through the CLI, on SQLite and PostgreSQL.

The demo scenario runs to publication as Prefect flows; then an employee rated below
expectation files an appeal with ``kinerja appeal file``, its message reaches the rater's
superior by e-mail, the superior upholds it with ``kinerja appeal decide``, and only that
employee's result, their unit's publication and their distribution group's findings change;
``kinerja audit verify`` passes, and running the cycle flow again undoes nothing.
"""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import typer
from sqlalchemy import select
from typer.testing import CliRunner

from kinerja.cli.appeals import register
from kinerja.flows.cycle import performance_cycle
from kinerja.flows.simulate import simulate
from kinerja.models.audit.verify import verify
from kinerja.models.outbox.routes import Routes
from kinerja.models.results.exports import export_results
from kinerja.models.store.clock import ManualClock
from kinerja.models.store.db import get_engine, session_factory, session_scope
from kinerja.models.store.tables import (
    Cycle,
    DistributionFinding,
    Employee,
    HumanTask,
    JpLedgerEntry,
    Publication,
    Result,
    TrainingAssignment,
)
from kinerja.tasks.notify import dispatch_due

DEMO = Path(__file__).resolve().parents[2] / "configs" / "demo"
runner = CliRunner()


def appeal(*args: str) -> Any:
    """``kinerja appeal ARGS`` on an app where :func:`register` added the commands."""
    app = typer.Typer()
    register(app)
    return runner.invoke(app, ["appeal", *args])


def published_state(engine: Any, cycle_id: str) -> dict[str, Any]:
    with session_scope(engine) as s:
        return {
            "results": json.loads(export_results(s, cycle_id=cycle_id, fmt="json")),
            "publications": {
                p.unit_id: p.payload
                for p in s.scalars(select(Publication).where(Publication.cycle_id == cycle_id))
            },
            "findings": {
                (f.unit_id, f.rater_nip, f.rule): f.passed
                for f in s.scalars(
                    select(DistributionFinding).where(DistributionFinding.cycle_id == cycle_id)
                )
            },
            "training": {
                (t.nip, t.course): t.jp
                for t in s.scalars(
                    select(TrainingAssignment).where(TrainingAssignment.cycle_id == cycle_id)
                )
            },
            "ledger": {e.key: (e.nip, e.jp) for e in s.scalars(select(JpLedgerEntry))},
        }


def changed(before: dict[str, Any], after: dict[str, Any], table: str) -> set[Any]:
    """Keys of ``table`` whose rows differ (changed, added or removed)."""
    keys = before[table].keys() | after[table].keys()
    return {k for k in keys if before[table].get(k) != after[table].get(k)}


def test_an_upheld_appeal_after_a_simulated_cycle(db_url, mail, tmp_path, monkeypatch):
    monkeypatch.setenv("KINERJA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KINERJA_DATABASE_URL", db_url)
    scenario = tmp_path / "scenario"
    shutil.copytree(DEMO, scenario)
    report = simulate(scenario, db_url=db_url)
    engine = get_engine(db_url)
    cid = report.cycle_id
    with session_scope(engine) as s:
        appellant, unit, rater = s.execute(
            select(Result.nip, Result.unit_id, Result.rater_nip)
            .where(Result.cycle_id == cid, Result.hasil_kerja == "di_bawah")
            .order_by(Result.nip)
            .limit(1)
        ).one()
        superior = s.scalar(select(Employee.manager_nip).where(Employee.nip == rater))
        rater_unit = s.scalar(select(Employee.unit_id).where(Employee.nip == rater))
        decider_email = s.scalar(select(Employee.email).where(Employee.nip == superior))
        published_at = s.get(Cycle, cid).finished_at
    assert superior is not None and decider_email
    before = published_state(engine, cid)
    mails_before = len(mail.files())

    filed = appeal("file", appellant, "--cycle", cid, "--reason", "Bukti antrean Q4")
    assert filed.exit_code == 0, filed.output
    again = appeal("file", appellant, "--cycle", cid, "--reason", "lagi")
    assert again.exit_code == 2 and "already appealed" in again.output
    with session_scope(engine) as s:
        task = s.scalars(select(HumanTask).where(HumanTask.kind == "decide_appeal")).one()
        task_id, assignee = task.id, task.assignee_nip
    assert assignee == superior and f"task {task_id}" in filed.output

    # The superior gets the message by e-mail, like every other task.
    routes = Routes.load(None)
    sent = dispatch_due(session_factory(engine), clock=ManualClock(published_at), routes=routes)
    assert sent.sent == 1 and len(mail.files()) == mails_before + 1
    message = mail.messages()[-1]
    assert message["To"] == decider_email and "keberatan" in message["Subject"].lower()

    uphold = ("--decision", "uphold", "--hasil-kerja", "sesuai")
    wrong = appeal("decide", str(task_id), "--as", rater, *uphold, "--reason", "ok")
    assert wrong.exit_code == 2 and "not allowed" in wrong.output
    assert published_state(engine, cid) == before

    decided = appeal("decide", str(task_id), "--as", superior, *uphold, "--reason", "Bukti")
    assert decided.exit_code == 0, decided.output
    after = published_state(engine, cid)
    rows_before = {r["nip"]: r for r in before["results"]}
    rows_after = {r["nip"]: r for r in after["results"]}
    assert {n for n in rows_after if rows_after[n] != rows_before[n]} == {appellant}
    assert rows_after[appellant]["hasil_kerja"] == "sesuai"
    assert rows_after[appellant]["predikat"] != rows_before[appellant]["predikat"]
    assert changed(before, after, "publications") == {unit}
    # Only the appellant's distribution group: the rater's direct reports, under the curve of
    # the rater's unit (every demo unit has a predikat organisasi in unit_ratings.csv).
    assert {(u, r) for u, r, _ in changed(before, after, "findings")} <= {(rater_unit, rater)}
    assert {nip for nip, _ in changed(before, after, "training")} == {appellant}
    assert {
        before["ledger"].get(k, after["ledger"].get(k))[0] for k in changed(before, after, "ledger")
    } == {appellant}

    reject = ("--decision", "reject", "--reason", "no")
    final = appeal("decide", str(task_id), "--as", superior, *reject)
    assert final.exit_code == 2 and "already answered" in final.output
    listed = appeal("list", "--cycle", cid)
    assert listed.exit_code == 0 and appellant in listed.output and "uphold" in listed.output

    from kinerja.cli.main import app as kinerja

    audit = runner.invoke(kinerja, ["audit", "verify"])
    assert audit.exit_code == 0, audit.output
    with session_scope(engine) as s:
        assert verify(s).ok

    # The cycle flow again: every stage is done, so the appeal's changes stay.
    assert performance_cycle(cycle_id=cid, db_url=db_url).done
    assert published_state(engine, cid) == after

    # After the window, an appeal is refused (the cycle's own clock moves past it).
    with session_scope(engine) as s:
        s.get(Cycle, cid).clock_at = published_at + timedelta(days=14, minutes=1)
    other = next(r["nip"] for r in before["results"] if r["nip"] != appellant)
    late = appeal("file", other, "--cycle", cid, "--reason", "terlambat")
    assert late.exit_code == 2 and "window" in late.output
