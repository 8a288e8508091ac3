"""A stage's stats and a gate's figures as table rows: readable, never a Python repr."""

from __future__ import annotations

from decimal import Decimal

from kinerja.models.stages.summaries import (
    MEASURE,
    STEP,
    VALUE,
    gate_table_rows,
    stage_summary_line,
    stage_summary_rows,
)

STATS = {
    "tasks": {"tasks": 12, "done": 11, "late": 2, "escalated": 1, "expired": 1},
    "late_by_unit": [["DINAS.B01", 2]],
    "incentive-totals": {"units": [["DINAS", 5, "21285000.00"]], "total": "21285000.00"},
    "incentives": {"computed": 1200},
    "unit-indices": {"units": [{"unit": "DINAS", "ikm": 82.5}], "warnings": []},
    "exports": {"files": ["/srv/a.csv", "/srv/a.json"]},
}


def as_triples(rows: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    return [(r[STEP], r[MEASURE], r[VALUE]) for r in rows]


def test_stage_stats_become_readable_rows():
    rows = as_triples(stage_summary_rows(STATS))
    assert rows == [
        ("tugas / tasks", "tasks", "12"),
        ("tugas / tasks", "done", "11"),
        ("tugas / tasks", "late", "2"),
        ("tugas / tasks", "escalated", "1"),
        ("tugas / tasks", "expired", "1"),
        ("terlambat per unit / late by unit", "DINAS.B01", "2"),
        ("incentive-totals", "units: DINAS", "5 · 21.285.000,00"),
        ("incentive-totals", "total", "21.285.000,00"),
        ("incentives", "computed", "1.200"),
        ("unit-indices", "units: DINAS", "ikm: 82,50"),
        ("unit-indices", "warnings", "-"),
        ("exports", "files", "/srv/a.csv, /srv/a.json"),
    ]
    for row in rows:
        assert not any(mark in cell for cell in row for mark in ("{'", "[('", "None", "Decimal("))


def test_summary_line():
    assert stage_summary_line(STATS).startswith("12 tugas / tasks: 11 selesai / done")
    assert stage_summary_line({}) == "Tanpa tugas manusia / no human tasks."


def test_payout_gate_rows_have_totals_and_budget():
    summary = {
        "units": [("DINAS", 5, Decimal("21285000.00")), ("DINAS.B01", 7, "9000000.00")],
        "total": Decimal("30285000.00"),
        "budget": Decimal("40000000"),
    }
    assert gate_table_rows("payout", summary) == [
        {"unit": "DINAS", "pegawai / employees": "5", "total": "Rp21.285.000"},
        {"unit": "DINAS.B01", "pegawai / employees": "7", "total": "Rp9.000.000"},
        {"unit": "* total", "pegawai / employees": "12", "total": "Rp30.285.000"},
        {"unit": "* pagu / budget", "pegawai / employees": "-", "total": "Rp40.000.000"},
    ]
    no_budget = gate_table_rows("payout-2026-03", {**summary, "budget": None})
    assert no_budget[-1]["total"] == "-"


def test_publication_gate_rows_name_each_unit_and_its_check():
    summary = {
        "failing": {"DINAS": ["DINAS: sangat_baik: 3 > 2"]},
        "org_predikat": [("DINAS", "baik", "unit_ratings.csv"), ("DINAS.B01", "sangat_baik", "x")],
    }
    rows = gate_table_rows("publication", summary)
    assert [r["unit"] for r in rows] == ["DINAS", "DINAS.B01"]
    assert rows[0]["uji distribusi / distribution check"] == "DINAS: sangat_baik: 3 > 2"
    assert rows[1]["uji distribusi / distribution check"] == "lolos / passed"
    assert rows[1]["predikat organisasi"] == "sangat_baik"
