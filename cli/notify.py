"""``kinerja notify status|send|retry``: the notification outbox seen and handled by ops.

``status`` counts messages by status and kind and lists dead and stuck ones; ``send`` runs
dispatcher passes until nothing is due; ``retry`` re-queues dead or stuck messages (an
operator action, written to the audit log) for the next pass to send.
"""

from __future__ import annotations

import getpass
from datetime import UTC, datetime

import typer

from kinerja.cli.common import echo_table, fail, require_schema, run_guarded
from kinerja.cli.readable import DISPATCH_OUTCOMES, MESSAGE_STATUSES, counts
from kinerja.models.rules.numbers import number


def register(notify_app: typer.Typer) -> None:
    notify_app.command("status")(notify_status)
    notify_app.command("send")(notify_send)
    notify_app.command("retry")(notify_retry)


def notify_status(cycle: str | None = typer.Option(None, "--cycle")) -> None:
    """Messages by status and kind, the dead ones with their last error, the stuck ones."""
    from kinerja.models.outbox.status import notify_status as status
    from kinerja.models.store.db import session_scope

    engine = require_schema()
    with session_scope(engine) as session:
        result = status(session, cycle_id=cycle)
    typer.echo(
        f"total {number(result['total'])}; per status / by status:"
        f" {counts(result['by_status'], MESSAGE_STATUSES)}"
    )
    if result["by_kind"]:
        statuses = sorted({s for by in result["by_kind"].values() for s in by})
        echo_table(
            [{"kind": kind, **by} for kind, by in sorted(result["by_kind"].items())],
            ["kind", *statuses],
        )
    if result["dead"]:
        typer.echo("dead messages:")
        echo_table(result["dead"], ["id", "recipient", "kind", "attempts", "last_error"])
    if result["stuck_count"]:
        typer.echo(
            f"{result['stuck_count']} pesan macet saat dikirim (diambil lagi oleh putaran "
            f"berikutnya) / {result['stuck_count']} message(s) stuck in sending past their "
            "claim (the next dispatcher pass takes them again):"
        )
        echo_table(result["stuck"], ["id", "recipient", "kind", "claimed_by", "lease_until"])


def notify_send(routes: str | None = typer.Option(None, help="Routes file (YAML)")) -> None:
    """Send every due message in the outbox now (dispatcher passes until none is due)."""
    from kinerja.models.outbox.recipients import (
        all_coordinators,
        retry_of_cycles,
        routes_of_cycles,
        static_recipients,
    )
    from kinerja.models.outbox.routes import Routes
    from kinerja.models.store.db import session_factory, session_scope
    from kinerja.tasks.notify import dispatch_due

    engine = require_schema()
    # The HR coordinators of the cycles are recipients too, though not employees.
    with session_scope(engine) as session:
        extra = all_coordinators(session)
        cycle_routes = run_guarded(lambda: routes_of_cycles(session))
        cycle_retry = retry_of_cycles(session)
    default_routes = run_guarded(lambda: Routes.load(routes))
    total = {"sent": 0, "failed": 0, "dead": 0}
    while True:
        report = dispatch_due(
            session_factory(engine),
            routes=default_routes,
            recipients=static_recipients(extra),
            cycle_routes=cycle_routes,
            cycle_retry=cycle_retry,
        )
        for k, v in report.as_dict().items():
            total[k] = total.get(k, 0) + v
        if not any(report.as_dict().values()):
            break
    typer.echo(f"notifikasi / notifications: {counts(total, DISPATCH_OUTCOMES)}")


def _since(text: str | None) -> datetime | None:
    """A date or date-time (ISO 8601) as naive UTC; one without an offset is taken as UTC."""
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        fail(
            f"--since tidak valid {text!r} (format YYYY-MM-DD atau YYYY-MM-DDTHH:MM[+07:00])"
            f" / invalid --since {text!r} (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[+07:00])",
            2,
        )
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when


def notify_retry(
    cycle: str | None = typer.Option(None, "--cycle", help="Only this cycle's messages"),
    kind: str | None = typer.Option(None, "--kind", help="Only this kind, e.g. task_reminder"),
    status: list[str] | None = typer.Option(
        None,
        "--status",
        help="dead, sending (stuck past their claim), or both (the default); repeatable",
    ),
    since: str | None = typer.Option(
        None,
        "--since",
        help="Only messages whose last attempt began at or after this date/time "
        "(ISO 8601; UTC unless an offset is given)",
    ),
    by: str | None = typer.Option(
        None, "--by", help="Who re-queues, for the audit log (default: operator:<login>)"
    ),
) -> None:
    """Re-queue dead or stuck messages: the next dispatcher pass sends them, with a fresh
    series of attempts. Recorded in the audit log."""
    from kinerja.models.outbox.recovery import RETRY_STATUSES, RetryFilter, RetryFilterError
    from kinerja.models.outbox.recovery import requeue as do_requeue
    from kinerja.models.store.clock import SYSTEM_CLOCK
    from kinerja.models.store.db import session_scope

    statuses = tuple(s.strip() for given in status or [] for s in given.split(",") if s.strip())
    selection = RetryFilter(
        cycle_id=cycle, kind=kind, statuses=statuses or RETRY_STATUSES, since=_since(since)
    )
    actor = by or f"operator:{getpass.getuser()}"
    engine = require_schema()
    try:
        with session_scope(engine) as session:
            by_cycle = do_requeue(session, selection=selection, now=SYSTEM_CLOCK.now(), actor=actor)
    except RetryFilterError as exc:
        fail(str(exc), 2)
    count = sum(len(ids) for ids in by_cycle.values())
    typer.echo(f"{count} pesan diantrekan ulang / {count} message(s) re-queued")
    for cycle_id, ids in sorted(by_cycle.items(), key=lambda item: item[0] or ""):
        typer.echo(f"  {cycle_id or '-'}: {len(ids)}")
    if count:
        typer.echo(
            "dikirim pada putaran dispatcher berikutnya (kinerja notify send)"
            " / sent by the next dispatcher pass (kinerja notify send)"
        )
