"""The HR coordinator's desk: their cycles at a glance, and the HR bulk actions.

Routes::

    GET  /desk                     ask for a sign-in link by e-mail
    POST /desk                     queue the link if the address is a coordinator's
    GET  /desk/{token}             the desk of the coordinator the token names
    POST /desk/{token}/{action}    remind | extend | delegate, then back to the desk

Sign-in answers the same page whether or not the address is known (no enumeration), is
rate-limited per network address (``KINERJA_DESK_LIMIT``, ``COUNT/SECONDS``, default
``10/3600``) and queues at most one message per coordinator per hour. A desk token
(models/humantasks/links.py, tag ``d``) names one NIP and expires after seven days; the desk
shows only the cycles whose coordinator is that NIP. An action goes through the same HR
request service as ``kinerja tasks remind|extend|delegate`` (models/humantasks/admin.py), as
the coordinator, with the desk's CSRF token; a cycle that is not theirs is refused (403) and
the attempt audited. After an action the browser is sent back to the desk (303) with a line
saying what was done.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from kinerja.models.cycles.cycle import cycle_config
from kinerja.models.humantasks.admin import run_action
from kinerja.models.humantasks.desk import coordinator_cycles, queue_desk_link
from kinerja.models.humantasks.links import verify_desk
from kinerja.models.rules.numbers import number
from kinerja.models.store.tables import Cycle, Employee, Unit
from kinerja.portal.deskviews import cycle_view
from kinerja.portal.formerrors import in_lang
from kinerja.portal.i18n import pick_lang, translator
from kinerja.portal.limits import MAX_FIELDS, RateLimit
from kinerja.portal.pages import Portal, Refusal
from kinerja.portal.security import CSRF_FIELD, csrf_ok, csrf_token, record_refused

SIGNIN_CSRF = "desk-signin"
"""What a sign-in form's CSRF token is bound to (the form has no link token)."""

ACTION_FIELDS: dict[str, set[str]] = {
    "remind": {"cycle", "unit", "with_subunits"},
    "extend": {"cycle", "unit", "with_subunits", "days", "reason"},
    "delegate": {"cycle", "nip", "delegate", "starts_on", "ends_on", "reason"},
}
"""The fields each action's form has (besides the CSRF token)."""

COUNTS = ("ok", "skipped", "refused")


def desk_router(portal: Portal, limit: RateLimit | None = None) -> APIRouter:
    """The desk's routes on ``portal``; ``limit``: sign-in requests per network address."""
    router = APIRouter()
    signins = limit or RateLimit.from_env("KINERJA_DESK_LIMIT", "10/3600")

    def message(request: Request, lang: str, heading: str, body: str, status: int) -> Response:
        t = translator(lang)
        return portal.page(
            request, "message.html", lang, status=status, heading=t(heading), body=t(body)
        )

    def signin_page(request: Request, lang: str) -> HTMLResponse:
        csrf = csrf_token(portal.secret, SIGNIN_CSRF, portal.clock.now())
        return portal.page(request, "desk_signin.html", lang, csrf=csrf, csrf_field=CSRF_FIELD)

    @router.get("/desk", response_class=HTMLResponse)
    def signin(request: Request, lang: str | None = None) -> Response:
        return signin_page(request, pick_lang(lang, None))

    @router.post("/desk", response_class=HTMLResponse)
    async def ask_link(request: Request, lang: str | None = None) -> Response:
        async with request.form(max_files=0, max_fields=MAX_FIELDS) as parsed:
            form = {k: v for k, v in parsed.items() if isinstance(v, str)}
        return await run_in_threadpool(_ask_link, request, pick_lang(lang, None), form)

    def _ask_link(request: Request, lang: str, form: dict[str, str]) -> Response:
        address = request.client.host if request.client else "unknown"
        if not signins.allow(f"desk:{address}"):
            return message(request, lang, "desk_slow_title", "desk_slow_body", 429)
        now = portal.clock.now()
        if not csrf_ok(portal.secret, SIGNIN_CSRF, form.get(CSRF_FIELD), now):
            return message(request, lang, "bad_request_title", "csrf_body", 400)
        email = (form.get("email") or "")[:320]
        with portal.sessions() as session:
            queue_desk_link(session, email=email, secret=portal.secret, now=now)
            session.commit()
        return message(request, lang, "desk_sent_title", "desk_sent_body", 200)

    def holder(token: str) -> str | Refusal:
        """The NIP a desk token names, or why it is refused."""
        return portal.holder(verify_desk, token, expired_body="desk_expired_body")

    @router.get("/desk/{token}", response_class=HTMLResponse)
    def desk(request: Request, token: str, lang: str | None = None) -> Response:
        nip = holder(token)
        if isinstance(nip, Refusal):
            return portal.refusal(request, nip, pick_lang(lang, None))
        with portal.sessions() as session:
            cycles = coordinator_cycles(session, nip)
            page_lang = pick_lang(lang, cycle_config(cycles[0]).lang if cycles else None)
            done = _confirmation(session, request.query_params, page_lang)
            return desk_page(request, session, token, nip, cycles, page_lang, done=done)

    def desk_page(
        request: Request,
        session: Session,
        token: str,
        nip: str,
        cycles: list[Cycle],
        lang: str,
        *,
        done: str = "",
        errors: list[str] | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        employee = session.get(Employee, nip)
        name = (
            employee.name
            if employee
            else (cycle_config(cycles[0]).coordinator.name if cycles else nip)
        )
        running = [c for c in cycles if c.status != "done"]
        return portal.page(
            request,
            "desk.html",
            lang,
            status=status,
            name=name,
            token=token,
            views=[cycle_view(session, cycle=c, clock=portal.clock, lang=lang) for c in running],
            finished=[c for c in cycles if c.status == "done"],
            done=done,
            errors=errors or [],
            csrf=csrf_token(portal.secret, token, portal.clock.now()),
            csrf_field=CSRF_FIELD,
            today=portal.clock.now().date().isoformat(),
            num=lambda value, places=None: number(value, lang=lang, places=places),
        )

    @router.post("/desk/{token}/{action}", response_class=HTMLResponse)
    async def act(request: Request, token: str, action: str, lang: str | None = None) -> Response:
        async with request.form(max_files=0, max_fields=MAX_FIELDS) as parsed:
            form = {k: v for k, v in parsed.items() if isinstance(v, str)}
        return await run_in_threadpool(_act, request, token, action, lang, form)

    def _act(
        request: Request, token: str, action: str, lang: str | None, form: dict[str, str]
    ) -> Response:
        nip = holder(token)
        if isinstance(nip, Refusal):
            return portal.refusal(request, nip, pick_lang(lang, None))
        if action not in ACTION_FIELDS:
            refusal = Refusal(404, "not_found_title", "desk_no_action")
            return portal.refusal(request, refusal, pick_lang(lang, None))
        with portal.sessions() as session:
            cycles = coordinator_cycles(session, nip)
            page_lang = pick_lang(lang, cycle_config(cycles[0]).lang if cycles else None)
            now = portal.clock.now()
            if not csrf_ok(portal.secret, token, form.get(CSRF_FIELD), now):
                return portal.refusal(
                    request, Refusal(400, "bad_request_title", "csrf_body"), page_lang
                )
            unknown = sorted(set(form) - ACTION_FIELDS[action] - {CSRF_FIELD})
            if unknown:
                refusal = Refusal(
                    400, "bad_request_title", "unknown_fields_body", ", ".join(unknown[:5])
                )
                return portal.refusal(request, refusal, page_lang)
            cycle_id = form.get("cycle", "")
            if cycle_id not in {c.cycle_id for c in cycles}:
                record_refused(
                    session,
                    nip=nip,
                    entity="desk",
                    entity_id=cycle_id[:64],
                    payload={"action": action, "reason": "not the coordinator of this cycle"},
                    now=now,
                )
                session.commit()
                return message(request, page_lang, "refused_title", "desk_not_yours", 403)
            items = run_action(session, request=_request(action, form, nip=nip), clock=portal.clock)
            counts = {
                k: sum(1 for i in items if i.outcome == k and i.task_id is not None) for k in COUNTS
            }
            if items and all(i.outcome == "refused" for i in items):
                session.rollback()
                reasons = list(dict.fromkeys(in_lang(i.detail, page_lang) for i in items))
                return desk_page(
                    request, session, token, nip, cycles, page_lang, errors=reasons, status=400
                )
            session.commit()
        where = form.get("unit") if action != "delegate" else form.get("nip")
        query = {"lang": page_lang, "done": action, "who": where or "", **counts}
        return RedirectResponse(
            f"/desk/{token}?{urlencode(query)}#cycle-{cycle_id}", status_code=303
        )

    return router


def _request(action: str, form: dict[str, str], *, nip: str) -> dict[str, Any]:
    """The :class:`~kinerja.models.schemas.requests.TaskAction` a desk form asks for, as the
    coordinator ``nip``; blank fields are left out, so the request's validation names them."""
    data: dict[str, Any] = {
        k: v.strip() for k, v in form.items() if k in ACTION_FIELDS[action] and v.strip()
    }
    data["with_subunits"] = "with_subunits" in data
    if action == "delegate":
        data.pop("with_subunits")
    return {"action": action, **data, "by": nip}


def _confirmation(session: Session, query: Any, lang: str) -> str:
    """The line saying what the last action did (from the redirect's query), or ""."""
    action = query.get("done")
    if action not in ACTION_FIELDS:
        return ""
    try:
        counts = {k: int(query.get(k, "0")) for k in COUNTS}
    except ValueError:
        return ""
    who = query.get("who", "")[:64]
    if action == "delegate":
        person = session.get(Employee, who)
        shown = person.name if person else who
    else:
        unit = session.get(Unit, who)
        shown = unit.name if unit else who
    return translator(lang)(f"desk_done_{action}").format(unit=shown, **counts)
