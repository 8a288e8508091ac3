"""The pages in people's words: what a target serves by its statement, statuses, directions,
aspects and kinds in the page's language, the unit by name, the weight total; no rating
chosen before the rater chooses; a form's problems in the page's language, each naming its
field as the page labels it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from kinerja.models.store.tables import Goal, Result, Target
from kinerja.tests.portal.portalfixture import A, build_portal, open_form, table_rows

GOAL = "Meningkatnya kualitas layanan administrasi"
BEHAVIOUR = ("berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal")
BEHAVIOUR += ("adaptif", "kolaboratif")


def _with_goal_and_weights(portal) -> None:
    with portal.session() as s:
        s.add(
            Goal(
                cycle_id="skp-2025",
                goal_id="G-1",
                unit_id="SEC",
                statement=GOAL,
                indicator="Indeks kepuasan",
                target_value=80.0,
                unit_of_measure="indeks",
            )
        )
        for t in s.scalars(select(Target).where(Target.nip == A)):
            t.weight = 40.0
        s.commit()


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("id", ["Diusulkan", "makin tinggi makin baik", "Kuantitas", "Utama", "Jumlah bobot: 80"]),
        ("en", ["Proposed", "higher is better", "Quantity", "Main", "Weight total: 80"]),
    ],
)
def test_a_target_page_says_it_in_words_with_the_weight_total(engine, monkeypatch, lang, words):
    portal = build_portal(engine, monkeypatch)
    _with_goal_and_weights(portal)
    page = portal.client.get(f"/t/{portal.token('approve_targets')}?lang={lang}").text
    for word in [*words, GOAL, "Seksi Layanan"]:
        assert word in page
    assert "G-1" not in page and "(higher)" not in page and ">proposed<" not in page


def test_the_proposal_form_offers_goals_aspects_and_directions_in_words(engine, monkeypatch):
    portal = build_portal(engine, monkeypatch)
    _with_goal_and_weights(portal)
    page = portal.client.get(f"/t/{portal.token('propose_targets')}?lang=en").text
    assert f'<option value="G-1">{GOAL}</option>' in page
    assert '<option value="kualitas">Quality</option>' in page
    assert '<option value="lower">lower is better</option>' in page
    assert '<option value="tambahan">Additional</option>' in page


def test_the_review_page_chooses_no_rating_and_shows_the_proposal_as_a_suggestion(
    engine, monkeypatch
):
    portal = build_portal(engine, monkeypatch)
    page = portal.client.get(f"/t/{portal.token('review')}?lang=en").text
    assert "Suggested: <strong>Meets expectations</strong>" in page
    selects = re.findall(r'<select id="(?:hasil_kerja|pv-[a-z_]+)".*?</select>', page, re.S)
    assert len(selects) == 1 + len(BEHAVIOUR)
    for select_ in selects:
        assert '<option value="">— choose —</option>' in select_ and "selected" not in select_


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "id",
            ["<strong>Rating hasil kerja</strong>: wajib dipilih", "<strong>Akuntabel</strong>"],
        ),
        ("en", ["<strong>Result rating</strong>: a choice is required", "<strong>Accountable"]),
    ],
)
def test_a_review_without_a_chosen_rating_is_refused_in_the_pages_language(
    engine, monkeypatch, lang, expected
):
    portal = build_portal(engine, monkeypatch)
    path = f"/t/{portal.token('review')}?lang={lang}"
    csrf = open_form(portal, path)
    before = table_rows(engine, with_audit=True)
    form = {"csrf_token": csrf, "proposed": "sesuai", "hasil_kerja": ""}
    form |= {f"pv:{v}": "" for v in BEHAVIOUR}
    refused = portal.client.post(path, data=form)
    assert refused.status_code == 400
    for text in expected:
        assert text in refused.text
    assert ("a choice is required" in refused.text) == (lang == "en")
    assert 'id="err-hasil_kerja"' in refused.text and 'id="err-pv:loyal"' in refused.text
    assert table_rows(engine, with_audit=True) == before
    chosen = form | {"hasil_kerja": "sesuai"} | {f"pv:{v}": "sesuai" for v in BEHAVIOUR}
    assert portal.client.post(path, data=chosen).status_code == 200
    with portal.session() as s:
        assert s.get(Result, ("skp-2025", A)).hasil_kerja == "sesuai"


def test_a_realisation_form_says_its_period_and_names_its_problems_as_labelled(engine, monkeypatch):
    portal = build_portal(engine, monkeypatch)
    path = f"/t/{portal.token('report_realisation')}?lang=en"
    assert "Period: 01-01-2025 – 31-12-2025" in portal.client.get(path).text
    csrf = open_form(portal, path)
    empty = portal.client.post(path, data={"csrf_token": csrf, "value:A-1-T1": ""})
    assert empty.status_code == 400
    assert "<strong>Realisation</strong>: fill in the realisation of at least one" in empty.text
    assert "Dictionary" not in empty.text
    bad = portal.client.post(path, data={"csrf_token": csrf, "value:A-1-T1": "banyak"})
    assert "<strong>Realisation: Hasil kerja 1</strong>: must be a number" in bad.text
    idpath = f"/t/{portal.token('report_realisation')}?lang=id"
    bad_id = portal.client.post(idpath, data={"csrf_token": csrf, "value:A-1-T1": "banyak"})
    assert "<strong>Realisasi: Hasil kerja 1</strong>: harus berupa angka" in bad_id.text


def test_a_proposal_error_of_the_typed_input_names_the_row_and_the_label(engine, monkeypatch):
    portal = build_portal(engine, monkeypatch)
    path = f"/t/{portal.token('propose_targets')}?lang=en"
    csrf = open_form(portal, path)
    row = {"serves": "G-1", "statement": "Laporan", "indicator": "Jumlah", "target": "4"}
    row |= {"unit_of_measure": "laporan", "direction": "sideways"}
    form = {"csrf_token": csrf, "action": "submit"} | {f"row3.{k}": v for k, v in row.items()}
    refused = portal.client.post(path, data=form)
    assert refused.status_code == 400
    assert "<strong>Direction (row 3)</strong>: is not one of the choices" in refused.text
    assert "literal" not in refused.text.lower()


def test_where_a_rater_decides_the_page_shows_the_persons_earlier_cycles(engine, monkeypatch):
    from datetime import timedelta

    from kinerja.models.cycles.cycle import create_cycle
    from kinerja.tests.models.orgfixture import START, cycle_config

    portal = build_portal(engine, monkeypatch)
    bare = portal.client.get(f"/t/{portal.token('review')}?lang=en").text
    assert "No results of earlier cycles yet." in bare
    with portal.session() as s:
        earlier = cycle_config().model_copy(update={"cycle_id": "skp-2024", "name": "SKP 2024"})
        create_cycle(s, config=earlier, config_dir=None, now=START - timedelta(days=365))
        s.add(
            Result(
                cycle_id="skp-2024",
                nip=A,
                unit_id="SEC",
                rater_nip="M-1",
                hasil_kerja="di_atas",
                perilaku="sesuai",
                predikat="baik",
                perilaku_values={},
                derivation={},
            )
        )
        s.commit()
    page = portal.client.get(f"/t/{portal.token('review')}?lang=en").text
    shown = re.search(r'<section id="earlier-cycles">(.*?)</section>', page, re.S)
    assert shown is not None
    assert "<dt>SKP 2024</dt>" in shown[1] and "Above expectations" in shown[1]
    assert "<strong>Good</strong>" in shown[1] and "SKP 2025" not in shown[1]
    id_page = portal.client.get(f"/t/{portal.token('review')}?lang=id").text
    assert "Hasil siklus sebelumnya" in id_page and "Di Atas Ekspektasi · " in id_page
