"""Public complaint pages: a service unit's complaint form and the tracking page.

Routes::

    GET  /pengaduan/unit/{unit_id}   the unit's complaint form
    POST /pengaduan/unit/{unit_id}   a complaint: a tracking code is shown
    GET  /pengaduan?kode=CODE        look a tracking code up
    GET  /pengaduan/{code}           the tracking page: status, due day, the answer

A POST meets the same abuse rules as the survey (portal/survey.py): the address's and the
form's rate limits, the honeypot, a CSRF token (bound here to a random value in a cookie).
The officer answers through the task page (/t/{token}, the kind ``answer_complaint``).
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from kinerja.models.citizens.complaints import ComplaintError, file_complaint, tracking
from kinerja.models.cycles.cycle import CycleError, get_cycle, pack_of
from kinerja.models.schemas.citizens import ComplaintFiling
from kinerja.models.store.tables import Unit
from kinerja.portal.formats import format_day, format_moment
from kinerja.portal.i18n import pick_lang, translator
from kinerja.portal.pages import Portal
from kinerja.portal.security import CSRF_FIELD, csrf_ok, csrf_token
from kinerja.portal.survey import HONEYPOT, PublicLimits

COOKIE = "kinerja_adu"
FIELDS = ("category", "text", "contact")


def complaint_router(portal: Portal, limits: PublicLimits) -> APIRouter:
    """The complaint routes on ``portal``."""
    router = APIRouter()

    def message(request: Request, lang: str, status: int, title: str, body: str) -> HTMLResponse:
        t = translator(lang)
        return portal.page(
            request, "message.html", lang, status=status, heading=t(title), body=t(body)
        )

    def categories(lang: str) -> list[tuple[str, str]] | None:
        with portal.sessions() as session:
            try:
                rules = pack_of(get_cycle(session, None)).complaints
            except CycleError:
                return None
        if rules is None:
            return None
        return [(c.code, c.label.get(lang)) for c in rules.categories]

    def form_page(
        request: Request,
        unit: Unit,
        lang: str,
        browser: str,
        *,
        status: int = 200,
        errors: list[tuple[str, str]] | None = None,
        values: dict[str, str] | None = None,
    ) -> HTMLResponse:
        page = portal.page(
            request,
            "complaint_form.html",
            lang,
            status=status,
            unit=unit,
            categories=categories(lang) or [],
            csrf=csrf_token(portal.secret, f"adu:{unit.unit_id}:{browser}", portal.clock.now()),
            csrf_field=CSRF_FIELD,
            honeypot=HONEYPOT,
            errors=errors or [],
            error_fields={name for name, _ in errors or []},
            values=values or {},
        )
        page.set_cookie(COOKIE, browser, path="/pengaduan/", httponly=True, samesite="lax")
        return page

    def service_unit(unit_id: str) -> Unit | None:
        with portal.sessions() as session:
            unit = session.get(Unit, unit_id)
            if unit is None or not unit.is_service_unit:
                return None
            session.expunge(unit)
            return unit

    @router.get("/pengaduan/unit/{unit_id}", response_class=HTMLResponse)
    def complaint_form(request: Request, unit_id: str, lang: str | None = None) -> Response:
        page_lang = pick_lang(lang, None)
        unit = service_unit(unit_id)
        if unit is None or categories(page_lang) is None:
            return message(request, page_lang, 404, "not_found_title", "form_not_found_body")
        browser = request.cookies.get(COOKIE) or secrets.token_urlsafe(18)
        return form_page(request, unit, page_lang, browser)

    @router.post("/pengaduan/unit/{unit_id}", response_class=HTMLResponse)
    async def complaint_submit(request: Request, unit_id: str, lang: str | None = None) -> Response:
        page_lang = pick_lang(lang, None)
        if not limits.allow(request, f"adu:{unit_id}"):
            page = message(request, page_lang, 429, "too_many_title", "too_many_body")
            page.headers["Retry-After"] = "60"
            return page
        async with request.form(max_files=0, max_fields=20) as parsed:
            data = {k: v for k, v in parsed.items() if isinstance(v, str)}
        browser = request.cookies.get(COOKIE)
        return await run_in_threadpool(_submit, request, unit_id, page_lang, data, browser)

    def _submit(
        request: Request, unit_id: str, lang: str, data: dict[str, str], browser: str | None
    ) -> Response:
        unit = service_unit(unit_id)
        if unit is None:
            return message(request, lang, 404, "not_found_title", "form_not_found_body")
        if data.get(HONEYPOT):
            return message(request, lang, 200, "adu_received_title", "adu_keep_code")
        now = portal.clock.now()
        key = f"adu:{unit_id}:{browser}"
        if not browser or not csrf_ok(portal.secret, key, data.get(CSRF_FIELD), now):
            return message(request, lang, 400, "skm_cookie_title", "skm_cookie_body")
        values = {k: data.get(k, "").strip() for k in FIELDS}
        try:
            filing = ComplaintFiling(**{k: v for k, v in values.items() if v})
        except ValidationError as exc:
            errors = [(str(e["loc"][0]) if e["loc"] else "", e["msg"]) for e in exc.errors()]
            return form_page(request, unit, lang, browser, status=400, errors=errors, values=values)
        with portal.sessions() as session:
            try:
                complaint = file_complaint(session, unit_id=unit_id, filing=filing, now=now)
            except ComplaintError as exc:
                session.rollback()
                return form_page(
                    request,
                    unit,
                    lang,
                    browser,
                    status=400,
                    errors=[("category", str(exc))],
                    values=values,
                )
            session.commit()
            code = complaint.tracking_code
        return RedirectResponse(f"/pengaduan/{code}?lang={lang}&baru=1", status_code=303)

    @router.get("/pengaduan", response_class=HTMLResponse)
    def lookup(request: Request, kode: str | None = None, lang: str | None = None) -> Response:
        page_lang = pick_lang(lang, None)
        if kode:
            return RedirectResponse(
                f"/pengaduan/{kode.strip().upper()}?lang={page_lang}", status_code=303
            )
        return portal.page(request, "complaint_lookup.html", page_lang)

    @router.get("/pengaduan/{code}", response_class=HTMLResponse)
    def track(request: Request, code: str, lang: str | None = None, baru: int = 0) -> Response:
        page_lang = pick_lang(lang, None)
        if not limits.lookups.allow(request.client.host if request.client else "-"):
            return message(request, page_lang, 429, "too_many_title", "too_many_body")
        with portal.sessions() as session:
            found = tracking(session, code, page_lang)
        if found is None:
            return message(request, page_lang, 404, "not_found_title", "adu_unknown_body")
        return portal.page(
            request,
            "complaint_track.html",
            page_lang,
            c=found,
            new=bool(baru),
            received=format_moment(found.received_at, page_lang),
            due=format_day(found.due_at, page_lang),
            replied=format_moment(found.replied_at, page_lang) if found.replied_at else None,
        )

    return router
