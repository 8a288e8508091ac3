"""The distribution check (kurva distribusi) per group, keyed to the unit's predikat organisasi.

The pack's ``distribution.group`` says what one group is:

- ``unit``: everybody whose result belongs to the unit;
- ``rater``: the direct reports of one rater (pejabat penilai kinerja) within the unit.

Either way the curve is the one of the unit's own predikat (unit_ratings.csv, else computed
from the unit's IKU, see :mod:`kinerja.models.orgresults`). Findings are stored per group
(``rater_nip`` is ``""`` for a whole unit) and replaced by every check, so rerunning
changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, literal, select
from sqlalchemy.orm import Session

from kinerja.models.rules.distribution import check_distribution
from kinerja.models.tables import Cycle, DistributionFinding, Result, UnitRating

NO_ORG_PREDIKAT = "unit has no predikat organisasi / belum ada predikat unit"


def group_label(unit_id: str, rater_nip: str) -> str:
    """How a group is named to people: ``unit X`` or ``unit X, rater N``."""
    if not rater_nip:
        return f"unit {unit_id}"
    return f"unit {unit_id}, penilai / rater {rater_nip}"


def _counts(
    session: Session, *, cycle_id: str, pack: Any, unit: str | None = None
) -> dict[tuple[str, str], dict[str, int]]:
    """Predikat counts per group (unit, rater or "")."""
    by_rater = pack.distribution.group == "rater"
    rater = func.coalesce(Result.rater_nip, "") if by_rater else literal("")
    query = (
        select(Result.unit_id, rater, Result.predikat, func.count())
        .where(Result.cycle_id == cycle_id, Result.predikat.is_not(None))
        .group_by(Result.unit_id, rater, Result.predikat)
    )
    if unit is not None:
        query = query.where(Result.unit_id == unit)
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for unit_id, rater_nip, predikat, n in session.execute(query):
        counts[unit_id, rater_nip][predikat] = n
    return counts


def _findings(
    *, cycle_id: str, counts: dict[tuple[str, str], dict[str, int]], org: dict[str, str], pack: Any
) -> list[dict[str, Any]]:
    rows = []
    for unit, rater in sorted(counts):
        key = {"cycle_id": cycle_id, "unit_id": unit, "rater_nip": rater}
        if unit not in org:
            rows.append({**key, "rule": "org_predikat", "passed": False, "detail": NO_ORG_PREDIKAT})
            continue
        for finding in check_distribution(
            org_predikat=org[unit], counts=counts[unit, rater], rules=pack.distribution
        ):
            rows.append(
                {**key, "rule": finding.rule, "passed": finding.passed, "detail": finding.detail}
            )
    return rows


def _org(session: Session, cycle_id: str) -> dict[str, str]:
    return dict(
        session.execute(
            select(UnitRating.unit_id, UnitRating.predikat_organisasi).where(
                UnitRating.cycle_id == cycle_id
            )
        ).all()
    )


def check_distributions(
    session: Session, *, cycle: Cycle, pack: Any, now: datetime | None = None
) -> dict[str, Any]:
    """Check every group; with ``now``, first compute missing unit predikat from the IKU."""
    from kinerja.models.orgresults import compute_org_predikat

    cid = cycle.cycle_id
    session.execute(delete(DistributionFinding).where(DistributionFinding.cycle_id == cid))
    if pack.distribution is None:
        return {"groups": 0, "failed": 0}
    org_stats = (
        compute_org_predikat(session, cycle=cycle, pack=pack, now=now) if now is not None else {}
    )
    counts = _counts(session, cycle_id=cid, pack=pack)
    rows = _findings(cycle_id=cid, counts=counts, org=_org(session, cid), pack=pack)
    if rows:
        session.execute(DistributionFinding.__table__.insert(), rows)
    out: dict[str, Any] = {
        "group": pack.distribution.group,
        "groups": len(counts),
        "failed": sum(1 for r in rows if not r["passed"]),
    }
    if org_stats:
        out["org_predikat"] = org_stats
    return out


def recheck_unit(session: Session, *, cycle: Cycle, pack: Any, unit: str) -> dict[str, Any]:
    """Check the groups of one unit again (after an appeal); ``{"before": .., "after": ..}``
    map ``"rater:rule"`` (``":rule"`` for a whole unit) to whether it passed."""
    cid = cycle.cycle_id
    where = (DistributionFinding.cycle_id == cid, DistributionFinding.unit_id == unit)
    old = {
        f"{f.rater_nip}:{f.rule}": f.passed
        for f in session.scalars(select(DistributionFinding).where(*where))
    }
    session.execute(delete(DistributionFinding).where(*where))
    rows: list[dict[str, Any]] = []
    if pack.distribution is not None:
        counts = _counts(session, cycle_id=cid, pack=pack, unit=unit)
        rows = _findings(cycle_id=cid, counts=counts, org=_org(session, cid), pack=pack)
    if rows:
        session.execute(DistributionFinding.__table__.insert(), rows)
    return {"before": old, "after": {f"{r['rater_nip']}:{r['rule']}": r["passed"] for r in rows}}


def failing_groups(session: Session, *, cycle_id: str) -> dict[str, list[str]]:
    """Failing findings per unit: ``{unit: ["group: rule: detail", ...]}`` (the gate's view)."""
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
