"""The outbox seen by ops: counts by status and kind, the dead rows with their error, and
the stuck ones (``sending`` past their claim: see :mod:`kinerja.models.outbox.recovery`),
for ``kinerja notify status`` and the dispatcher's artifact.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.models.outbox.queue import STATUSES
from kinerja.models.outbox.recovery import stuck, stuck_rows
from kinerja.models.store.clock import SYSTEM_CLOCK, Clock
from kinerja.models.store.tables import Notification


def notify_status(
    session: Session,
    *,
    cycle_id: str | None = None,
    dead_limit: int = 100,
    clock: Clock = SYSTEM_CLOCK,
) -> dict[str, Any]:
    """Counts by status and by kind, the dead rows and the stuck ones, for ``kinerja notify
    status``.

    Returns ``{"total": n, "by_status": {status: n}, "by_kind": {kind: {status: n}},
    "dead": [{"id", "key", "recipient", "kind", "attempts", "last_error"}, ...],
    "stuck_count": n, "stuck": [{"id", "key", "recipient", "kind", "claimed_by",
    "lease_until"}, ...]}``; ``dead`` and ``stuck`` list at most ``dead_limit`` rows each,
    oldest first. Stuck is judged on ``clock``, the dispatcher's clock (the wall).
    """
    n = Notification
    where = [n.cycle_id == cycle_id] if cycle_id is not None else []
    counts = session.execute(
        select(n.kind, n.status, func.count()).where(*where).group_by(n.kind, n.status)
    ).all()
    by_status: dict[str, int] = {}
    by_kind: dict[str, dict[str, int]] = {}
    for kind, status, count in counts:
        by_status[status] = by_status.get(status, 0) + count
        by_kind.setdefault(kind, {})[status] = count
    dead_rows = session.execute(
        select(n.id, n.key, n.recipient_nip, n.kind, n.attempts, n.last_error)
        .where(n.status == "dead", *where)
        .order_by(n.id)
        .limit(dead_limit)
    ).all()
    now = clock.now()
    stuck_count = session.scalar(
        select(func.count()).select_from(n).where(stuck(session, now=now), *where)
    )
    return {
        "total": sum(by_status.values()),
        "by_status": dict(sorted(by_status.items())),
        "by_kind": dict(sorted(by_kind.items())),
        "dead": [
            {
                "id": r.id,
                "key": r.key,
                "recipient": r.recipient_nip,
                "kind": r.kind,
                "attempts": r.attempts,
                "last_error": r.last_error,
            }
            for r in dead_rows
        ],
        "stuck_count": stuck_count or 0,
        "stuck": stuck_rows(session, now=now, limit=dead_limit, cycle_id=cycle_id),
    }


def status_markdown(status: dict[str, Any]) -> str:
    """A Markdown table of :func:`notify_status`'s result (for a Prefect artifact)."""
    states = [s for s in STATUSES if s in status["by_status"]] + sorted(
        set(status["by_status"]) - set(STATUSES)
    )
    lines = [
        "## Notifikasi / Notifications",
        "",
        "| kind | " + " | ".join(states) + " |",
        "| --- |" + " ---: |" * len(states),
    ]
    for kind, counts in status["by_kind"].items():
        lines.append(f"| {kind} | " + " | ".join(str(counts.get(s, 0)) for s in states) + " |")
    lines.append("| **total** | " + " | ".join(str(status["by_status"][s]) for s in states) + " |")
    if status["dead"]:
        lines += [
            "",
            "### Gagal permanen / Dead",
            "",
            "| id | recipient | kind | attempts | error |",
        ]
        lines.append("| ---: | --- | --- | ---: | --- |")
        for d in status["dead"]:
            error = (d["last_error"] or "").replace("|", "\\|").replace("\n", " ")
            lines.append(
                f"| {d['id']} | {d['recipient']} | {d['kind']} | {d['attempts']} | {error} |"
            )
    if status.get("stuck"):
        lines += [
            "",
            f"### Macet saat dikirim / Stuck in sending ({status['stuck_count']})",
            "",
            "| id | recipient | kind | claimed by | lease until |",
            "| ---: | --- | --- | --- | --- |",
        ]
        for r in status["stuck"]:
            lines.append(
                f"| {r['id']} | {r['recipient']} | {r['kind']} | {r['claimed_by']} "
                f"| {r['lease_until']} |"
            )
    return "\n".join(lines) + "\n"
