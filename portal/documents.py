"""A person's signed documents as PDF, behind the portal's signed links.

Routes::

    GET /me/{token}/documents/{kind}.pdf?cycle=ID   one's own SKP or evaluation document
                                                    (default: the newest cycle with an SKP)
    GET /t/{token}/documents/skp.pdf                the ratee's SKP, through the rater's own
                                                    review or check-in task
    GET /desk/{token}/documents/{kind}.pdf?cycle=ID&nip=NIP
                                                    anyone's document in a cycle the HR
                                                    coordinator's desk token covers

A person link opens only its own person's documents. A task link passes the same gate as
the task's page (portal/pages.py: forged 403, expired or closed 410, another person 403 and
recorded), and opens only the SKP of the task's subject, only from a task where a rater
judges them. A desk link opens documents of the cycles whose coordinator it names; any
other cycle is refused (403) and the attempt recorded. The PDF is in the cycle's language,
never cached, never sent on as a referrer.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import CycleError, cycle_config
from kinerja.models.documents.gather import DocumentError
from kinerja.models.documents.render import RendererMissing
from kinerja.models.documents.service import document_pdf, file_name
from kinerja.models.humantasks.desk import coordinator_cycles
from kinerja.models.humantasks.links import verify_desk, verify_person
from kinerja.models.humantasks.states import ACTIVE
from kinerja.models.store.tables import Cycle, Employee, Target
from kinerja.portal.i18n import pick_lang
from kinerja.portal.pages import Portal, Refusal
from kinerja.portal.security import record_refusal, record_refused

RATER_KINDS = frozenset({"review", "checkin"})
"""The tasks from which a rater may open the ratee's SKP."""


def newest_cycle_with_skp(session: Session, nip: str) -> str | None:
    """The newest cycle in which ``nip`` has approved targets."""
    return session.scalars(
        select(Cycle.cycle_id)
        .where(
            Cycle.cycle_id.in_(
                select(Target.cycle_id).where(Target.nip == nip, Target.status == "approved")
            )
        )
        .order_by(Cycle.created_at.desc())
        .limit(1)
    ).first()


def documents_router(portal: Portal) -> APIRouter:
    router = APIRouter()

    def pdf_response(
        request: Request, session: Session, *, cycle_id: str | None, nip: str, kind: str, lang: str
    ) -> Response:
        try:
            if cycle_id is None:
                raise CycleError("no cycle")
            pdf = document_pdf(session, cycle_id=cycle_id, nip=nip, kind=kind)
        except RendererMissing:
            # The cause is for the operator (``kinerja documents`` prints it); the reader is
            # told whom to ask.
            refusal = Refusal(503, "documents_unavailable_title", "documents_unavailable_body")
            return portal.refusal(request, refusal, lang)
        except (DocumentError, CycleError):
            refusal = Refusal(404, "not_found_title", "no_document_body")
            return portal.refusal(request, refusal, lang)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'inline; filename="{file_name(nip, kind)}"',
                "Cache-Control": "no-store",
                "Referrer-Policy": "no-referrer",  # the token is in the URL
                "X-Content-Type-Options": "nosniff",
            },
        )

    @router.get("/me/{token}/documents/{kind}.pdf")
    def my_document(
        request: Request,
        token: str,
        kind: str,
        cycle: str | None = None,
        lang: str | None = None,
    ) -> Response:
        nip = portal.holder(verify_person, token)
        if isinstance(nip, Refusal):
            return portal.refusal(request, nip, pick_lang(lang, None))
        with portal.sessions() as session:
            employee = session.get(Employee, nip)
            page_lang = pick_lang(lang, employee.lang if employee else None)
            cycle_id = cycle or newest_cycle_with_skp(session, nip)
            return pdf_response(
                request, session, cycle_id=cycle_id, nip=nip, kind=kind, lang=page_lang
            )

    @router.get("/t/{token}/documents/{kind}.pdf")
    def ratee_document(
        request: Request, token: str, kind: str, lang: str | None = None
    ) -> Response:
        with portal.sessions() as session:
            access = portal.gate(session, token, method="GET", query_lang=lang)
            if isinstance(access, Refusal):
                return portal.refusal(request, access, pick_lang(lang, None))
            task = access.task
            if task.state not in ACTIVE:
                return portal.refusal(request, Refusal(410, "gone_title", "gone_body"), access.lang)
            if task.kind not in RATER_KINDS or kind != "skp":
                record_refusal(
                    session,
                    task=task,
                    nip=access.nip,
                    reason=f"document {kind} is not shown from a {task.kind} task",
                    method="GET",
                    now=access.now,
                )
                session.commit()
                refusal = Refusal(403, "refused_title", "refused_body")
                return portal.refusal(request, refusal, access.lang)
            return pdf_response(
                request,
                session,
                cycle_id=task.cycle_id,
                nip=task.subject_nip,
                kind="skp",
                lang=access.lang,
            )

    @router.get("/desk/{token}/documents/{kind}.pdf")
    def coordinator_document(
        request: Request, token: str, kind: str, cycle: str, nip: str, lang: str | None = None
    ) -> Response:
        holder = portal.holder(verify_desk, token, expired_body="desk_expired_body")
        if isinstance(holder, Refusal):
            return portal.refusal(request, holder, pick_lang(lang, None))
        nip = nip.strip()
        with portal.sessions() as session:
            mine = {c.cycle_id: c for c in coordinator_cycles(session, holder)}
            page_lang = pick_lang(lang, cycle_config(mine[cycle]).lang if cycle in mine else None)
            if cycle not in mine:
                record_refused(
                    session,
                    nip=holder,
                    entity="document",
                    entity_id=f"{cycle}:{nip}:{kind}",
                    payload={"reason": "not this coordinator's cycle", "method": "GET"},
                    now=portal.clock.now(),
                )
                session.commit()
                return portal.refusal(
                    request, Refusal(403, "refused_title", "refused_body"), page_lang
                )
            return pdf_response(
                request, session, cycle_id=cycle, nip=nip, kind=kind, lang=page_lang
            )

    return router
