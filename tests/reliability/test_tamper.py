"""Tampering by an insider who can write to the database, but holds neither the audit key
nor the checkpoint file: every kind of rewrite is caught by ``kinerja audit verify``, on
SQLite and PostgreSQL.

The cycle is real: the appeals tests' small published cycle (review, training, incentives
under a budget cap that scales every amount, publication) with an upheld appeal, and a
checkpoint written by ``kinerja audit checkpoint``. Each case starts from an exact copy of
that state (the audit tables, the results and the checkpoint file restored), tampers with
plain SQL, and runs the CLI. The chain's cases run ``verify --no-results`` so that the chain
and the checkpoints alone must catch them; the edited results row must pass that and be
caught by the comparison with the audit events, and ``kinerja explain`` must warn.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from typer.testing import CliRunner

from kinerja.cli.main import app as kinerja
from kinerja.models.audit.checkpoints import checkpoint_path
from kinerja.models.audit.keys import AuditKey, key_id_of
from kinerja.models.store.tables import AuditEvent, AuditHead, Result
from kinerja.tests.models.appeals.test_appeals import (
    CYCLE_ID,
    UPHOLD,
    appeal,
    build_published,
    config,
    decide,
)
from kinerja.tests.models.audit.forgery import (
    KEEP,
    append_forged,
    delete_and_renumber,
    rechain,
    truncate,
)
from kinerja.tests.reliability.conftest import scale

BUDGET = 40_000_000
WRONG_KEY = AuditKey(key_id_of(b"insider-own-key-" * 3), b"insider-own-key-" * 3)
TABLES = (AuditEvent.__table__, AuditHead.__table__, Result.__table__)


@dataclass
class Copy:
    """The published cycle's state, and how to go back to it before each case."""

    engine: Engine
    rows: dict[str, list[dict[str, Any]]]
    checkpoints: str
    head: int

    def restore(self) -> None:
        with self.engine.begin() as conn:
            for table in TABLES:
                conn.execute(table.delete())
            for table in TABLES:
                conn.execute(table.insert(), self.rows[table.name])
        checkpoint_path().write_text(self.checkpoints, encoding="utf-8")


@pytest.fixture
def published(db_url, engine, session, monkeypatch) -> Iterator[Copy]:
    monkeypatch.setenv("KINERJA_DATABASE_URL", db_url)
    build_published(session, config(incentive_budget=BUDGET))
    decide(session, appeal(session), UPHOLD)
    session.close()
    pinned = CliRunner().invoke(kinerja, ["audit", "checkpoint", "--reason", "published"])
    assert pinned.exit_code == 0, pinned.output
    with engine.connect() as conn:
        rows = {t.name: [dict(r) for r in conn.execute(select(t)).mappings()] for t in TABLES}
    head = rows["audit_head"][0]["seq"]
    yield Copy(engine, rows, checkpoint_path().read_text(encoding="utf-8"), head)


def _cli(*args: str) -> Any:
    return CliRunner().invoke(kinerja, list(args))


def _sql(engine: Engine, sql: str, **params: Any) -> None:
    with engine.begin() as conn:
        conn.execute(text(sql), params)


def _payload(engine: Engine, seq: int) -> dict[str, Any]:
    with engine.connect() as conn:
        stored = conn.scalar(select(AuditEvent.payload).where(AuditEvent.seq == seq))
    return {**stored, "forged": "yes"}


def _chain_cases(copy: Copy, rng: random.Random) -> dict[str, Callable[[], None]]:
    """Each rewrite of the log, aimed at an event drawn from the middle of the chain."""
    engine, head = copy.engine, copy.head
    seq = rng.randint(2, head - 2)

    def edit(key: AuditKey | None, key_id: str | None) -> Callable[[], None]:
        return lambda: rechain(
            engine, start=seq, key=key, key_id=key_id, payloads={seq: _payload(engine, seq)}
        )

    def renumber(key_id: str | None) -> Callable[[], None]:
        def run() -> None:
            delete_and_renumber(engine, seq=seq)
            rechain(engine, start=seq, key=None, key_id=key_id)

        return run

    def forge(key: AuditKey | None, key_id: str | None) -> Callable[[], None]:
        return lambda: append_forged(
            engine,
            key=key,
            key_id=key_id,
            at=datetime(2026, 2, 1),
            cycle_id=CYCLE_ID,
            entity_id="S-2",
            payload={"incentive": "99999999", "predikat": "sangat_baik"},
        )

    return {
        "edit, rechain unkeyed formula": edit(None, KEEP),
        "edit, rechain unkeyed, rows passed off as pre-key": edit(None, None),
        "edit, rechain with a wrong key under its own id": edit(WRONG_KEY, WRONG_KEY.key_id),
        "edit, rechain with a wrong key under the real id": edit(WRONG_KEY, KEEP),
        "delete and renumber, rechain unkeyed formula": renumber(KEEP),
        "delete and renumber, rows passed off as pre-key": renumber(None),
        "truncate the tail and move the head": lambda: truncate(
            engine, keep=head - rng.randint(1, 5)
        ),
        "append a forged event, unkeyed": forge(None, None),
        "append a forged event, wrong key": forge(WRONG_KEY, WRONG_KEY.key_id),
        "delete every event, head reset": lambda: (
            _sql(engine, "DELETE FROM audit_events"),
            _sql(engine, "UPDATE audit_head SET seq = 0, hash = :h", h="0" * 64),
        ),
        "delete every event and the head": lambda: (
            _sql(engine, "DELETE FROM audit_events"),
            _sql(engine, "DELETE FROM audit_head"),
        ),
        "delete every event, head and checkpoint file gone": lambda: (
            _sql(engine, "DELETE FROM audit_events"),
            _sql(engine, "DELETE FROM audit_head"),
            checkpoint_path().unlink(),
        ),
    }


def test_an_untampered_cycle_verifies_clean(published):
    published.restore()  # the copy itself is exact
    clean = _cli("audit", "verify")
    assert clean.exit_code == 0, clean.output
    assert "audit log intact" in clean.output and "1 checkpoint(s) matched" in clean.output
    assert "11 hasil cocok" in clean.output
    for nip in ("S-1", "S-2", "H-1"):
        explained = _cli("explain", nip, "--cycle", CYCLE_ID)
        assert explained.exit_code == 0 and not explained.output.startswith("PERINGATAN")


def _log_cases(copy: Copy, rng: random.Random) -> Iterator[tuple[str, bool, str]]:
    """(case, detected, output) for each rewrite of the log: the chain and the checkpoints
    alone must catch it."""
    for name, tamper in _chain_cases(copy, rng).items():
        copy.restore()
        tamper()
        outcome = _cli("audit", "verify", "--no-results")
        detected = outcome.exit_code == 1 and "audit log BROKEN" in outcome.output
        yield name, detected, outcome.output


def _result_case(copy: Copy, nip: str) -> tuple[str, bool, str]:
    """UPDATE results SET predikat='sangat_baik', incentive=99999999 for one row: the log
    stays intact, the comparison with its events catches it, and explain warns."""
    copy.restore()
    with copy.engine.connect() as conn:
        was = conn.scalar(select(Result.predikat).where(Result.nip == nip))
    _sql(
        copy.engine,
        "UPDATE results SET predikat = 'sangat_baik', incentive = 99999999 WHERE nip = :n",
        n=nip,
    )
    chain_only = _cli("audit", "verify", "--no-results")
    full = _cli("audit", "verify")
    explained = _cli("explain", nip, "--cycle", CYCLE_ID)
    predikat = f"nip {nip}: predikat is sangat_baik in the table, {was} in the audit log"
    detected = (
        chain_only.exit_code == 0
        and full.exit_code == 1
        and (was == "sangat_baik" or predikat in full.output)
        and f"nip {nip}: incentive is 99999999.00 in the table" in full.output
        and explained.output.startswith("PERINGATAN")
        and "incentive is 99999999.00 in the table" in explained.output
    )
    return f"results row {nip} edited", detected, full.output + explained.output[:800]


def test_tampering_is_detected(published, tally):
    rng = random.Random(20260301)
    with published.engine.connect() as conn:
        nips = conn.scalars(select(Result.nip).order_by(Result.nip)).all()
    outcomes: list[tuple[str, bool, str]] = []
    for _ in range(scale(1, 5)):
        outcomes += _log_cases(published, rng)
    outcomes += [_result_case(published, nip) for nip in rng.sample(nips, scale(2, len(nips)))]
    tally("tampering detected", len(outcomes), sum(detected for _, detected, _ in outcomes))
    missed = [f"{name}:\n{output}" for name, detected, output in outcomes if not detected]
    assert not missed, "\n".join(missed)
