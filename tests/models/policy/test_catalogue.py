"""The training catalogue: validated, referenced by the pack's rules, snapshot with the cycle.

Issue 4 ("rules that map predikat and competency gaps to training from a catalogue in
configs/"); DESIGN.md ("A cycle stores the exact config and policy it started with").
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import create_cycle, cycle_pack
from kinerja.models.policy.catalogue import load_catalogue
from kinerja.models.policy.loading import load_pack, pack_from_dict, pack_hash, pack_to_dict
from kinerja.models.schemas.config import ConfigError
from kinerja.tests.models.orgfixture import START, cycle_config

ROOT = Path(__file__).resolve().parents[3]
ASN = ROOT / "configs" / "policies" / "asn.yaml"
CATALOGUE = ROOT / "configs" / "training" / "catalogue.yaml"


def own_pack(tmp_path: Path, edit_pack=None, edit_catalogue=None) -> Path:
    """asn.yaml and a private catalogue copy (``courses.yaml``) beside it, maybe edited."""
    pack = yaml.safe_load(ASN.read_text(encoding="utf-8"))
    pack["training"]["catalogue"] = "courses.yaml"
    catalogue = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    if edit_pack:
        edit_pack(pack)
    if edit_catalogue:
        edit_catalogue(catalogue)
    (tmp_path / "asn.yaml").write_text(yaml.safe_dump(pack, allow_unicode=True), encoding="utf-8")
    (tmp_path / "courses.yaml").write_text(
        yaml.safe_dump(catalogue, allow_unicode=True), encoding="utf-8"
    )
    return tmp_path / "asn.yaml"


def test_the_shipped_catalogue_is_embedded_in_the_pack():
    pack = load_pack("asn")
    catalogue = pack.training.catalogue
    assert catalogue is not None and catalogue.name == "asn-catalogue"
    assert pack.training.course_info("bimbingan_kinerja")[1] == 10.0
    stored = pack_to_dict(pack)
    assert stored["training"]["catalogue"]["courses"][0]["course"] == "bimbingan_kinerja"
    again = pack_from_dict(stored)
    assert pack_hash(again) == pack_hash(pack)
    assert load_catalogue("catalogue").model_dump() == catalogue.model_dump()


@pytest.mark.parametrize(
    ("edit", "field", "says"),
    [
        (
            lambda p: p["training"]["courses"][0].update(course="kursus_hilang"),
            "training.courses.0.course",
            "'kursus_hilang' is not in the catalogue asn-catalogue",
        ),
        (
            lambda p: p["training"]["gap_courses"][1].update(course="kursus_hilang"),
            "training.gap_courses.1.course",
            "'kursus_hilang' is not in the catalogue asn-catalogue",
        ),
        (
            lambda p: p["training"]["gap_courses"][0].update(competency="menyanyi"),
            "training.gap_courses.0.competency",
            "'menyanyi' is not a competency",
        ),
        (
            lambda p: p["training"]["gap_courses"][0].update(course="pelatihan_komunikasi"),
            "training.gap_courses.0.course",
            "develops 'komunikasi', not 'integritas'",
        ),
    ],
)
def test_an_unknown_course_in_a_pack_rule_names_the_pack_file_and_field(
    tmp_path, edit, field, says
):
    path = own_pack(tmp_path, edit_pack=edit)
    with pytest.raises(ConfigError) as exc:
        load_pack(str(path))
    message = str(exc.value)
    assert str(path) in message
    assert field in message and says in message


def test_a_bad_catalogue_names_its_own_file_and_field(tmp_path):
    path = own_pack(tmp_path, edit_catalogue=lambda c: c["courses"][2].update(jp=0))
    with pytest.raises(ConfigError) as exc:
        load_pack(str(path))
    message = str(exc.value)
    assert str(path) in message and "training.catalogue" in message
    assert str(tmp_path / "courses.yaml") in message and "courses.2.jp" in message


def test_a_missing_catalogue_file_is_named(tmp_path):
    path = own_pack(tmp_path)
    (tmp_path / "courses.yaml").unlink()
    with pytest.raises(ConfigError) as exc:
        load_pack(str(path))
    assert f"{tmp_path / 'courses.yaml'}: file not found" in str(exc.value)


def test_editing_the_catalogue_after_a_cycle_started_changes_new_cycles_only(engine, tmp_path):
    own_pack(tmp_path)
    config = cycle_config().model_copy(update={"policy": "asn.yaml"})
    with Session(engine) as session:
        cycle = create_cycle(session, config=config, config_dir=tmp_path, now=START)
        session.commit()
        started_hash = cycle.pack_hash

    catalogue = yaml.safe_load((tmp_path / "courses.yaml").read_text(encoding="utf-8"))
    catalogue["courses"][0]["jp"] = 16
    (tmp_path / "courses.yaml").write_text(yaml.safe_dump(catalogue), encoding="utf-8")

    with Session(engine) as session:
        cycle = create_cycle(session, config=config, config_dir=tmp_path, now=START)
        assert cycle.pack_hash == started_hash
        assert cycle_pack(cycle).training.course_info("bimbingan_kinerja")[1] == 10.0
    fresh = load_pack("asn.yaml", base_dir=tmp_path)
    assert fresh.training.course_info("bimbingan_kinerja")[1] == 16.0
    assert pack_hash(fresh) != started_hash
