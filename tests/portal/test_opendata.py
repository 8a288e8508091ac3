"""Open data and charts of a published cycle: stable URLs, the dictionary's columns, the IKM
per element, the charts as SVG with their tables, and 404 for a cycle not published."""

from __future__ import annotations

import csv
import io

from kinerja.portal.charts import KINDS
from kinerja.portal.opendata import DICTIONARY
from kinerja.tests.portal.test_public import CYCLE_ID, UNPUBLISHED, public  # noqa: F401


def test_urls_are_listed_and_stable(public):  # noqa: F811
    listed = public.client.get("/data/cycles.json").json()
    [entry] = [c for c in listed if c["cycle_id"] == CYCLE_ID]
    assert entry["urls"]["units.csv"] == f"/data/cycles/{CYCLE_ID}/units.csv"
    assert entry["urls"]["json"] == f"/data/cycles/{CYCLE_ID}.json"
    for url in entry["urls"].values():
        assert public.client.get(url).status_code == 200, url
    assert UNPUBLISHED not in {c["cycle_id"] for c in listed}
    for path in (
        f"/data/cycles/{UNPUBLISHED}.json",
        f"/data/cycles/{UNPUBLISHED}/units.csv",
        f"/cycles/{UNPUBLISHED}/charts/ikm.svg",
        f"/data/cycles/{CYCLE_ID}/secrets.csv",
        f"/cycles/{CYCLE_ID}/charts/people.svg",
    ):
        assert public.client.get(path).status_code == 404, path


def test_csv_columns_follow_the_dictionary(public):  # noqa: F811
    dictionary = public.client.get("/data/dictionary.json").json()
    for dataset in DICTIONARY:
        text = public.client.get(f"/data/cycles/{CYCLE_ID}/{dataset}.csv").text
        header = next(csv.reader(io.StringIO(text)))
        assert header == [c["column"] for c in dictionary[dataset]]
    page = public.client.get("/data/dictionary?lang=en").text
    assert "Service quality band" in page and "<caption>" in page


def test_ikm_per_element(public):  # noqa: F811
    rows = public.client.get(f"/data/cycles/{CYCLE_ID}/ikm.json").json()
    sec = [r for r in rows if r["unit_id"] == "SEC"]
    assert [r["element"] for r in sec] == [f"U{i}" for i in range(1, 10)]
    assert all(r["nrr"] == 4.0 and r["ikm"] == 100.0 and r["mutu"] == "A" for r in sec)
    assert sec[0]["element_name"] == "Persyaratan"
    english = public.client.get(f"/data/cycles/{CYCLE_ID}/ikm.json?lang=en").json()
    assert [r for r in english if r["unit_id"] == "SEC"][0]["element_name"] == "Requirements"
    aduan = [r for r in rows if r["unit_id"] == "ADUAN"]
    assert aduan == [
        {
            "cycle_id": CYCLE_ID,
            "unit_id": "ADUAN",
            "unit_name": "Layanan Pengaduan",
            "respondents": 0,
            "ikm": None,
            "mutu": None,
            "element": None,
            "element_name": None,
            "nrr": None,
        }
    ]


def test_charts_are_svg_with_a_table_beside_each(public):  # noqa: F811
    page = public.client.get(f"/cycles/{CYCLE_ID}").text
    for kind in KINDS:
        response = public.client.get(f"/cycles/{CYCLE_ID}/charts/{kind}.svg?lang=en")
        assert response.status_code == 200 and response.headers["content-type"] == "image/svg+xml"
        assert response.text.startswith("<svg")
    for chart, table in (
        ("chart-predikat", "table-predikat"),
        ("chart-ikm", "table-ikm"),
        ("chart-elements", "table-elements"),
    ):
        assert f'id="{chart}"' in page and f'id="{table}"' in page
    ikm_svg = public.client.get(f"/cycles/{CYCLE_ID}/charts/ikm.svg").text
    assert "Seksi Layanan" in ikm_svg and "Loket Terpadu" in ikm_svg


def test_numbers_follow_the_language(public):  # noqa: F811
    indonesian = public.client.get(f"/cycles/{CYCLE_ID}?lang=id").text
    english = public.client.get(f"/cycles/{CYCLE_ID}?lang=en").text
    assert "<td>100,00</td>" in indonesian and "<td>100.00</td>" in english
