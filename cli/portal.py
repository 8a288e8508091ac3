"""``kinerja portal``: serve the web portal (signed-link task pages) with uvicorn, or print
the signed link to an HR coordinator's desk (``--desk-link NIP``)."""

from __future__ import annotations

import typer

from kinerja.cli.common import database_url, fail, require_schema


def register(app: typer.Typer) -> None:
    app.command("portal")(portal)


def portal(
    host: str = typer.Option("127.0.0.1", help="Address to listen on"),
    port: int = typer.Option(8700, help="Port to listen on"),
    demo: bool = typer.Option(
        False,
        "--demo",
        help="Sign with the public demo secret when KINERJA_SECRET is unset (never in production)",
    ),
    desk_link: str | None = typer.Option(
        None,
        "--desk-link",
        metavar="NIP",
        help="Print the signed link to this HR coordinator's desk (valid 7 days) and exit",
    ),
) -> None:
    """Serve the portal: one page per task behind the signed link in each message.

    Needs KINERJA_SECRET (32+ random characters), the same value as where the messages are
    queued, and the audit key (KINERJA_AUDIT_KEY or KINERJA_AUDIT_KEY_FILE) that signs the
    responses' audit events; KINERJA_DATABASE_URL selects the database.

    With --desk-link NIP it serves nothing: it prints the signed link to that HR
    coordinator's desk (the same link the desk's sign-in page e-mails).
    """
    import uvicorn

    from kinerja.models.audit.keys import AuditKeyError, load_keyring
    from kinerja.models.humantasks.links import SecretError, load_secret
    from kinerja.portal.app import create_app

    try:
        secret = load_secret(demo=True if demo else None)
        if desk_link is None:  # printing a link writes nothing to audit
            load_keyring(demo=True if demo else None)
    except (SecretError, AuditKeyError) as exc:
        fail(str(exc), 2)
    if desk_link is not None:
        typer.echo(_desk_link(desk_link, secret))
        return
    require_schema()
    app = create_app(database_url(), secret=secret)
    typer.echo(f"portal on http://{host}:{port} (Ctrl+C to stop)")
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True)


def _desk_link(nip: str, secret: bytes) -> str:
    """The desk link of ``nip`` on the portal of their newest cycle (or KINERJA_PUBLIC_URL)."""
    import os

    from kinerja.models.cycles.cycle import cycle_config
    from kinerja.models.humantasks.desk import coordinator_cycles
    from kinerja.models.humantasks.links import desk_url
    from kinerja.models.store.clock import SYSTEM_CLOCK
    from kinerja.models.store.db import session_scope

    with session_scope(require_schema()) as session:
        cycles = coordinator_cycles(session, nip)
        if not cycles:
            fail(f"{nip} bukan Koordinator SDM siklus mana pun / coordinates no cycle", 1)
        base = os.environ.get("KINERJA_PUBLIC_URL") or cycle_config(cycles[0]).portal_url
    return desk_url(base, nip, secret, SYSTEM_CLOCK.now())
