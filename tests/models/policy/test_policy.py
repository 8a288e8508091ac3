"""Policy packs: the shipped packs load and validate; bad packs are refused with a path."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from kinerja.models.policy.loading import (
    load_pack,
    pack_from_dict,
    pack_hash,
    pack_to_dict,
    policies_dir,
)
from kinerja.models.policy.pack import PolicyPack
from kinerja.models.schemas.config import ConfigError


@pytest.mark.parametrize("name", ["asn", "generic", "okr"])
def test_shipped_packs_load(name):
    pack = load_pack(name)
    assert isinstance(pack, PolicyPack)
    assert pack.name == name and pack.rule_version == f"{name}@{pack.version}"


def test_asn_pack_content(asn):
    assert asn.predikat.order == [
        "sangat_baik",
        "baik",
        "butuh_perbaikan",
        "kurang",
        "sangat_kurang",
    ]
    assert asn.result_rating.levels == ["di_atas", "sesuai", "di_bawah"]
    assert asn.behaviour.levels == asn.result_rating.levels
    assert len(asn.behaviour.values) == 7
    assert asn.targets.required_weights_sum is None
    assert [e.code for e in asn.ikm.elements] == [f"U{i}" for i in range(1, 10)]
    assert set(asn.ikm.weights().values()) == {Fraction(1, 9)}
    assert asn.training.min_jp_per_year == 20
    assert asn.incentive.performance_weight + asn.incentive.attendance_weight == 1
    assert asn.predikat.labels["kurang"].get("en") == "Poor/Misconduct"
    assert asn.identifiers.nip.pattern == "[0-9]{18}"
    assert (asn.targets.weight_above, asn.targets.weight_at_most) == (0, 100)


def test_generic_pack_content(generic):
    assert generic.targets.required_weights_sum == 100
    assert generic.distribution is None and generic.ikm is None
    assert generic.predikat.method == "from_result"
    assert generic.identifiers.nip.pattern is None


def test_a_snapshot_from_before_the_identifiers_section_still_loads(asn):
    # A cycle stored its pack before packs had these fields: it takes the defaults, any text
    # as a NIP and weights above 0 and at most 100, and keeps running.
    data = pack_to_dict(asn)
    del data["identifiers"]
    del data["targets"]["weight_above"], data["targets"]["weight_at_most"]
    old = pack_from_dict(data)
    assert old.identifiers.nip.pattern is None
    assert (old.targets.weight_above, old.targets.weight_at_most) == (0, 100)


@pytest.mark.parametrize("name", ["asn", "generic", "okr"])
def test_round_trip_and_hash(name):
    pack = load_pack(name)
    data = pack_to_dict(pack)
    assert json.loads(json.dumps(data)) == data  # JSON-able
    again = pack_from_dict(json.loads(json.dumps(data)))
    assert again == pack and pack_hash(again) == pack_hash(pack)
    second = pack.predikat.order[1]
    assert again.predikat.rank(second) == pack.predikat.rank(second) == 1
    if again.distribution is not None:
        label = pack.predikat.labels[second]
        assert again.distribution.predikat_label(second) == f"{label.id} / {label.en}"


def test_hash_follows_content_not_layout(asn, tmp_path):
    data = yaml.safe_load((policies_dir() / "asn.yaml").read_text(encoding="utf-8"))
    (tmp_path / "same.yaml").write_text(yaml.safe_dump(data, sort_keys=True), encoding="utf-8")
    assert pack_hash(load_pack(str(tmp_path / "same.yaml"))) == pack_hash(asn)
    data["incentive"]["predikat_factors"]["kurang"] = "0.84"
    (tmp_path / "edited.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    assert pack_hash(load_pack(str(tmp_path / "edited.yaml"))) != pack_hash(asn)


def test_relative_path_uses_base_dir(tmp_path):
    source = policies_dir() / "generic.yaml"
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "mine.yaml").write_text(source.read_text(encoding="utf-8"), "utf-8")
    pack = load_pack("packs/mine.yaml", base_dir=tmp_path)
    assert pack.name == "generic"


def test_missing_pack():
    with pytest.raises(ConfigError, match="nope.yaml: file not found"):
        load_pack("nope")


def _broken(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load((policies_dir() / "asn.yaml").read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _set(path: str, value):
    def edit(data):
        *parents, last = path.split(".")
        node = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is _DELETE:
            del node[last]
        else:
            node[int(last) if isinstance(node, list) else last] = value

    return edit


_DELETE = object()

# (edit, text the error must contain: the field path and what is wrong)
BROKEN = [
    (_set("result_rating.share.abov_from", 110), "result_rating.share.abov_from: Extra inputs"),
    (_set("achievement.cap", "lots"), "achievement.cap: Input should be a valid number"),
    (_set("ikm.elements.3.weight", "0.11"), "weights must sum to exactly 1"),
    (_set("ikm.elements.0.weight", "a/b"), "ikm.elements.0.weight: Value error, not a number"),
    (
        _set("predikat.matrix.sesuai.sesuai", "hebat"),
        "matrix.sesuai.sesuai: 'hebat' is not a predikat",
    ),
    (
        _set("predikat.matrix.di_atas", {"sesuai": "baik"}),
        "predikat.matrix.di_atas: columns must be",
    ),
    (
        _set("distribution.curves.baik.0.share", None),
        "distribution.curves.baik.0: Value error, share: required",
    ),
    (
        _set("distribution.curves.baik.0.predikat", ["hebat"]),
        "distribution.curves.baik.0.predikat: unknown",
    ),
    (
        _set("incentive.predikat_factors.kurang", _DELETE),
        "incentive.predikat_factors: must give a factor",
    ),
    (
        _set("incentive.attendance_weight", "0.5"),
        "performance_weight + attendance_weight must be 1",
    ),
    (
        _set("training.courses.0.predikat", ["hebat"]),
        "training.courses.0.predikat: unknown predikat",
    ),
    (_set("result_rating.if_no_results", "hebat"), "if_no_results: 'hebat' is not one of"),
    (_set("behaviour.values", ["akuntabel", "akuntabel"]), "values: codes must be unique"),
    (_set("effective_from", "someday"), "effective_from: Input should be a valid date"),
    (_set("identifiers.nip.pattern", "[0-9"), "identifiers.nip: Value error, pattern: not a"),
    (_set("identifiers.nip.pattern", "[0-9]*"), "pattern: must not accept an empty value"),
    (_set("identifiers.nip.example", "E1"), "example: 'E1' does not match the pattern"),
    (_set("identifiers.nip.form", "x"), "identifiers.nip.form: Extra inputs"),
    (_set("targets.weight_above", 100), "weight_above must be below weight_at_most"),
    (_set("targets.weight_at_most", "much"), "targets.weight_at_most: Input should be a valid"),
    (_set("name", _DELETE), "name: Field required"),
]


@pytest.mark.parametrize(("edit", "message"), BROKEN)
def test_invalid_pack_names_file_and_field(tmp_path, edit, message):
    path = _broken(tmp_path, edit)
    with pytest.raises(ConfigError) as info:
        load_pack(str(path))
    text = str(info.value)
    assert text.startswith(f"{path}: invalid configuration"), text
    assert message in text, text


def test_not_a_mapping(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_pack(str(path))


def test_optional_sections_may_be_null(tmp_path):
    def strip(data):
        for key in ("distribution", "ikm", "training", "incentive"):
            data[key] = None

    pack = load_pack(str(_broken(tmp_path, strip)))
    assert pack.ikm is None and pack.training is None and pack.incentive is None


def test_pack_from_dict_error_names_its_source(asn):
    data = pack_to_dict(asn) | {"extra": 1}
    with pytest.raises(ConfigError, match="cycle x: invalid configuration\n  extra: Extra inputs"):
        pack_from_dict(data, source="cycle x")


def test_behaviour_default_rating(asn, generic, tmp_path):
    assert asn.behaviour.default_rating == "sesuai"
    assert generic.behaviour.default_rating == "3"
    pack = load_pack(str(_broken(tmp_path, _set("behaviour.default_rating", _DELETE))))
    assert pack.behaviour.default_rating == "sesuai"  # the middle level
    with pytest.raises(ConfigError, match="behaviour: Value error, default_rating: 'hebat'"):
        load_pack(str(_broken(tmp_path, _set("behaviour.default_rating", "hebat"))))
