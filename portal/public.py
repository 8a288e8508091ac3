"""The public pages: published unit results and the citizen-satisfaction index (IKM).

Read-only. A cycle is public once its per-unit aggregates were published (rows in
``publications``, written by the publish stage after the coordinator signed the publication
gate) or its publish stage is done; any other cycle is answered as unknown.

What a citizen sees is aggregates only (DESIGN.md, Security): per unit the headcount band,
the mean achievement and the count per predikat, the unit's own predikat organisasi, and per
service unit the IKM with its mutu band, respondents and the sample-size warning. A unit
with fewer people than the cycle's ``publication.min_group_size`` shows none of its
employees' figures: the payload's ``suppressed`` flag is honoured, and the headcount is
checked again here against the cycle's own minimum, so a payload written under an older
rule never leaks a small group. No name, NIP or individual result is ever read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.models.citizens.figures import complaint_figures
from kinerja.models.cycles.cycle import cycle_config, pack_of
from kinerja.models.store.tables import Cycle, CycleStage, Publication, Unit, UnitIndex, UnitRating
from kinerja.portal.formats import format_day, format_number
from kinerja.portal.i18n import translator
from kinerja.portal.opendata import cycle_data, data_urls

NOT_RATED = "not_rated"
"""The payload's key for results without a predikat (models/stages/publish.py publish_units)."""


@dataclass
class PublishedCycle:
    """One published cycle as the list of cycles shows it."""

    cycle_id: str
    name: str
    period: str
    published_at: datetime | None
    units: int


@dataclass
class UnitResult:
    """One unit's published aggregates; ``suppressed`` units carry no figures at all."""

    unit_id: str
    name: str
    suppressed: bool
    headcount: int | None = None
    mean_achievement: str | None = None
    predikat: list[tuple[str, int]] = field(default_factory=list)
    predikat_organisasi: str | None = None


@dataclass
class ServiceIndex:
    """One service unit's IKM (x multiplier), its mutu band and the survey behind it."""

    unit_id: str
    name: str
    respondents: int
    ikm: str | None
    mutu: str | None
    mutu_label: str | None
    warning: str | None


def number(value: float, decimals: int, lang: str) -> str:
    """``value`` with ``decimals`` places in the language's way (Babel): ``1.234,50`` in
    Bahasa Indonesia, ``1,234.50`` in English."""
    return format_number(value, decimals, lang)


def _published_at(session: Session) -> dict[str, datetime | None]:
    """``{cycle_id: first publication time}`` of every cycle that is public."""
    out: dict[str, datetime | None] = dict(
        session.execute(
            select(Publication.cycle_id, func.min(Publication.published_at)).group_by(
                Publication.cycle_id
            )
        ).all()
    )
    for cycle_id, closed_at in session.execute(
        select(CycleStage.cycle_id, CycleStage.closed_at).where(
            CycleStage.stage == "publish", CycleStage.status == "done"
        )
    ):
        out.setdefault(cycle_id, closed_at)
    return out


def published_cycle(session: Session, cycle_id: str) -> Cycle | None:
    """The cycle if it is public, else None (unknown and unpublished look the same)."""
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        return None
    published = session.scalar(
        select(func.count()).select_from(Publication).where(Publication.cycle_id == cycle_id)
    )
    if published:
        return cycle
    stage = session.get(CycleStage, (cycle_id, "publish"))
    return cycle if stage is not None and stage.status == "done" else None


def _period(config: Any, lang: str) -> str:
    return f"{format_day(config.period_start, lang)} - {format_day(config.period_end, lang)}"


def published_cycles(session: Session, lang: str = "id") -> list[PublishedCycle]:
    """Every public cycle, the most recently published first (its period in ``lang``)."""
    times = _published_at(session)
    if not times:
        return []
    units = dict(
        session.execute(
            select(Publication.cycle_id, func.count()).group_by(Publication.cycle_id)
        ).all()
    )
    out = []
    for cycle in session.scalars(select(Cycle).where(Cycle.cycle_id.in_(list(times)))):
        config = cycle_config(cycle)
        out.append(
            PublishedCycle(
                cycle_id=cycle.cycle_id,
                name=cycle.name,
                period=_period(config, lang),
                published_at=times[cycle.cycle_id],
                units=units.get(cycle.cycle_id, 0),
            )
        )
    out.sort(key=lambda c: (c.published_at or datetime.min, c.cycle_id), reverse=True)
    return out


def cycle_context(
    session: Session, *, cycle: Cycle, lang: str, now: datetime | None = None
) -> dict[str, Any]:
    """Everything the public page of a published ``cycle`` shows (complaints counted late
    as of ``now``, default the end of the cycle's period)."""
    config = cycle_config(cycle)
    pack = pack_of(cycle)
    minimum = config.publication.min_group_size
    names = dict(session.execute(select(Unit.unit_id, Unit.name)).all())
    org_labels = pack.distribution.org_labels if pack.distribution is not None else {}
    org = dict(
        session.execute(
            select(UnitRating.unit_id, UnitRating.predikat_organisasi).where(
                UnitRating.cycle_id == cycle.cycle_id
            )
        ).all()
    )
    rows = session.execute(
        select(Publication.unit_id, Publication.payload, Publication.published_at).where(
            Publication.cycle_id == cycle.cycle_id
        )
    ).all()
    units = [
        _unit_result(
            unit_id,
            payload or {},
            name=names.get(unit_id, unit_id),
            minimum=minimum,
            pack=pack,
            org=_label(org_labels, org.get(unit_id), lang),
            lang=lang,
        )
        for unit_id, payload, _ in rows
        # A service unit without staff is published for its IKM only.
        if (payload or {}).get("headcount", 0) > 0
    ]
    units.sort(key=lambda u: (u.name, u.unit_id))
    published = [at for _, _, at in rows if at is not None]
    data = cycle_data(session, cycle=cycle, now=now)
    return {
        "cycle": cycle,
        "period": _period(config, lang),
        "published_at": min(published) if published else None,
        "min_group_size": minimum,
        "units": units,
        "indices": service_indices(
            session, cycle_id=cycle.cycle_id, names=names, pack=pack, lang=lang
        ),
        "complaints": complaint_rows(session, config=config, names=names, lang=lang, now=now),
        "data": data,
        "num": lambda value, decimals=0: "-" if value is None else number(value, decimals, lang),
        # Columns only for the predikat some shown unit has: a suppressed unit hints nothing.
        "pack_labels": {
            c: _predikat_label(pack, c, lang)
            for c in [*pack.predikat.order, NOT_RATED]
            if any(c in (u["predikat"] or {}) for u in data["units"])
        },
        "data_urls": data_urls(cycle.cycle_id),
    }


def complaint_rows(
    session: Session, *, config: Any, names: dict[str, str], lang: str, now: datetime | None
) -> list[dict[str, Any]]:
    """Complaint handling per unit in the cycle's period, as the page shows it (the figures
    of :func:`kinerja.models.citizens.figures.complaint_figures`, at the end of the period
    or now, whichever is earlier)."""
    end = datetime.combine(config.period_end, datetime.max.time())
    rows = []
    for f in complaint_figures(
        session, start=config.period_start, end=config.period_end, now=min(end, now or end)
    ):
        pct = f.within_level_pct
        rows.append(
            {
                "unit_id": f.unit_id,
                "name": names.get(f.unit_id, f.unit_id),
                "received": format_number(f.received, 0, lang),
                "within_level": format_number(f.within_level, 0, lang),
                "late": format_number(f.late, 0, lang),
                "open": format_number(f.open, 0, lang),
                "median_days": "-"
                if f.median_days is None
                else format_number(f.median_days, 1, lang),
                "within_pct": "-" if pct is None else format_number(pct, 1, lang) + "%",
            }
        )
    rows.sort(key=lambda r: (r["name"], r["unit_id"]))
    return rows


def _unit_result(
    unit_id: str,
    payload: dict[str, Any],
    *,
    name: str,
    minimum: int,
    pack: Any,
    org: str | None,
    lang: str,
) -> UnitResult:
    headcount = int(payload.get("headcount") or 0)
    if payload.get("suppressed", True) or headcount < minimum:
        return UnitResult(unit_id=unit_id, name=name, suppressed=True, predikat_organisasi=org)
    counts: dict[str, int] = payload.get("predikat") or {}
    order = [*pack.predikat.order, *sorted(set(counts) - set(pack.predikat.order))]
    mean = payload.get("mean_achievement")
    return UnitResult(
        unit_id=unit_id,
        name=name,
        suppressed=False,
        headcount=headcount,
        mean_achievement=None if mean is None else number(float(mean), 2, lang),
        predikat=[
            (_predikat_label(pack, code, lang), int(counts[code]))
            for code in order
            if code in counts
        ],
        predikat_organisasi=org,
    )


def service_indices(
    session: Session, *, cycle_id: str, names: dict[str, str], pack: Any, lang: str
) -> list[ServiceIndex]:
    """The IKM of every service unit of the cycle (see
    :func:`kinerja.models.stages.publish.compute_unit_indices`)."""
    bands = {b.mutu: b.label for b in pack.ikm.bands} if pack.ikm is not None else {}
    decimals = pack.ikm.decimals if pack.ikm is not None else 2
    out = []
    for index in session.scalars(select(UnitIndex).where(UnitIndex.cycle_id == cycle_id)):
        label = bands.get(index.mutu) if index.mutu else None
        out.append(
            ServiceIndex(
                unit_id=index.unit_id,
                name=names.get(index.unit_id, index.unit_id),
                respondents=index.respondents,
                ikm=None if index.ikm is None else number(index.ikm, decimals, lang),
                mutu=index.mutu,
                mutu_label=label.get(lang) if label else None,
                warning=index_warning(index, lang),
            )
        )
    out.sort(key=lambda i: (i.name, i.unit_id))
    return out


def index_warning(index: UnitIndex, lang: str) -> str | None:
    """The unit index's warning in ``lang``: no survey, or a sample below Krejcie-Morgan.

    The stored warning is one bilingual line; the page words the two known cases from the
    stored figures, and shows any other warning as stored.
    """
    t = translator(lang)
    detail = index.detail or {}
    if not detail.get("warning"):
        return None
    if index.respondents == 0 and index.ikm is None:
        return t("public_no_survey")
    sample = detail.get("sample") or {}
    if sample and not sample.get("ok", True):
        return t("public_sample_short").format(
            respondents=sample.get("respondents", index.respondents),
            required=sample.get("required", "?"),
            population=sample.get("population", "?"),
        )
    return str(detail["warning"])


def _label(labels: dict[str, Any], code: str | None, lang: str) -> str | None:
    if code is None:
        return None
    found = labels.get(code)
    return found.get(lang) if found is not None else code


def _predikat_label(pack: Any, code: str, lang: str) -> str:
    if code == NOT_RATED:
        return translator(lang)("public_not_rated")
    return _label(pack.predikat.labels, code, lang) or code
