"""``kinerja serve`` (the deployments on a Prefect server) and ``kinerja gate`` (sign a gate).

Run standalone as ``python -m kinerja.cli.serve serve|gate ...`` too.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path

import typer

from kinerja.cli import faults
from kinerja.cli.common import database_url, echo_table, fail, require_schema, run_guarded
from kinerja.cli.readable import advance_line, gate_rows, gate_totals_line


class Decision(StrEnum):
    approve = "approve"
    reject = "reject"


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("gate")(gate)


def serve(
    sweep_minutes: float = typer.Option(
        5,
        min=0.1,
        help="Minutes between sweeper runs; each sweep also sends the due messages",
    ),
    dispatch_minutes: float | None = typer.Option(
        None,
        min=0.1,
        hidden=True,
        help="Ignored: messages are sent by every sweep (kept so old scripts still start)",
    ),
    limit: int = typer.Option(8, min=1, help="Concurrent flow runs (8 suits 2 cores)"),
    ops_email: str | None = typer.Option(
        None, envvar="KINERJA_OPS_EMAIL", help="Where the ops alerts go (else logged only)"
    ),
    routes: Path | None = typer.Option(None, help="Apprise routes file (default: configs/)"),
) -> None:
    """Serve the cycle, sweeper, HR task action and ops-alert deployments on a Prefect server.

    Refuses to start without PREFECT_API_URL, and without the audit key (KINERJA_AUDIT_KEY or
    KINERJA_AUDIT_KEY_FILE) outside the demo: every event the flows append is signed with it.
    """
    if not os.environ.get("PREFECT_API_URL"):
        fail(
            "PREFECT_API_URL belum diatur: jalankan `prefect server start` dan atur alamatnya / "
            "PREFECT_API_URL is not set: start `prefect server start` and export its API URL "
            "(e.g. http://127.0.0.1:4200/api)",
            2,
        )
    from kinerja.flows.deploy import serve_all
    from kinerja.models.audit.keys import AuditKeyError, load_keyring

    try:
        load_keyring()
    except AuditKeyError as exc:
        fail(str(exc), 2)

    require_schema()
    if dispatch_minutes is not None:
        typer.echo(
            "--dispatch-minutes diabaikan: pesan dikirim oleh setiap sweeper / ignored:"
            " every sweeper run sends the due messages (set --sweep-minutes)",
            err=True,
        )
    typer.echo(
        f"serving performance-cycle, sweeper (every {sweep_minutes} min, sends the due"
        f" messages), hr-task-action, ops-alert on {os.environ['PREFECT_API_URL']}"
        f" (limit {limit})",
        err=True,
    )
    serve_all(
        db_url=database_url(),
        sweep_minutes=sweep_minutes,
        ops_email=ops_email,
        routes_path=str(routes) if routes else None,
        limit=limit,
    )


def gate(
    cycle: str = typer.Argument(..., help="The cycle id"),
    decision: Decision = typer.Argument(..., help="approve or reject"),
    reason: str = typer.Option("", help="Reason (required to reject)"),
    exception: list[str] = typer.Option(
        [], "--exception", help="UNIT=REASON: accept a unit failing the distribution check"
    ),
    by: str | None = typer.Option(None, help="NIP of the signer (default: the coordinator)"),
) -> None:
    """Sign the gate the cycle waits at (payout, then publication) as the HR coordinator."""
    faults.before_flows()
    from kinerja.flows.signing import sign_gate
    from kinerja.models.stages.gates import GateError

    exceptions: dict[str, str] = {}
    for item in exception:
        unit, sep, text = item.partition("=")
        if not sep or not unit.strip():
            fail(f"--exception {item!r}: tulis UNIT=ALASAN / write UNIT=REASON", 2)
        exceptions[unit.strip()] = text.strip()
    require_schema()
    try:
        result = run_guarded(
            lambda: sign_gate(
                cycle,
                db_url=database_url(),
                decision=decision.value,
                reason=reason,
                exceptions=exceptions,
                signed_by=by,
            )
        )
    except GateError as exc:
        fail(str(exc), 2)
    typer.echo(f"gate {result['gate']}: {decision.value} ({result['mode']})")
    rows, columns = gate_rows(result["summary"])
    if "units" in result["summary"]:
        typer.echo(gate_totals_line(result["summary"]))
    echo_table(rows, columns)
    if "cycle" in result:
        typer.echo(advance_line(result["cycle"]), err=True)


def main() -> None:
    app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
    register(app)
    app()


if __name__ == "__main__":
    main()
