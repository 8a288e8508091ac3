"""The public charts: Vega-Lite specifications (altair) rendered to SVG on the server
(vl-convert), so a phone needs no script to see them.

Every chart is drawn from the rows of :func:`kinerja.portal.opendata.cycle_data`, the same
rows as the accessible table beside it: a unit whose figures are suppressed is not in the
table's figures, so it is not in the chart. Rendering costs about 0.1 s per chart after the
first, so each SVG is kept in memory by the hash of its specification.
"""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Any

import altair as alt
import vl_convert

from kinerja.portal.i18n import translator

KINDS = ("predikat", "ikm", "elements", "complaints")
_cache: dict[str, str] = {}
_lock = threading.Lock()
_MAX_CACHE = 256


def _name(lang: str, key: str) -> str:
    return translator(lang)(key)


def chart_spec(data: dict[str, Any], kind: str, lang: str) -> dict[str, Any]:
    """The Vega-Lite specification of one public chart of a cycle, in ``lang``."""
    if kind == "predikat":
        labels = data["predikat_labels"]
        order = list(labels)
        values = [
            {
                "unit": u["unit_name"],
                "predikat": labels.get(code, {}).get(lang, code),
                "rank": order.index(code) if code in order else len(order),
                "count": n,
            }
            for u in data["units"]
            if not u["suppressed"]
            for code, n in (u["predikat"] or {}).items()
        ]
        chart = (
            alt.Chart(alt.Data(values=values))
            .mark_bar()
            .encode(
                x=alt.X("count:Q", stack="normalize", title=_name(lang, "chart_share")),
                y=alt.Y("unit:N", title=None),
                color=alt.Color(
                    "predikat:N",
                    title="Predikat",
                    sort=alt.SortField("rank"),
                    legend=alt.Legend(orient="bottom", columns=2),
                ),
                order=alt.Order("rank:Q"),
                tooltip=["unit:N", "predikat:N", "count:Q"],
            )
        )
        title = _name(lang, "public_predikat_counts")
    elif kind == "ikm":
        values = [
            {"unit": i["unit_name"], "ikm": i["ikm"], "mutu": i["mutu"]}
            for i in data["ikm"]
            if i["ikm"] is not None
        ]
        chart = (
            alt.Chart(alt.Data(values=values))
            .mark_bar()
            .encode(
                x=alt.X("ikm:Q", scale=alt.Scale(domain=[25, 100]), title="IKM"),
                y=alt.Y("unit:N", title=None),
                color=alt.Color(
                    "mutu:N", title=_name(lang, "public_mutu"), legend=alt.Legend(orient="bottom")
                ),
                tooltip=["unit:N", "ikm:Q", "mutu:N"],
            )
        )
        title = _name(lang, "public_ikm")
    elif kind == "elements":
        names = data["ikm_elements"]
        values = [
            {
                "unit": i["unit_name"],
                "element": code,
                "name": names.get(code, {}).get(lang, code),
                "nrr": nrr,
            }
            for i in data["ikm"]
            for code, nrr in i["elements"].items()
        ]
        chart = (
            alt.Chart(alt.Data(values=values))
            .mark_rect()
            .encode(
                x=alt.X("element:N", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
                y=alt.Y("unit:N", title=None),
                color=alt.Color(
                    "nrr:Q",
                    scale=alt.Scale(domain=[1, 4]),
                    title=_name(lang, "chart_nrr"),
                    legend=alt.Legend(orient="bottom"),
                ),
                tooltip=["unit:N", "element:N", "name:N", "nrr:Q"],
            )
        )
        title = _name(lang, "chart_elements")
    elif kind == "complaints":
        states = [
            ("within_level", _name(lang, "public_c_within")),
            ("late", _name(lang, "public_c_late")),
        ]
        values = [
            {"unit": c["unit_name"], "state": label, "rank": rank, "count": c[key]}
            for c in data["complaints"]
            for rank, (key, label) in enumerate(states)
        ]
        chart = (
            alt.Chart(alt.Data(values=values))
            .mark_bar()
            .encode(
                x=alt.X("count:Q", title=_name(lang, "public_c_received")),
                y=alt.Y("unit:N", title=None),
                color=alt.Color(
                    "state:N",
                    title=None,
                    sort=alt.SortField("rank"),
                    legend=alt.Legend(orient="bottom"),
                ),
                order=alt.Order("rank:Q"),
                tooltip=["unit:N", "state:N", "count:Q"],
            )
        )
        title = _name(lang, "public_complaints")
    else:
        raise KeyError(kind)
    return chart.properties(title=title, width=260).to_dict()


def render_svg(spec: dict[str, Any]) -> str:
    """The SVG of a Vega-Lite specification (cached by the specification's hash)."""
    key = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()
    with _lock:
        found = _cache.get(key)
    if found is not None:
        return found
    svg = vl_convert.vegalite_to_svg(spec)
    with _lock:
        if len(_cache) >= _MAX_CACHE:
            _cache.pop(next(iter(_cache)))
        _cache[key] = svg
    return svg
