"""The public pages: a published cycle's unit aggregates and IKM, without any person in them.

The cycle is the one tests/models/appeals/test_appeals.py runs to publication with the stage
functions (ROOT: 5 people, SEC: 6), published with a minimum group of 6 so that ROOT is a
suppressed small group. Three service units carry an IKM: SEC (enough respondents), LOKET
(a sample below Krejcie-Morgan, DOMAIN.md A2) and ADUAN (no survey this period).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import create_cycle, cycle_pack
from kinerja.models.schemas.config import Coordinator, CycleConfig, PublicationConfig
from kinerja.models.stages import publish
from kinerja.models.store.clock import ManualClock
from kinerja.models.store.tables import (
    Cycle,
    Employee,
    Notification,
    Publication,
    Result,
    SurveyResponse,
    Unit,
    UnitIndex,
)
from kinerja.portal.app import create_app
from kinerja.tests.models.appeals.test_appeals import CYCLE_ID, PUBLISHED, build_published, config
from kinerja.tests.portal.portalfixture import SECRET

MINIMUM = 6
UNPUBLISHED = "skp-2026"
ALL_FOUR = {f"U{i}": 4 for i in range(1, 10)}
ALL_THREE = {f"U{i}": 3 for i in range(1, 10)}


@dataclass
class Public:
    client: TestClient
    engine: Engine

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def page(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, response.text
        return response.text


def _service_units(session: Session) -> None:
    """SEC answers well and enough; LOKET too few for its population; ADUAN not at all."""
    sec = session.get(Unit, "SEC")
    sec.is_service_unit, sec.service_population = True, 100
    session.add_all(
        [
            Unit(unit_id="LOKET", name="Loket Terpadu", parent_id="ROOT", is_service_unit=True,
                 service_population=100),
            Unit(unit_id="ADUAN", name="Layanan Pengaduan", parent_id="ROOT",
                 is_service_unit=True),
        ]
    )  # fmt: skip
    day = date(2025, 6, 2)
    session.add_all(
        SurveyResponse(unit_id="SEC", respondent_id=f"S{i:03d}", date=day, answers=ALL_FOUR)
        for i in range(80)
    )
    session.add_all(
        SurveyResponse(unit_id="LOKET", respondent_id=f"L{i:03d}", date=day, answers=ALL_THREE)
        for i in range(10)
    )
    session.flush()


def _achievements(session: Session) -> None:
    """Capaian for SEC's people (build_published rates without realisation)."""
    results = session.scalars(
        select(Result).where(Result.cycle_id == CYCLE_ID, Result.unit_id == "SEC")
    )
    for i, result in enumerate(results):
        result.achievement = 88.5 + 3.25 * i
    session.flush()


def _unpublished_cycle(session: Session) -> None:
    """A second cycle that has started but published nothing."""
    create_cycle(
        session,
        config=CycleConfig(
            cycle_id=UNPUBLISHED,
            name="SKP 2026",
            policy="asn",
            period_start=date(2026, 1, 1),
            period_end=date(2026, 12, 31),
            coordinator=Coordinator(nip="HR-1", name="Koordinator SDM"),
        ),
        config_dir=None,
        now=PUBLISHED,
    )


@pytest.fixture
def public(engine: Engine) -> Public:
    cfg = config(publication=PublicationConfig(min_group_size=MINIMUM))
    with Session(engine, expire_on_commit=False) as session:
        cycle = build_published(session, cfg)
        _service_units(session)
        _achievements(session)
        # The publish stage's own steps, in its order (flows/publish.py).
        publish.compute_unit_indices(session, cycle=cycle, config=cfg, pack=cycle_pack(cycle))
        publish.publish_units(session, cycle=cycle, config=cfg, now=PUBLISHED)
        publish.announce(session, cycle=cycle, config=cfg, now=PUBLISHED)
        _unpublished_cycle(session)
        session.commit()
    url = engine.url.render_as_string(hide_password=False)
    app = create_app(url, secret=SECRET, clock=ManualClock(PUBLISHED + timedelta(days=1)))
    return Public(client=TestClient(app), engine=engine)


def section(html: str, element_id: str) -> str:
    """The HTML of the ``<section id=...>`` with ``element_id``."""
    match = re.search(rf'<section [^>]*id="{element_id}">(.*?)</section>', html, re.S)
    assert match, f"no section {element_id}"
    return match[1]


def counts_shown(html: str) -> dict[str, int]:
    """Predikat label -> count as the unit section lists them."""
    block = re.search(r'<dl class="counts">(.*?)</dl>', html, re.S)
    assert block, "no predikat counts"
    return {k: int(v) for k, v in re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", block[1])}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_published_cycle_shows_each_units_aggregates(public, lang):
    html = public.page(f"/cycles/{CYCLE_ID}?lang={lang}")
    assert f'<html lang="{lang}">' in html
    with public.session() as s:
        cycle = s.get(Cycle, CYCLE_ID)
        pack = cycle_pack(cycle)
        expected = {
            pack.predikat.labels[code].get(lang): n
            for code, n in s.execute(
                select(Result.predikat, func.count())
                .where(Result.cycle_id == CYCLE_ID, Result.unit_id == "SEC")
                .group_by(Result.predikat)
            )
        }
        headcount, mean = s.execute(
            select(func.count(), func.avg(Result.achievement)).where(
                Result.cycle_id == CYCLE_ID, Result.unit_id == "SEC"
            )
        ).one()
    assert headcount >= MINIMUM and len(expected) > 1
    sec = section(html, "unit-SEC")
    assert "Seksi Layanan" in sec
    assert counts_shown(sec) == expected
    assert f"<dd>{headcount}</dd>" in sec
    shown = f"{float(mean):.2f}".replace(".", "," if lang == "id" else ".")
    assert f"<dd>{shown}%</dd>" in sec
    org = pack.distribution.org_labels["baik"].get(lang)
    assert f"<dd>{org}</dd>" in sec
    heading = ("Staff per predikat", "Mean achievement")
    if lang == "id":
        heading = ("Jumlah pegawai per predikat", "Rata-rata capaian")
    assert all(h in sec for h in heading)


def test_a_group_below_the_minimum_is_not_shown(public):
    with public.session() as s:
        root = s.get(Publication, (CYCLE_ID, "ROOT")).payload
        hidden = {
            code
            for (code,) in s.execute(
                select(Result.predikat).where(Result.cycle_id == CYCLE_ID, Result.unit_id == "ROOT")
            )
        } - {
            code
            for (code,) in s.execute(
                select(Result.predikat).where(Result.cycle_id == CYCLE_ID, Result.unit_id != "ROOT")
            )
        }
        pack = cycle_pack(s.get(Cycle, CYCLE_ID))
    assert root["suppressed"] is True and 0 < root["headcount"] < MINIMUM
    assert hidden, "ROOT should hold a predikat no other unit has"
    for lang in ("id", "en"):
        html = public.page(f"/cycles/{CYCLE_ID}?lang={lang}")
        block = section(html, "unit-ROOT")
        assert "Dinas Contoh" in block
        assert 'class="counts"' not in block
        assert f"<dd>{root['headcount']}</dd>" not in block
        assert str(MINIMUM) in block  # "fewer than 6 staff"
        for code in hidden:
            assert pack.predikat.labels[code].get(lang) not in html


def test_the_page_checks_the_minimum_again_whatever_the_payload_says(public):
    """A payload written under a smaller minimum still hides the group under the cycle's."""
    with public.session() as s:
        row = s.get(Publication, (CYCLE_ID, "ROOT"))
        counts = dict(
            s.execute(
                select(Result.predikat, func.count())
                .where(Result.cycle_id == CYCLE_ID, Result.unit_id == "ROOT")
                .group_by(Result.predikat)
            ).all()
        )
        row.payload = {
            "headcount": sum(counts.values()),
            "mean_achievement": 97.5,
            "predikat": counts,
            "suppressed": False,
        }
        s.commit()
    block = section(public.page(f"/cycles/{CYCLE_ID}?lang=en"), "unit-ROOT")
    assert 'class="counts"' not in block and "97.50" not in block
    assert "Fewer than 6 staff" in block


def test_no_name_or_nip_of_anyone_appears(public):
    with public.session() as s:
        people = [(e.nip, e.name) for e in s.scalars(select(Employee))]
        coordinator = s.get(Cycle, CYCLE_ID).config["coordinator"]
    assert len(people) == 11
    people.append((coordinator["nip"], coordinator["name"]))
    for path in ("/cycles", f"/cycles/{CYCLE_ID}"):
        for lang in ("id", "en"):
            html = public.page(f"{path}?lang={lang}")
            for nip, name in people:
                assert nip not in html, (path, nip)
                assert name not in html, (path, name)


def test_ikm_per_service_unit_with_its_band_and_warnings(public):
    with public.session() as s:
        indices = {i.unit_id: i for i in s.scalars(select(UnitIndex))}
        pack = cycle_pack(s.get(Cycle, CYCLE_ID))
    bands = {b.mutu: b.label for b in pack.ikm.bands}
    assert set(indices) == {"SEC", "LOKET", "ADUAN"}
    for lang in ("id", "en"):
        html = public.page(f"/cycles/{CYCLE_ID}?lang={lang}")
        for unit_id in ("SEC", "LOKET"):
            index = indices[unit_id]
            block = section(html, f"ikm-{unit_id}")
            shown = f"{index.ikm:.2f}".replace(".", "," if lang == "id" else ".")
            assert f"<strong>{shown}</strong>" in block
            assert f'<span class="status">{index.mutu}</span> {bands[index.mutu].get(lang)}' in (
                block
            )
            assert f"<dd>{index.respondents}</dd>" in block
        sec, loket, aduan = (section(html, f"ikm-{u}") for u in ("SEC", "LOKET", "ADUAN"))
        need = indices["LOKET"].detail["sample"]["required"]
        assert 'class="error"' not in sec
        short = ("Sampel kurang", "minimal") if lang == "id" else ("Sample too small", "at least")
        assert f"{short[0]}: 10" in loket and f"{short[1]} {need}" in loket
        assert "Krejcie-Morgan" in loket
        assert ("Belum ada survei" if lang == "id" else "No survey in this period") in aduan
        assert "<strong>" not in aduan


def test_the_list_holds_published_cycles_only(public):
    html = public.page("/cycles")
    assert f'href="/cycles/{CYCLE_ID}?lang=id"' in html and "SKP 2025" in html
    assert UNPUBLISHED not in html and "SKP 2026" not in html
    assert "Published performance results" in public.page("/cycles?lang=en")


@pytest.mark.parametrize("cycle_id", [UNPUBLISHED, "no-such-cycle"])
def test_unpublished_or_unknown_cycle_is_not_found_in_both_languages(public, cycle_id):
    for lang in ("id", "en"):
        response = public.client.get(f"/cycles/{cycle_id}?lang={lang}")
        assert response.status_code == 404
        assert "Tidak ditemukan / Not found" in response.text
        assert "belum dipublikasikan. / This cycle does not exist" in response.text
        assert "SKP 2026" not in response.text


def test_the_link_in_the_published_message_opens_the_page(public):
    with public.session() as s:
        links = set(
            s.scalars(select(Notification.link).where(Notification.kind == "cycle_published"))
        )
    assert len(links) == 1
    match = re.fullmatch(r"https?://[^/]+(/cycles/[^?#\s]+)", links.pop())
    assert match, links
    html = public.page(match[1])
    assert "<h1>SKP 2025</h1>" in html and 'id="unit-SEC"' in html
