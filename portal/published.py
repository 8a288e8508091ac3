"""Charts and open data of published cycles: stable URLs, no login.

Routes::

    GET /cycles/{id}/charts/{kind}.svg     predikat, ikm, elements, complaints (?lang=)
    GET /data/cycles.json                  the published cycles and their URLs
    GET /data/cycles/{id}.json             everything a cycle publishes, for other systems
    GET /data/cycles/{id}/{dataset}.csv    units, ikm, complaints (and .json)
    GET /data/dictionary                   the data dictionary (and /data/dictionary.json)

An unpublished or unknown cycle is 404 everywhere, like its page. Suppression is applied once,
in :func:`kinerja.portal.opendata.cycle_data`, the source of every table, chart and file.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from kinerja.portal import public
from kinerja.portal.charts import KINDS, chart_spec, render_svg
from kinerja.portal.i18n import pick_lang
from kinerja.portal.opendata import DICTIONARY, cycle_data, data_urls, rows_of, to_csv
from kinerja.portal.pages import Portal

DATASETS = tuple(DICTIONARY)
CACHE = {"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"}


def published_router(portal: Portal) -> APIRouter:
    router = APIRouter()

    def load(cycle_id: str) -> dict[str, Any] | None:
        with portal.sessions() as session:
            cycle = public.published_cycle(session, cycle_id)
            if cycle is None:
                return None
            return cycle_data(session, cycle=cycle, now=portal.clock.now())

    @router.get("/cycles/{cycle_id}/charts/{kind}.svg")
    async def chart(cycle_id: str, kind: str, lang: str | None = None) -> Response:
        if kind not in KINDS:
            return Response(status_code=404)
        data = await run_in_threadpool(load, cycle_id)
        if data is None:
            return Response(status_code=404)
        spec = chart_spec(data, kind, pick_lang(lang, None))
        svg = await run_in_threadpool(render_svg, spec)
        return Response(svg, media_type="image/svg+xml", headers=CACHE)

    @router.get("/data/cycles.json")
    def cycles() -> JSONResponse:
        with portal.sessions() as session:
            found = public.published_cycles(session)
        return JSONResponse(
            [
                {
                    "cycle_id": c.cycle_id,
                    "name": c.name,
                    "published_at": c.published_at.isoformat() if c.published_at else None,
                    "urls": data_urls(c.cycle_id),
                }
                for c in found
            ],
            headers=CACHE,
        )

    @router.get("/data/cycles/{cycle_id}.json")
    def whole(cycle_id: str) -> Response:
        data = load(cycle_id)
        if data is None:
            return JSONResponse({"error": "not published"}, status_code=404)
        return JSONResponse({**data, "urls": data_urls(cycle_id)}, headers=CACHE)

    @router.get("/data/cycles/{cycle_id}/{name}")
    def dataset(cycle_id: str, name: str, lang: str | None = None) -> Response:
        stem, _, ext = name.rpartition(".")
        if stem not in DATASETS or ext not in ("csv", "json"):
            return Response(status_code=404)
        data = load(cycle_id)
        if data is None:
            return Response(status_code=404)
        rows = rows_of(data, stem, pick_lang(lang, None))
        headers = {
            **CACHE,
            "Content-Disposition": f'inline; filename="{cycle_id}-{stem}.{ext}"',
        }
        if ext == "json":
            return Response(
                json.dumps(rows, ensure_ascii=False), media_type="application/json", headers=headers
            )
        return Response(to_csv(rows, stem), media_type="text/csv; charset=utf-8", headers=headers)

    @router.get("/data/dictionary.json")
    def dictionary_json() -> JSONResponse:
        return JSONResponse(
            {
                name: [{"column": c, "type": t, "id": id_, "en": en} for c, t, id_, en in columns]
                for name, columns in DICTIONARY.items()
            },
            headers=CACHE,
        )

    @router.get("/data/dictionary", response_class=HTMLResponse)
    def dictionary(request: Request, lang: str | None = None) -> Response:
        page_lang = pick_lang(lang, None)
        return portal.page(request, "data_dictionary.html", page_lang, dictionary=DICTIONARY)

    return router
