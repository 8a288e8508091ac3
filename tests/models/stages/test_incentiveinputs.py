"""Attendance and discipline reach the incentive: the exact cut, its derivation and explain.

Figures: Permentan 68/2012 (DOMAIN.md A4 [C]): TL1 0.5% per occurrence, a whole day absent
4%, a written reprimand 30% for two months, a verbal reprimand 20% for one month; the asn
pack's formula base x (0.6 x predikat factor + 0.4 x (1 - attendance cuts)) x (1 - discipline).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.audit.verify import verify
from kinerja.models.cycles.cycle import pack_of
from kinerja.models.cycles.files import import_cycle_file
from kinerja.models.results.explain import explain_lines
from kinerja.models.stages.deductions import months_between
from kinerja.models.stages.incentives import compute_incentives
from kinerja.models.store.tables import AuditEvent, Employee, Result
from kinerja.tests.models.orgfixture import CYCLE_ID, START, A, B, Org, build_org


@pytest.fixture
def org(session: Session) -> Org:
    org = build_org(session)
    session.get(Employee, A).grade = "III/a"  # base 3,500,000 in the asn pack
    for nip in (A, B):
        session.get(Result, (CYCLE_ID, nip)).predikat = "baik"
    session.commit()
    return org


def incentives(session: Session) -> dict[str, Decimal]:
    session.expire_all()
    return {r.nip: r.incentive for r in session.scalars(select(Result).order_by(Result.nip))}


def run(session: Session, org: Org) -> None:
    compute_incentives(session, cycle=org.cycle, pack=pack_of(org.cycle), lo=A, hi=B, now=START)
    session.commit()


def load(session: Session, org: Org, tmp_path, kind: str, *lines: str) -> None:
    path = tmp_path / f"{kind}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_cycle_file(session, cycle=org.cycle, kind=kind, path=path)
    session.commit()


@pytest.mark.parametrize(
    ("decided", "reference", "months"),
    [
        (date(2025, 12, 1), date(2025, 12, 31), 0),
        (date(2025, 11, 30), date(2025, 12, 31), 1),
        (date(2024, 12, 31), date(2025, 12, 31), 12),
        (date(2026, 1, 5), date(2025, 12, 31), -1),
    ],
)
def test_months_between(decided, reference, months):
    assert months_between(decided, reference) == months


def test_attendance_and_discipline_cut_the_incentive_by_the_hand_computed_amount(
    session, org, tmp_path
):
    run(session, org)
    assert incentives(session) == {A: Decimal(3500000), B: Decimal(3000000)}

    # A: TL1 x3 = 1.5% and TK x1 = 4%: 5.5% of the 40% attendance part of 3,500,000.
    load(session, org, tmp_path, "attendance", "nip,code,count", f"{A},TL1,3", f"{A},TK,1")
    run(session, org)
    # 3,500,000 x (0.6 x 1.00 + 0.4 x (1 - 0.055)) = 3,423,000: 77,000 less.
    assert incentives(session) == {A: Decimal(3423000), B: Decimal(3000000)}

    # A: a written reprimand decided in November is in its 2nd of 2 months in December: 30%.
    # B: a verbal reprimand decided in October (one month) is over by December.
    load(
        session,
        org,
        tmp_path,
        "discipline",
        "nip,sanction,decided_on",
        f"{A},teguran_tertulis,2025-11-20",
        f"{B},teguran_lisan,2025-10-01",
    )
    run(session, org)
    # 3,423,000 x (1 - 0.30) = 2,396,100.
    assert incentives(session) == {A: Decimal(2396100), B: Decimal(3000000)}

    steps = session.get(Result, (CYCLE_ID, A)).derivation["incentive"]
    assert steps[:4] == [
        "attendance: TL1 x3 at 0.5% = 1.5%",
        "attendance: TK x1 at 4% = 4%",
        "attendance: attendance deduction 5.5%",
        "discipline: teguran_tertulis decided 2025-11-20, in force from 2025-11",
    ]
    assert "discipline: teguran_tertulis (month 2 of 2): 30%" in steps
    b_steps = session.get(Result, (CYCLE_ID, B)).derivation["incentive"]
    assert "discipline: teguran_lisan: its 1 month(s) are over" in b_steps
    assert b_steps[0] == "attendance: no lapses recorded"

    lines = explain_lines(session, cycle=org.cycle, nip=A)
    assert "6. Incentive: 2396100.00" in lines
    for shown in (
        "   attendance: TL1 x3 at 0.5% = 1.5%",
        "   attendance: TK x1 at 4% = 4%",
        "   discipline: teguran_tertulis (month 2 of 2): 30%",
    ):
        assert shown in lines

    payload = session.scalars(
        select(AuditEvent.payload)
        .where(AuditEvent.action == "result.incentive", AuditEvent.entity_id == A)
        .order_by(AuditEvent.seq.desc())
    ).first()
    assert payload["attendance_deduction_pct"] == "5.5"
    assert payload["discipline_cut_pct"] == "30"
    assert verify(session).ok


def test_a_sanction_decided_after_the_period_is_not_yet_in_force(session, org, tmp_path):
    load(
        session,
        org,
        tmp_path,
        "discipline",
        "nip,sanction,decided_on",
        f"{A},pemberhentian,2026-01-05",
    )
    run(session, org)
    assert incentives(session)[A] == Decimal(3500000)
    steps = session.get(Result, (CYCLE_ID, A)).derivation["incentive"]
    assert "discipline: pemberhentian decided 2026-01-05, after 2025-12: not yet in force" in steps


def test_a_sanction_without_a_date_is_in_force(session, org, tmp_path):
    load(session, org, tmp_path, "discipline", "nip,sanction", f"{B},teguran_lisan")
    run(session, org)
    # 3,000,000 x (1 - 0.20) = 2,400,000.
    assert incentives(session)[B] == Decimal(2400000)


@pytest.mark.parametrize(
    ("kind", "lines", "stage"),
    [
        ("attendance", ("nip,code,count", f"{A},TK,1"), "incentives"),
        ("discipline", ("nip,sanction", f"{A},teguran_lisan"), "incentives"),
        ("functional_positions", ("nip,jenjang", f"{A},ahli_pertama"), "review"),
        ("competencies", ("nip,competency,required_level,actual_level",), "training"),
    ],
)
def test_policy_inputs_are_refused_once_the_stage_that_reads_them_is_done(
    session, org, tmp_path, kind, lines, stage
):
    from kinerja.models.cycles.cycle import CycleError, close_stage, open_stage

    load(session, org, tmp_path, kind, *lines)  # before: accepted
    open_stage(session, cycle=org.cycle, stage=stage, now=START)
    close_stage(session, cycle=org.cycle, stage=stage, now=START, stats={})
    session.commit()
    with pytest.raises(CycleError, match=f"the {stage} stage of cycle .* is done"):
        load(session, org, tmp_path, kind, *lines)
