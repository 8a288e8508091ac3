"""The portal: one page per human task behind a signed link, and one's own page.

Routes::

    GET  /t/{token}     the task the token names, for the person it names (a form)
    POST /t/{token}     the answer, through the same response service as the CLI
    GET  /me/{token}    a person's own open tasks, targets, results and feedback
    GET  /healthz       liveness and database check
    GET  /cycles        published cycles, newest first (public, no login)
    GET  /cycles/{id}   a published cycle's unit aggregates and IKM (public, no login)

Every request on a task goes through the same gate, in this order: a forged token is
refused (403) and an expired one is gone (410), both without touching the database; a
person the task is not for is refused (403) and the attempt is recorded as a
``portal.refused`` audit event; a closed task is gone (410, "sudah dijawab / already
answered"); a POST without a valid CSRF token is a bad request (400). Nothing else changes
on any refusal.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from kinerja.models.cycles.cycle import cycle_config
from kinerja.models.humantasks.links import (
    PERSON_LINK_DAYS,
    ExpiredLink,
    ForgedLink,
    check_task_expiry,
    decode,
    load_secret,
    sign,
    sign_person,
    task_expiry,
    verify_person,
)
from kinerja.models.humantasks.states import (
    ACTIVE,
    Actor,
    NotAllowed,
    TaskError,
    check_actor,
    title,
)
from kinerja.models.responses.base import parse_input
from kinerja.models.responses.service import respond
from kinerja.models.schemas.inputs import INPUT_FOR_KIND
from kinerja.models.store.clock import SYSTEM_CLOCK, Clock, cycle_now
from kinerja.models.store.db import get_engine, session_factory
from kinerja.models.store.tables import Cycle, Employee, HumanTask, TaskExtension
from kinerja.portal import forms, public, views
from kinerja.portal.i18n import both, pick_lang, translator
from kinerja.portal.security import CSRF_FIELD, csrf_ok, csrf_token, record_refusal

TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class Refusal:
    """Why a request on a task stops, and the page that says so."""

    status: int
    title: str
    body: str
    detail: str = ""


@dataclass
class Access:
    """A task request that passed the gate: the task, its cycle, the person, the time."""

    task: HumanTask
    cycle: Cycle
    nip: str
    now: datetime
    lang: str


class Portal:
    """The portal's state: database sessions, the signing secret, the clock, the templates."""

    def __init__(self, sessions: sessionmaker[Session], secret: bytes, clock: Clock) -> None:
        self.sessions = sessions
        self.secret = secret
        self.clock = clock
        self.templates = Jinja2Templates(directory=str(TEMPLATES))

    def page(
        self, request: Request, template: str, lang: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        other = "en" if lang == "id" else "id"
        return self.templates.TemplateResponse(
            request,
            template,
            {"lang": lang, "other_lang": other, "t": translator(lang), **context},
            status_code=status,
            headers={
                "Cache-Control": "no-store",
                "Referrer-Policy": "no-referrer",  # the token is in the URL
                "X-Frame-Options": "DENY",
            },
        )

    def refusal(self, request: Request, refusal: Refusal, lang: str) -> HTMLResponse:
        """A refusal page says it in both languages: whoever holds the link may read either."""
        return self.page(
            request,
            "message.html",
            lang,
            status=refusal.status,
            heading=both(refusal.title),
            body=both(refusal.body),
            detail=refusal.detail,
        )

    def gate(
        self, session: Session, token: str, *, method: str, query_lang: str | None
    ) -> Access | Refusal:
        """Check a task token and its person; records a refused person (see module doc)."""
        try:
            claims = decode(token, self.secret)
        except ForgedLink:
            return Refusal(403, "refused_title", "forged_body")
        if claims.task_id is None:
            return Refusal(403, "refused_title", "forged_body")
        task = session.get(HumanTask, claims.task_id)
        cycle = session.get(Cycle, task.cycle_id) if task is not None else None
        if task is None or cycle is None:
            return Refusal(410, "gone_title", "gone_body")
        now = cycle_now(cycle.clock_at, self.clock)
        try:
            check_task_expiry(
                claims,
                now,
                final_due_at=task.final_due_at,
                earlier_final_due_ats=lambda: session.scalars(
                    select(TaskExtension.old_final_due_at).where(TaskExtension.task_id == task.id)
                ),
            )
        except ExpiredLink as exc:
            return Refusal(410, "expired_title", "expired_body", str(exc))
        employee = session.get(Employee, claims.nip)
        lang = pick_lang(query_lang, employee.lang if employee else None)
        coordinator = cycle_config(cycle).coordinator.nip
        try:
            check_actor(task, Actor(claims.nip), coordinator_nip=coordinator)
        except NotAllowed as exc:
            record_refusal(
                session, task=task, nip=claims.nip, reason=str(exc), method=method, now=now
            )
            session.commit()
            return Refusal(403, "refused_title", "refused_body")
        return Access(task=task, cycle=cycle, nip=claims.nip, now=now, lang=lang)

    def task_page(
        self,
        request: Request,
        session: Session,
        access: Access,
        token: str,
        *,
        status: int = 200,
        errors: list[tuple[str, str]] | None = None,
        values: dict[str, str] | None = None,
    ) -> HTMLResponse:
        ctx = views.task_context(session, task=access.task, cycle=access.cycle, lang=access.lang)
        me = sign_person(
            access.nip, self.clock.now() + timedelta(days=PERSON_LINK_DAYS), self.secret
        )
        return self.page(
            request,
            "task.html",
            access.lang,
            status=status,
            token=token,
            csrf=csrf_token(self.secret, token, self.clock.now()),
            csrf_field=CSRF_FIELD,
            errors=errors or [],
            error_fields={name for name, _ in errors or []},
            values=values or {},
            has_form=access.task.kind in INPUT_FOR_KIND,
            me_link=f"/me/{me}",
            **ctx,
        )


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
    db_url: str | None = None, *, secret: str | bytes | None = None, clock: Clock | None = None
) -> FastAPI:
    """The portal for the database at ``db_url`` (default: ``KINERJA_DATABASE_URL`` or the
    SQLite file), signing with ``secret`` (default: ``KINERJA_SECRET``, refused when missing
    or a placeholder outside the demo) and reading time from ``clock`` (a cycle's own
    simulated clock wins)."""
    key = load_secret() if secret is None else secret
    key = key.encode() if isinstance(key, str) else key
    portal = Portal(session_factory(get_engine(db_url)), key, clock or SYSTEM_CLOCK)
    app = FastAPI(title="Kinerja portal", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.portal = portal

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
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        return _submit(request, token, lang, form)

    def _submit(request: Request, token: str, lang: str | None, form: dict[str, str]) -> Response:
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
            data, read = forms.read_form(task.kind, form, access.lang)
            if task.state not in ACTIVE:
                return _closed(request, access, data)
            if data is None:
                return portal.task_page(
                    request, session, access, token, status=400, errors=read.errors, values=form
                )
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
                    errors=[("", str(exc))],
                    values=form,
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
        try:
            nip = verify_person(token, portal.secret, now)
        except ExpiredLink as exc:
            refusal = Refusal(410, "expired_title", "expired_body", str(exc))
            return portal.refusal(request, refusal, pick_lang(lang, None))
        except ForgedLink:
            refusal = Refusal(403, "refused_title", "forged_body")
            return portal.refusal(request, refusal, pick_lang(lang, None))
        with portal.sessions() as session:
            employee = session.get(Employee, nip)
            page_lang = pick_lang(lang, employee.lang if employee else None)
            ctx = views.person_context(session, nip=nip, lang=page_lang)
            links = {}
            for task, _, _ in ctx["tasks"]:
                links[task.id] = "/t/" + _task_token(task, nip, portal.secret)
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
            cycles = public.published_cycles(session)
        return portal.page(request, "public_cycles.html", page_lang, cycles=cycles)

    @app.get("/cycles/{cycle_id}", response_class=HTMLResponse)
    def public_cycle(request: Request, cycle_id: str, lang: str | None = None) -> Response:
        page_lang = pick_lang(lang, None)
        with portal.sessions() as session:
            cycle = public.published_cycle(session, cycle_id)
            if cycle is None:
                refusal = Refusal(404, "not_found_title", "not_published_body")
                return portal.refusal(request, refusal, page_lang)
            ctx = public.cycle_context(session, cycle=cycle, lang=page_lang)
            return portal.page(request, "public_cycle.html", page_lang, **ctx)

    return app


def _task_token(task: HumanTask, nip: str, secret: bytes) -> str:
    return sign(task.id, nip, task_expiry(task.final_due_at), secret)
