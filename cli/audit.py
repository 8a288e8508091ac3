"""``kinerja audit``: verify the audit log against its keys, its checkpoints and the stored
results; write a checkpoint on demand."""

from __future__ import annotations

import typer

from kinerja.cli.common import fail, require_schema


def register(audit_app: typer.Typer) -> None:
    audit_app.command("verify")(audit_verify)
    audit_app.command("checkpoint")(audit_checkpoint)


def _keyring():  # noqa: ANN202 - Keyring, imported lazily like every command's models
    from kinerja.models.audit.keys import AuditKeyError, load_keyring

    try:
        return load_keyring()
    except AuditKeyError as exc:
        fail(str(exc), 2)


def audit_verify(
    results: bool = typer.Option(
        True, "--results/--no-results", help="Also compare every stored result with its events"
    ),
) -> None:
    """Check the keyed hash chain, every checkpoint and (by default) every stored result
    against its audit events; exit 1 on any problem."""
    from kinerja.models.audit.verify import verify
    from kinerja.models.results.agreement import compare_results
    from kinerja.models.store.db import session_scope

    keyring = _keyring()
    engine = require_schema()
    with session_scope(engine) as session:
        report = verify(session, keyring=keyring)
        agreement = compare_results(session) if results else None
    for note in report.notes + (agreement.notes if agreement else []):
        typer.echo(f"  {note}")
    problems = report.problems + (agreement.differences if agreement else [])
    compared = (
        f"; {agreement.rows} hasil cocok dengan event auditnya / results agree with their "
        "audit events"
        if agreement
        else ""
    )
    if not problems:
        typer.echo(
            f"log audit utuh / audit log intact: {report.events} events, keyed hash chain "
            f"verified, {report.checkpoints} checkpoint(s) matched{compared}"
        )
        return
    for problem in problems:
        typer.echo(problem, err=True)
    fail(
        f"log audit RUSAK / audit log BROKEN: {len(report.problems)} problem(s) in "
        f"{report.events} events"
        + (f", {len(agreement.differences)} result difference(s)" if agreement else ""),
        1,
    )


def audit_checkpoint(
    reason: str = typer.Option("manual", "--reason", help="Why, recorded in the checkpoint"),
) -> None:
    """Record the head of the audit log (seq and hash) in the checkpoint file, outside the
    database, signed with the audit key."""
    from kinerja.models.audit.checkpoints import checkpoint_path, write_checkpoint
    from kinerja.models.store.clock import SYSTEM_CLOCK
    from kinerja.models.store.db import session_scope

    keyring = _keyring()
    engine = require_schema()
    with session_scope(engine) as session:
        checkpoint = write_checkpoint(
            session, reason=reason, at=SYSTEM_CLOCK.now(), keyring=keyring
        )
    if checkpoint is None:
        typer.echo(
            "log audit kosong: tidak ada yang dicatat / the audit log is empty: nothing to pin"
        )
        return
    typer.echo(
        f"checkpoint: seq {checkpoint.seq}, hash {checkpoint.hash}, key {checkpoint.key_id} "
        f"-> {checkpoint_path()}"
    )
