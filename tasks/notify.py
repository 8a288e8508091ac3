"""Send the notification outbox through Apprise: routes, the dispatcher, its Prefect task.

The dispatcher claims due rows (so two dispatchers never send the same row), resolves each
recipient's address, sends one recipient per Apprise ``notify()`` call so a failure is
attributed to its row, and records the outcome: ``sent``, a retry with exponential backoff,
or ``dead`` after ``max_attempts``. Delivery is at-least-once: a dispatcher that dies between
sending and recording leaves its claim, which expires after ``lease_seconds`` and is taken
again.

Routes (``configs/notify-routes.yaml``) map a channel to an Apprise URL template; secrets
come from the environment as ``${VAR}`` and never appear in logs or in ``last_error``.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import apprise
from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import Table, and_, or_, select, update
from sqlalchemy.orm import Session

import kinerja.configs
from kinerja.models.schemas.config import CycleConfig, load_yaml_model
from kinerja.models.store.tables import Employee, Notification
from kinerja.tasks import smtp_tls

log = logging.getLogger(__name__)

smtp_tls.install()

DEFAULT_ROUTES = Path(kinerja.configs.__file__).parent / "notify-routes.yaml"

# ${VAR} or ${VAR:-default} (environment), or {field} (recipient), in one pass so that a
# secret's value is never itself read as a placeholder.
_TOKEN = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")

Recipients = Callable[[list[str]], dict[str, dict[str, Any]]]


class RouteError(Exception):
    """A channel cannot be used: an environment variable is missing or the URL is invalid."""


class MissingAddress(Exception):
    """The recipient lacks a field the channel's URL needs (e.g. no e-mail address)."""


class Rule(BaseModel):
    """Channels for recipients matching every given criterion (unit id, role, nip)."""

    model_config = ConfigDict(extra="forbid")
    unit: list[str] = Field(default_factory=list)
    role: list[str] = Field(default_factory=list)
    nip: list[str] = Field(default_factory=list)
    channels: list[str]

    def matches(self, recipient: Mapping[str, Any]) -> bool:
        checks = ((self.unit, "unit_id"), (self.role, "role"), (self.nip, "nip"))
        return all(not wanted or recipient.get(field) in wanted for wanted, field in checks)


class Routes(BaseModel):
    """Which Apprise URL reaches a recipient on each channel, and which channels to try."""

    model_config = ConfigDict(extra="forbid")
    channels: dict[str, str]
    default_channels: list[str] = Field(default_factory=lambda: ["email"])
    rules: list[Rule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _known_channels(self) -> Routes:
        named = list(self.default_channels) + [c for r in self.rules for c in r.channels]
        unknown = sorted(set(named) - set(self.channels))
        if unknown:
            raise ValueError(f"unknown channel(s) {unknown}; channels are {sorted(self.channels)}")
        return self

    @classmethod
    def load(cls, path: str | Path | None = None) -> Routes:
        """Load and validate a routes file (default ``configs/notify-routes.yaml``)."""
        return load_yaml_model(Path(path) if path else DEFAULT_ROUTES, cls)

    def channels_for(self, recipient: Mapping[str, Any]) -> list[str]:
        """Channels to try in order: the person's own, else the first matching rule's."""
        own = recipient.get("channels")
        if isinstance(own, str):
            own = [c.strip() for c in re.split(r"[,;\s]+", own) if c.strip()]
        if own:
            return list(own)
        for rule in self.rules:
            if rule.matches(recipient):
                return list(rule.channels)
        return list(self.default_channels)

    def url_for(
        self,
        channel: str,
        recipient: Mapping[str, Any],
        env: Mapping[str, str] | None = None,
    ) -> tuple[str, dict[str, str]]:
        """The Apprise URL of ``channel`` for ``recipient``, and the secrets it contains.

        The second value maps each environment value used to its variable name, so that
        error texts can be scrubbed. Raises :class:`MissingAddress` or :class:`RouteError`.
        """
        if channel not in self.channels:
            raise RouteError(f"unknown channel {channel!r}; channels are {sorted(self.channels)}")
        env = os.environ if env is None else env
        secrets: dict[str, str] = {}

        def substitute(m: re.Match[str]) -> str:
            var, default, field = m.group(1), m.group(2), m.group(3)
            if var is not None:
                if var in env and env[var] != "":
                    secrets[env[var]] = var
                    return env[var]
                if default is not None:
                    return default
                raise RouteError(f"channel {channel!r}: environment variable {var} is not set")
            value = recipient.get(field)
            if value is None or str(value).strip() == "":
                raise MissingAddress(f"{channel} needs {field}")
            return quote(str(value).strip(), safe="@")

        return _TOKEN.sub(substitute, self.channels[channel]), secrets

    def missing_env(self, env: Mapping[str, str] | None = None) -> dict[str, list[str]]:
        """Variables without a default that are unset, by channel (a pre-flight check)."""
        env = os.environ if env is None else env
        missing: dict[str, list[str]] = {}
        for channel, template in self.channels.items():
            for m in _TOKEN.finditer(template):
                var, default = m.group(1), m.group(2)
                if var and default is None and not env.get(var):
                    missing.setdefault(channel, []).append(var)
        return missing


@dataclass(frozen=True)
class DispatchReport:
    """What one dispatcher pass did: rows sent, rows to retry later, rows parked as dead."""

    sent: int = 0
    failed: int = 0
    dead: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


_NOT_SECRET = ("_HOST", "_PORT")


def _scrub(text: str, secrets: Mapping[str, str]) -> str:
    """Replace every environment value in ``text`` by its ``${NAME}``.

    Hosts and ports are kept (they make an error readable and are no secret); very short
    values are kept too, as replacing them would garble the text rather than hide anything.
    """
    # Longest first, so a secret containing another is replaced whole.
    for value in sorted(secrets, key=len, reverse=True):
        name = secrets[value]
        if len(value) >= 4 and not name.endswith(_NOT_SECRET):
            text = text.replace(value, "${" + name + "}")
    return text


class _Capture(logging.Handler):
    """Collects this thread's Apprise warnings while one message is sent."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.thread = threading.get_ident()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.lines.append(record.getMessage().strip())


_withheld_lock = threading.Lock()
_withheld_depth = 0


@contextmanager
def _apprise_logs_withheld() -> Iterator[None]:
    """Keep Apprise's records away from the application's handlers during a send.

    Apprise may log a whole URL (for example "Unparseable URL ..."), secrets included; its
    own per-call capture still sees every record. The dispatcher logs the scrubbed text.
    """
    global _withheld_depth
    apprise_log = logging.getLogger("apprise")
    with _withheld_lock:
        _withheld_depth += 1
        apprise_log.propagate = False
    try:
        yield
    finally:
        with _withheld_lock:
            _withheld_depth -= 1
            if _withheld_depth == 0:
                apprise_log.propagate = True


def send_one(url: str, *, title: str, body: str) -> str | None:
    """Send one message through one Apprise URL; None on success, else the error text.

    The error text may contain the URL's secrets: scrub it before storing or logging it.
    """
    apprise_log = logging.getLogger("apprise")
    capture = _Capture()
    with _apprise_logs_withheld():
        apprise_log.addHandler(capture)
        try:
            sender = apprise.Apprise()
            if not sender.add(url):
                return "invalid Apprise URL: " + (" ".join(capture.lines) or "unparseable")
            result = sender.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT)
        finally:
            apprise_log.removeHandler(capture)
    if result:
        return None
    # The result's own log is attributed to this call even when Apprise used a worker thread.
    lines = [
        e.message.strip()
        for e in result.logs()
        if e.level in ("WARNING", "ERROR", "CRITICAL") and e.message.strip()
    ]
    return " ".join(lines or capture.lines) or "Apprise reported a failure without details"


def _due(n: Table, now: datetime):  # noqa: ANN202
    waiting = and_(
        n.c.status == "pending", or_(n.c.next_attempt_at.is_(None), n.c.next_attempt_at <= now)
    )
    # A claim whose lease ran out belongs to a dispatcher that died: take it again.
    abandoned = and_(n.c.status == "sending", n.c.next_attempt_at <= now)
    return or_(waiting, abandoned)


def claim_due(
    session: Session, *, now: datetime, limit: int, lease_seconds: float
) -> list[dict[str, Any]]:
    """Mark up to ``limit`` due rows as ``sending`` until ``now + lease`` and return them.

    One UPDATE ... WHERE id IN (SELECT ...) RETURNING statement, atomic on SQLite; on
    PostgreSQL the subquery takes FOR UPDATE SKIP LOCKED so concurrent dispatchers take
    disjoint rows instead of waiting for each other. The caller commits.
    """
    n: Table = Notification.__table__  # type: ignore[assignment]
    due = _due(n, now)
    pick = select(n.c.id).where(due).order_by(n.c.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    stmt = (
        update(n)
        .where(n.c.id.in_(pick.scalar_subquery()), due)
        .values(status="sending", next_attempt_at=now + timedelta(seconds=lease_seconds))
        .returning(
            n.c.id, n.c.key, n.c.cycle_id, n.c.recipient_nip, n.c.subject, n.c.body, n.c.attempts
        )
    )
    rows = [dict(r._mapping) for r in session.execute(stmt)]
    return sorted(rows, key=lambda r: r["id"])


def resolve_recipients(
    session: Session, nips: list[str], extra: Recipients | None = None
) -> dict[str, dict[str, Any]]:
    """Addresses by nip: employees from the database, then ``extra`` for the rest."""
    found: dict[str, dict[str, Any]] = {}
    unique = sorted(set(nips))
    for start in range(0, len(unique), 1000):
        chunk = unique[start : start + 1000]
        for e in session.scalars(select(Employee).where(Employee.nip.in_(chunk))):
            found[e.nip] = {
                "nip": e.nip,
                "name": e.name,
                "email": e.email,
                "phone": e.phone,
                "channels": e.channels,
                "unit_id": e.unit_id,
                "lang": e.lang,
            }
    rest = [nip for nip in unique if nip not in found]
    if rest and extra is not None:
        for nip, data in (extra(rest) or {}).items():
            if nip in rest:
                found[nip] = {"nip": nip, **data}
    return found


def static_recipients(mapping: Mapping[str, Mapping[str, Any]]) -> Recipients:
    """A ``recipients`` callable over a fixed mapping nip -> {email, phone, channels, ...}."""

    def lookup(nips: list[str]) -> dict[str, dict[str, Any]]:
        return {nip: dict(mapping[nip]) for nip in nips if nip in mapping}

    return lookup


def coordinator_recipients(config: CycleConfig) -> dict[str, dict[str, Any]]:
    """The HR coordinator of a cycle config as an extra recipient (role ``hr``)."""
    c = config.coordinator
    return {c.nip: {"name": c.name, "email": c.email, "role": "hr", "lang": config.lang}}


def all_coordinators(session: Session) -> dict[str, dict[str, Any]]:
    """Every cycle's HR coordinator as an extra recipient.

    The outbox is shared by all cycles, so one dispatcher pass must be able to reach the
    coordinator of any of them.
    """
    from kinerja.models.cycles.cycle import cycle_config
    from kinerja.models.store.tables import Cycle

    out: dict[str, dict[str, Any]] = {}
    for cycle in session.scalars(select(Cycle).order_by(Cycle.created_at)):
        out.update(coordinator_recipients(cycle_config(cycle)))
    return out


def routes_of_cycles(session: Session) -> dict[str, Routes | str]:
    """The routes of every cycle whose config names its own file (``notifications.routes``,
    made absolute when the cycle was created) and messages waiting in the outbox (a pass
    reads no file for cycles with nothing to send). Read on each pass: fixing a wrong address in
    the file needs no restart. A file that no longer loads maps to its error, so that only
    that cycle's messages wait (retried, then dead, each with the error), never the others."""
    from kinerja.models.schemas.config import ConfigError
    from kinerja.models.store.tables import Cycle

    out: dict[str, Routes | str] = {}
    waiting = select(Notification.cycle_id).where(Notification.status.in_(("pending", "sending")))
    for cycle_id, config in session.execute(
        select(Cycle.cycle_id, Cycle.config).where(Cycle.cycle_id.in_(waiting))
    ):
        path = ((config or {}).get("notifications") or {}).get("routes")
        if not path:
            continue
        try:
            out[cycle_id] = Routes.load(path)
        except (ConfigError, OSError) as exc:
            out[cycle_id] = f"routes file of cycle {cycle_id} / berkas rute: {exc}"
            log.error("%s", out[cycle_id])
    return out


def with_key_header(url: str, key: str | None) -> str:
    """An e-mail URL that also sets the ``X-Kinerja-Key`` header to the message's key.

    The receiving side (and the tests) can then tell a message delivered twice apart.
    """
    if not key or not url.startswith(("mailto://", "mailtos://")):
        return url
    from urllib.parse import quote

    separator = "&" if "?" in url else "?"
    return f"{url}{separator}+X-Kinerja-Key={quote(key, safe='')}"


def deliver(
    routes: Routes,
    recipient: Mapping[str, Any] | None,
    nip: str,
    *,
    title: str,
    body: str,
    key: str | None = None,
) -> tuple[str, str | None]:
    """Try the recipient's channels in order until one delivers.

    Returns ``("sent", channel)``, ``("retry", error)`` when a channel was tried and
    failed, or ``("dead", error)`` when no channel can reach the person at all.
    """
    if recipient is None:
        return "dead", (
            f"Penerima {nip} tidak ditemukan / Recipient {nip} not found "
            "(not an employee and not among the extra recipients)"
        )
    channels = routes.channels_for(recipient)
    errors: list[str] = []
    unreachable: list[str] = []
    for channel in channels:
        if channel not in routes.channels:
            unreachable.append(f"{channel}: unknown channel")
            continue
        try:
            url, secrets = routes.url_for(channel, recipient)
        except MissingAddress as exc:
            unreachable.append(str(exc))
            continue
        except RouteError as exc:
            errors.append(str(exc))
            continue
        error = send_one(with_key_header(url, key), title=title, body=body)
        if error is None:
            return "sent", channel
        errors.append(f"{channel}: {_scrub(error, secrets)}")
    if errors:
        return "retry", "Gagal mengirim / Sending failed: " + "; ".join(errors + unreachable)
    return "dead", (
        f"Penerima {nip} tidak punya alamat untuk kanal {', '.join(channels) or '-'} / "
        f"Recipient {nip} has no address for channel(s) {', '.join(channels) or '-'}"
        + (f" ({'; '.join(unreachable)})" if unreachable else "")
    )


def _record(
    session: Session,
    row: dict[str, Any],
    outcome: str,
    detail: str | None,
    *,
    now: datetime,
    max_attempts: int,
    backoff_seconds: float,
) -> str:
    n: Table = Notification.__table__  # type: ignore[assignment]
    attempts = row["attempts"] + 1
    if outcome == "sent":
        values: dict[str, Any] = dict(
            status="sent", sent_at=now, attempts=attempts, next_attempt_at=None, last_error=None
        )
    elif outcome == "retry" and attempts < max_attempts:
        delay = backoff_seconds * 2 ** (attempts - 1)
        values = dict(
            status="pending",
            attempts=attempts,
            next_attempt_at=now + timedelta(seconds=delay),
            last_error=detail,
        )
        outcome = "failed"
    else:
        values = dict(status="dead", attempts=attempts, next_attempt_at=None, last_error=detail)
        outcome = "dead"
    session.execute(update(n).where(n.c.id == row["id"], n.c.status == "sending").values(**values))
    return outcome


def dispatch_due(
    session_factory: Callable[[], Session],
    *,
    now: datetime,
    routes: Routes,
    recipients: Recipients | None = None,
    cycle_routes: Mapping[str, Routes | str] | None = None,
    max_attempts: int = 5,
    backoff_seconds: float = 30,
    limit: int = 500,
    lease_seconds: float = 600,
    workers: int = 8,
) -> DispatchReport:
    """Send the due rows of the outbox (at most ``limit``) and record each outcome.

    A row goes through its cycle's own routes (``cycle_routes``, see :func:`routes_of_cycles`)
    when that cycle has some, else through ``routes``.

    ``recipients`` resolves nips that are not employees (e.g. the HR coordinator) to
    ``{email, phone, channels, name, role, ...}``. After a failed attempt a row waits
    ``backoff_seconds * 2**(attempts-1)``; after ``max_attempts`` it is ``dead``, as is a
    row whose recipient has no usable address.
    """
    with session_factory() as session:
        claimed = claim_due(session, now=now, limit=limit, lease_seconds=lease_seconds)
        session.commit()
        if not claimed:
            return DispatchReport()
        people = resolve_recipients(session, [r["recipient_nip"] for r in claimed], recipients)
        session.commit()
        counts = {"sent": 0, "failed": 0, "dead": 0}

        def send(row: dict[str, Any]) -> tuple[str, str | None]:
            nip = row["recipient_nip"]
            own = (cycle_routes or {}).get(row["cycle_id"] or "", routes)
            if isinstance(own, str):  # the cycle's routes file does not load
                return "retry", own
            return deliver(
                own,
                people.get(nip),
                nip,
                title=row["subject"],
                body=row["body"],
                key=row["key"],
            )

        # Sending waits on the network, so a few threads overlap the waits; outcomes are
        # recorded here, in this thread, as each send finishes.
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = {pool.submit(send, row): row for row in claimed}
            for future in as_completed(futures):
                row = futures[future]
                outcome, detail = future.result()
                final = _record(
                    session,
                    row,
                    outcome,
                    None if outcome == "sent" else detail,
                    now=now,
                    max_attempts=max_attempts,
                    backoff_seconds=backoff_seconds,
                )
                # One commit per row: a crash loses at most the rows being sent, which are
                # sent again after their lease (at-least-once), never silently dropped.
                session.commit()
                counts[final] += 1
                if final != "sent":
                    log.warning(
                        "notification %s to %s: %s (%s)",
                        row["id"],
                        row["recipient_nip"],
                        final,
                        detail,
                    )
    report = DispatchReport(**counts)
    log.info("notifications dispatched: %s", report.as_dict())
    return report


@task(name="dispatch-notifications", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def dispatch_notifications(
    db_url: str | None,
    now: datetime,
    routes_path: str | None = None,
    extra_recipients: dict[str, dict[str, Any]] | None = None,
    max_attempts: int = 5,
    backoff_seconds: float = 30,
    limit: int = 500,
) -> dict[str, int]:
    """Prefect task: one dispatcher pass over the database at ``db_url`` (see dispatch_due).

    Without ``extra_recipients``, every cycle's HR coordinator can be reached.
    """
    from kinerja.models.store.db import get_engine, session_factory, session_scope

    engine = get_engine(db_url)
    with session_scope(engine) as session:
        if extra_recipients is None:
            extra_recipients = all_coordinators(session)
        cycle_routes = routes_of_cycles(session)
    report = dispatch_due(
        session_factory(engine),
        now=now,
        routes=Routes.load(routes_path),
        recipients=static_recipients(extra_recipients),
        cycle_routes=cycle_routes,
        max_attempts=max_attempts,
        backoff_seconds=backoff_seconds,
        limit=limit,
    )
    return report.as_dict()
