"""The outbox seen by ops: counts by status and kind, and the dead rows with their error
(``kinerja notify status`` and the dispatcher's artifact).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.models.outbox.queue import STATUSES
from kinerja.models.store.tables import Notification


def notify_status(
    session: Session, *, cycle_id: str | None = None, dead_limit: int = 100
) -> dict[str, Any]:
    """Counts by status and by kind, and the dead rows, for ``kinerja notify status``.

    Returns ``{"total": n, "by_status": {status: n}, "by_kind": {kind: {status: n}},
    "dead": [{"id", "key", "recipient", "kind", "attempts", "last_error"}, ...]}``;
    ``dead`` lists at most ``dead_limit`` rows, oldest first.
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
    return "\n".join(lines) + "\n"
