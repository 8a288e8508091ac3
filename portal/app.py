"""The portal: one page per human task behind a signed link, and one's own page.

Routes::

    GET  /t/{token}     the task the token names, for the person it names (a form)
    POST /t/{token}     the answer, through the same response service as the CLI
    GET  /me/{token}    a person's own open tasks, targets, results and feedback
    GET  /healthz       liveness and database check
    GET  /cycles        published cycles, newest first (public, no login)
    GET  /cycles/{id}   a published cycle's unit aggregates and IKM (public, no login)
    /s/{code}...        the SKM survey form of a service unit (portal/survey.py)
    /pengaduan...       complaint forms and tracking pages (portal/complaints.py)
    /cycles/{id}/charts/..., /data/...   charts and open data (portal/published.py)
    GET  /f/{token}     an evidence file, for a person who may see it (portal/evidence_routes.py)
    /me/{token}/documents/..., /t/{token}/documents/...   SKP and evaluation PDFs
                                        (portal/documents.py)
    /desk...            the HR coordinator's desk (portal/desk.py)

Every request on a task goes through the same gate, in this order: a forged token is
refused (403) and an expired one is gone (410), both without touching the database; a
person the task is not for is refused (403) and the attempt is recorded as a
``portal.refused`` audit event; a closed task is gone (410, "sudah dijawab / already
answered"); a POST without a valid CSRF token is a bad request (400). Nothing else changes
on any refusal.

A request body over the size limit is refused with 413 as it arrives (portal/limits.py); a
form may carry only the fields its task's page has, each within the typed input's bounds;
the database work of a POST runs in the thread pool, never on the event loop. Only a
realisation report's form takes files (evidence, portal/evidence.py): its multipart POST
may be larger, and each file is checked (size, type) before the answer is recorded; a
refused file shows the form again, naming the file and the limit, and changes nothing.
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from kinerja.models.humantasks.links import (
    load_secret,
    sign,
    task_expiry,
    verify_person,
)
from kinerja.models.humantasks.states import (
    ACTIVE,
    Actor,
    NotAllowed,
    TaskError,
    title,
)
from kinerja.models.responses.base import parse_input
from kinerja.models.responses.service import respond
from kinerja.models.schemas.inputs import INPUT_FOR_KIND, MAX_TARGETS
from kinerja.models.store.clock import SYSTEM_CLOCK, Clock
from kinerja.models.store.db import get_engine, session_factory
from kinerja.models.store.tables import Employee, HumanTask
from kinerja.portal import evidence, forms, public, views
from kinerja.portal.complaints import complaint_router
from kinerja.portal.desk import desk_router
from kinerja.portal.documents import documents_router
from kinerja.portal.evidence_routes import evidence_router
from kinerja.portal.formerrors import in_lang
from kinerja.portal.i18n import pick_lang, translator
from kinerja.portal.limits import MAX_FIELDS, BodyLimit, max_body
from kinerja.portal.pages import Access, Portal, Refusal
from kinerja.portal.published import published_router
from kinerja.portal.security import CSRF_FIELD, csrf_ok, record_refusal
from kinerja.portal.survey import PublicLimits, survey_router


def advance_later(cycle_id: str, stage: str, task_id: int, db_url: str | None) -> Any:
    """After the response is sent, start the cycle flow again: the stage's last task closed.

    With a Prefect server this creates a run of the served deployment (idempotent per task);
    without one the portal runs no flows itself, and the sweeper or ``kinerja cycle run``
    moves the cycle on.
    """
    from starlette.background import BackgroundTask

    if not os.environ.get("PREFECT_API_URL"):
        return None
    from kinerja.flows.trigger import advance_cycle

    return BackgroundTask(advance_cycle, cycle_id, db_url=db_url, key=f"{stage}-{task_id}")


def create_app(
    db_url: str | None = None,
    *,
    secret: str | bytes | None = None,
    clock: Clock | None = None,
    limits: PublicLimits | None = None,
) -> FastAPI:
    """The portal for the database at ``db_url`` (default: ``KINERJA_DATABASE_URL`` or the
    SQLite file), signing with ``secret`` (default: ``KINERJA_SECRET``, refused when missing
    or a placeholder outside the demo) and reading time from ``clock`` (a cycle's own
    simulated clock wins). ``limits``: the public forms' rate limits (default: from the
    environment, see portal/survey.py)."""
    key = load_secret() if secret is None else secret
    key = key.encode() if isinstance(key, str) else key
    portal = Portal(session_factory(get_engine(db_url)), key, clock or SYSTEM_CLOCK)
    app = FastAPI(title="Kinerja portal", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.portal = portal
    text_limit = max_body()
    uploads = evidence.upload_limit(text_limit, portal.evidence.rules)
    app.add_middleware(BodyLimit, limit=text_limit, upload_limit=uploads)
    public_limits = limits or PublicLimits()
    app.include_router(survey_router(portal, public_limits))
    app.include_router(complaint_router(portal, public_limits))
    app.include_router(published_router(portal))
    app.include_router(evidence_router(portal))
    app.include_router(documents_router(portal))
    app.include_router(desk_router(portal))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code != 413:
            return await http_exception_handler(request, exc)
        lang = pick_lang(request.query_params.get("lang"), None)
        files = request.headers.get("content-type", "").startswith("multipart/")
        body = "uploads_too_large_body" if files else "too_large_body"
        return portal.refusal(request, Refusal(413, "too_large_title", body), lang)

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        with portal.sessions() as session:
            session.execute(text("SELECT 1"))
        return JSONResponse({"status": "ok"})

    @app.get("/t/{token}", response_class=HTMLResponse)
    def show_task(request: Request, token: str, lang: str | None = None) -> Response:
        with portal.sessions() as session:
            access = portal.gate(session, token, method="GET", query_lang=lang)
            if isinstance(access, Refusal):
                return portal.refusal(request, access, pick_lang(lang, None))
            if access.task.state not in ACTIVE:
                return portal.refusal(request, Refusal(410, "gone_title", "gone_body"), access.lang)
            return portal.task_page(request, session, access, token)

    @app.post("/t/{token}", response_class=HTMLResponse)
    async def submit_task(request: Request, token: str, lang: str | None = None) -> Response:
        multipart = request.headers.get("content-type", "").startswith("multipart/form-data")
        takes = multipart and await run_in_threadpool(
            evidence.takes_files, portal.sessions, portal.secret, token
        )
        async with request.form(
            max_files=MAX_TARGETS if takes else 0, max_fields=MAX_FIELDS, max_part_size=text_limit
        ) as parsed:
            form = {k: v for k, v in parsed.items() if isinstance(v, str)}
            files = evidence.chosen_files(parsed)
            # The database work (and a wait for another responder's lock) stays off the loop,
            # inside this block: the uploaded files are closed when it ends.
            return await run_in_threadpool(_submit, request, token, lang, form, files)

    def _submit(
        request: Request,
        token: str,
        lang: str | None,
        form: dict[str, str],
        files: dict[str, UploadFile],
    ) -> Response:
        with portal.sessions() as session:
            access = portal.gate(session, token, method="POST", query_lang=lang)
            if isinstance(access, Refusal):
                return portal.refusal(request, access, pick_lang(lang, None))
            if not csrf_ok(portal.secret, token, form.get(CSRF_FIELD), portal.clock.now()):
                return portal.refusal(
                    request, Refusal(400, "bad_request_title", "csrf_body"), access.lang
                )
            task = access.task
            if task.kind not in INPUT_FOR_KIND:
                return portal.refusal(
                    request, Refusal(400, "bad_request_title", "no_form"), access.lang
                )
            ctx = views.task_context(session, task=task, cycle=access.cycle, lang=access.lang)
            sent = set(form) | set(files)
            unknown = sorted(sent - forms.page_fields(task.kind, ctx) - {CSRF_FIELD})
            if unknown:
                shown = ", ".join(unknown[:5]) + (" ..." if len(unknown) > 5 else "")
                refusal = Refusal(400, "bad_request_title", "unknown_fields_body", shown)
                return portal.refusal(request, refusal, access.lang)
            required = forms.required_choices(task.kind, ctx)
            data, read = forms.read_form(task.kind, form, access.lang, required=required)
            if task.state not in ACTIVE:
                return _closed(request, access, data)
            uploads, refused = evidence.check_uploads(files, portal.evidence.rules, access.lang)
            again = [("", translator(access.lang)("choose_again"))] if files else []
            if data is None or refused:
                errors = read.errors + refused + again
                return portal.task_page(
                    request, session, access, token, status=400, errors=errors, values=form
                )
            evidence.store(portal.evidence, uploads)
            try:
                outcome = respond(
                    session, task_id=task.id, actor=Actor(access.nip), data=data, now=access.now
                )
            except NotAllowed as exc:
                session.rollback()
                record_refusal(
                    session,
                    task=task,
                    nip=access.nip,
                    reason=str(exc),
                    method="POST",
                    now=access.now,
                )
                session.commit()
                return portal.refusal(
                    request, Refusal(403, "refused_title", "refused_body"), access.lang
                )
            except TaskError as exc:
                session.rollback()
                session.expire_all()
                return portal.task_page(
                    request,
                    session,
                    access,
                    token,
                    status=400,
                    errors=[("", in_lang(str(exc), access.lang)), *again],
                    values=form,
                )
            evidence.attach_uploads(
                session,
                desk=portal.evidence,
                task=task,
                cycle=access.cycle,
                nip=access.nip,
                uploads=uploads,
                now=access.now,
            )
            session.commit()
            response = portal.page(
                request,
                "done.html",
                access.lang,
                title=title(task.kind, access.lang),
                repeated=False,
            )
            if outcome.stage_complete:
                response.background = advance_later(task.cycle_id, outcome.stage, task.id, db_url)
            return response

    def _closed(request: Request, access: Access, data: Any) -> Response:
        """A closed task: the same answer again (a double click) is thanked, not refused."""
        task = access.task
        if data is not None and task.response and task.closed_by == access.nip:
            answer = parse_input(task.kind, data).model_dump(mode="json")
            if task.response.get("input") == answer:
                return portal.page(
                    request,
                    "done.html",
                    access.lang,
                    title=title(task.kind, access.lang),
                    repeated=True,
                )
        return portal.refusal(request, Refusal(410, "gone_title", "gone_body"), access.lang)

    @app.get("/me/{token}", response_class=HTMLResponse)
    def my_page(request: Request, token: str, lang: str | None = None) -> Response:
        now = portal.clock.now()
        nip = portal.holder(verify_person, token)
        if isinstance(nip, Refusal):
            return portal.refusal(request, nip, pick_lang(lang, None))
        with portal.sessions() as session:
            employee = session.get(Employee, nip)
            page_lang = pick_lang(lang, employee.lang if employee else None)
            ctx = views.person_context(session, nip=nip, lang=page_lang)
            links = {}
            for task, _, _ in ctx["tasks"]:
                links[task.id] = "/t/" + _task_token(task, nip, portal.secret)
            for entry in ctx["cycles"]:
                entry["evidence"] = evidence.listing(
                    session,
                    cycle_id=entry["cycle"].cycle_id,
                    subject_nip=nip,
                    viewer=nip,
                    secret=portal.secret,
                    now=now,
                    lang=page_lang,
                )
            return portal.page(
                request,
                "me.html",
                page_lang,
                name=employee.name if employee else nip,
                nip=nip,
                links=links,
                **ctx,
            )

    @app.get("/cycles", response_class=HTMLResponse)
    def public_cycles(request: Request, lang: str | None = None) -> Response:
        page_lang = pick_lang(lang, None)
        with portal.sessions() as session:
            cycles = public.published_cycles(session, page_lang)
        return portal.page(request, "public_cycles.html", page_lang, cycles=cycles)

    @app.get("/cycles/{cycle_id}", response_class=HTMLResponse)
    def public_cycle(request: Request, cycle_id: str, lang: str | None = None) -> Response:
        page_lang = pick_lang(lang, None)
        with portal.sessions() as session:
            cycle = public.published_cycle(session, cycle_id)
            if cycle is None:
                refusal = Refusal(404, "not_found_title", "not_published_body")
                return portal.refusal(request, refusal, page_lang)
            ctx = public.cycle_context(session, cycle=cycle, lang=page_lang, now=portal.clock.now())
            return portal.page(request, "public_cycle.html", page_lang, **ctx)

    return app


def _task_token(task: HumanTask, nip: str, secret: bytes) -> str:
    return sign(task.id, nip, task_expiry(task.final_due_at), secret)
