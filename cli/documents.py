"""``kinerja documents``: the documents people sign, as PDF, for a whole unit at once.

One file per person and kind, named ``<NIP>-skp.pdf`` and ``<NIP>-evaluation.pdf``, under
``KINERJA_HOME/exports/<cycle>/documents`` unless ``--out`` says otherwise. A person with no
approved targets (SKP) or not yet rated (evaluation) is listed as skipped, not an error.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from kinerja.cli.common import echo_table, fail, require_schema, run_guarded

KIND_CHOICES = {"skp": ("skp",), "evaluation": ("evaluation",), "both": ("skp", "evaluation")}


def register(app: typer.Typer) -> None:
    """Add ``kinerja documents`` to ``app``."""
    app.command("documents")(documents)


def documents(
    cycle: str = typer.Argument(..., help="The cycle id"),
    unit: str | None = typer.Option(None, "--unit", help="Only the people of this unit"),
    nip: str | None = typer.Option(None, "--nip", help="Only this person"),
    kind: str = typer.Option("both", "--kind", help="skp, evaluation or both"),
    out: Path | None = typer.Option(
        None, "--out", help="Folder for the PDFs (default: KINERJA_HOME/exports/CYCLE/documents)"
    ),
) -> None:
    """Write each person's SKP and evaluation document as PDF (one file per person and kind)."""
    from kinerja.models.cycles.cycle import get_cycle
    from kinerja.models.documents.gather import DocumentError
    from kinerja.models.documents.service import people_of
    from kinerja.models.results.exports import exports_dir
    from kinerja.models.store.db import session_scope

    kinds = KIND_CHOICES.get(kind)
    if kinds is None:
        fail(f"jenis tidak dikenal / unknown --kind {kind!r}: skp, evaluation or both", 2)
    engine = require_schema()
    with session_scope(engine) as session:
        cycle_id = run_guarded(lambda: get_cycle(session, cycle)).cycle_id
        try:
            people = people_of(session, cycle_id=cycle_id, unit_id=unit, nip=nip)
        except DocumentError as exc:
            fail(str(exc), 2)
        if not people:
            fail(f"tidak ada pegawai dalam siklus {cycle_id} / no people in cycle {cycle_id}", 1)
        folder = out or exports_dir(cycle_id) / "documents"
        folder.mkdir(parents=True, exist_ok=True)
        rows, written = _write_all(
            session, cycle_id=cycle_id, people=people, kinds=kinds, to=folder
        )
    echo_table(rows, ["nip", "name", *kinds])
    skipped = len(people) * len(kinds) - written
    typer.echo(
        f"{written} berkas PDF ditulis ke {folder}, {skipped} dilewati"
        f" / {written} PDF file(s) written to {folder}, {skipped} skipped"
    )
    if written == 0:
        raise typer.Exit(1)


def _write_all(
    session: Any, *, cycle_id: str, people: list[Any], kinds: tuple[str, ...], to: Path
) -> tuple[list[dict[str, Any]], int]:
    """Render and write every document, with a progress bar on standard error."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from kinerja.models.documents.gather import NoDocument
    from kinerja.models.documents.render import RendererMissing
    from kinerja.models.documents.service import document_pdf, file_name

    rows: list[dict[str, Any]] = []
    written = 0
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
    )
    with progress:
        bar = progress.add_task("dokumen / documents", total=len(people) * len(kinds))
        for person in people:
            row: dict[str, Any] = {"nip": person.nip, "name": person.name}
            for kind in kinds:
                try:
                    pdf = document_pdf(session, cycle_id=cycle_id, nip=person.nip, kind=kind)
                except NoDocument as exc:
                    row[kind] = f"- ({exc.reason})"
                except RendererMissing as exc:
                    fail(str(exc), 2)
                else:
                    path = to / file_name(person.nip, kind)
                    partial = path.with_name(path.name + ".part")
                    partial.write_bytes(pdf)
                    os.replace(partial, path)  # never a half-written PDF under its name
                    row[kind] = path.name
                    written += 1
                progress.advance(bar)
            rows.append(row)
    return rows, written
