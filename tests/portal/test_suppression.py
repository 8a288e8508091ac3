"""No published page, chart, table or download reveals a figure of a unit below the minimum
group size.

The published cycle of tests/portal/test_public.py: ROOT (5 people) is below the minimum of
6, SEC (6) is shown. Every public artifact is fetched (the cycle list, the cycle page in both
languages, every chart, the JSON endpoint, every dataset as CSV and JSON, the dictionary);
then ROOT's figures are changed behind the publication (other predikat counts, another mean,
another headcount below the minimum, even a payload that claims it is not suppressed) and
every artifact must be byte for byte the same: nothing published depends on them.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from kinerja.models.store.tables import Publication
from kinerja.portal.charts import KINDS
from kinerja.portal.opendata import DICTIONARY
from kinerja.tests.portal.test_public import CYCLE_ID, MINIMUM, public  # noqa: F401 - fixture

ROOT_NAME = "Dinas Contoh"


def artifact_paths() -> list[str]:
    paths = ["/cycles", "/data/cycles.json", f"/data/cycles/{CYCLE_ID}.json", "/data/dictionary"]
    for lang in ("id", "en"):
        paths.append(f"/cycles/{CYCLE_ID}?lang={lang}")
        paths += [f"/cycles/{CYCLE_ID}/charts/{kind}.svg?lang={lang}" for kind in KINDS]
        for dataset in DICTIONARY:
            paths += [
                f"/data/cycles/{CYCLE_ID}/{dataset}.{ext}?lang={lang}" for ext in ("csv", "json")
            ]
    return paths


def snapshot(public) -> dict[str, bytes]:  # noqa: F811
    out = {}
    for path in artifact_paths():
        response = public.client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        out[path] = response.content
    return out


def set_root_payload(public, payload: dict) -> None:  # noqa: F811
    with public.session() as s:
        row = s.get(Publication, (CYCLE_ID, "ROOT"))
        row.payload = payload
        s.commit()


@pytest.mark.parametrize(
    "changed",
    [
        # Another publication of the same small group: other counts, fewer people.
        {"headcount": 3, "suppressed": True},
        # A payload written under a smaller minimum: figures present, not flagged.
        {
            "headcount": MINIMUM - 1,
            "suppressed": False,
            "mean_achievement": 123.45,
            "predikat": {"sangat_baik": 2, "sangat_kurang": 3},
        },
    ],
)
def test_nothing_published_depends_on_a_suppressed_units_figures(public, changed):  # noqa: F811
    before = snapshot(public)
    set_root_payload(public, changed)
    after = snapshot(public)
    differing = [p for p in before if before[p] != after[p]]
    assert differing == [], differing


def test_the_suppressed_unit_carries_no_figure_anywhere(public):  # noqa: F811
    whole = public.client.get(f"/data/cycles/{CYCLE_ID}.json").json()
    [root] = [u for u in whole["units"] if u["unit_id"] == "ROOT"]
    assert root["suppressed"] is True
    assert root["headcount"] is None and root["mean_achievement"] is None
    assert root["predikat"] is None
    [sec] = [u for u in whole["units"] if u["unit_id"] == "SEC"]
    assert sec["headcount"] == 6 and sum(sec["predikat"].values()) == 6
    figures = ("headcount", "mean_achievement", "predikat", "predikat_label", "count")
    units_csv = public.client.get(f"/data/cycles/{CYCLE_ID}/units.csv").text
    rows = [r for r in csv.DictReader(io.StringIO(units_csv)) if r["unit_id"] == "ROOT"]
    assert len(rows) == 1 and rows[0]["suppressed"] == "True"
    assert all(rows[0][c] == "" for c in figures)
    units_json = json.loads(public.client.get(f"/data/cycles/{CYCLE_ID}/units.json").content)
    [root_row] = [r for r in units_json if r["unit_id"] == "ROOT"]
    assert root_row["suppressed"] is True and all(root_row[c] is None for c in figures)
    for kind in KINDS:
        svg = public.client.get(f"/cycles/{CYCLE_ID}/charts/{kind}.svg").text
        assert ROOT_NAME not in svg, kind  # ROOT is no service unit and has no chart row
    predikat_svg = public.client.get(f"/cycles/{CYCLE_ID}/charts/predikat.svg").text
    assert "Seksi Layanan" in predikat_svg  # the shown unit is drawn
    page = public.client.get(f"/cycles/{CYCLE_ID}").text
    row = page.split('id="predikat-ROOT"', 1)[1].split("</tr>", 1)[0]
    assert "<td>" not in row and str(MINIMUM) in row
