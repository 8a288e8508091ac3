"""The download of an evidence file: ``GET /f/{token}``.

The token (models/evidence/links.py) names one file and one person. A forged token is
refused (403) and an expired one is gone (410), both without touching the database; a file
that does not exist is not found (404); a person who may not see the file (models/evidence/
files.py) is refused (403) and the attempt is recorded as an ``evidence.refused`` audit
event. Otherwise the stored bytes are sent with the stored media type, as an attachment
under the file's own name, never cached and never sniffed as another type.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from kinerja.models.evidence.files import may_see
from kinerja.models.evidence.links import FileLinkError, verify_file
from kinerja.models.store.tables import Employee, EvidenceFile
from kinerja.portal.i18n import pick_lang
from kinerja.portal.pages import Portal, Refusal
from kinerja.portal.security import record_refused


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the exact name (RFC 6266)."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def evidence_router(portal: Portal) -> APIRouter:
    router = APIRouter()

    @router.get("/f/{token}")
    def download(request: Request, token: str, lang: str | None = None) -> Response:
        now = portal.clock.now()
        try:
            file_id, nip = verify_file(token, portal.secret, now)
        except FileLinkError as exc:
            refusal = (
                Refusal(410, "expired_title", "expired_body", str(exc))
                if exc.expired
                else Refusal(403, "refused_title", "forged_body")
            )
            return portal.refusal(request, refusal, pick_lang(lang, None))
        with portal.sessions() as session:
            viewer = session.get(Employee, nip)
            page_lang = pick_lang(lang, viewer.lang if viewer else None)
            file = session.get(EvidenceFile, file_id)
            if file is None:
                refusal = Refusal(404, "not_found_title", "file_gone_body")
                return portal.refusal(request, refusal, page_lang)
            if not may_see(session, file=file, nip=nip):
                record_refused(
                    session,
                    nip=nip,
                    action="evidence.refused",
                    cycle_id=file.cycle_id,
                    entity="evidence_file",
                    entity_id=str(file.id),
                    payload={"subject": file.subject_nip, "method": "GET"},
                    now=now,
                )
                session.commit()
                return portal.refusal(
                    request, Refusal(403, "refused_title", "refused_body"), page_lang
                )
            sha256, media_type, name, size = file.sha256, file.media_type, file.filename, file.size
        if not portal.evidence.store.exists(sha256):  # a row whose bytes the store lost
            return portal.refusal(
                request, Refusal(404, "not_found_title", "file_gone_body"), page_lang
            )
        return StreamingResponse(
            portal.evidence.store.chunks(sha256),
            media_type=media_type,
            headers={
                "Content-Disposition": content_disposition(name),
                "Content-Length": str(size),
                "Cache-Control": "no-store",
                "Referrer-Policy": "no-referrer",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return router
