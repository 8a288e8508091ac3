"""The notification outbox: message templates, idempotent enqueueing, and status counts.

A notification row is written in the same transaction as the state change that causes it
(open a task, escalate it, publish results); a dispatcher (``kinerja.tasks.notify``) sends
due rows later. The row's ``key`` (cycle, task, kind, recipient, reminder slot) is unique,
so a rerun that queues the same message again inserts nothing.

Templates live in ``configs/templates/<lang>/<kind>.j2``, one file per kind: the first line
is ``Subject: ...``, the rest is the body. Example::

    subject, body = render("task_reminder", "en", {"name": "Sari", ...})
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound, meta
from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

import kinerja.configs
from kinerja.models.store.tables import Notification

KINDS: tuple[str, ...] = (
    "task_opened",
    "task_reminder",
    "task_escalated",
    "task_expired",
    "task_returned",
    "task_delegated",
    "task_extended",
    "cycle_published",
    "superior_unplanned",
    "appeal_decided",
)
"""Every kind of message the engine sends."""

LANGS: tuple[str, ...] = ("id", "en")
"""Bahasa Indonesia and English."""

CONTEXT_KEYS: tuple[str, ...] = (
    "name",
    "cycle_name",
    "task_title",
    "subject_name",
    "due_at",
    "link",
    "level",
    "assignee_name",
    "comment",
)
"""Keys a template may use; all values are strings (dates already formatted)."""

STATUSES: tuple[str, ...] = ("pending", "sending", "sent", "dead")
"""Row states: ``sending`` is a dispatcher's claim, released when its lease expires."""

ROW_FIELDS: tuple[str, ...] = (
    "key",
    "cycle_id",
    "task_id",
    "kind",
    "recipient_nip",
    "lang",
    "subject",
    "body",
    "link",
)
"""Fields every row given to :func:`enqueue_many` must carry."""

BATCH_SIZE = 1000
SUBJECT_PREFIX = "Subject:"


class TemplateError(ValueError):
    """A template is missing, malformed, or needs a context key that was not given."""


def templates_dir() -> Path:
    return Path(kinerja.configs.__file__).parent / "templates"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    # Plain text, not HTML: no autoescape. StrictUndefined turns a missing key into an error
    # instead of a message with a hole in it.
    return Environment(
        loader=FileSystemLoader(str(templates_dir())),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def _check_kind_lang(kind: str, lang: str) -> None:
    if kind not in KINDS:
        raise TemplateError(f"unknown notification kind {kind!r}; kinds are {list(KINDS)}")
    if lang not in LANGS:
        raise TemplateError(f"unknown language {lang!r}; languages are {list(LANGS)}")


def render(kind: str, lang: str, context: dict[str, Any]) -> tuple[str, str]:
    """Render the subject and body of one message from ``configs/templates/<lang>/<kind>.j2``.

    Raises :class:`TemplateError` for an unknown kind or language, a template without a
    ``Subject:`` first line, or a context key the template needs but was not given.
    """
    _check_kind_lang(kind, lang)
    name = f"{lang}/{kind}.j2"
    try:
        text = _environment().get_template(name).render(**context)
    except TemplateNotFound as exc:
        raise TemplateError(f"template {name} not found in {templates_dir()}") from exc
    except Exception as exc:  # jinja2.UndefinedError and friends
        raise TemplateError(f"template {name}: {exc}") from exc
    first, _, rest = text.partition("\n")
    if not first.startswith(SUBJECT_PREFIX):
        raise TemplateError(f"template {name}: the first line must start with {SUBJECT_PREFIX!r}")
    subject = first.removeprefix(SUBJECT_PREFIX).strip()
    return subject, rest.strip("\n") + "\n"


def template_variables(kind: str, lang: str) -> set[str]:
    """The context keys one template refers to."""
    _check_kind_lang(kind, lang)
    env = _environment()
    source = env.loader.get_source(env, f"{lang}/{kind}.j2")[0]  # type: ignore[union-attr]
    return set(meta.find_undeclared_variables(env.parse(source)))


def notification_key(
    *,
    cycle_id: str | None,
    task_id: int | str | None,
    kind: str,
    recipient_nip: str,
    slot: int = 0,
) -> str:
    """The idempotency key of one message: one per (cycle, task, kind, recipient, slot).

    ``slot`` tells reminders (or escalation levels) of the same task apart.
    """
    cycle = cycle_id if cycle_id is not None else "-"
    task = str(task_id) if task_id is not None else "-"
    return f"{cycle}:{task}:{kind}:{recipient_nip}:{slot}"


def _insert_ignoring_duplicates(session: Session, table: Table):  # noqa: ANN202
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        raise NotImplementedError(f"enqueue_many supports sqlite and postgresql, not {dialect}")
    return insert(table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.id)


def _prepared(rows: Iterable[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        missing = [f for f in ROW_FIELDS if f not in row]
        if missing:
            raise ValueError(f"notification row {i}: missing field(s) {missing}")
        if row["key"] in seen:
            continue  # the first row with a key wins, as it would across two calls
        seen.add(row["key"])
        record = {f: row[f] for f in ROW_FIELDS}
        record.update(
            status="pending",
            attempts=0,
            next_attempt_at=row.get("next_attempt_at"),
            last_error=None,
            created_at=now,
            sent_at=None,
        )
        out.append(record)
    return out


def enqueue_many(session: Session, *, rows: list[dict[str, Any]], now: datetime) -> int:
    """Queue outbox rows in bulk; rows whose key exists already are skipped.

    Each row carries ``key, cycle_id, task_id, kind, recipient_nip, lang, subject, body,
    link`` (and optionally ``next_attempt_at`` to hold a message back). Runs in the caller's
    transaction (no commit), in batches of ``BATCH_SIZE`` rows, one INSERT ... ON CONFLICT
    (key) DO NOTHING each. Returns the number of rows newly inserted.
    """
    records = _prepared(rows, now)
    if not records:
        return 0
    table: Table = Notification.__table__  # type: ignore[assignment]
    stmt = _insert_ignoring_duplicates(session, table)
    inserted = 0
    for start in range(0, len(records), BATCH_SIZE):
        batch = records[start : start + BATCH_SIZE]
        # executemany with RETURNING: only inserted rows come back, so this counts them
        # exactly on both backends (rowcount is unreliable for executemany).
        inserted += len(session.execute(stmt, batch).all())
    return inserted


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
