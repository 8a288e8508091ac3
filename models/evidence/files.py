"""The rows that name evidence files: attaching (with its audit event, in the caller's
transaction), listing per target, and who may see a file.

Who may see a person's evidence in a cycle: the person, whoever attached it, everyone a
task of that cycle about the person is or was assigned, delegated or escalated to (the
rater and the manager chain: the approver, the rater, the check-in's rater, the appeal's
decider) and the cycle's HR coordinator. Nobody else, and no public page.

Nothing here deletes or changes a row: evidence stays through appeals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_many
from kinerja.models.cycles.cycle import cycle_config
from kinerja.models.store.tables import Cycle, EvidenceFile, HumanTask


@dataclass(frozen=True)
class NewEvidence:
    """A file already stored (by its sha256) to attach to one target."""

    target_id: str
    filename: str
    media_type: str
    size: int
    sha256: str


def attach(
    session: Session,
    *,
    cycle_id: str,
    subject_nip: str,
    period: str,
    task_id: int | None,
    nip: str,
    files: Iterable[NewEvidence],
    now: datetime,
) -> list[EvidenceFile]:
    """Name ``files`` as evidence of ``subject_nip``'s targets for ``period``, attached by
    ``nip``, each with an ``evidence.attached`` audit event, in the caller's transaction.

    A file whose bytes are already attached to the same target and period is not attached
    again (its row is returned as it is). Returns the rows, flushed.
    """
    rows: list[EvidenceFile] = []
    events: list[dict] = []
    for new in files:
        found = session.scalars(
            select(EvidenceFile).where(
                EvidenceFile.cycle_id == cycle_id,
                EvidenceFile.target_id == new.target_id,
                EvidenceFile.period == period,
                EvidenceFile.sha256 == new.sha256,
            )
        ).first()
        if found is not None:
            rows.append(found)
            continue
        row = EvidenceFile(
            cycle_id=cycle_id,
            target_id=new.target_id,
            period=period,
            subject_nip=subject_nip,
            task_id=task_id,
            nip=nip,
            filename=new.filename,
            media_type=new.media_type,
            size=new.size,
            sha256=new.sha256,
            uploaded_at=now,
        )
        session.add(row)
        session.flush()
        rows.append(row)
        events.append(
            {
                "actor": nip,
                "action": "evidence.attached",
                "cycle_id": cycle_id,
                "entity": "evidence_file",
                "entity_id": str(row.id),
                "payload": {
                    "subject": subject_nip,
                    "target_id": new.target_id,
                    "period": period,
                    "task_id": task_id,
                    "filename": new.filename,
                    "media_type": new.media_type,
                    "size": new.size,
                    "sha256": new.sha256,
                },
            }
        )
    append_many(session, events=events, at=now)
    return rows


def evidence_of(
    session: Session, *, cycle_id: str, subject_nip: str
) -> dict[str, list[EvidenceFile]]:
    """A person's evidence files in a cycle by target id, in the order attached."""
    out: dict[str, list[EvidenceFile]] = {}
    for row in session.scalars(
        select(EvidenceFile)
        .where(EvidenceFile.cycle_id == cycle_id, EvidenceFile.subject_nip == subject_nip)
        .order_by(EvidenceFile.target_id, EvidenceFile.period, EvidenceFile.id)
    ):
        out.setdefault(row.target_id, []).append(row)
    return out


def may_see(session: Session, *, file: EvidenceFile, nip: str) -> bool:
    """Whether ``nip`` may see ``file`` (see the module's docstring)."""
    if nip in (file.subject_nip, file.nip):
        return True
    cycle = session.get(Cycle, file.cycle_id)
    if cycle is not None and cycle_config(cycle).coordinator.nip == nip:
        return True
    task = session.scalars(
        select(HumanTask.id)
        .where(
            HumanTask.cycle_id == file.cycle_id,
            HumanTask.subject_nip == file.subject_nip,
            or_(
                HumanTask.assignee_nip == nip,
                HumanTask.delegate_nip == nip,
                HumanTask.escalated_to == nip,
            ),
        )
        .limit(1)
    ).first()
    return task is not None
