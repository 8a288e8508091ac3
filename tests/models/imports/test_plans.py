"""Goals and targets of a cycle: formats, references, the cascade (serves) and weights."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kinerja.models.imports import ImportRejected, import_goals, import_targets
from kinerja.models.store.tables import Goal, Target

GOALS = (
    "goal_id,unit_id,statement,indicator,target,unit_of_measure,direction,parent_goal_id",
    "G-A,A,Layanan prima,Indeks kepuasan,80-90,indeks,range,G-D",
    "G-D,DINAS,Kesehatan meningkat,Angka harapan hidup,72.5,tahun,,",
    "G-B,B,Biaya turun,Biaya per layanan,1000,rupiah,lower,G-D",
)
HEADER = "target_id,nip,serves,statement,indicator,aspect,target,unit_of_measure,direction,weight"
ASPECTS = {"kuantitas", "kualitas", "waktu"}


def where(exc: pytest.ExceptionInfo) -> list[tuple[int | None, str | None]]:
    return [(e.row, e.column) for e in exc.value.errors]


def message(exc: pytest.ExceptionInfo, row: int, column: str) -> str:
    return " | ".join(e.message for e in exc.value.errors if (e.row, e.column) == (row, column))


@pytest.fixture
def goals(session, write, org, cycle) -> str:
    import_goals(session, path=write("goals.csv", *GOALS), cycle_id=cycle)
    session.commit()
    return cycle


def test_goals_import_with_range_and_forward_parent(session, write, org, cycle):
    report = import_goals(session, path=write("goals.csv", *GOALS), cycle_id=cycle)
    session.commit()
    assert (report.kind, report.rows, report.inserted, report.updated) == ("goals", 3, 3, 0)
    g = session.get(Goal, (cycle, "G-A"))
    assert (g.direction, g.target_value, g.target_high, g.parent_goal_id) == (
        "range",
        80.0,
        90.0,
        "G-D",
    )
    assert session.get(Goal, (cycle, "G-D")).direction == "higher"

    again = import_goals(session, path=write("goals.csv", *GOALS), cycle_id=cycle)
    assert (again.inserted, again.updated) == (0, 3)


def test_goals_bad_rows_are_all_named(session, write, org, cycle, counts):
    path = write(
        "goals.csv",
        GOALS[0],
        "G1,A,S,I,80-90,%,,",  # 2 range without direction range
        "G2,MARS,S,I,10,%,up,",  # 3 unknown direction (the unit is then not checked)
        "G3,MARS,S,I,10,%,,",  # 4 unknown unit
        "G4,A,S,I,abc,%,,NOPE",  # 5 not a number
        "G5,A,S,I,90-80,%,range,NOPE",  # 6 range upside down
        "G6,A,S,I,10,%,,NOPE",  # 7 unknown parent
        "G6,A,S,I,10,%,,",  # 8 duplicate
        "G7,A,,I,10,,,G8",  # 9 no statement, no unit of measure
        "G8,A,S,I,10,%,,G9",  # 10 loop G8 -> G9 -> G8
        "G9,A,S,I,10,%,,G8",  # 11
        'G10,A,S,I,"12,5",%,,G10',  # 12 decimal comma; 13 goal serving itself
        "G11,A,S,I,10,%,,G11",
    )
    before = counts()
    with pytest.raises(ImportRejected) as exc:
        import_goals(session, path=path, cycle_id=cycle)
    assert where(exc) == [
        (2, "target"),
        (3, "direction"),
        (4, "unit_id"),
        (5, "target"),
        (6, "target"),
        (7, "parent_goal_id"),
        (8, "goal_id"),
        (9, "statement"),
        (9, "unit_of_measure"),
        (10, "parent_goal_id"),
        (11, "parent_goal_id"),
        (12, "target"),
        (13, "parent_goal_id"),
    ]
    assert "looks like a range" in message(exc, 2, "target")
    assert "expected higher, lower or range" in message(exc, 3, "direction")
    assert "'abc' is not a number" in message(exc, 5, "target")
    assert "low end is above the high end" in message(exc, 6, "target")
    assert "unknown parent goal 'NOPE'" in message(exc, 7, "parent_goal_id")
    assert "goal_id 'G6' already appears in row 7" in message(exc, 8, "goal_id")
    assert "G8 -> G9 -> G8" in message(exc, 10, "parent_goal_id")
    assert "write the decimal with a dot (12.5)" in message(exc, 12, "target")
    assert "cannot serve itself" in message(exc, 13, "parent_goal_id")
    assert counts() == before


def test_goals_need_an_existing_cycle(session, write, org):
    with pytest.raises(ImportRejected) as exc:
        import_goals(session, path=write("goals.csv", *GOALS), cycle_id="nope")
    assert where(exc) == [(None, None)]
    assert "cycle 'nope' does not exist" in str(exc.value)


def test_targets_cascade_imports_and_reimport_changes_nothing(session, write, goals):
    # M1 serves the goal of unit A; S1 serves M1's target, which comes later in the file.
    path = write(
        "targets.csv",
        HEADER + ",kind",
        "T-S1-1,S1,T-M1,Laporan selesai,Jumlah laporan,Kuantitas,12,laporan,,60,",
        "T-S1-2,S1,T-M1,Tepat waktu,Hari keterlambatan,waktu,0-2,hari,range,40,tambahan",
        "T-M1,M1,G-A,Layanan prima,Indeks,kualitas,85,indeks,,100,utama",
    )
    report = import_targets(session, path=path, cycle_id=goals, aspects=ASPECTS)
    session.commit()
    assert (report.rows, report.inserted, report.updated) == (3, 3, 0)
    t = session.get(Target, (goals, "T-S1-2"))
    assert (t.aspect, t.direction, t.target_value, t.target_high, t.weight, t.kind) == (
        "waktu",
        "range",
        0.0,
        2.0,
        40.0,
        "tambahan",
    )
    assert session.get(Target, (goals, "T-S1-1")).aspect == "kuantitas"  # the pack's spelling
    assert session.get(Target, (goals, "T-S1-1")).kind == "utama"
    assert session.get(Target, (goals, "T-S1-1")).status == "proposed"

    rows = session.execute(select(Target).order_by(Target.target_id)).scalars().all()
    snapshot = [(r.target_id, r.weight, r.target_value, r.serves) for r in rows]
    again = import_targets(session, path=path, cycle_id=goals, aspects=ASPECTS)
    session.commit()
    assert (again.inserted, again.updated) == (0, 3)
    rows = session.execute(select(Target).order_by(Target.target_id)).scalars().all()
    assert [(r.target_id, r.weight, r.target_value, r.serves) for r in rows] == snapshot


def test_target_may_serve_a_managers_target_stored_earlier(session, write, goals):
    first = write("m.csv", HEADER, "T-M1,M1,G-A,S,I,kualitas,85,indeks,,100")
    import_targets(session, path=first, cycle_id=goals)
    second = write("s.csv", HEADER, "T-S1,S1,T-M1,S,I,kuantitas,5,dok,,100")
    assert import_targets(session, path=second, cycle_id=goals).inserted == 1


def test_serves_must_be_a_unit_goal_or_a_managers_target(session, write, goals, counts):
    path = write(
        "targets.csv",
        HEADER,
        "T-M1,M1,G-A,S,I,kualitas,85,indeks,,100",
        "T-M2,M2,G-B,S,I,kualitas,85,indeks,,100",
        "T-S1,S1,G-B,S,I,kualitas,85,indeks,,100",  # 4 a goal of another unit
        "T-S3,S3,T-M1,S,I,kualitas,85,indeks,,100",  # 5 a target of someone else's manager
        "T-S2,S2,T-LATER,S,I,kualitas,85,indeks,,100",  # 6 a target that does not exist
        "T-K,KADIS,T-M1,S,I,kualitas,85,indeks,,100",  # 7 the head has no manager
    )
    before = counts()
    with pytest.raises(ImportRejected) as exc:
        import_targets(session, path=path, cycle_id=goals)
    assert where(exc) == [(4, "serves"), (5, "serves"), (6, "serves"), (7, "serves")]
    assert "'G-B' is neither a goal of unit 'A' nor a target of manager 'M1'" in message(
        exc, 4, "serves"
    )
    assert "bukan sasaran unit 'A' maupun target atasan 'M1'" in message(exc, 4, "serves")
    assert "nor a target of manager 'M2'" in message(exc, 5, "serves")
    assert "'T-LATER'" in message(exc, 6, "serves")
    assert "manager (none)" in message(exc, 7, "serves")
    assert counts() == before


def test_weights_must_sum_per_employee(session, write, goals, counts):
    lines = (
        HEADER,
        "T-M1,M1,G-A,S,I,kualitas,85,indeks,,100",
        "T-S1-1,S1,T-M1,S,I,kualitas,1,dok,,60",  # 3 S1 sums to 90
        "T-S1-2,S1,T-M1,S,I,kualitas,1,dok,,30",
        "T-S2-1,S2,T-M1,S,I,kualitas,1,dok,,50",
        "T-S2-2,S2,T-M1,S,I,kualitas,1,dok,,49.995",  # S2 within the tolerance
        "T-S2-3,S2,T-M1,S,I,kualitas,1,dok,,",  # 7 missing weight
        "T-M2,M2,G-B,S,I,kualitas,1,dok,,-100",  # 8 negative
    )
    path = write("targets.csv", *lines)
    before = counts()
    with pytest.raises(ImportRejected) as exc:
        import_targets(session, path=path, cycle_id=goals)
    # Every row of S1 is named: any of them may be the one to correct.
    assert where(exc) == [(3, "weight"), (4, "weight"), (7, "weight"), (8, "weight")]
    for row in (3, 4):
        text = message(exc, row, "weight")
        assert "the 2 weights of employee 'S1' (rows 3, 4) sum to 90, expected 100" in text
        assert "jumlah 2 bobot pegawai 'S1' (baris 3, 4) adalah 90" in text
    assert "a weight is required" in message(exc, 7, "weight")
    assert "weight -100 is out of bounds: above 0 and at most 100" in message(exc, 8, "weight")
    assert counts() == before

    # A pack without weights: they may be left out, and any sum goes.
    free = write("free.csv", *lines[:-1])
    report = import_targets(session, path=free, cycle_id=goals, weights_sum=None)
    assert report.inserted == 6
    assert session.get(Target, (goals, "T-S2-3")).weight is None


def test_weight_column_is_required_when_weights_sum(session, write, goals):
    header = HEADER.removesuffix(",weight")
    path = write("targets.csv", header, "T-M1,M1,G-A,S,I,kualitas,85,indeks,")
    with pytest.raises(ImportRejected) as exc:
        import_targets(session, path=path, cycle_id=goals)
    assert where(exc) == [(1, "weight")]
    assert import_targets(session, path=path, cycle_id=goals, weights_sum=None).inserted == 1


def test_targets_bad_rows_are_all_named(session, write, goals, counts):
    path = write(
        "targets.csv",
        HEADER + ",kind",
        "T1,GHOST,G-A,S,I,kualitas,85,%,,100,",  # 2 unknown employee
        "T2,M1,G-A,S,I,biaya,85,%,,100,",  # 3 aspect not in the pack
        "T3,M2,G-B,S,I,kualitas,85,%,,100,bonus",  # 4 kind not in the pack
        "T4,S3,G-B,S,,kualitas,,%,,100,",  # 5 no indicator, no target
        "T4,S3,G-B,S,I,kualitas,85,%,,100,",  # 6 duplicate
        "T5,S3,G-B,S,I,kualitas,85,%,,100,,extra",  # 7 more values than columns
    )
    before = counts()
    with pytest.raises(ImportRejected) as exc:
        import_targets(
            session,
            path=path,
            cycle_id=goals,
            weights_sum=None,
            aspects=ASPECTS,
            kinds={"utama", "tambahan"},
        )
    assert where(exc) == [
        (2, "nip"),
        (3, "aspect"),
        (4, "kind"),
        (5, "indicator"),
        (5, "target"),
        (6, "target_id"),
        (7, None),
    ]
    assert "unknown employee 'GHOST'" in message(exc, 2, "nip")
    assert "expected one of: kualitas, kuantitas, waktu" in message(exc, 3, "aspect")
    assert "expected one of: tambahan, utama" in message(exc, 4, "kind")
    assert "a value is required" in message(exc, 5, "target")
    assert counts() == before
