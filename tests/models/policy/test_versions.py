"""Effective-dated pack versions: one file, several versions, the one in force on a date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from kinerja.models.policy.loading import (
    load_pack,
    load_pack_versions,
    pack_from_dict,
    pack_hash,
    pack_to_dict,
    policies_dir,
)
from kinerja.models.schemas.config import ConfigError


def _asn_data() -> dict:
    return yaml.safe_load((policies_dir() / "asn.yaml").read_text(encoding="utf-8"))


def _versioned(tmp_path: Path, versions: list[dict], shared: dict | None = None) -> Path:
    data = _asn_data() if shared is None else shared
    for key in ("version", "effective_from"):
        data.pop(key, None)
    data["versions"] = versions
    path = tmp_path / "versioned.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


V2023 = {"version": "2023.1", "effective_from": "2023-01-01"}
# PermenLHK 6/2024 vs PMA 29/2016 (DOMAIN.md A4): an agency changing its predikat factors.
V2025 = {
    "version": "2025.1",
    "effective_from": "2025-01-01",
    "incentive": {"predikat_factors": {"kurang": "0.50", "sangat_kurang": "0.25"}},
}
V2026 = {"version": "2026.1", "effective_from": "2026-07-01", "ikm": None}


@pytest.mark.parametrize(
    ("on", "version"),
    [
        (None, "2026.1"),  # default: the latest
        (date(2023, 1, 1), "2023.1"),  # the first day in force
        (date(2024, 12, 31), "2023.1"),
        (date(2025, 1, 1), "2025.1"),
        (date(2026, 6, 30), "2025.1"),
        (date(2026, 7, 1), "2026.1"),
        (date(2040, 1, 1), "2026.1"),
    ],
)
def test_the_version_in_force_on_a_date(tmp_path, on, version):
    path = _versioned(tmp_path, [V2023, V2025, V2026])
    assert load_pack(str(path), on=on).version == version


def test_each_version_lays_its_changes_over_the_one_before(tmp_path):
    v23, v25, v26 = load_pack_versions(str(_versioned(tmp_path, [V2023, V2025, V2026])))
    asn = load_pack("asn")
    # 2023 is the shared part as it stands: the asn pack under another version.
    assert pack_to_dict(v23) | {"version": asn.version} == pack_to_dict(asn)
    factors = v25.incentive.predikat_factors
    assert (factors["kurang"], factors["sangat_kurang"], factors["baik"]) == (
        pytest.approx(0.5),
        pytest.approx(0.25),
        1,
    )
    assert v25.ikm is not None and v26.ikm is None  # a section switched off
    assert v26.incentive.predikat_factors == factors  # carried over from 2025
    assert len({pack_hash(v) for v in (v23, v25, v26)}) == 3
    # What a cycle stores is one version, with no trace of the others.
    stored = pack_to_dict(v25)
    assert "versions" not in stored and pack_from_dict(stored) == v25


def test_single_version_files_stay_valid():
    (asn,) = load_pack_versions("asn")
    assert asn == load_pack("asn") == load_pack("asn", on=date(2026, 1, 1))


@pytest.mark.parametrize("name", ["asn", "okr"])
def test_no_version_before_the_first(name):
    with pytest.raises(ConfigError, match="no version in force on 2001-01-01"):
        load_pack(name, on=date(2001, 1, 1))


BROKEN = [
    ([], "versions: must be a non-empty list"),
    (["2023"], "versions.0: must be a mapping"),
    ([{"effective_from": "2023-01-01"}], "versions.0.version: Field required"),
    ([V2023, {"version": "2024.1"}], "versions.1.effective_from: Field required"),
    ([V2025, V2023], "versions.1.effective_from: must be after the previous version's 2025-01-01"),
    ([V2023, V2023 | {"effective_from": "2024-01-01"}], "versions.1.version: '2023.1' is used"),
    (
        [V2023, {**V2025, "incentive": {"formula": "base * bonus"}}],
        "versions.1.incentive.formula: Value error, nama tidak dikenal 'bonus'",
    ),
    (
        [V2023, {**V2025, "predikat": {"matrix": {"sesuai": {"sesuai": "hebat"}}}}],
        "versions.1.predikat: Value error",
    ),
    ([V2023, {**V2026, "colour": "blue"}], "versions.1.colour: Extra inputs are not permitted"),
]


@pytest.mark.parametrize(("versions", "message"), BROKEN)
def test_a_broken_version_names_file_and_field(tmp_path, versions, message):
    path = _versioned(tmp_path, versions)
    with pytest.raises(ConfigError) as info:
        load_pack_versions(str(path))
    assert str(info.value).startswith(f"{path}: invalid configuration"), str(info.value)
    assert message in str(info.value), str(info.value)
