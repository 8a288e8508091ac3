"""A cycle keeps the policy pack it started with: editing the pack file changes new cycles only.

DESIGN.md ("A cycle stores the exact config and policy it started with"), issue 4 acceptance:
"Changing a pack file after a cycle started does not change that cycle's results". The
hand-computed scenario (tests/scenarios/rules_asn) runs with a private copy of the asn pack;
the copy is edited while the cycle waits for its reviews, before predikat and incentives are
computed. Reviews are scripted for everybody, so two cycles of the scenario with different
ids must give the same results whenever they use the same rules.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from kinerja.flows.simulate import simulate
from kinerja.models.cycles.cycle import get_cycle
from kinerja.models.policy.loading import load_pack, pack_hash
from kinerja.models.results.exports import export_results
from kinerja.models.store.db import get_engine, session_scope
from kinerja.models.store.tables import DistributionFinding, Result

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "tests" / "scenarios" / "rules_asn"
ASN = ROOT / "configs" / "policies" / "asn.yaml"

SB, B, BP, K, SK = "sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang"

# Two people of the scenario (README "Per person") and what each pack gives them.
SS_PERSON = "198203072006031002"  # III/d (base 4400000), hasil sesuai x perilaku sesuai
KURANG_PERSON = "199302202017022025"  # II/b (base 2750000), hasil di_atas x perilaku di_bawah
ORIGINAL = {SS_PERSON: ("baik", "4400000"), KURANG_PERSON: ("kurang", "2502500")}
# Edited pack: sesuai x sesuai -> butuh_perbaikan (4400000 x (0.6 x 0.90 + 0.4) = 4136000);
# kurang factor 0.50 (2750000 x (0.6 x 0.50 + 0.4) = 1925000).
EDITED = {SS_PERSON: ("butuh_perbaikan", "4136000"), KURANG_PERSON: ("kurang", "1925000")}


class StopSimulation(Exception):
    """Raised from the progress callback: the simulation stops between two flow runs."""


@pytest.fixture
def mail(mail, tmp_path, monkeypatch):
    monkeypatch.setenv("KINERJA_HOME", str(tmp_path / "home"))
    return mail


def scenario_with_own_pack(tmp_path: Path, name: str, cycle_id: str, pack: Path) -> Path:
    """A copy of the scenario under ``cycle_id`` whose cycle.yaml names its own pack file."""
    directory = tmp_path / name
    shutil.copytree(SCENARIO, directory)
    shutil.copyfile(pack, directory / "asn.yaml")
    config = yaml.safe_load((directory / "cycle.yaml").read_text(encoding="utf-8"))
    config.update(cycle_id=cycle_id, policy="asn.yaml")
    (directory / "cycle.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return directory


def edit_pack(path: Path) -> None:
    """Change one predikat matrix cell and one predikat factor, keeping name and version."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["predikat"]["matrix"]["sesuai"]["sesuai"] == "baik"
    assert data["incentive"]["predikat_factors"]["kurang"] == "0.85"
    data["predikat"]["matrix"]["sesuai"]["sesuai"] = "butuh_perbaikan"
    data["incentive"]["predikat_factors"]["kurang"] = "0.50"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def stop_when(prefix: str) -> Callable[[str], None]:
    def progress(line: str) -> None:
        if line.startswith(prefix):
            raise StopSimulation(line)

    return progress


def picked(session, cycle_id: str) -> dict[str, tuple[str | None, str]]:
    rows = session.execute(
        select(Result.nip, Result.predikat, Result.incentive).where(
            Result.cycle_id == cycle_id, Result.nip.in_(ORIGINAL)
        )
    ).all()
    return {nip: (predikat, f"{incentive:.0f}") for nip, predikat, incentive in rows}


def findings(session, cycle_id: str) -> list[tuple[str, str, bool, str]]:
    return [
        tuple(row)
        for row in session.execute(
            select(
                DistributionFinding.unit_id,
                DistributionFinding.rule,
                DistributionFinding.passed,
                DistributionFinding.detail,
            )
            .where(DistributionFinding.cycle_id == cycle_id)
            .order_by(DistributionFinding.unit_id, DistributionFinding.rule)
        )
    ]


def test_a_pack_edited_mid_cycle_changes_only_new_cycles(db_url, tmp_path, mail):
    reference = scenario_with_own_pack(tmp_path, "reference", "pack-reference", ASN)
    running = scenario_with_own_pack(tmp_path, "running", "pack-running", ASN)
    simulate(reference, db_url=db_url)

    # Start the cycle and let it run until the managers' reviews are open.
    with pytest.raises(StopSimulation):
        simulate(running, db_url=db_url, progress=stop_when("review:"))
    engine = get_engine(db_url)
    with session_scope(engine) as s:
        started = get_cycle(s, "pack-running")
        started_hash = started.pack_hash
        assert started.current_stage == "review"
        rated = select(func.count()).where(
            Result.cycle_id == "pack-running", Result.predikat.is_not(None)
        )
        assert s.scalar(rated) == 0  # no predikat or incentive computed yet

    edit_pack(running / "asn.yaml")
    simulate(running, db_url=db_url)  # the same cycle, resumed to its end
    later = scenario_with_own_pack(tmp_path, "later", "pack-later", running / "asn.yaml")
    simulate(later, db_url=db_url)  # a new cycle, started after the edit

    with session_scope(engine) as s:
        ref, run, new = (get_cycle(s, c) for c in ("pack-reference", "pack-running", "pack-later"))
        # The running cycle kept its snapshot: same hash as when it started and as the
        # unedited pack; the new cycle snapshotted the edited file.
        assert run.pack_hash == started_hash == ref.pack_hash == pack_hash(load_pack(str(ASN)))
        assert new.pack_hash == pack_hash(load_pack(str(later / "asn.yaml")))
        assert new.pack_hash != run.pack_hash
        assert run.pack["predikat"]["matrix"]["sesuai"]["sesuai"] == "baik"
        assert new.pack["predikat"]["matrix"]["sesuai"]["sesuai"] == "butuh_perbaikan"

        # Results, derivations and distribution findings equal the unedited run's.
        assert export_results(s, cycle_id="pack-running", fmt="json") == export_results(
            s, cycle_id="pack-reference", fmt="json"
        )
        assert findings(s, "pack-running") == findings(s, "pack-reference")
        derivations = {
            cycle_id: dict(
                s.execute(
                    select(Result.nip, Result.derivation).where(Result.cycle_id == cycle_id)
                ).all()
            )
            for cycle_id in ("pack-running", "pack-reference")
        }
        assert json.dumps(derivations["pack-running"], sort_keys=True) == json.dumps(
            derivations["pack-reference"], sort_keys=True
        )
        assert picked(s, "pack-running") == ORIGINAL

        # The new cycle uses the new cell and the new factor.
        assert picked(s, "pack-later") == EDITED
        # README: 7 butuh_perbaikan and 10 people in the sesuai x sesuai cell, now 17.
        per_predikat = dict(
            s.execute(
                select(Result.predikat, func.count())
                .where(Result.cycle_id == "pack-later")
                .group_by(Result.predikat)
            ).all()
        )
        assert per_predikat == {SB: 14, B: 8, BP: 17, K: 12, SK: 9}
        assert findings(s, "pack-later") != findings(s, "pack-running")


def test_a_running_cycle_resumes_after_its_pack_file_is_removed(db_url, tmp_path, mail):
    running = scenario_with_own_pack(tmp_path, "running", "pack-removed", ASN)
    with pytest.raises(StopSimulation):
        simulate(running, db_url=db_url, progress=stop_when("approve_targets:"))
    engine = get_engine(db_url)
    with session_scope(engine) as s:
        started_hash = get_cycle(s, "pack-removed").pack_hash

    # The pack file is moved away (say, renamed for next year's version): the cycle holds
    # its own snapshot and must not need the file to continue.
    (running / "asn.yaml").rename(tmp_path / "asn-next-year.yaml")
    report = simulate(running, db_url=db_url)

    with session_scope(engine) as s:
        cycle = get_cycle(s, report.cycle_id)
        assert cycle.status == "done"
        assert cycle.pack_hash == started_hash
        assert picked(s, "pack-removed") == ORIGINAL
