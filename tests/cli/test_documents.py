"""``kinerja documents``: one PDF per person and kind of a unit, clear errors (both backends)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from kinerja.cli.main import app
from kinerja.models.store.db import dispose_engines
from kinerja.tests.models.documents.docfixture import add_documents_data
from kinerja.tests.models.documents.pdftext import pdf_text
from kinerja.tests.models.orgfixture import CYCLE_ID, A, B, H, M, build_org


@pytest.fixture
def database(db_url, engine, monkeypatch) -> str:
    with Session(engine) as session:
        build_org(session)
        add_documents_data(session)
        session.commit()
    monkeypatch.setenv("KINERJA_DATABASE_URL", db_url)
    return db_url


def run(*args: str):
    result = CliRunner().invoke(app, ["documents", *args])
    dispose_engines()
    return result


def test_writes_one_file_per_person_and_kind_of_a_unit(database, tmp_path):
    out = tmp_path / "out"
    result = run(CYCLE_ID, "--unit", "SEC", "--out", str(out))
    assert result.exit_code == 0, result.output
    # Agus has both; Maya an SKP (not rated); Bella neither (targets still proposed).
    assert sorted(p.name for p in out.iterdir()) == [
        f"{A}-evaluation.pdf",
        f"{A}-skp.pdf",
        f"{M}-skp.pdf",
    ]
    assert "Agus" in pdf_text((out / f"{A}-skp.pdf").read_bytes())
    assert "PREDIKAT KINERJA PEGAWAI Baik" in pdf_text((out / f"{A}-evaluation.pdf").read_bytes())
    assert f"3 PDF file(s) written to {out}, 3 skipped" in result.output
    assert "belum ada SKP disetujui / no approved targets" in result.output  # Bella's row
    assert B in result.output and "belum dinilai / not rated yet" in result.output


def test_one_person_one_kind_under_kinerja_home_by_default(database):
    result = run(CYCLE_ID, "--nip", H, "--kind", "skp")
    assert result.exit_code == 0, result.output
    folder = Path(os.environ["KINERJA_HOME"]) / "exports" / CYCLE_ID / "documents"
    assert [p.name for p in folder.iterdir()] == [f"{H}-skp.pdf"]


def test_nothing_to_write_exits_non_zero(database, tmp_path):
    result = run(CYCLE_ID, "--nip", B, "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "0 PDF file(s) written" in result.output
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unit", "NOPE"], "Unit kerja tidak dikenal / unknown unit: NOPE"),
        (["--nip", "999"], "NIP tidak dikenal / unknown NIP: 999"),
        (["--kind", "cv"], "unknown --kind 'cv': skp, evaluation or both"),
    ],
)
def test_unknown_unit_nip_or_kind_is_one_clear_line(database, tmp_path, args, message):
    result = run(CYCLE_ID, *args, "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_unknown_cycle(database, tmp_path):
    result = run("nope", "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "unknown cycle: nope" in result.output
