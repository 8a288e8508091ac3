"""The month's payroll file writes its amounts in the pack's money step (``incentive.quantum``):
whole rupiah for the asn pack, as the results export does; cuts as people write percents."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from kinerja.models.policy.loading import load_pack
from kinerja.models.results.payroll import payroll_csv
from kinerja.models.store.tables import Cycle, Employee, PeriodResult

CYCLE = "c2026"
MONTH = "2026-07"


def _fill(session: Session) -> Cycle:
    cycle = Cycle(
        cycle_id=CYCLE,
        name="Siklus 2026",
        pack_name="asn",
        pack_version="1",
        config={},
        config_hash="0" * 64,
        pack={},
        pack_hash="0" * 64,
        created_at=datetime(2026, 1, 1),
    )
    session.add(cycle)
    people = [
        # nip, name, grade, incentive, cuts (attendance %, discipline %)
        ("199204042018042004", "Dewi Anggraini", "III/a", Decimal("3408848"), ["6.0", "0"]),
        ("199611112021111011", "Kartika Dewi", "IX", Decimal("2993719.00"), ["0", "0"]),
        ("199812162023122016", "Putra Ramadhan", "II/a", Decimal("1816189"), ["0", "30"]),
    ]
    for nip, name, grade, incentive, cuts in people:
        session.add(Employee(nip=nip, name=name, unit_id="U1", position="Staf", grade=grade))
        session.add(
            PeriodResult(
                cycle_id=CYCLE,
                period=MONTH,
                nip=nip,
                unit_id="U1",
                expected=58.08,
                predikat="baik",
                incentive=incentive,
                derivation={"cuts": cuts},
            )
        )
    session.commit()
    return cycle


def test_payroll_amounts_are_whole_rupiah_with_the_asn_pack(session):
    cycle = _fill(session)
    text = payroll_csv(session, cycle=cycle, pack=load_pack("asn"), period=MONTH)
    assert text == (
        "nip,nama,golongan,unit,predikat,tunjangan_dasar,potongan_kehadiran_persen,"
        "potongan_disiplin_persen,jumlah\n"
        "199204042018042004,Dewi Anggraini,III/a,U1,baik,3500000,6,0,3408848\n"
        "199611112021111011,Kartika Dewi,IX,U1,baik,3000000,0,0,2993719\n"
        "199812162023122016,Putra Ramadhan,II/a,U1,baik,2600000,0,30,1816189\n"
    )
