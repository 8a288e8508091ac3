"""Do the stored results agree with the audit log?

The chain proves the log itself intact (models/audit/verify.py); nothing there stops someone
with write access from editing the ``results`` table. Every figure of a result is audited
when it is computed or changed, so the table must hold, field by field, what the latest
event recording that field says. :func:`compare_results` checks every stored result that
way, and every result the log records but the table lacks; ``kinerja audit verify`` runs it
after the chain, ``kinerja explain`` for one person.

Which events record which fields (:func:`recorded`):

| field | events (the latest wins) |
| --- | --- |
| predikat | ``result.predikat`` (the review stage; an upheld appeal) |
| hasil_kerja, perilaku | ``result.predikat`` (the ratings it used), ``appeal.rating`` (``after``) |
| incentive | ``result.incentive`` (the incentives stage, the budget cap, an appeal) |
| credit_points | ``result.credit_points`` |
| training_jp | ``result.training`` (the training stage), ``training.appeal`` |

A field no event records for that row is compared only where its stage audits every value
it sets (predikat, incentive, credit points, training JP): a value there without an event is
reported, once the cycle has any such event (cycles computed before an event existed, e.g.
training JP, are not judged by it). Ratings entered by the review before the predikat is
computed have no ``result.*`` event yet, so they are compared only once one exists.
Incentives of a cycle whose budget cap was applied before the cap audited each amount are
not compared; the report says so.

Streaming: results are read in batches by NIP, and each batch's events by the same NIP
range (the ``ix_audit_events_entity`` index), so memory stays flat in the number of results.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from kinerja.models.store.tables import AuditEvent, Cycle, Result

AUDITED = ("predikat", "hasil_kerja", "perilaku", "incentive", "credit_points", "training_jp")
"""The result fields the audit log records, in report order."""

EVERY_VALUE = ("predikat", "incentive", "credit_points", "training_jp")
"""Fields whose stage writes an event for every value it sets."""

_ACTIONS = (
    "result.predikat",
    "appeal.rating",
    "result.incentive",
    "result.credit_points",
    "result.training",
    "training.appeal",
)
_CENT = Decimal("0.01")


def recorded(action: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The result fields an event of ``action`` records, with the values it records."""
    if action == "result.predikat":
        out = {"predikat": payload.get("predikat")}
        out.update({f: payload[f] for f in ("hasil_kerja", "perilaku") if f in payload})
        return out
    if action == "appeal.rating":
        after = payload.get("after") or {}
        return {f: after[f] for f in ("hasil_kerja", "perilaku") if f in after}
    names = {
        "result.incentive": "incentive",
        "result.credit_points": "credit_points",
        "result.training": "training_jp",
        "training.appeal": "training_jp",
    }
    name = names.get(action)
    return {name: payload[name]} if name and name in payload else {}


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return None


def same(name: str, table: Any, audit: Any) -> bool:
    """Whether the table's value of field ``name`` is the one the audit log recorded.

    Money and credit points compare at the column's two decimals; JP as numbers.
    """
    if table is None or audit is None:
        return table is None and audit is None
    if name in ("incentive", "credit_points"):
        left, right = _decimal(table), _decimal(audit)
        return left is not None and left == right
    if name == "training_jp":
        try:
            return math.isclose(float(table), float(audit), rel_tol=0, abs_tol=1e-9)
        except (TypeError, ValueError):
            return False
    return table == audit


def _shown(value: Any) -> str:
    return "(kosong/empty)" if value is None else str(value)


@dataclass(frozen=True)
class Difference:
    """One field of one stored result that the audit log contradicts (or does not record)."""

    cycle_id: str
    nip: str
    field: str
    table: Any
    audit: Any = None
    seq: int | None = None
    kind: str = "differs"  # differs | unaudited | no_row | no_cycle

    def message(self) -> str:
        who_id = f"siklus {self.cycle_id} NIP {self.nip}"
        who_en = f"cycle {self.cycle_id} nip {self.nip}"
        t, a = _shown(self.table), _shown(self.audit)
        if self.kind == "unaudited":
            return (
                f"{who_id}: {self.field} di tabel {t}, tidak ada event audit yang mencatatnya / "
                f"{who_en}: {self.field} is {t} in the table, but no audit event records it"
            )
        if self.kind == "no_cycle":
            return (
                f"siklus {self.cycle_id}: log audit mencatat hasil, siklusnya tidak ada / "
                f"cycle {self.cycle_id}: the audit log records results, but the cycle is gone"
            )
        if self.kind == "no_row":
            return (
                f"{who_id}: log audit mencatat {self.field} {a} (event seq {self.seq}), baris "
                f"hasilnya tidak ada / {who_en}: the audit log records {self.field} {a} (event "
                f"seq {self.seq}) but the results table has no row"
            )
        return (
            f"{who_id}: {self.field} di tabel {t}, di log audit {a} (event seq {self.seq}) / "
            f"{who_en}: {self.field} is {t} in the table, {a} in the audit log (event seq "
            f"{self.seq})"
        )


@dataclass
class AgreementReport:
    """What :func:`compare_results` found: ``differences`` as messages, at most the limit."""

    rows: int = 0
    differences: list[str] = field(default_factory=list)
    more: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences

    def add(self, difference: Difference, limit: int) -> None:
        if len(self.differences) < limit:
            self.differences.append(difference.message())
        else:
            self.more += 1


_ROW_COLUMNS = (Result.nip, *(getattr(Result, f) for f in AUDITED))


def _latest(events: Iterable[Any]) -> dict[str, dict[str, tuple[Any, int]]]:
    """Per NIP, per field, the value and seq of the latest event recording it."""
    latest: dict[str, dict[str, tuple[Any, int]]] = {}
    for seq, nip, action, payload in events:
        for name, value in recorded(action, payload or {}).items():
            latest.setdefault(nip, {})[name] = (value, seq)
    return latest


def _row_differences(
    cycle_id: str, row: Any, mine: Mapping[str, tuple[Any, int]], skip: frozenset[str]
) -> tuple[list[Difference], list[Difference]]:
    """(differences, fields with a value but no event) of one stored result."""
    differs, unaudited = [], []
    for name in AUDITED:
        if name in skip:
            continue
        table = getattr(row, name)
        if name in mine:
            audit, seq = mine[name]
            if not same(name, table, audit):
                differs.append(Difference(cycle_id, row.nip, name, table, audit, seq))
        elif name in EVERY_VALUE and table is not None:
            unaudited.append(Difference(cycle_id, row.nip, name, table, kind="unaudited"))
    return differs, unaudited


def _events(session: Session, cycle_id: str, *conditions: Any) -> Any:
    t = AuditEvent.__table__.c
    return session.execute(
        select(t.seq, t.entity_id, t.action, t.payload)
        .where(
            t.cycle_id == cycle_id,
            t.entity == "result",
            t.action.in_(_ACTIONS),
            *conditions,
        )
        .order_by(t.seq)
    )


def _uncompared(session: Session, cycle_id: str) -> tuple[frozenset[str], list[str]]:
    """Fields not compared in the cycle, and why: a budget cap applied before it audited
    each scaled amount leaves the incentives without their final event."""
    t = AuditEvent.__table__.c
    caps = session.execute(
        select(t.seq, t.payload).where(
            t.cycle_id == cycle_id, t.entity == "cycle", t.action == "incentive.budget"
        )
    ).all()
    legacy = [seq for seq, payload in caps if not (payload or {}).get("per_person")]
    if not legacy:
        return frozenset(), []
    return frozenset({"incentive"}), [
        f"siklus {cycle_id}: insentif tidak dibandingkan, pagu diterapkan (event seq "
        f"{legacy[0]}) sebelum tiap jumlah dicatat / cycle {cycle_id}: incentives not "
        f"compared, the budget cap (event seq {legacy[0]}) predates the audit of each "
        "scaled amount"
    ]


def _audits(session: Session, cycle_id: str, name: str) -> bool:
    """Whether any event of the cycle records field ``name`` (its stage audits it)."""
    t = AuditEvent.__table__.c
    actions = [a for a in _ACTIONS if name in recorded(a, _PROBE)]
    return bool(
        session.scalar(
            select(
                exists().where(t.cycle_id == cycle_id, t.entity == "result", t.action.in_(actions))
            )
        )
    )


# An event payload naming every field, to learn which fields an action records.
_PROBE = {**{f: None for f in AUDITED}, "after": {"hasil_kerja": None, "perilaku": None}}


def compare_cycle(
    session: Session, *, cycle_id: str, report: AgreementReport, batch: int, limit: int
) -> None:
    """Compare one cycle's stored results with their events, batch by batch (by NIP)."""
    skip, notes = _uncompared(session, cycle_id)
    report.notes += notes
    t = AuditEvent.__table__.c
    audited: set[str] = set()
    pending: list[Difference] = []  # values without an event: judged once the cycle is read
    pending_more: dict[str, int] = {}
    after: str | None = None
    while True:
        stmt = select(*_ROW_COLUMNS).where(Result.cycle_id == cycle_id)
        if after is not None:
            stmt = stmt.where(Result.nip > after)
        rows = session.execute(stmt.order_by(Result.nip).limit(batch)).all()
        last = len(rows) < batch
        # The batch's NIP range, open-ended at the end: events of NIPs with no row between
        # two batches, or after the last one, fall in some range too.
        bounds = [] if after is None else [t.entity_id > after]
        if not last:
            bounds.append(t.entity_id <= rows[-1].nip)
        latest = _latest(_events(session, cycle_id, *bounds))
        for values in latest.values():
            audited.update(values)
        report.rows += len(rows)
        found: list[Difference] = []
        for row in rows:
            differs, unaudited = _row_differences(cycle_id, row, latest.pop(row.nip, {}), skip)
            found += differs
            for d in unaudited:
                if len(pending) < limit:
                    pending.append(d)
                else:
                    pending_more[d.field] = pending_more.get(d.field, 0) + 1
        for nip, values in latest.items():  # events whose row is gone
            name, (value, seq) = max(values.items(), key=lambda item: item[1][1])
            found.append(Difference(cycle_id, nip, name, None, value, seq, kind="no_row"))
        for d in sorted(found, key=lambda d: d.nip):  # stable: a row's fields stay in order
            report.add(d, limit)
        if last:
            break
        after = rows[-1].nip
    for d in pending:
        if d.field in audited:
            report.add(d, limit)
    report.more += sum(n for name, n in pending_more.items() if name in audited)


def compare_results(
    session: Session, *, cycle_id: str | None = None, batch: int = 5000, limit: int = 1000
) -> AgreementReport:
    """Compare every stored result (of one cycle, or of all) with its latest audit events.

    Also reports results the log records for a cycle that no longer exists.
    """
    report = AgreementReport()
    cycles = session.scalars(select(Cycle.cycle_id).order_by(Cycle.cycle_id)).all()
    if cycle_id is not None:
        cycles = [c for c in cycles if c == cycle_id]
    for cid in cycles:
        compare_cycle(session, cycle_id=cid, report=report, batch=batch, limit=limit)
    if cycle_id is None:
        t = AuditEvent.__table__.c
        logged = session.scalars(
            select(t.cycle_id).where(t.entity == "result", t.cycle_id.is_not(None)).distinct()
        ).all()
        for gone in sorted(set(logged) - set(cycles)):
            report.add(Difference(gone, "", "results", None, kind="no_cycle"), limit)
    if report.more:
        report.differences.append(
            f"... {report.more} perbedaan lain / {report.more} more differences"
        )
    return report


def result_differences(session: Session, *, cycle_id: str, nip: str) -> list[Difference]:
    """How one stored result differs from its audit events (``kinerja explain``)."""
    row = session.execute(
        select(*_ROW_COLUMNS).where(Result.cycle_id == cycle_id, Result.nip == nip)
    ).first()
    if row is None:
        return []
    skip, _ = _uncompared(session, cycle_id)
    latest = _latest(_events(session, cycle_id, AuditEvent.__table__.c.entity_id == nip))
    differs, unaudited = _row_differences(cycle_id, row, latest.get(nip, {}), skip)
    return differs + [d for d in unaudited if _audits(session, cycle_id, d.field)]
