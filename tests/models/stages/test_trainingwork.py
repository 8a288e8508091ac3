"""Training from predikat and competency gaps, reconciled on rerun; completions between two
cycles of one year shrink the second cycle's top-up; the yearly JP ledger.

PP 11/2017 (DOMAIN.md A3 [C]): at least 20 JP a year. The asn pack: Butuh Perbaikan opens
bimbingan_kinerja (10 JP); a gap of one level in komunikasi opens pelatihan_komunikasi
(8 JP, configs/training/catalogue.yaml); the rest of the 20 JP is a top-up (pemenuhan_jp).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from kinerja.cli.main import app
from kinerja.models.cycles.cycle import create_cycle, pack_of
from kinerja.models.results.explain import explain_lines
from kinerja.models.stages.training import assign_training_chunk as assign_training
from kinerja.models.stages.training_ledger import ledger_for, record_completions
from kinerja.models.store.tables import (
    AuditEvent,
    CompetencyLevel,
    Cycle,
    JpLedgerEntry,
    Result,
    TrainingAssignment,
)
from kinerja.tests.models.orgfixture import CYCLE_ID, START, A, B, Org, build_org, cycle_config

BP, BAIK = "butuh_perbaikan", "baik"


@pytest.fixture
def org(session: Session) -> Org:
    org = build_org(session)
    session.commit()
    return org


def set_predikat(session: Session, cycle_id: str, **predikat: str) -> None:
    for nip, value in predikat.items():
        session.get(Result, (cycle_id, nip)).predikat = value
    session.commit()


def assign(session: Session, cycle: Cycle, lo: str = A, hi: str = B) -> None:
    assign_training(session, cycle=cycle, pack=pack_of(cycle), year=2025, lo=lo, hi=hi)
    session.commit()
    session.expire_all()


def plan(session: Session, cycle_id: str, nip: str) -> dict[str, tuple[float, str]]:
    return {
        a.course: (a.jp, a.status)
        for a in session.scalars(
            select(TrainingAssignment).where(
                TrainingAssignment.cycle_id == cycle_id, TrainingAssignment.nip == nip
            )
        )
    }


def ledger(session: Session, nip: str) -> dict[str, tuple[float, str]]:
    return {
        e.key: (e.jp, e.status)
        for e in session.scalars(select(JpLedgerEntry).where(JpLedgerEntry.nip == nip))
    }


def completions(tmp_path, *rows: str):
    path = tmp_path / "training.csv"
    path.write_text("nip,course,jp,completed_on\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_rerun_for_one_person_removes_what_no_longer_applies(session, org, tmp_path):
    cycle = org.cycle
    set_predikat(session, CYCLE_ID, **{A: BP, B: BP})
    assign(session, cycle)
    assert plan(session, CYCLE_ID, A) == {
        "bimbingan_kinerja": (10.0, "assigned"),
        "pemenuhan_jp": (10.0, "assigned"),
    }
    b_before = plan(session, CYCLE_ID, B)

    # A's appeal: now Baik, and a komunikasi assessment one level short.
    session.add(
        CompetencyLevel(
            cycle_id=CYCLE_ID, nip=A, competency="komunikasi", required_level=3, actual_level=2
        )
    )
    set_predikat(session, CYCLE_ID, **{A: BAIK})
    assign(session, cycle, lo=A, hi=A)
    assert plan(session, CYCLE_ID, A) == {
        "pelatihan_komunikasi": (8.0, "assigned"),
        "pemenuhan_jp": (12.0, "assigned"),
    }
    assert ledger(session, A) == {
        f"{CYCLE_ID}:{A}:pelatihan_komunikasi": (8.0, "planned"),
        f"{CYCLE_ID}:{A}:pemenuhan_jp": (12.0, "planned"),
    }
    assert plan(session, CYCLE_ID, B) == b_before  # outside the chunk: untouched
    withdrawn = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "training.withdrawn")
    ).all()
    assert [(e.entity_id, e.payload["course"]) for e in withdrawn] == [(A, "bimbingan_kinerja")]
    result = session.get(Result, (CYCLE_ID, A))
    assert result.training_jp == 20.0
    assert (
        "competency komunikasi: required level 3, actual 2 (gap 1)" in result.derivation["training"]
    )
    lines = explain_lines(session, cycle=cycle, nip=A)
    assert "   competency komunikasi: required level 3, actual 2 (gap 1)" in lines
    assert any(
        line.startswith("   pelatihan_komunikasi: 8 JP - Kesenjangan kompetensi") for line in lines
    )

    # Running it again changes nothing.
    before = (plan(session, CYCLE_ID, A), ledger(session, A))
    assign(session, cycle)
    assert (plan(session, CYCLE_ID, A), ledger(session, A)) == before


def test_a_completed_course_stays_and_its_hours_count(session, org, tmp_path):
    cycle = org.cycle
    set_predikat(session, CYCLE_ID, **{A: BP, B: BAIK})
    assign(session, cycle)
    _, fulfilled = record_completions(
        session, path=completions(tmp_path, f"{A},bimbingan_kinerja,10,2025-11-03"), now=START
    )
    session.commit()
    assert fulfilled == 1
    assign(session, cycle)  # the course is still opened: counted once, not twice
    assert plan(session, CYCLE_ID, A) == {
        "bimbingan_kinerja": (10.0, "completed"),
        "pemenuhan_jp": (10.0, "assigned"),
    }
    set_predikat(session, CYCLE_ID, **{A: BAIK})
    assign(session, cycle, lo=A, hi=A)  # no longer opened: kept as history, hours counted
    assert plan(session, CYCLE_ID, A) == {
        "bimbingan_kinerja": (10.0, "completed"),
        "pemenuhan_jp": (10.0, "assigned"),
    }
    assert ledger(session, A)[f"{CYCLE_ID}:{A}:bimbingan_kinerja"] == (10.0, "fulfilled")


def half_year(session: Session, cycle_id: str, start: date, end: date) -> Cycle:
    config = cycle_config().model_copy(
        update={"cycle_id": cycle_id, "name": cycle_id, "period_start": start, "period_end": end}
    )
    cycle = create_cycle(
        session, config=config, config_dir=None, now=datetime.combine(start, START.time())
    )
    for nip in (A, B):
        session.add(
            Result(cycle_id=cycle_id, nip=nip, unit_id="SEC", perilaku_values={}, derivation={})
        )
    session.commit()
    return cycle


def test_a_completion_between_two_cycles_reduces_the_next_top_up(
    session, org, tmp_path, db_url, monkeypatch
):
    first = half_year(session, "s1-2025", date(2025, 1, 1), date(2025, 6, 30))
    set_predikat(session, "s1-2025", **{A: BP, B: BAIK})
    assign(session, first)
    assert plan(session, "s1-2025", A) == {
        "bimbingan_kinerja": (10.0, "assigned"),
        "pemenuhan_jp": (10.0, "assigned"),
    }
    assert plan(session, "s1-2025", B) == {"pemenuhan_jp": (20.0, "assigned")}

    # Between the cycles: A completes the planned coaching, B an e-learning course nobody
    # planned. Importing the file twice records them once.
    path = completions(
        tmp_path, f"{A},bimbingan_kinerja,10,2025-08-01", f"{B},e_learning_sakip,6,2025-09-01"
    )
    for _ in range(2):
        report, fulfilled = record_completions(session, path=path, now=datetime(2025, 9, 2))
        session.commit()
    assert report.rows == 2 and report.inserted == 0 and fulfilled == 0
    session.expire_all()
    assert plan(session, "s1-2025", A)["bimbingan_kinerja"] == (10.0, "completed")
    assert ledger(session, A)[f"s1-2025:{A}:bimbingan_kinerja"] == (10.0, "fulfilled")

    second = half_year(session, "s2-2025", date(2025, 7, 1), date(2025, 12, 31))
    set_predikat(session, "s2-2025", **{A: BAIK, B: BAIK})
    assign(session, second)
    # Without the completions both would get the full 20 JP top-up.
    assert plan(session, "s2-2025", A) == {"pemenuhan_jp": (10.0, "assigned")}
    assert plan(session, "s2-2025", B) == {"pemenuhan_jp": (14.0, "assigned")}
    assert session.get(Result, ("s2-2025", A)).derivation["training"][0] == "JP so far 10"

    [year] = ledger_for(session, nip=A, year=2025)
    assert (year.planned_jp, year.open_jp, year.completed_jp, year.minimum, year.met) == (
        30.0,
        20.0,
        10.0,
        20.0,
        False,
    )

    monkeypatch.setenv("KINERJA_DATABASE_URL", db_url)
    out = CliRunner().invoke(app, ["training", "ledger", A, "--year", "2025"])
    assert out.exit_code == 0, out.output
    assert "  completed     10 JP  bimbingan_kinerja on 2025-08-01 (cycle s1-2025)" in out.output
    assert "minimum 20 JP: belum terpenuhi, kurang 10 JP / not met, 10 JP short" in out.output
    done = completions(tmp_path, f"{A},pelatihan_komunikasi,10,2025-10-01")
    out = CliRunner().invoke(app, ["training", "import", str(done)])
    assert out.exit_code == 0, out.output
    assert "training: 1 rows from training.csv (1 new, 0 updated)" in out.output
    out = CliRunner().invoke(app, ["training", "ledger", A])
    assert "  minimum 20 JP: terpenuhi / met" in out.output
    bad = CliRunner().invoke(app, ["training", "ledger", "NOBODY"])
    assert bad.exit_code != 0 and "unknown employee: NOBODY" in bad.output
