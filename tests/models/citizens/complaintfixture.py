"""The test organisation with SEC as a service unit whose complaint officer is A (head M,
whose manager is H), the holidays around Christmas 2025, and helpers to file a complaint."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from kinerja.models.citizens.complaints import file_complaint
from kinerja.models.schemas.citizens import ComplaintFiling
from kinerja.models.store.tables import Complaint, Holiday, Unit
from kinerja.tests.models.orgfixture import A, Org, build_org

FILED = datetime(2025, 12, 24, 10, 0)
"""Wednesday; Thursday 25 and Friday 26 are holidays, then a weekend: a light complaint
(2 working days) is due at the end of Tuesday 30 December."""
HOLIDAYS = [
    (date(2025, 12, 25), "Hari Raya Natal"),
    (date(2025, 12, 26), "Cuti bersama Natal"),
    (date(2026, 1, 1), "Tahun Baru 2026 Masehi"),
]


def complaint_org(session: Session) -> Org:
    org = build_org(session)
    sec = session.get(Unit, "SEC")
    assert sec is not None
    sec.is_service_unit, sec.complaint_officer_nip = True, A
    session.add_all(Holiday(day=d, name=n) for d, n in HOLIDAYS)
    session.commit()
    return org


def file_one(
    session: Session, *, category: str = "ringan", contact: str | None = "warga@example.org"
) -> Complaint:
    filing = ComplaintFiling(
        category=category, text="Antrean KTP terlalu lama, petugas tidak ada.", contact=contact
    )
    complaint = file_complaint(session, unit_id="SEC", filing=filing, now=FILED)
    session.commit()
    return complaint
