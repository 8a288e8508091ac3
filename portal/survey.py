"""The public SKM form: no login, reached by a short link or its QR code.

Routes::

    GET  /s/{code}          the form (sets the browser's random cookie if it has none)
    POST /s/{code}          an answer
    GET  /s/{code}/qr.svg   the short link as a QR code, to print at the counter
    GET  /s/{code}/qr.png   the same as PNG

Abuse rules, in the order a POST meets them: the address's and the form's rate limits
(429, nothing read), a filled honeypot field (thanked, nothing stored: a bot learns
nothing), the CSRF token bound to this form and this browser's cookie (400), the form's
dates (410), the answers (400, the form again with the questions to answer), then one
answer per browser per period (409, politely). The database work runs in the thread pool.
"""

from __future__ import annotations

import io
import os
import secrets
from typing import Any

import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from kinerja.models.citizens.survey import (
    SurveyError,
    has_answered,
    is_open,
    respondent_id,
    submit_answer,
)
from kinerja.models.schemas.citizens import PROFILE_CHOICES, SurveySubmission
from kinerja.models.store.tables import SurveyForm, Unit
from kinerja.portal.formats import format_day
from kinerja.portal.i18n import pick_lang
from kinerja.portal.limits import RateLimit
from kinerja.portal.pages import Portal, Refusal
from kinerja.portal.security import CSRF_FIELD, csrf_ok, csrf_token

COOKIE = "kinerja_skm"
HONEYPOT = "website"
PROFILE_FIELDS = ("age", "sex", "education", "occupation", "service")
MAX_SURVEY_FIELDS = 60
NOT_FOUND = Refusal(404, "not_found_title", "form_not_found_body")


class PublicLimits:
    """Rate limits of the public forms (``COUNT/SECONDS`` each, see :class:`RateLimit`)."""

    def __init__(
        self,
        per_address: RateLimit | None = None,
        per_form: RateLimit | None = None,
        lookups: RateLimit | None = None,
    ) -> None:
        self.per_address = per_address or RateLimit.from_env(
            "KINERJA_PUBLIC_LIMIT_ADDRESS", "20/3600"
        )
        self.per_form = per_form or RateLimit.from_env("KINERJA_PUBLIC_LIMIT_FORM", "600/60")
        # Tracking-code look-ups per address: enough for people, too few to guess codes.
        self.lookups = lookups or RateLimit.from_env("KINERJA_PUBLIC_LIMIT_LOOKUP", "120/3600")

    def allow(self, request: Request, form_key: str) -> bool:
        address = request.client.host if request.client else "unknown"
        # Both are counted: a flood from many addresses still meets the form's limit.
        by_address = self.per_address.allow(f"addr:{address}")
        by_form = self.per_form.allow(f"form:{form_key}")
        return by_address and by_form


def public_base(request: Request) -> str:
    """The portal's public address (``KINERJA_PUBLIC_URL``, else the one asked for)."""
    return (os.environ.get("KINERJA_PUBLIC_URL") or str(request.base_url)).rstrip("/")


def _csrf_key(code: str, browser: str) -> str:
    return f"skm:{code}:{browser}"


def survey_router(portal: Portal, limits: PublicLimits) -> APIRouter:
    """The survey's routes on ``portal``."""
    router = APIRouter()

    def load(code: str) -> tuple[SurveyForm, str] | None:
        with portal.sessions() as session:
            form = session.get(SurveyForm, code)
            if form is None:
                return None
            unit = session.get(Unit, form.unit_id)
            session.expunge(form)
            return form, unit.name if unit is not None else form.unit_id

    def show(
        request: Request,
        form: SurveyForm,
        unit_name: str,
        lang: str,
        browser: str,
        *,
        status: int = 200,
        errors: set[str] | None = None,
        values: dict[str, str] | None = None,
    ) -> HTMLResponse:
        from kinerja.models.citizens.survey import form_rules

        rules = form_rules(form)
        low, high = rules.scale
        return portal.page(
            request,
            "survey.html",
            lang,
            status=status,
            form=form,
            unit_name=unit_name,
            elements=[(e.code, e.name.get(lang)) for e in rules.elements],
            scale=list(range(low, high + 1)),
            choices={
                k: [(code, id_ if lang == "id" else en) for code, id_, en in v]
                for k, v in PROFILE_CHOICES.items()
            },
            csrf=csrf_token(portal.secret, _csrf_key(form.form_id, browser), portal.clock.now()),
            csrf_field=CSRF_FIELD,
            honeypot=HONEYPOT,
            errors=errors or set(),
            values=values or {},
        )

    def refuse(request: Request, refusal: Refusal, lang: str, **fmt: str) -> HTMLResponse:
        t_body = refusal.body
        page = portal.page(
            request,
            "message.html",
            lang,
            status=refusal.status,
            heading=_t(lang, refusal.title),
            body=_t(lang, t_body).format(**fmt),
            detail=refusal.detail,
        )
        if refusal.status == 429:
            page.headers["Retry-After"] = "60"
        return page

    @router.get("/s/{code}", response_class=HTMLResponse)
    def survey_page(request: Request, code: str, lang: str | None = None) -> Response:
        page_lang = pick_lang(lang, None)
        found = load(code)
        if found is None:
            return refuse(
                request, Refusal(404, "not_found_title", "form_not_found_body"), page_lang
            )
        form, unit_name = found
        browser = request.cookies.get(COOKIE) or secrets.token_urlsafe(18)
        today = portal.clock.now().date()
        if not is_open(form, today):
            response: Response = refuse(
                request,
                Refusal(410, "skm_closed_title", "skm_closed_body"),
                page_lang,
                opens=format_day(form.opens_on, page_lang),
                closes=format_day(form.closes_on, page_lang),
            )
        else:
            rid = respondent_id(
                portal.secret, browser=browser, unit_id=form.unit_id, period=form.period
            )
            with portal.sessions() as session:
                answered = has_answered(session, form=form, respondent=rid)
            if answered:
                response = refuse(
                    request, Refusal(200, "skm_already_title", "skm_already_body"), page_lang
                )
            else:
                response = show(request, form, unit_name, page_lang, browser)
        _set_cookie(response, browser)
        return response

    @router.post("/s/{code}", response_class=HTMLResponse)
    async def survey_submit(request: Request, code: str, lang: str | None = None) -> Response:
        page_lang = pick_lang(lang, None)
        if not limits.allow(request, code):
            return refuse(request, Refusal(429, "too_many_title", "too_many_body"), page_lang)
        async with request.form(max_files=0, max_fields=MAX_SURVEY_FIELDS) as parsed:
            data = {k: v for k, v in parsed.items() if isinstance(v, str)}
        browser = request.cookies.get(COOKIE)
        return await run_in_threadpool(_submit, request, code, page_lang, data, browser)

    def _submit(
        request: Request, code: str, lang: str, data: dict[str, str], browser: str | None
    ) -> Response:
        found = load(code)
        if found is None:
            return refuse(request, NOT_FOUND, lang)
        form, unit_name = found
        if data.get(HONEYPOT):
            return refuse(request, Refusal(200, "skm_thanks_title", "skm_thanks_body"), lang)
        now = portal.clock.now()
        if not browser or not csrf_ok(
            portal.secret, _csrf_key(code, browser), data.get(CSRF_FIELD), now
        ):
            return refuse(request, Refusal(400, "skm_cookie_title", "skm_cookie_body"), lang)
        if not is_open(form, now.date()):
            return refuse(
                request,
                Refusal(410, "skm_closed_title", "skm_closed_body"),
                lang,
                opens=format_day(form.opens_on, lang),
                closes=format_day(form.closes_on, lang),
            )
        submission, missing = read_answer(form, data)
        if submission is None:
            return show(
                request, form, unit_name, lang, browser, status=400, errors=missing, values=data
            )
        rid = respondent_id(
            portal.secret, browser=browser, unit_id=form.unit_id, period=form.period
        )
        with portal.sessions() as session:
            try:
                stored = submit_answer(
                    session, form=form, submission=submission, respondent=rid, now=now
                )
            except SurveyError as exc:
                session.rollback()
                refusal = Refusal(400, "bad_request_title", "bad_request_title", str(exc))
                return refuse(request, refusal, lang)
            session.commit()
        if not stored:
            return refuse(request, Refusal(409, "skm_already_title", "skm_already_body"), lang)
        return refuse(request, Refusal(200, "skm_thanks_title", "skm_thanks_body"), lang)

    @router.get("/s/{code}/qr.{kind}")
    def survey_qr(request: Request, code: str, kind: str) -> Response:
        if kind not in ("svg", "png") or load(code) is None:
            return Response(status_code=404)
        qr = segno.make(f"{public_base(request)}/s/{code}", error="m")
        out = io.BytesIO()
        if kind == "svg":
            qr.save(out, kind="svg", scale=8, border=4, title=f"SKM {code}")
            media = "image/svg+xml"
        else:
            qr.save(out, kind="png", scale=10, border=4)
            media = "image/png"
        return Response(
            out.getvalue(),
            media_type=media,
            headers={"Content-Disposition": f'inline; filename="skm-{code}.{kind}"'},
        )

    return router


def read_answer(form: SurveyForm, data: dict[str, str]) -> tuple[SurveySubmission | None, set]:
    """The typed answer from the form fields, or None and the element codes left unanswered.

    Fields that are not the form's (other than the CSRF token and the honeypot) are ignored
    rather than stored: only known elements and profile fields reach the model.
    """
    from kinerja.models.citizens.survey import form_rules

    rules = form_rules(form)
    answers: dict[str, int] = {}
    missing: set[str] = set()
    low, high = rules.scale
    for element in rules.elements:
        raw = (data.get(element.code) or "").strip()
        if raw.isdigit() and low <= int(raw) <= high:
            answers[element.code] = int(raw)
        else:
            missing.add(element.code)
    profile: dict[str, Any] = {
        k: data[k].strip() for k in PROFILE_FIELDS if data.get(k, "").strip()
    }
    try:
        submission = SurveySubmission(answers=answers, profile=profile)
    except ValidationError as exc:
        missing |= {str(e["loc"][1]) for e in exc.errors() if len(e["loc"]) > 1}
        return None, missing or {"profile"}
    return (None, missing) if missing else (submission, set())


def _set_cookie(response: Response, browser: str) -> None:
    response.set_cookie(
        COOKIE,
        browser,
        max_age=400 * 24 * 3600,
        path="/s/",
        httponly=True,
        samesite="lax",
        secure=os.environ.get("KINERJA_PUBLIC_URL", "").startswith("https://"),
    )


def _t(lang: str, key: str) -> str:
    from kinerja.portal.i18n import translator

    return translator(lang)(key)
