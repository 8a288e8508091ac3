"""Which people form one distribution group and which unit's predikat keys its curve, on
SQLite and PostgreSQL.

DOMAIN.md A1: the unit's predikat organisasi fixes the distribution pattern and the raters
set employee predikat within it (kurva table: Istimewa Sangat Baik max 70%; Baik: Baik max
70% and at least one Butuh Perbaikan or Kurang). With the asn pack's ``group: rater`` one
group is all direct reports of one rater, whatever their units, under the curve of the
rater's unit; a rater who is not an employee, or whose unit has no predikat, takes the
members' unit when they share one. The organisation (tests/models/orgfixture.py)::

    ROOT  head H (rated from outside the organisation, EXTERNAL: the HR coordinator HR-1
          only records that rating and is never a rater); X reports to H
    SEC   head M (reports to H); A, B report to M

Shares become head counts as in asn.yaml, the percentages read literally: maxima round
down, minima up. A one-person group never fails on its own.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import cycle_pack
from kinerja.models.stages.distribution import check_distributions, failing_groups, recheck_group
from kinerja.models.store.tables import DistributionFinding, Result, UnitRating
from kinerja.tests.models.orgfixture import CYCLE_ID, STRANGER, A, B, H, M, build_org

X = STRANGER
EXT = "EXTERNAL"
SB, BA, BP, KU = "sangat_baik", "baik", "butuh_perbaikan", "kurang"
UNIT_OF = {H: "ROOT", X: "ROOT", M: "SEC", A: "SEC", B: "SEC"}

# (case, pack group, unit predikat organisasi, {nip: (rater, predikat)},
#  {(unit keying the curve, rater, rule): (passed, "counted/size" or a detail fragment)})
CASES = [
    (
        # M rates A and B in SEC and X in ROOT: one group of 3 under SEC's Baik curve.
        # baik 2 <= floor(0.7 x 3 = 2.1) = 2; butuh perbaikan 1 >= 1. Split per unit (the old
        # grouping) SEC {A, B} would have failed the "at least one" rule.
        "a rater's reports in two units are one group, under the rater's unit",
        "rater",
        {"SEC": "baik", "ROOT": "istimewa"},
        {A: (M, BA), B: (M, BA), X: (M, BP)},
        {
            ("SEC", M, "baik.baik.max"): (True, "2/3"),
            ("SEC", M, "baik.bp_kurang.min1"): (True, "1/3"),
        },
    ),
    (
        # M (head of SEC, Istimewa) is rated by H (head of ROOT, Baik): M is in H's group with
        # X under ROOT's curve, not alone under SEC's. baik 1 <= floor(1.4) = 1; kurang 1 >= 1.
        "a head rated by the parent head is in the parent head's group",
        "rater",
        {"SEC": "istimewa", "ROOT": "baik"},
        {M: (H, BA), X: (H, KU)},
        {
            ("ROOT", H, "baik.baik.max"): (True, "1/2"),
            ("ROOT", H, "baik.bp_kurang.min1"): (True, "1/2"),
        },
    ),
    (
        # The same group with X rated baik: 2 > floor(1.4) = 1 and 0 Butuh Perbaikan/Kurang.
        "the parent head's group fails as a whole",
        "rater",
        {"SEC": "istimewa", "ROOT": "baik"},
        {M: (H, BA), X: (H, BA)},
        {
            ("ROOT", H, "baik.baik.max"): (False, "2/2"),
            ("ROOT", H, "baik.bp_kurang.min1"): (False, "0/2"),
        },
    ),
    (
        # The external rater is not an employee: the curve of the only member's unit (ROOT,
        # Baik). H alone is a one-person group: "must include one Butuh Perbaikan" cannot
        # fail on its own.
        "a rater who is not an employee: the members' shared unit",
        "rater",
        {"ROOT": "baik"},
        {H: (EXT, BA)},
        {
            ("ROOT", EXT, "baik.baik.max"): (True, "1/1"),
            ("ROOT", EXT, "baik.bp_kurang.min1"): (True, "one-person group"),
        },
    ),
    (
        # The external rater rates H (ROOT) and M (SEC): no unit keys the curve; the finding
        # is named by the closest unit above both (ROOT), so the coordinator can accept it.
        "a rater who is not an employee, reports in two units: no predikat",
        "rater",
        {"ROOT": "baik", "SEC": "baik"},
        {H: (EXT, BA), M: (EXT, BP)},
        {("ROOT", EXT, "org_predikat"): (False, "members' units: ROOT, SEC")},
    ),
    (
        # ROOT has no predikat: H's only report M sits in SEC (Istimewa), whose curve applies.
        # sangat baik 1 <= ceil(0.7) = 1.
        "the rater's unit without predikat: the members' shared unit",
        "rater",
        {"SEC": "istimewa"},
        {M: (H, SB)},
        {("SEC", H, "istimewa.sangat_baik.max"): (True, "1/1")},
    ),
    (
        # ROOT has no predikat and H's reports sit in ROOT and SEC: named by H's unit.
        "the rater's unit without predikat, reports in two units: no predikat",
        "rater",
        {"SEC": "istimewa"},
        {M: (H, SB), X: (H, BA)},
        {("ROOT", H, "org_predikat"): (False, "members' units: ROOT, SEC")},
    ),
    (
        # group: unit as before: everyone whose result belongs to the unit, raters aside.
        # SEC {A, B, M}: baik 2 <= floor(2.1) = 2, bp 1 >= 1; ROOT {X}: sangat baik 0, alone.
        "group: unit checks whole units",
        "unit",
        {"SEC": "baik", "ROOT": "istimewa"},
        {A: (M, BA), B: (M, BP), M: (H, BA), X: (H, BA)},
        {
            ("SEC", "", "baik.baik.max"): (True, "2/3"),
            ("SEC", "", "baik.bp_kurang.min1"): (True, "1/3"),
            ("ROOT", "", "istimewa.sangat_baik.max"): (True, "0/1"),
        },
    ),
]


def _pack(cycle: Any, group: str) -> Any:
    pack = cycle_pack(cycle)
    return pack.model_copy(
        update={"distribution": pack.distribution.model_copy(update={"group": group})}
    )


def _set_results(session: Session, rated: dict[str, tuple[str, str]]) -> None:
    for nip, (rater, predikat) in rated.items():
        result = session.get(Result, (CYCLE_ID, nip))
        if result is None:
            result = Result(
                cycle_id=CYCLE_ID, nip=nip, unit_id=UNIT_OF[nip], perilaku_values={}, derivation={}
            )
            session.add(result)
        result.rater_nip, result.predikat = rater, predikat
    session.flush()


def _findings(session: Session) -> dict[tuple[str, str, str], tuple[bool, str]]:
    session.expire_all()
    return {
        (f.unit_id, f.rater_nip, f.rule): (f.passed, f.detail)
        for f in session.scalars(select(DistributionFinding))
    }


@pytest.mark.parametrize(
    ("case", "group", "org", "rated", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_groups_and_the_unit_keying_their_curve(engine, case, group, org, rated, expected):
    with Session(engine, expire_on_commit=False) as session:
        built = build_org(session)
        session.add_all(
            UnitRating(cycle_id=CYCLE_ID, unit_id=u, predikat_organisasi=p) for u, p in org.items()
        )
        _set_results(session, rated)
        pack = _pack(built.cycle, group)
        stats = check_distributions(session, cycle=built.cycle, pack=pack)
        found = _findings(session)
        assert set(found) == set(expected), case
        for key, (passed, fragment) in expected.items():
            assert found[key][0] is passed, (case, key, found[key])
            assert fragment in found[key][1], (case, key, found[key])
        assert stats["groups"] == len({(u, r) for u, r, _ in expected})
        assert stats["failed"] == sum(1 for p, _ in expected.values() if not p)
        # Running the check again changes nothing.
        check_distributions(session, cycle=built.cycle, pack=pack)
        assert _findings(session) == found


def test_the_gate_names_the_rater_and_the_unit_keying_the_curve(engine):
    with Session(engine, expire_on_commit=False) as session:
        built = build_org(session)
        session.add(UnitRating(cycle_id=CYCLE_ID, unit_id="ROOT", predikat_organisasi="baik"))
        _set_results(session, {M: (H, BA), X: (H, BA)})
        check_distributions(session, cycle=built.cycle, pack=_pack(built.cycle, "rater"))
        assert failing_groups(session, cycle_id=CYCLE_ID) == {
            "ROOT": [
                f"penilai / rater {H} (kurva unit / curve of unit ROOT): baik.baik.max:"
                " Baik / Good: 2/2; batas / limit 70% (maks/max 1 orang/people): TIDAK"
                " memenuhi / FAILS",
                f"penilai / rater {H} (kurva unit / curve of unit ROOT): baik.bp_kurang.min1:"
                " Butuh Perbaikan / Needs improvement + Kurang/Misconduct / Poor/Misconduct:"
                " 0/2; batas / limit min/min 1 orang/people: TIDAK memenuhi / FAILS",
            ]
        }


def test_recheck_of_a_head_changes_only_the_parent_heads_group(engine):
    with Session(engine, expire_on_commit=False) as session:
        built = build_org(session)
        session.add_all(
            UnitRating(cycle_id=CYCLE_ID, unit_id=u, predikat_organisasi="baik")
            for u in ("ROOT", "SEC")
        )
        # M's group {A, B} (SEC) passes both Baik rules; H's group {M, X} (ROOT) has X kurang.
        _set_results(session, {A: (M, BA), B: (M, BP), M: (H, BA), X: (H, KU), H: (EXT, BA)})
        pack = _pack(built.cycle, "rater")
        check_distributions(session, cycle=built.cycle, pack=pack)
        before = _findings(session)
        assert before["ROOT", H, "baik.bp_kurang.min1"][0] is True

        # X's appeal upheld to baik: only H's group changes, keyed to ROOT (H's unit).
        _set_results(session, {X: (H, BA)})
        out = recheck_group(session, cycle=built.cycle, pack=pack, nip=X)
        assert (out["unit_id"], out["rater_nip"]) == ("ROOT", H)
        assert out["before"] == {"baik.baik.max": True, "baik.bp_kurang.min1": True}
        assert out["after"] == {"baik.baik.max": False, "baik.bp_kurang.min1": False}
        after = _findings(session)
        # Both rules of H's group change (baik 1/2 -> 2/2 in the detail); no other group does.
        changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
        assert changed == {("ROOT", H, "baik.baik.max"), ("ROOT", H, "baik.bp_kurang.min1")}

        # M's own appeal is rechecked in H's group too (M's rater), never in SEC's.
        out = recheck_group(session, cycle=built.cycle, pack=pack, nip=M)
        assert (out["unit_id"], out["rater_nip"]) == ("ROOT", H)
        assert _findings(session) == after

        # The same recheck under group: unit is the appellant's unit.
        unit_pack = _pack(built.cycle, "unit")
        check_distributions(session, cycle=built.cycle, pack=unit_pack)
        out = recheck_group(session, cycle=built.cycle, pack=unit_pack, nip=M)
        assert (out["unit_id"], out["rater_nip"]) == ("SEC", "")
        # SEC {A baik, B bp, M baik}: 2 <= floor(2.1) = 2 and 1 >= 1.
        assert out["after"] == {"baik.baik.max": True, "baik.bp_kurang.min1": True}
