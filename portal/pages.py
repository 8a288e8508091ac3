"""The portal's pages and its gate: how a page is rendered (language, headers), how a
refusal reads, and the checks every request on a task passes (see portal/app.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kinerja.models.cycles.cycle import cycle_config
from kinerja.models.humantasks.links import (
    PERSON_LINK_DAYS,
    ExpiredLink,
    ForgedLink,
    check_task_expiry,
    decode,
    sign_person,
)
from kinerja.models.humantasks.states import (
    Actor,
    NotAllowed,
    check_actor,
)
from kinerja.models.rules.numbers import number
from kinerja.models.schemas.inputs import INPUT_FOR_KIND
from kinerja.models.store.clock import Clock, cycle_now
from kinerja.models.store.tables import Cycle, Employee, HumanTask, TaskExtension
from kinerja.portal import evidence, views
from kinerja.portal.formats import format_day
from kinerja.portal.formerrors import field_label
from kinerja.portal.i18n import both, code_translator, pick_lang, translator
from kinerja.portal.security import CSRF_FIELD, csrf_token, record_refusal

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

    def __init__(
        self,
        sessions: sessionmaker[Session],
        secret: bytes,
        clock: Clock,
        desk: evidence.EvidenceDesk | None = None,
    ) -> None:
        self.sessions = sessions
        self.secret = secret
        self.clock = clock
        self.evidence = desk or evidence.EvidenceDesk.from_env()
        self.templates = Jinja2Templates(directory=str(TEMPLATES))

    def page(
        self, request: Request, template: str, lang: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        other = "en" if lang == "id" else "id"
        return self.templates.TemplateResponse(
            request,
            template,
            {
                "lang": lang,
                "other_lang": other,
                "t": translator(lang),
                "day": lambda value: format_day(value, lang) if value else "",
                "num": lambda value, places=None: number(value, lang=lang, places=places),
                "c": code_translator(lang),
                **context,
            },
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

    def holder(
        self,
        verify: Callable[[str, bytes, datetime], str],
        token: str,
        *,
        expired_body: str = "expired_body",
    ) -> str | Refusal:
        """The NIP a person or desk token names (``verify`` is ``verify_person`` or
        ``verify_desk``), or why it is refused: 410 expired, 403 forged."""
        try:
            return verify(token, self.secret, self.clock.now())
        except ExpiredLink as exc:
            return Refusal(410, "expired_title", expired_body, str(exc))
        except ForgedLink:
            return Refusal(403, "refused_title", "forged_body")

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
        ctx |= evidence.page_context(
            session,
            desk=self.evidence,
            task=access.task,
            viewer=access.nip,
            secret=self.secret,
            now=self.clock.now(),
            lang=access.lang,
        )
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
            labelled_errors=[
                (field_label(access.task.kind, name, ctx, access.lang), message)
                for name, message in errors or []
            ],
            values=values or {},
            has_form=access.task.kind in INPUT_FOR_KIND,
            me_link=f"/me/{me}",
            **ctx,
        )
