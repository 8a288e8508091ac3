"""Tukin paid monthly: each month's amount from the month's predikat (or the pack's
last_annual), that month's attendance, the month's budget cap, and the payroll file, byte
for byte. Figures by hand from asn.yaml (DOMAIN.md A4): no grade -> default base 3,000,000;
amount = base x (0.6 x predikat factor + 0.4 x (1 - attendance cut)); baik 1.00,
butuh_perbaikan 0.90, kurang 0.85; TL1 0.5% each."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import create_cycle, pack_of
from kinerja.models.policy.periodic import PeriodicRules
from kinerja.models.results.payroll import payroll_csv
from kinerja.models.rules.periods import Period
from kinerja.models.stages.monthly_pay import month_budget, month_incentives
from kinerja.models.store.tables import AttendanceMonth, PeriodResult, Result
from kinerja.tests.models.orgfixture import CYCLE_ID, START, A, B, build_org, cycle_config

MARCH = Period("2025-03", date(2025, 3, 1), date(2025, 3, 31))
NOW = datetime(2025, 4, 20)


def _month(session: Session) -> None:
    for nip, predikat in ((A, "baik"), (B, "butuh_perbaikan")):
        session.add(
            PeriodResult(
                cycle_id=CYCLE_ID,
                period="2025-03",
                nip=nip,
                unit_id="SEC",
                expected=24.66,
                predikat=predikat,
                derivation={},
            )
        )
    # Two late arrivals in March for A (1%), one in February that March does not count.
    session.add(AttendanceMonth(cycle_id=CYCLE_ID, period="2025-03", nip=A, code="TL1", count=2))
    session.add(AttendanceMonth(cycle_id=CYCLE_ID, period="2025-02", nip=A, code="TK", count=3))
    session.flush()


def _amounts(session: Session) -> dict[str, Decimal]:
    return {nip: session.get(PeriodResult, (CYCLE_ID, "2025-03", nip)).incentive for nip in (A, B)}


def test_a_month_is_paid_on_its_predikat_and_its_attendance_within_its_budget(session: Session):
    org = build_org(session, periodic=True)
    _month(session)
    pack = pack_of(org.cycle)
    assert (
        month_incentives(session, cycle=org.cycle, pack=pack, period=MARCH, lo=A, hi=B, now=NOW)
        == 2
    )
    # A: 3,000,000 x (0.6 + 0.4 x 0.99) = 2,988,000; B: 3,000,000 x (0.54 + 0.4) = 2,820,000
    assert _amounts(session) == {A: Decimal("2988000"), B: Decimal("2820000")}
    # Budget 5,000,000 of 5,808,000: each x 5,000,000 / 5,808,000, rounded down.
    out = month_budget(
        session, cycle=org.cycle, pack=pack, period=MARCH, budget=Decimal(5_000_000), now=NOW
    )
    assert out["scaled"] == 2
    assert _amounts(session) == {A: Decimal("2572314"), B: Decimal("2427685")}
    # The cap's note ends each scaled amount's steps; the rest of the derivation is kept.
    derivation = session.get(PeriodResult, (CYCLE_ID, "2025-03", A)).derivation
    assert derivation["cuts"] == ["1.0", "0"] and derivation["incentive_predikat"] == "baik"
    assert derivation["incentive"][0] == "predikat baik: the periodic predikat of 2025-03"
    assert "exceeds the cap 5000000" in derivation["incentive"][-1]
    assert payroll_csv(session, cycle=org.cycle, pack=pack, period="2025-03") == (
        "nip,nama,golongan,unit,predikat,tunjangan_dasar,potongan_kehadiran_persen,"
        "potongan_disiplin_persen,jumlah\n"
        "A-1,Agus,,SEC,baik,3000000,1,0,2572314\n"
        "B-1,Bella,,SEC,butuh_perbaikan,3000000,0,0,2427685\n"
    )


def test_the_pack_may_pay_a_month_on_the_last_annual_predikat(session: Session):
    org = build_org(session, periodic=True)
    earlier = cycle_config().model_copy(update={"cycle_id": "skp-2024", "name": "SKP 2024"})
    old = create_cycle(session, config=earlier, config_dir=None, now=START)
    old.status, old.finished_at = "done", START
    session.add(Result(cycle_id="skp-2024", nip=A, unit_id="SEC", predikat="kurang"))
    _month(session)
    pack = pack_of(org.cycle).model_copy(
        update={"periodic": PeriodicRules(incentive_predikat="last_annual")}
    )
    month_incentives(session, cycle=org.cycle, pack=pack, period=MARCH, lo=A, hi=B, now=NOW)
    # A: kurang of skp-2024: 3,000,000 x (0.51 + 0.396) = 2,718,000; B has no annual one.
    assert _amounts(session) == {A: Decimal("2718000"), B: Decimal("2820000")}
    row = session.get(PeriodResult, (CYCLE_ID, "2025-03", A))
    assert row.derivation["incentive"][0] == "predikat kurang: the annual predikat of skp-2024"
    # The payroll names the predikat the month is paid on, not A's periodic one.
    assert payroll_csv(session, cycle=org.cycle, pack=pack, period="2025-03").splitlines()[1:] == [
        "A-1,Agus,,SEC,kurang,3000000,1,0,2718000",
        "B-1,Bella,,SEC,butuh_perbaikan,3000000,0,0,2820000",
    ]
