"""The stored results against their audit events (models/results/agreement.py), and the
warning ``kinerja explain`` prints when they disagree; on SQLite and PostgreSQL.

The cycle is the appeals tests' small published cycle, with a budget cap that scales every
incentive and an upheld appeal: every way a result field is legitimately written.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from kinerja.models.results.agreement import compare_results, result_differences, same
from kinerja.models.results.explain import explain_lines
from kinerja.models.store.tables import AuditEvent, Cycle, Result
from kinerja.tests.models.appeals.test_appeals import (
    CYCLE_ID,
    S1,
    UPHOLD,
    appeal,
    build_published,
    config,
    decide,
)

BUDGET = Decimal("40000000")


@pytest.fixture
def cycle(session: Session) -> Cycle:
    cycle = build_published(session, config(incentive_budget=BUDGET))
    decide(session, appeal(session), UPHOLD)
    return cycle


def _sql(session: Session, sql: str, **params: object) -> None:
    session.execute(text(sql), params)
    session.commit()
    session.expire_all()


def _latest_seq(session: Session, nip: str, action: str) -> int:
    return session.scalar(
        select(func.max(AuditEvent.seq)).where(
            AuditEvent.entity_id == nip, AuditEvent.action == action
        )
    )


def test_a_real_cycle_agrees_with_its_events(session, cycle):
    scaled = session.scalar(select(func.count()).where(AuditEvent.action == "result.incentive"))
    assert scaled > 2 * 11  # computed, capped, and the appeal's
    assert session.scalar(select(func.count()).where(AuditEvent.action == "result.training"))
    report = compare_results(session)
    assert (report.ok, report.rows, report.differences, report.notes) == (True, 11, [], [])
    for nip in session.scalars(select(Result.nip)):
        assert result_differences(session, cycle_id=CYCLE_ID, nip=nip) == []
        assert not explain_lines(session, cycle=cycle, nip=nip)[0].startswith("PERINGATAN")


def test_an_edited_row_is_listed_field_by_field(session, cycle):
    nip = "S-2"
    predikat_seq = _latest_seq(session, nip, "result.predikat")
    incentive_seq = _latest_seq(session, nip, "result.incentive")
    stored = session.get(AuditEvent, incentive_seq).payload["incentive"]
    _sql(
        session,
        "UPDATE results SET predikat = 'sangat_baik', incentive = 99999999 WHERE nip = :n",
        n=nip,
    )
    report = compare_results(session)
    assert report.differences == [
        f"siklus {CYCLE_ID} NIP {nip}: predikat di tabel sangat_baik, di log audit baik (event "
        f"seq {predikat_seq}) / cycle {CYCLE_ID} nip {nip}: predikat is sangat_baik in the "
        f"table, baik in the audit log (event seq {predikat_seq})",
        f"siklus {CYCLE_ID} NIP {nip}: incentive di tabel 99999999.00, di log audit {stored} "
        f"(event seq {incentive_seq}) / cycle {CYCLE_ID} nip {nip}: incentive is 99999999.00 "
        f"in the table, {stored} in the audit log (event seq {incentive_seq})",
    ]
    lines = explain_lines(session, cycle=cycle, nip=nip)
    assert lines[0].startswith("PERINGATAN") and "WARNING" in lines[0]
    assert "predikat is sangat_baik in the table, baik in the audit log" in lines[1]
    assert "incentive is 99999999.00 in the table" in lines[2]
    assert "the pack's rules give baik (hasil kerja sesuai, perilaku sesuai)" in lines[3]
    assert lines[4] == "" and lines[5].startswith(f"{nip} ")


@pytest.mark.parametrize(
    ("sql", "field"),
    [
        ("UPDATE results SET hasil_kerja = 'di_atas' WHERE nip = :n", "hasil_kerja"),
        ("UPDATE results SET perilaku = 'di_atas' WHERE nip = :n", "perilaku"),
        ("UPDATE results SET training_jp = 0 WHERE nip = :n", "training_jp"),
        ("UPDATE results SET incentive = NULL WHERE nip = :n", "incentive"),
        ("UPDATE results SET predikat = NULL WHERE nip = :n", "predikat"),
    ],
)
def test_each_audited_field_is_compared(session, cycle, sql, field):
    _sql(session, sql, n=S1)  # the appellant: the appeal's events are the latest
    (difference,) = compare_results(session).differences
    assert difference.split(" / ")[1].startswith(f"cycle {CYCLE_ID} nip {S1}: {field} is ")
    assert explain_lines(session, cycle=cycle, nip=S1)[0].startswith("PERINGATAN")


def test_a_row_without_events_and_a_row_without_its_own_are_reported(session, cycle):
    session.add(
        Result(cycle_id=CYCLE_ID, nip="FAKE-1", unit_id="SEC", incentive=Decimal("99999999"))
    )
    session.commit()
    _sql(session, "DELETE FROM results WHERE nip = 'R-3'")
    gone, fake = (d.split(" / ")[1] for d in compare_results(session).differences)
    seq = session.scalar(select(func.max(AuditEvent.seq)).where(AuditEvent.entity_id == "R-3"))
    action = session.get(AuditEvent, seq).action
    assert action in ("result.incentive", "result.training")
    assert gone.startswith(f"cycle {CYCLE_ID} nip R-3: the audit log records ")
    assert gone.endswith(f"(event seq {seq}) but the results table has no row")
    assert fake == (
        f"cycle {CYCLE_ID} nip FAKE-1: incentive is 99999999.00 in the table, but no audit "
        "event records it"
    )


def test_batches_find_exactly_what_one_pass_finds(session, cycle):
    # Differences and missing rows on both sides of batch boundaries (NIPs sort H-1, M-1,
    # R-1 .. R-4, S-1 .. S-5): small batches cut between most of them. The order is by NIP
    # within a batch, so only the set is compared across batch sizes.
    _sql(session, "UPDATE results SET predikat = 'kurang' WHERE nip IN ('H-1', 'R-2', 'S-5')")
    _sql(session, "DELETE FROM results WHERE nip IN ('M-1', 'S-3')")
    whole = compare_results(session)
    for batch in (1, 2, 3, 4):
        assert sorted(compare_results(session, batch=batch).differences) == sorted(
            whole.differences
        )
    assert len(whole.differences) == 5 and whole.rows == 9


def test_a_budget_cap_applied_before_it_audited_each_amount_is_said_not_compared(session, cycle):
    # As a database written before the cap recorded each amount: its event has no marker,
    # and no per-person event follows it.
    cap = session.scalars(select(AuditEvent).where(AuditEvent.action == "incentive.budget")).one()
    payload = {k: v for k, v in cap.payload.items() if k != "per_person"}
    cap.payload = payload
    session.execute(
        AuditEvent.__table__.delete().where(
            AuditEvent.action == "result.incentive", AuditEvent.payload["budget"].is_not(None)
        )
    )
    session.commit()
    report = compare_results(session)
    assert report.ok
    assert report.notes == [
        f"siklus {CYCLE_ID}: insentif tidak dibandingkan, pagu diterapkan (event seq "
        f"{cap.seq}) sebelum tiap jumlah dicatat / cycle {CYCLE_ID}: incentives not "
        f"compared, the budget cap (event seq {cap.seq}) predates the audit of each scaled "
        "amount"
    ]


def test_events_of_a_vanished_cycle_are_reported(session, cycle):
    session.execute(
        text("UPDATE audit_events SET cycle_id = 'gone-2024' WHERE seq = 1 OR entity = 'result'")
    )
    session.commit()
    assert compare_results(session).differences[-1] == (
        "siklus gone-2024: log audit mencatat hasil, siklusnya tidak ada / cycle gone-2024: "
        "the audit log records results, but the cycle is gone"
    )


@pytest.mark.parametrize(
    ("field", "table", "audit", "expected"),
    [
        ("incentive", Decimal("1234567.00"), "1234567.00", True),
        ("incentive", Decimal("1234567.00"), "1234567", True),
        ("incentive", Decimal("1234567.01"), "1234567.00", False),
        ("incentive", None, "0", False),
        ("credit_points", Decimal("12.35"), "12.345", True),  # the column keeps two decimals
        ("training_jp", 20.0, 20, True),
        ("training_jp", 0.0, None, False),
        ("predikat", "baik", "baik", True),
        ("predikat", None, None, True),
    ],
)
def test_same_compares_at_the_columns_precision(field, table, audit, expected):
    assert same(field, table, audit) is expected
