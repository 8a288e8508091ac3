"""Evidence files on the portal's pages: the file inputs of a realisation form, the checks
of what was sent (size, type) before the answer is recorded, storing and attaching, and the
listing with signed download links for the person viewing the page.

The form of a realisation report (``report_realisation``, ``report_period``) has one file
input per target, named ``file:<target id>``; only these kinds take files, and a POST of
theirs may be multipart and larger (:func:`upload_limit`). Every other page is unchanged.
Download links are signed for the viewer (models/evidence/links.py); the route that serves
them is portal/evidence_routes.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import FormData, UploadFile

from kinerja.models.cycles.cycle import annual_period, cycle_config
from kinerja.models.evidence.files import NewEvidence, attach, evidence_of
from kinerja.models.evidence.kinds import (
    KNOWN_TYPES,
    SNIFF_BYTES,
    EvidenceRules,
    Refused,
    clean_filename,
)
from kinerja.models.evidence.links import FILE_LINK_TTL, sign_file
from kinerja.models.evidence.storage import EvidenceStore, sha256_of
from kinerja.models.humantasks.links import ForgedLink, decode
from kinerja.models.store.tables import Cycle, HumanTask
from kinerja.portal.formats import format_number
from kinerja.portal.i18n import translator

UPLOAD_KINDS = frozenset({"report_realisation", "report_period"})
"""The task kinds whose form takes files."""

SHOWN_KINDS = UPLOAD_KINDS | {"review", "checkin", "decide_appeal"}
"""The task kinds whose page lists the subject's evidence files."""

FILE_FIELD = "file:"
FILES_PER_REQUEST = 4
"""A multipart POST may be the text limit plus this many files of the largest size."""


@dataclass(frozen=True)
class EvidenceDesk:
    """The rules files are checked by and the store they go to, read once per portal."""

    rules: EvidenceRules
    store: EvidenceStore

    @classmethod
    def from_env(cls) -> EvidenceDesk:
        return cls(EvidenceRules.from_env(), EvidenceStore())


@dataclass(frozen=True)
class Upload:
    """A file that passed the checks, already hashed: what :func:`store` and
    :func:`attach_uploads` take."""

    field: str
    upload: UploadFile
    filename: str
    size: int
    sha256: str


def upload_limit(text_limit: int, rules: EvidenceRules) -> int:
    """The body limit of a multipart POST on a task page."""
    return text_limit + FILES_PER_REQUEST * rules.max_bytes


def chosen_files(parsed: FormData) -> dict[str, UploadFile]:
    """The file fields of a submitted form that carry a file (an input left empty sends a
    part with no name and no bytes)."""
    return {
        name: value
        for name, value in parsed.multi_items()
        if isinstance(value, UploadFile) and (value.filename or value.size)
    }


def size_text(size: int, lang: str) -> str:
    """``1,2 MB`` / ``1.2 MB``; below a megabyte in kilobytes (at least 1 KB)."""
    if size >= 1024 * 1024:
        return f"{format_number(size / (1024 * 1024), 1, lang)} MB"
    return f"{format_number(max(1, round(size / 1024)), 0, lang)} KB"


def _limit_text(rules: EvidenceRules, lang: str) -> str:
    mb = rules.max_mb
    decimals = next(d for d in (0, 1, 2) if d == 2 or round(mb, d) == round(mb, 3))
    return f"{format_number(mb, decimals, lang)} MB"


def _over_text(size: int, rules: EvidenceRules, lang: str) -> str:
    """A size over the limit in the limit's unit, with as many decimals as it takes to be
    seen over it (``10,01 MB`` against ``10 MB``)."""
    mb = size / (1024 * 1024)
    decimals = next(d for d in (1, 2, 3) if d == 3 or round(mb, d) > rules.max_mb)
    return f"{format_number(mb, decimals, lang)} MB"


def refusal_message(refused: Refused, rules: EvidenceRules, lang: str) -> str:
    """What the page says about a refused file, naming it and the limit or the types."""
    t = translator(lang)
    ext = refused.filename.rpartition(".")[2].lower()
    known = KNOWN_TYPES.get(ext)
    return t(f"file_{refused.code}").format(
        name=refused.filename,
        size=_over_text(refused.size, rules, lang),
        limit=_limit_text(rules, lang),
        types=", ".join(rules.types),
        label=known.label if known else ext,
    )


def check_uploads(
    files: Mapping[str, UploadFile], rules: EvidenceRules, lang: str
) -> tuple[list[Upload], list[tuple[str, str]]]:
    """The files that pass (hashed), and a (field, message) per refused one. Reads the
    spooled files: call it off the event loop."""
    passed: list[Upload] = []
    problems: list[tuple[str, str]] = []
    for field, upload in files.items():
        filename = clean_filename(upload.filename or "")
        upload.file.seek(0, 2)
        size = upload.file.tell()
        upload.file.seek(0)
        head = upload.file.read(SNIFF_BYTES)
        upload.file.seek(0)
        refused = rules.check(filename, head, size)
        if refused is not None:
            problems.append((field, refusal_message(refused, rules, lang)))
            continue
        passed.append(Upload(field, upload, filename, size, sha256_of(upload.file)))
    return passed, problems


def store(desk: EvidenceDesk, uploads: list[Upload]) -> None:
    """Store the files' bytes. Called before the answer's transaction takes its locks; bytes
    of an answer that is then refused stay stored but unnamed (the store only ever adds)."""
    for upload in uploads:
        desk.store.put(upload.upload.file, upload.sha256)


def attach_uploads(
    session: Session,
    *,
    desk: EvidenceDesk,
    task: HumanTask,
    cycle: Cycle,
    nip: str,
    uploads: list[Upload],
    now: datetime,
) -> None:
    """Name the stored files as evidence of the report ``task``, each target's under the
    report's period, in the caller's transaction (with their audit events)."""
    if not uploads:
        return
    period = (task.payload or {}).get("period") or annual_period(cycle_config(cycle))
    attach(
        session,
        cycle_id=cycle.cycle_id,
        subject_nip=task.subject_nip,
        period=period,
        task_id=task.id,
        nip=nip,
        files=[
            NewEvidence(
                target_id=u.field.removeprefix(FILE_FIELD),
                filename=u.filename,
                media_type=desk.rules.media_type(u.filename),
                size=u.size,
                sha256=u.sha256,
            )
            for u in uploads
        ],
        now=now,
    )


def takes_files(sessions: sessionmaker[Session], secret: bytes, token: str) -> bool:
    """Whether the task a genuine ``token`` names has a form that takes files (checked
    before a multipart body is read; the gate proper comes after)."""
    try:
        claims = decode(token, secret)
    except ForgedLink:
        return False
    if claims.task_id is None:
        return False
    with sessions() as session:
        task = session.get(HumanTask, claims.task_id)
        return task is not None and task.kind in UPLOAD_KINDS


def listing(
    session: Session,
    *,
    cycle_id: str,
    subject_nip: str,
    viewer: str,
    secret: bytes,
    now: datetime,
    lang: str,
) -> dict[str, list[dict[str, str]]]:
    """A person's evidence in a cycle by target: name, size, period and a download link
    signed for ``viewer`` (whoever the page is for, who may see it: the caller's gate)."""
    expires = now + FILE_LINK_TTL
    return {
        target_id: [
            {
                "name": f.filename,
                "size": size_text(f.size, lang),
                "period": f.period,
                "url": f"/f/{sign_file(f.id, viewer, expires, secret)}",
            }
            for f in files
        ]
        for target_id, files in evidence_of(
            session, cycle_id=cycle_id, subject_nip=subject_nip
        ).items()
    }


def page_context(
    session: Session,
    *,
    desk: EvidenceDesk,
    task: HumanTask,
    viewer: str,
    secret: bytes,
    now: datetime,
    lang: str,
) -> dict[str, Any]:
    """What a task page shows of evidence: the subject's files, and on a realisation form
    the file inputs' ``accept`` and hint."""
    if task.kind not in SHOWN_KINDS:
        return {}
    ctx: dict[str, Any] = {
        "evidence": listing(
            session,
            cycle_id=task.cycle_id,
            subject_nip=task.subject_nip,
            viewer=viewer,
            secret=secret,
            now=now,
            lang=lang,
        )
    }
    if task.kind in UPLOAD_KINDS:
        rules = desk.rules
        ctx["uploads"] = True
        ctx["evidence_accept"] = ",".join(
            [f".{t}" for t in rules.types] + list(rules.media_types())
        )
        ctx["evidence_hint"] = translator(lang)("attach_hint").format(
            types=", ".join(rules.types), limit=_limit_text(rules, lang)
        )
    return ctx
