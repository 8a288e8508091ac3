"""``kinerja portal``: serve the web portal (signed-link task pages) with uvicorn."""

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
) -> None:
    """Serve the portal: one page per task behind the signed link in each message.

    Needs KINERJA_SECRET (32+ random characters), the same value as where the messages are
    queued, and the audit key (KINERJA_AUDIT_KEY or KINERJA_AUDIT_KEY_FILE) that signs the
    responses' audit events; KINERJA_DATABASE_URL selects the database.
    """
    import uvicorn

    from kinerja.models.audit.keys import AuditKeyError, load_keyring
    from kinerja.models.humantasks.links import SecretError, load_secret
    from kinerja.portal.app import create_app

    try:
        secret = load_secret(demo=True if demo else None)
        load_keyring(demo=True if demo else None)
    except (SecretError, AuditKeyError) as exc:
        fail(str(exc), 2)
    require_schema()
    app = create_app(database_url(), secret=secret)
    typer.echo(f"portal on http://{host}:{port} (Ctrl+C to stop)")
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True)
