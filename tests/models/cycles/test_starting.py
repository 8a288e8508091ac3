"""Starting a cycle from the run form's request: a config the server has, or an uploaded one."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from kinerja.models.cycles.cycle import CycleError
from kinerja.models.cycles.starting import available_configs, resolve_start, start_from_request
from kinerja.models.schemas.config import ConfigError
from kinerja.models.schemas.requests import CycleStart
from kinerja.models.store.tables import CycleStage

DEMO = Path(__file__).resolve().parents[3] / "configs" / "demo" / "cycle.yaml"


def test_the_demo_is_offered_and_a_home_config_comes_first(tmp_path, monkeypatch):
    monkeypatch.setenv("KINERJA_HOME", str(tmp_path))
    assert available_configs() == ["demo/cycle.yaml"]
    mine = tmp_path / "configs" / "dinas" / "2027.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text(DEMO.read_text().replace("contoh-2026", "dinas-2027"))
    (tmp_path / "configs" / "notes.yaml").write_text("not: a cycle\n")
    assert available_configs() == ["demo/cycle.yaml", "dinas/2027.yaml"]
    config, folder = resolve_start(CycleStart(config="dinas/2027.yaml"))
    assert config.cycle_id == "dinas-2027" and folder == mine.parent


@pytest.mark.parametrize("name", ["../../../etc/passwd", "nope.yaml", "/etc/hostname"])
def test_a_name_outside_the_configs_is_refused_naming_what_is_offered(tmp_path, monkeypatch, name):
    monkeypatch.setenv("KINERJA_HOME", str(tmp_path))
    with pytest.raises(CycleError, match=r"not among the server's configs \(available: demo/"):
        resolve_start(CycleStart(config=name))


def test_an_uploaded_config_wins_and_a_bad_one_names_its_field(tmp_path, monkeypatch):
    monkeypatch.setenv("KINERJA_HOME", str(tmp_path))
    text = DEMO.read_text().replace("contoh-2026", "unggah-2026")
    config, _ = resolve_start(CycleStart(config="nope.yaml", config_yaml=text))
    assert config.cycle_id == "unggah-2026"
    with pytest.raises(ConfigError, match=r"uploaded\): invalid configuration\n  bogus: Extra"):
        resolve_start(CycleStart(config_yaml=text + "\nbogus: 1\n"))
    with pytest.raises(ConfigError, match="not valid YAML"):
        resolve_start(CycleStart(config_yaml="name: [unclosed"))


def test_starting_twice_is_one_cycle(session, tmp_path, monkeypatch):
    monkeypatch.setenv("KINERJA_HOME", str(tmp_path))
    now = datetime(2026, 1, 2, 8)
    first = start_from_request(session, request=CycleStart(), now=now)
    again = start_from_request(session, request=CycleStart(), now=now)
    assert first.cycle_id == again.cycle_id == "contoh-2026"
    stages = session.query(CycleStage).filter_by(cycle_id="contoh-2026").count()
    assert stages == 8  # the demo config has no periods inside the year
