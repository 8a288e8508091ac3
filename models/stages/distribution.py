"""The distribution check (kurva distribusi) per group, keyed to a unit's predikat organisasi.

The pack's ``distribution.group`` says what one group is:

- ``unit``: everybody whose result belongs to the unit, checked against the curve of that
  unit's predikat;
- ``rater``: all direct reports of one rater (pejabat penilai kinerja, ``Result.rater_nip``)
  whatever their units, checked against the curve of the predikat of the RATER's unit
  (``Employee.unit_id`` of the rater). A unit head rated by the head of the parent unit is
  thus in the parent head's group, under the parent unit's curve, not alone in a group of one.
  When the rater is not an employee (the external rater of the agency head, whose rating the
  HR coordinator records; the coordinator is never a rater) or the rater's unit has no
  predikat, the members' unit keys the curve when they all share one; otherwise the group
  gets the "no predikat organisasi" finding. A group of one never fails on its own.

A unit's predikat comes from unit_ratings.csv, else from the unit's IKU (see
:mod:`kinerja.models.stages.org_predikat`). Findings are stored per group as (unit, rater,
rule), the unit being the one whose predikat keys the curve (``rater_nip`` is ``""`` for a
whole unit), and replaced by every check, so rerunning changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from kinerja.models.rules.distribution import check_distribution
from kinerja.models.stages.org_predikat import compute_org_predikat
from kinerja.models.store.tables import (
    Cycle,
    DistributionFinding,
    Employee,
    Result,
    Unit,
    UnitRating,
)

NO_ORG_PREDIKAT = "unit has no predikat organisasi / belum ada predikat unit"


@dataclass(slots=True)
class Group:
    """One checked group: its rater (``""`` for a whole unit), the unit whose predikat keys
    its curve (``predikat`` None: no unit gives one, ``unit_id`` then only names the group),
    the units its members belong to and their predikat counts."""

    rater_nip: str
    unit_id: str = ""
    predikat: str | None = None
    rater_unit: str | None = None
    member_units: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)


def group_label(unit_id: str, rater_nip: str) -> str:
    """How a group is named to people: ``unit X``, or the rater and the unit keying the curve."""
    if not rater_nip:
        return f"unit {unit_id}"
    return f"penilai / rater {rater_nip} (kurva unit / curve of unit {unit_id})"


def _org(session: Session, cycle_id: str) -> dict[str, str]:
    return dict(
        session.execute(
            select(UnitRating.unit_id, UnitRating.predikat_organisasi).where(
                UnitRating.cycle_id == cycle_id
            )
        ).all()
    )


def _unit_groups(
    session: Session, *, cycle_id: str, org: dict[str, str], unit: str | None
) -> list[Group]:
    query = (
        select(Result.unit_id, Result.predikat, func.count())
        .where(Result.cycle_id == cycle_id, Result.predikat.is_not(None))
        .group_by(Result.unit_id, Result.predikat)
    )
    if unit is not None:
        query = query.where(Result.unit_id == unit)
    groups: dict[str, Group] = {}
    for unit_id, predikat, n in session.execute(query):
        group = groups.setdefault(
            unit_id, Group("", unit_id, org.get(unit_id), member_units={unit_id})
        )
        group.counts[predikat] = n
    return [groups[u] for u in sorted(groups)]


def _common_unit(session: Session, units: set[str]) -> str:
    """The closest unit above (or equal to) all of ``units``; the smallest id without one.

    Only names a group no unit's predikat keys (a non-employee rater whose reports sit in
    several units), so that the finding has a unit the HR coordinator can accept."""
    parents = dict(session.execute(select(Unit.unit_id, Unit.parent_id)).all())

    def chain(unit: str) -> list[str]:
        out: list[str] = []
        while unit and unit not in out:  # a cycle in the tree must not loop forever
            out.append(unit)
            unit = parents.get(unit) or ""
        return out

    first, *rest = sorted(units)
    above = [set(chain(u)) for u in rest]
    return next((u for u in chain(first) if all(u in a for a in above)), first)


def _rater_groups(
    session: Session, *, cycle_id: str, org: dict[str, str], rater: str | None
) -> list[Group]:
    rater_col = func.coalesce(Result.rater_nip, "")
    query = (
        select(rater_col, Employee.unit_id, Result.unit_id, Result.predikat, func.count())
        .outerjoin(Employee, Employee.nip == Result.rater_nip)
        .where(Result.cycle_id == cycle_id, Result.predikat.is_not(None))
        .group_by(rater_col, Employee.unit_id, Result.unit_id, Result.predikat)
    )
    if rater is not None:
        query = query.where(rater_col == rater)
    groups: dict[str, Group] = {}
    for rater_nip, rater_unit, unit_id, predikat, n in session.execute(query):
        group = groups.setdefault(rater_nip, Group(rater_nip, rater_unit=rater_unit))
        group.member_units.add(unit_id)
        group.counts[predikat] = group.counts.get(predikat, 0) + n
    for group in groups.values():
        shared = next(iter(group.member_units)) if len(group.member_units) == 1 else None
        if group.rater_unit is not None and group.rater_unit in org:
            group.unit_id, group.predikat = group.rater_unit, org[group.rater_unit]
        elif shared is not None and shared in org:
            group.unit_id, group.predikat = shared, org[shared]
        else:
            group.unit_id = group.rater_unit or shared or _common_unit(session, group.member_units)
    return [groups[r] for r in sorted(groups)]


def _groups(
    session: Session,
    *,
    cycle_id: str,
    pack: Any,
    unit: str | None = None,
    rater: str | None = None,
) -> list[Group]:
    """The groups of the pack's ``distribution.group`` with their counts and keying unit;
    ``unit`` (group: unit) or ``rater`` (group: rater) restricts them to one group."""
    org = _org(session, cycle_id)
    if pack.distribution.group == "rater":
        return _rater_groups(session, cycle_id=cycle_id, org=org, rater=rater)
    return _unit_groups(session, cycle_id=cycle_id, org=org, unit=unit)


def _findings(*, cycle_id: str, groups: list[Group], pack: Any) -> list[dict[str, Any]]:
    rows = []
    for group in groups:
        key = {"cycle_id": cycle_id, "unit_id": group.unit_id, "rater_nip": group.rater_nip}
        if group.predikat is None:
            detail = NO_ORG_PREDIKAT
            if group.rater_nip:
                units = ", ".join(sorted(group.member_units))
                detail += f" (unit pegawai / members' units: {units})"
            rows.append({**key, "rule": "org_predikat", "passed": False, "detail": detail})
            continue
        for finding in check_distribution(
            org_predikat=group.predikat, counts=group.counts, rules=pack.distribution
        ):
            rows.append(
                {**key, "rule": finding.rule, "passed": finding.passed, "detail": finding.detail}
            )
    return rows


def check_distributions(
    session: Session, *, cycle: Cycle, pack: Any, now: datetime | None = None
) -> dict[str, Any]:
    """Check every group; with ``now``, first compute missing unit predikat from the IKU."""

    cid = cycle.cycle_id
    session.execute(delete(DistributionFinding).where(DistributionFinding.cycle_id == cid))
    if pack.distribution is None:
        return {"groups": 0, "failed": 0}
    org_stats = (
        compute_org_predikat(session, cycle=cycle, pack=pack, now=now) if now is not None else {}
    )
    groups = _groups(session, cycle_id=cid, pack=pack)
    rows = _findings(cycle_id=cid, groups=groups, pack=pack)
    if rows:
        session.execute(DistributionFinding.__table__.insert(), rows)
    out: dict[str, Any] = {
        "group": pack.distribution.group,
        "groups": len(groups),
        "failed": sum(1 for r in rows if not r["passed"]),
    }
    if org_stats:
        out["org_predikat"] = org_stats
    return out


def recheck_group(session: Session, *, cycle: Cycle, pack: Any, nip: str) -> dict[str, Any]:
    """Check the group of ``nip`` (the appellant) again, as check_distributions stores it.

    The group is the appellant's rater's direct reports (group: rater) or the appellant's
    unit (group: unit). Returns the group (``unit_id``, ``rater_nip``) and ``before`` /
    ``after``: rule -> whether it passed."""
    cid = cycle.cycle_id
    result = session.get(Result, (cid, nip))
    if result is None:
        raise ValueError(f"tidak ada hasil untuk {nip} / no result for {nip}")
    by_rater = pack.distribution is not None and pack.distribution.group == "rater"
    where: tuple[ColumnElement[bool], ...]
    if by_rater:
        rater = result.rater_nip or ""
        # The rater's findings whatever unit they were keyed to: the group is the rater's.
        where = (DistributionFinding.cycle_id == cid, DistributionFinding.rater_nip == rater)
    else:
        rater = ""
        where = (
            DistributionFinding.cycle_id == cid,
            DistributionFinding.unit_id == result.unit_id,
            DistributionFinding.rater_nip == "",
        )
    old = {f.rule: f.passed for f in session.scalars(select(DistributionFinding).where(*where))}
    session.execute(delete(DistributionFinding).where(*where))
    unit = result.unit_id
    rows: list[dict[str, Any]] = []
    if pack.distribution is not None:
        groups = _groups(
            session,
            cycle_id=cid,
            pack=pack,
            unit=None if by_rater else result.unit_id,
            rater=rater if by_rater else None,
        )
        unit = groups[0].unit_id if groups else unit
        rows = _findings(cycle_id=cid, groups=groups, pack=pack)
    if rows:
        session.execute(DistributionFinding.__table__.insert(), rows)
    return {
        "unit_id": unit,
        "rater_nip": rater,
        "before": old,
        "after": {r["rule"]: r["passed"] for r in rows},
    }


def failing_groups(session: Session, *, cycle_id: str) -> dict[str, list[str]]:
    """Failing findings per unit keying the curve: ``{unit: ["group: rule: detail", ...]}``
    (the publication gate's view: the HR coordinator accepts a failing unit with a reason)."""
    out: dict[str, list[str]] = {}
    for unit, rater, rule, detail in session.execute(
        select(
            DistributionFinding.unit_id,
            DistributionFinding.rater_nip,
            DistributionFinding.rule,
            DistributionFinding.detail,
        )
        .where(DistributionFinding.cycle_id == cycle_id, DistributionFinding.passed.is_(False))
        .order_by(
            DistributionFinding.unit_id, DistributionFinding.rater_nip, DistributionFinding.rule
        )
    ):
        out.setdefault(unit, []).append(f"{group_label(unit, rater)}: {rule}: {detail}")
    return out


def group_list(session: Session, *, cycle: Cycle, pack: Any) -> list[dict[str, Any]]:
    """Every checked group as the publication gate lists it: the unit keying its curve, its
    rater (``""`` for a whole unit) and the rater's name (the external rater's, for the
    agency head's group), how many people, the unit's predikat and the failing rules."""
    if pack.distribution is None:
        return []
    cid = cycle.cycle_id
    failing: dict[tuple[str, str], int] = {}
    for unit, rater, n in session.execute(
        select(DistributionFinding.unit_id, DistributionFinding.rater_nip, func.count())
        .where(DistributionFinding.cycle_id == cid, DistributionFinding.passed.is_(False))
        .group_by(DistributionFinding.unit_id, DistributionFinding.rater_nip)
    ):
        failing[unit, rater] = n
    groups = _groups(session, cycle_id=cid, pack=pack)
    raters = [g.rater_nip for g in groups if g.rater_nip]
    names: dict[str, str] = dict(
        session.execute(select(Employee.nip, Employee.name).where(Employee.nip.in_(raters))).all()
    )
    outside = {
        rater: name
        for rater, name in session.execute(
            select(Result.rater_nip, Result.external_rater)
            .where(
                Result.cycle_id == cid,
                Result.rater_nip.in_(raters),
                Result.external_rater.is_not(None),
            )
            .distinct()
        )
    }
    names |= outside
    return [
        {
            "unit_id": g.unit_id,
            "rater": g.rater_nip,
            "rater_name": names.get(g.rater_nip, ""),
            "external": g.rater_nip in outside,
            "people": sum(g.counts.values()),
            "predikat_organisasi": g.predikat,
            "failing": failing.get((g.unit_id, g.rater_nip), 0),
        }
        for g in sorted(groups, key=lambda g: (g.unit_id, g.rater_nip))
    ]
