"""``kinerja survey form`` and ``kinerja survey forms``: the coordinator opens a unit's SKM
form, gets its short link and QR codes, and watches the respondents against the sample."""

from __future__ import annotations

import re

from kinerja.tests.e2e.test_cli import DEMO, kinerja  # noqa: F401 - the fixture


def test_open_a_form_print_its_qr_and_list_progress(kinerja, tmp_path):  # noqa: F811
    kinerja("db", "upgrade")
    kinerja("org", "import", str(DEMO))
    kinerja("cycle", "start", str(DEMO / "cycle.yaml"), "--no-run")
    opened = kinerja("survey", "form", "DINAS.B01", "2026", "--qr", str(tmp_path / "qr"))
    code = re.search(r"/s/([a-z0-9]{7}) \(open 2026-01-01 \.\. 2026-12-31\)", opened.stdout)
    assert code, opened.stdout
    assert (tmp_path / "qr" / f"skm-{code[1]}.png").read_bytes().startswith(b"\x89PNG")
    assert b"<svg" in (tmp_path / "qr" / f"skm-{code[1]}.svg").read_bytes()
    again = kinerja("survey", "form", "DINAS.B01", "2026")
    assert f"/s/{code[1]}" in again.stdout  # the same form, not a second one
    refused = kinerja("survey", "form", "DINAS", "2026", ok=False)
    assert refused.returncode == 2 and "not a service unit" in refused.stderr
    listed = kinerja("survey", "forms").stdout
    assert code[1] in listed and "DINAS.B01" in listed
    status = kinerja("cycle", "status").stdout  # the coordinator's view of the cycle
    assert "SKM survey forms" in status and code[1] in status


def test_complaints_holidays_and_lapor_import(kinerja, tmp_path):  # noqa: F811
    kinerja("db", "upgrade")
    kinerja("org", "import", str(DEMO))
    kinerja("cycle", "start", str(DEMO / "cycle.yaml"), "--no-run")
    holidays = tmp_path / "holidays.csv"
    holidays.write_text("day,name\n2026-12-25,Hari Raya Natal\n", encoding="utf-8")
    assert "holidays: 1 rows" in kinerja("complaints", "holidays", str(holidays)).stdout
    lapor = tmp_path / "lapor.csv"
    lapor.write_text(
        "lapor_id,unit_id,category,text,received_at\n"
        "LAPOR-77,DINAS.B01,ringan,Antrean perizinan terlalu panjang.,2026-12-24 10:00\n",
        encoding="utf-8",
    )
    first = kinerja("complaints", "import", str(lapor)).stdout
    assert "complaints: 1 rows from lapor.csv (1 new)" in first
    again = kinerja("complaints", "import", str(lapor)).stdout
    assert "(0 new)" in again
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "lapor_id,unit_id,category,text,received_at\n"
        "LAPOR-78,DINAS,ringan,Antrean perizinan terlalu panjang.,2026-12-24\n",
        encoding="utf-8",
    )
    refused = kinerja("complaints", "import", str(bad), ok=False)
    assert refused.returncode == 2 and "DINAS" in refused.stdout + refused.stderr
