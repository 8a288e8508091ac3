"""``kinerja policy check``: a valid pack is described in plain words; an invalid one exits 2."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from kinerja.cli.policy import policy_app
from kinerja.models.policy.loading import load_pack, pack_hash, policies_dir

runner = CliRunner()


def _check(*args: str):
    return runner.invoke(policy_app, ["check", *args])


def test_asn_is_described_section_by_section():
    result = _check("asn")
    assert result.exit_code == 0, result.output
    out = result.output
    for part in (
        "Policy pack / Paket kebijakan: asn@2026.1",
        f"sha256 {pack_hash(load_pack('asn'))}",
        "== Identifiers / Identitas ==",
        "Employee identifier (NIP): 18 digits (18 digit angka): the whole value matches"
        " [0-9]{18}, e.g. 198505102010012003. Another form is refused in every file, unless it"
        " already names an employee.",
        "no weights (every target counts the same); a weight given is above 0 and at most 100",
        "== Result rating / Rating hasil kerja ==",
        "A result is above expectation at >= 110% achievement and below it under 100%",
        "di_atas: more than 50% above and no utama result below",
        "Service oriented (Berorientasi Pelayanan)",
        "== Distribution curve / Kurva distribusi ==",
        "Checked per rater: all direct reports of one rater, whatever their units, against the"
        " curve of the rater's unit's own rating (group: rater)",
        "baik at most 70% [baik.baik.max]; butuh_perbaikan + kurang at least 1 person(s)",
        "no sangat_baik [sk.sangat_baik.none]",
        "U8    Complaint handling (Penanganan pengaduan, saran dan masukan)  1/9",
        "A (Very good (Sangat baik)) from 88.31",
        "Sample size (Krejcie-Morgan): chi2 3.841, P 0.5, d 0.05",
        "At least 20 JP",
        "Formula: base * months * (performance_weight * predikat_factor",
        "TL1 0.5%",
        "Written reprimand (Teguran tertulis)",
        "First expert (Ahli Pertama)    12.5",
        "sangat_baik 150%",
        "The pack is valid (1 version(s))",
    ):
        assert part in out, part


def test_the_generic_pack_takes_any_identifier_and_weights_summing_to_100():
    out = _check("generic").output
    assert (
        "Employee identifier (NIP): any text (teks apa pun), not empty, up to the database"
        " column's length." in out
    )
    assert (
        "weights required, summing to 100 per person; a weight given is above 0 and at most 100"
        in out
    )


def test_the_predikat_matrix_is_a_table():
    out = _check("asn").output
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("hasil kerja \\ perilaku"))
    rows = [line.split() for line in lines[head + 2 : head + 5]]
    # PermenPANRB 6/2022 kuadran (DOMAIN.md A1): rows hasil kerja, columns perilaku.
    assert lines[head].split()[4:] == ["di_atas", "sesuai", "di_bawah"]
    assert rows == [
        ["di_atas", "sangat_baik", "baik", "kurang"],
        ["sesuai", "baik", "baik", "kurang"],
        ["di_bawah", "butuh_perbaikan", "butuh_perbaikan", "sangat_kurang"],
    ]


@pytest.mark.parametrize(
    ("on", "version", "top2"),
    [(None, "okr@2026.1", "at most 30%"), ("2025-05-01", "okr@2025.1", "at most 35%")],
)
def test_a_version_by_date(on, version, top2):
    result = _check("okr", *(["--on", on] if on else []))
    assert result.exit_code == 0, result.output
    assert f"Policy pack / Paket kebijakan: {version}" in result.output
    assert f"exceptional + strong {top2} [achieved.top2.max]" in result.output
    assert "2025.1 from 2025-01-01" in result.output and "2 version(s)" in result.output
    assert "From the result rating alone" in result.output
    assert "None: no citizen survey." in result.output


def test_a_path_works_too():
    result = _check(str(policies_dir() / "generic.yaml"))
    assert result.exit_code == 0 and "generic@2026.1" in result.output
    assert "None: any spread of predikat is allowed." in result.output


def _write(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load((policies_dir() / "asn.yaml").read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda d: d["incentive"].update(formula="base * bonus"),
            "incentive.formula: Value error, nama tidak dikenal 'bonus'",
        ),
        (
            lambda d: d["credit_points"]["predikat_pct"].pop("kurang"),
            "credit_points.predikat_pct: must give a percent for exactly",
        ),
        (lambda d: d["ikm"].update(sample={"d": 2}), "ikm.sample.d: Input should be less than 1"),
    ],
)
def test_an_invalid_pack_exits_2_naming_file_and_field(tmp_path, edit, message):
    path = _write(tmp_path, edit)
    result = _check(str(path))
    assert result.exit_code == 2
    assert f"{path}: invalid configuration" in result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_errors_for_a_missing_pack_a_bad_date_and_a_date_before_the_pack():
    missing = _check("nope")
    assert missing.exit_code == 2 and "nope.yaml: file not found" in missing.output
    bad = _check("asn", "--on", "31-12-2025")
    assert bad.exit_code == 2 and "invalid date '31-12-2025' (expected YYYY-MM-DD)" in bad.output
    early = _check("asn", "--on", "2001-01-01")
    assert early.exit_code == 2 and "no version in force on 2001-01-01" in early.output


def test_the_distribution_options_are_named_with_what_they_do():
    # DOMAIN.md A1: no rounding rule for small units was found [U]; the pack holds it, and
    # policy check says which option does what, under its own name.
    result = _check("asn")
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    for part in (
        "max_rounding: floor (at most 70% of 5 = 3.5 allows 3)",
        "min_rounding: ceil (at least 60% of 4 = 2.4 needs 3)",
        "exempt_below: none (every group is checked)",
        "A one-person group never fails on its own",
        "A failing finding is a flag for the publication gate, not a block",
    ):
        assert part in out, part
