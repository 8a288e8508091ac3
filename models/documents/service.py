"""The calls the CLI, the portal and the coordinator's pages make: one person's document
as PDF bytes, and who in a cycle (a unit, one NIP) has documents at all.
"""

from __future__ import annotations

import re

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import get_cycle
from kinerja.models.documents.gather import DocumentError, gather
from kinerja.models.documents.render import render_pdf
from kinerja.models.store.tables import Employee, Result, Target, Unit


def file_name(nip: str, kind: str) -> str:
    """A document's file name, ``<NIP>-<kind>.pdf``; a character a file name (or a
    Content-Disposition header) cannot hold becomes ``_``."""
    return f"{re.sub(r'[^A-Za-z0-9_.-]', '_', nip)}-{kind}.pdf"


def document_pdf(
    session: Session,
    *,
    cycle_id: str,
    nip: str,
    kind: str,
    lang: str | None = None,
    place: str | None = None,
) -> bytes:
    """The PDF of ``nip``'s ``kind`` document (``skp`` or ``evaluation``) in ``cycle_id``, in
    the cycle's language unless ``lang`` says otherwise.

    Read-only. Raises :class:`~kinerja.models.documents.gather.DocumentError` (unknown NIP
    or kind; :class:`~kinerja.models.documents.gather.NoDocument` when there is nothing to
    sign yet; :class:`~kinerja.models.documents.render.RendererMissing` without WeasyPrint)
    and :class:`~kinerja.models.cycles.cycle.CycleError` for an unknown cycle.
    """
    doc = gather(session, cycle_id=cycle_id, nip=nip, kind=kind, lang=lang)
    return render_pdf(doc, place=place)


def people_of(
    session: Session, *, cycle_id: str, unit_id: str | None = None, nip: str | None = None
) -> list[Employee]:
    """The people of ``cycle_id`` (those with targets or a result in it), in NIP order: of
    one unit, or one NIP, or all. Raises :class:`DocumentError` for an unknown unit or NIP
    and :class:`~kinerja.models.cycles.cycle.CycleError` for an unknown cycle."""
    cycle = get_cycle(session, cycle_id)
    if unit_id is not None and session.get(Unit, unit_id) is None:
        raise DocumentError(f"Unit kerja tidak dikenal / unknown unit: {unit_id}")
    if nip is not None and session.get(Employee, nip) is None:
        raise DocumentError(f"NIP tidak dikenal / unknown NIP: {nip}")
    in_cycle = or_(
        Employee.nip.in_(select(Target.nip).where(Target.cycle_id == cycle.cycle_id)),
        Employee.nip.in_(select(Result.nip).where(Result.cycle_id == cycle.cycle_id)),
    )
    query = select(Employee).where(in_cycle).order_by(Employee.nip)
    if unit_id is not None:
        query = query.where(Employee.unit_id == unit_id)
    if nip is not None:
        query = query.where(Employee.nip == nip)
    return list(session.scalars(query))
