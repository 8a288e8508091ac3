"""SP4N-LAPOR! imports keep LAPOR!'s ids, open each officer's task, are refused whole with
every bad row named, and import nothing twice; holidays.csv likewise."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from kinerja.models.citizens.calendar import holidays, import_holidays
from kinerja.models.citizens.lapor import import_lapor
from kinerja.models.imports.errors import ImportRejected
from kinerja.models.store.tables import Complaint, HumanTask, Notification
from kinerja.tests.models.citizens.complaintfixture import complaint_org
from kinerja.tests.models.orgfixture import A

NOW = datetime(2025, 12, 29, 8, 0)
HEADER = "lapor_id,unit_id,category,text,received_at,contact\n"


def write(tmp_path, text: str, name: str = "lapor.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_lapor_ids_are_kept_and_a_second_import_files_nothing(session, tmp_path):
    complaint_org(session)
    path = write(
        tmp_path,
        HEADER
        + "LAPOR-5501,SEC,ringan,Jalan berlubang di depan kantor.,2025-12-22 09:15,\n"
        + "LAPOR-5502,SEC,normatif,Izin usaha tidak kunjung terbit.,2025-12-23,w@example.org\n",
    )
    report = import_lapor(session, path=path, now=NOW)
    session.commit()
    assert (report.rows, report.inserted) == (2, 2)
    rows = session.scalars(select(Complaint).order_by(Complaint.external_id)).all()
    assert [(c.source, c.external_id) for c in rows] == [
        ("lapor", "LAPOR-5501"),
        ("lapor", "LAPOR-5502"),
    ]
    # The service level runs from the day LAPOR! received it: Mon 22 + 2 working days.
    assert rows[0].due_at.date() == date(2025, 12, 24)
    tasks = session.scalars(select(HumanTask).where(HumanTask.kind == "answer_complaint")).all()
    assert len(tasks) == 2 and {t.assignee_nip for t in tasks} == {A}
    # The officer's message names the service level's own due day, already past here.
    bodies = session.scalars(
        select(Notification.body).where(Notification.kind == "task_opened")
    ).all()
    assert len(bodies) == 2 and any("24 Desember 2025" in b for b in bodies), bodies
    again = import_lapor(session, path=path, now=NOW)
    session.commit()
    assert again.inserted == 0 and count(session, Complaint) == 2


def test_a_bad_export_is_refused_whole_naming_every_row(session, tmp_path):
    complaint_org(session)
    path = write(
        tmp_path,
        HEADER
        + "LAPOR-1,SEC,ringan,Teks pengaduan yang cukup panjang.,2025-12-22,\n"
        + "LAPOR-2,NOPE,ringan,Teks pengaduan yang cukup panjang.,2025-12-22,\n"
        + "LAPOR-3,SEC,berat,Teks pengaduan yang cukup panjang.,2025-12-22,\n"
        + "LAPOR-4,SEC,ringan,Teks pengaduan yang cukup panjang.,22/12/2025,\n"
        + "LAPOR-1,SEC,ringan,Teks pengaduan yang cukup panjang.,2025-12-22,\n",
    )
    with pytest.raises(ImportRejected) as refused:
        import_lapor(session, path=path, now=NOW)
    session.rollback()
    message = str(refused.value)
    for needle in ("NOPE", "berat", "received_at", "LAPOR-1"):
        assert needle in message, message
    assert count(session, Complaint) == 0
    assert count(session, HumanTask) == 0  # the fixture opens none


def test_holidays_import(session, tmp_path):
    complaint_org(session)
    path = write(tmp_path, "day,name\n2026-03-20,Idul Fitri\n2026-03-21,Idul Fitri\n", "h.csv")
    report = import_holidays(session, path=path)
    session.commit()
    assert report.inserted == 2 and date(2026, 3, 20) in holidays(session)
    bad = write(tmp_path, "day,name\n2026-02-30,Tidak ada\n", "bad.csv")
    with pytest.raises(ImportRejected, match="day"):
        import_holidays(session, path=bad)
