"""What a published cycle publishes, as plain data: the one source of the public page's
tables, its charts (portal/charts.py) and the open-data downloads (portal/published.py).

Because the tables, the charts and the files are all drawn from :func:`cycle_data`, none can
show what another hides: a unit below the cycle's ``publication.min_group_size`` has every
staff figure set to None here, once, and its headcount is not published either (only that it
is below the minimum). Complaint figures and the IKM are about a service, not about staff,
and are published for every service unit.

Machine-readable on purpose: numbers with a decimal point and dates in ISO 8601, whatever
the page's language (the pages format them with Babel).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.citizens.figures import complaint_figures
from kinerja.models.cycles.cycle import cycle_config, pack_of
from kinerja.models.store.tables import Cycle, Publication, Unit, UnitIndex, UnitRating

NOT_RATED = "not_rated"

DICTIONARY: dict[str, list[tuple[str, str, str, str]]] = {
    "units": [
        ("cycle_id", "text", "Siklus", "The published cycle"),
        ("unit_id", "text", "Kode unit kerja", "Unit identifier"),
        ("unit_name", "text", "Nama unit kerja", "Unit name"),
        (
            "suppressed",
            "boolean",
            "Benar bila unit di bawah jumlah minimum pegawai: semua angka kosong",
            "True when the unit is below the minimum group size: every figure is empty",
        ),
        ("headcount", "integer", "Jumlah pegawai dinilai", "Staff with a result"),
        ("mean_achievement", "number", "Rata-rata capaian (%)", "Mean achievement (%)"),
        ("predikat", "text", "Kode predikat pegawai", "Employee predikat code"),
        ("predikat_label", "text", "Nama predikat", "Predikat label"),
        ("count", "integer", "Jumlah pegawai dengan predikat ini", "Staff with this predikat"),
        ("predikat_organisasi", "text", "Predikat organisasi unit", "The unit's own predikat"),
    ],
    "ikm": [
        ("cycle_id", "text", "Siklus", "The published cycle"),
        ("unit_id", "text", "Kode unit layanan", "Service unit identifier"),
        ("unit_name", "text", "Nama unit layanan", "Service unit name"),
        ("respondents", "integer", "Jumlah responden", "Respondents"),
        ("ikm", "number", "Nilai IKM (25-100)", "IKM (25-100)"),
        ("mutu", "text", "Mutu pelayanan (A-D)", "Service quality band (A-D)"),
        ("element", "text", "Kode unsur (U1-U9)", "Element code (U1-U9)"),
        ("element_name", "text", "Nama unsur", "Element name"),
        ("nrr", "number", "Nilai rata-rata unsur (1-4)", "Element mean score (1-4)"),
    ],
    "complaints": [
        ("cycle_id", "text", "Siklus", "The published cycle"),
        ("unit_id", "text", "Kode unit", "Unit identifier"),
        ("unit_name", "text", "Nama unit", "Unit name"),
        ("received", "integer", "Pengaduan diterima", "Complaints received"),
        ("answered", "integer", "Sudah dijawab", "Answered"),
        ("within_level", "integer", "Dijawab tepat waktu", "Answered within the service level"),
        ("within_level_pct", "number", "Persen tepat waktu", "Share answered on time (%)"),
        ("late", "integer", "Terlambat", "Late (answered late or overdue)"),
        ("open", "integer", "Belum dijawab", "Not answered yet"),
        ("median_days", "number", "Median hari kerja sampai dijawab", "Median working days"),
    ],
}
"""Dataset -> [(column, type, Bahasa Indonesia, English)]: the open data's dictionary."""


def data_urls(cycle_id: str) -> dict[str, str]:
    """The stable URLs of a cycle's open data."""
    out = {"json": f"/data/cycles/{cycle_id}.json"}
    for dataset in DICTIONARY:
        out[f"{dataset}.csv"] = f"/data/cycles/{cycle_id}/{dataset}.csv"
        out[f"{dataset}.json"] = f"/data/cycles/{cycle_id}/{dataset}.json"
    return out


def is_suppressed(payload: dict[str, Any], minimum: int) -> bool:
    """Whether a unit's staff figures stay hidden: flagged so, or below today's minimum."""
    return bool(payload.get("suppressed", True)) or int(payload.get("headcount") or 0) < minimum


def cycle_data(session: Session, *, cycle: Cycle, now: datetime | None = None) -> dict[str, Any]:
    """The published aggregates of ``cycle``, suppression applied (see the module docstring)."""
    config = cycle_config(cycle)
    pack = pack_of(cycle)
    minimum = config.publication.min_group_size
    names = dict(session.execute(select(Unit.unit_id, Unit.name)).all())
    org = dict(
        session.execute(
            select(UnitRating.unit_id, UnitRating.predikat_organisasi).where(
                UnitRating.cycle_id == cycle.cycle_id
            )
        ).all()
    )
    order = list(pack.predikat.order)
    units = []
    for unit_id, payload in session.execute(
        select(Publication.unit_id, Publication.payload)
        .where(Publication.cycle_id == cycle.cycle_id)
        .order_by(Publication.unit_id)
    ):
        payload = payload or {}
        if int(payload.get("headcount") or 0) == 0:
            continue  # a service unit without staff: published for its IKM only
        hidden = is_suppressed(payload, minimum)
        counts = {} if hidden else dict(payload.get("predikat") or {})
        codes = [*order, *sorted(set(counts) - set(order))]
        units.append(
            {
                "unit_id": unit_id,
                "unit_name": names.get(unit_id, unit_id),
                "suppressed": hidden,
                "headcount": None if hidden else int(payload["headcount"]),
                "mean_achievement": None if hidden else payload.get("mean_achievement"),
                "predikat": None if hidden else {c: int(counts[c]) for c in codes if c in counts},
                "predikat_organisasi": org.get(unit_id),
            }
        )
    element_names = {e.code: e.name for e in pack.ikm.elements} if pack.ikm else {}
    ikm = []
    for index in session.scalars(
        select(UnitIndex).where(UnitIndex.cycle_id == cycle.cycle_id).order_by(UnitIndex.unit_id)
    ):
        nrr = (index.detail or {}).get("nrr") or {}
        ikm.append(
            {
                "unit_id": index.unit_id,
                "unit_name": names.get(index.unit_id, index.unit_id),
                "respondents": index.respondents,
                "ikm": index.ikm,
                "mutu": index.mutu,
                "elements": {c: nrr[c] for c in element_names if c in nrr},
            }
        )
    end = datetime.combine(config.period_end, datetime.max.time())
    complaints = [
        {
            "unit_id": f.unit_id,
            "unit_name": names.get(f.unit_id, f.unit_id),
            "received": f.received,
            "answered": f.answered,
            "within_level": f.within_level,
            "within_level_pct": f.within_level_pct,
            "late": f.late,
            "open": f.open,
            "median_days": f.median_days,
        }
        for f in complaint_figures(
            session, start=config.period_start, end=config.period_end, now=min(end, now or end)
        )
    ]
    return {
        "cycle_id": cycle.cycle_id,
        "name": cycle.name,
        "period_start": config.period_start.isoformat(),
        "period_end": config.period_end.isoformat(),
        "min_group_size": minimum,
        "predikat_labels": {
            c: {"id": lab.id, "en": lab.en} for c, lab in pack.predikat.labels.items()
        },
        "ikm_elements": {c: {"id": n.id, "en": n.en} for c, n in element_names.items()},
        "units": units,
        "ikm": ikm,
        "complaints": complaints,
    }


def rows_of(data: dict[str, Any], dataset: str, lang: str = "id") -> list[dict[str, Any]]:
    """One dataset of :func:`cycle_data` as flat rows, the columns of :data:`DICTIONARY`."""
    cycle_id = data["cycle_id"]
    out: list[dict[str, Any]] = []
    if dataset == "units":
        labels = data["predikat_labels"]
        for u in data["units"]:
            base = {
                "cycle_id": cycle_id,
                "unit_id": u["unit_id"],
                "unit_name": u["unit_name"],
                "suppressed": u["suppressed"],
                "headcount": u["headcount"],
                "mean_achievement": u["mean_achievement"],
                "predikat_organisasi": u["predikat_organisasi"],
            }
            counts = u["predikat"] or {}
            if not counts:
                out.append({**base, "predikat": None, "predikat_label": None, "count": None})
            for code, n in counts.items():
                label = labels.get(code, {}).get(lang, code)
                out.append({**base, "predikat": code, "predikat_label": label, "count": n})
    elif dataset == "ikm":
        names = data["ikm_elements"]
        for i in data["ikm"]:
            base = {k: i[k] for k in ("unit_id", "unit_name", "respondents", "ikm", "mutu")}
            for code, nrr in i["elements"].items():
                name = names.get(code, {}).get(lang) if code else None
                out.append(
                    {
                        "cycle_id": cycle_id,
                        **base,
                        "element": code,
                        "element_name": name,
                        "nrr": nrr,
                    }
                )
            if not i["elements"]:
                out.append(
                    {
                        "cycle_id": cycle_id,
                        **base,
                        "element": None,
                        "element_name": None,
                        "nrr": None,
                    }
                )
    elif dataset == "complaints":
        out = [{"cycle_id": cycle_id, **c} for c in data["complaints"]]
    else:
        raise KeyError(dataset)
    return out


def to_csv(rows: list[dict[str, Any]], dataset: str) -> str:
    """CSV with the dictionary's columns in its order; empty cells for None."""
    columns = [c for c, *_ in DICTIONARY[dataset]]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in columns})
    return buffer.getvalue()
