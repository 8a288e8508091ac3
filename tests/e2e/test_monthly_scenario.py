"""The hand-computed monthly scenario (tests/scenarios/monthly_asn) through the real ``kinerja``
command.

``kinerja db upgrade`` and ``kinerja simulate`` run in a subprocess on a fresh database of each
backend. Every month's periodic predikat and tukin per person (table ``period_results``), the
year's predikat (``kinerja results export --format json``) and the July payroll file must equal
the tables below and ``expected/payroll-2026-07.csv``: the scenario README's hand computation
(asn.yaml, DOMAIN.md A1, A4) written out, not recomputed with the rules.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from kinerja.tasks.mailcatcher import MailCatcher

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "monthly_asn"
CYCLE = "monthly-asn-2026"
PG_URL = os.environ.get("KINERJA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = [b for b in os.environ.get("KINERJA_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]

MONTHS = tuple(f"2026-{m:02d}" for m in range(1, 13))
SB, B, BP, K, SK = "sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang"

# README "Periodic predikat": each person's periodic predikat, January to December.
PREDIKAT = {
    "198001012005011001": (B, B, B, B, B, B, SB, B, B, B, B, B),  # Agus
    "198502022010012002": (B, B, B, B, B, B, B, B, B, B, B, B),  # Bambang
    "199003032015032003": (B, B, B, SB, SB, SB, SB, SB, SB, SB, SB, SB),  # Cahya
    "199204042018042004": (B, B, B, B, B, B, B, B, B, B, B, B),  # Dewi
    "199505052020052005": (BP, BP, BP, BP, BP, BP, B, BP, BP, BP, BP, BP),  # Eka
    "199706062022062006": (B, B, K, B, B, B, B, K, B, K, B, K),  # Fajar
    "197807072003071007": (SB, SB, SB, SB, SB, SB, SB, SB, SB, SB, SB, SB),  # Gita
    "198808082012081008": (B, B, B, BP, BP, B, B, B, B, B, B, B),  # Hendra
    "199109092016091009": (B, B, B, B, B, K, B, B, BP, B, B, B),  # Indah
    "199310102019101010": (SK, SK, BP, BP, BP, BP, B, BP, BP, BP, BP, BP),  # Joko
    "199611112021111011": (B, B, B, B, B, B, B, B, B, B, B, B),  # Kartika
    "197912122004121012": (B, B, B, B, B, B, B, B, B, B, B, B),  # Lukman
    "198701132011012013": (B, B, B, B, B, B, B, B, B, B, B, B),  # Maya
    "199002142014022014": (K, K, K, K, K, K, B, K, K, K, K, K),  # Nanda
    "199403152019032015": (BP, BP, BP, BP, BP, BP, B, BP, BP, BP, BP, BP),  # Oktaviani
    "199812162023122016": (B, B, B, B, B, B, B, B, B, B, SK, B),  # Putra
}  # fmt: skip

# README "Every month's tukin per person": the amount paid, January to December (July scaled
# by the pagu, rounded down).
TUKIN = {
    "198001012005011001": (
        6300000, 6300000, 6300000, 6300000, 6300000, 6300000,
        6286810, 6300000, 6300000, 6300000, 6300000, 6300000,
    ),
    "198502022010012002": (
        4400000, 4400000, 4400000, 4400000, 4400000, 4400000,
        4390787, 4400000, 4400000, 4400000, 4400000, 4400000,
    ),
    "199003032015032003": (
        3800000, 3800000, 3800000, 3800000, 3800000, 3800000,
        3792044, 3800000, 3800000, 3800000, 3800000, 3800000,
    ),
    "199204042018042004": (
        3500000, 3500000, 3479000, 3500000, 3500000, 3500000,
        3408848, 3500000, 3500000, 3500000, 3500000, 3500000,
    ),
    "199505052020052005": (
        2726000, 2726000, 2726000, 2726000, 2726000, 2726000,
        2893928, 2726000, 2726000, 2726000, 2726000, 2726000,
    ),
    "199706062022062006": (
        2600000, 2600000, 2366000, 2600000, 2600000, 2600000,
        2594556, 2366000, 2600000, 2366000, 2600000, 2366000,
    ),
    "197807072003071007": (
        5200000, 5200000, 5200000, 5200000, 5200000, 5200000,
        5189113, 5200000, 5200000, 5200000, 5200000, 5200000,
    ),
    "198808082012081008": (
        4100000, 4100000, 4100000, 3854000, 3854000, 4100000,
        4091416, 4100000, 4100000, 4100000, 4100000, 4100000,
    ),
    "199109092016091009": (
        3800000, 3800000, 3800000, 3800000, 3800000, 3458000,
        3784460, 3800000, 3572000, 3800000, 3800000, 3800000,
    ),
    "199310102019101010": (
        2684000, 2684000, 2867000, 2867000, 2867000, 2867000,
        3043614, 2867000, 2867000, 2867000, 2867000, 2867000,
    ),
    "199611112021111011": (
        3000000, 3000000, 3000000, 3000000, 3000000, 3000000,
        2993719, 3000000, 3000000, 3000000, 3000000, 3000000,
    ),
    "197912122004121012": (
        5700000, 5700000, 5700000, 5700000, 5700000, 5700000,
        5688066, 5700000, 5700000, 5700000, 5700000, 5700000,
    ),
    "198701132011012013": (
        4400000, 4400000, 4400000, 4400000, 4400000, 4400000,
        4390787, 4400000, 4400000, 4400000, 4400000, 4400000,
    ),
    "199002142014022014": (
        3731000, 3731000, 3731000, 3731000, 3731000, 3731000,
        4091416, 3731000, 3731000, 3731000, 3731000, 3731000,
    ),
    "199403152019032015": (
        2585000, 2585000, 2585000, 2585000, 2585000, 2585000,
        2744242, 2585000, 2497000, 2585000, 2585000, 2585000,
    ),
    "199812162023122016": (
        2600000, 2600000, 2600000, 2600000, 2600000, 1820000,
        1816189, 2600000, 2600000, 2600000, 2256800, 2600000,
    ),
}  # fmt: skip

# README "The year's predikat": the annual review's ratings through the matrix.
YEAR = {
    "198001012005011001": B,
    "198502022010012002": B,
    "199003032015032003": SB,
    "199204042018042004": B,
    "199505052020052005": BP,
    "199706062022062006": B,
    "197807072003071007": SB,
    "198808082012081008": B,
    "199109092016091009": B,
    "199310102019101010": BP,
    "199611112021111011": B,
    "197912122004121012": B,
    "198701132011012013": B,
    "199002142014022014": K,
    "199403152019032015": BP,
    "199812162023122016": K,
}

# README "Targets and realisation": the one month left out of metrics.csv.
UNREPORTED = ("2026-04", "199611112021111011")


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def kinerja(empty_url, tmp_path, home):
    with MailCatcher(tmp_path / "mail") as catcher:
        env = dict(os.environ)
        env.pop("PREFECT_API_URL", None)
        env.update(
            KINERJA_DATABASE_URL=empty_url,
            KINERJA_HOME=str(home),
            PREFECT_HOME=str(tmp_path / "prefect"),
            PREFECT_LOGGING_LEVEL="WARNING",
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            KINERJA_SMTP_HOST="127.0.0.1",
            KINERJA_SMTP_PORT=str(catcher.port),
        )

        def run(*args: str) -> str:
            result = subprocess.run(
                [sys.executable, "-m", "kinerja.cli.main", *args],
                env=env,
                text=True,
                capture_output=True,
                timeout=900,
            )
            assert result.returncode == 0, result.stdout + result.stderr
            return result.stdout

        run.mail = catcher  # type: ignore[attr-defined]
        yield run


def test_hand_computed_monthly_scenario_matches_the_simulated_cycle(kinerja, empty_url, home):
    kinerja("db", "upgrade")
    simulated = kinerja("simulate", str(SCENARIO))
    assert f"cycle {CYCLE} complete" in simulated
    assert "0 dead" in simulated

    engine = create_engine(empty_url)
    try:
        with engine.connect() as conn:
            periodic = {
                (period, nip): (predikat, incentive)
                for period, nip, predikat, incentive in conn.execute(
                    text(
                        "SELECT period, nip, predikat, incentive FROM period_results"
                        " WHERE cycle_id = :c"
                    ),
                    {"c": CYCLE},
                )
            }
            reports = conn.execute(
                text(
                    "SELECT stage, subject_nip FROM human_tasks"
                    " WHERE cycle_id = :c AND kind = 'report_period'"
                ),
                {"c": CYCLE},
            ).all()
    finally:
        engine.dispose()

    # Every month's periodic predikat and tukin per person.
    assert sorted(periodic) == sorted((m, nip) for m in MONTHS for nip in PREDIKAT)
    got_predikat = {nip: tuple(periodic[m, nip][0] for m in MONTHS) for nip in PREDIKAT}
    assert got_predikat == PREDIKAT
    got_tukin = {
        nip: tuple(
            None if periodic[m, nip][1] is None else Decimal(str(periodic[m, nip][1]))
            for m in MONTHS
        )
        for nip in TUKIN
    }
    assert got_tukin == {nip: tuple(map(Decimal, amounts)) for nip, amounts in TUKIN.items()}

    # Only the month left out of metrics.csv was reported by the employee.
    month, nip = UNREPORTED
    assert [tuple(r) for r in reports] == [(f"report-{month}", nip)]

    # The year's predikat.
    rows = {
        r["nip"]: r for r in json.loads(kinerja("results", "export", CYCLE, "--format", "json"))
    }
    assert {nip: r["predikat"] for nip, r in rows.items()} == YEAR
    # Tukin was paid month by month: the annual incentive stage computes none.
    assert {nip: r["incentive"] for nip, r in rows.items()} == dict.fromkeys(YEAR)

    # Every month's payroll file is written; July's equals the one written by hand.
    exports = home / "exports" / CYCLE
    assert sorted(p.name for p in exports.glob("payroll-*.csv")) == [
        f"payroll-{m}.csv" for m in MONTHS
    ]
    expected = (SCENARIO / "expected" / "payroll-2026-07.csv").read_bytes()
    assert (exports / "payroll-2026-07.csv").read_bytes() == expected
