"""Checkpoints of the audit chain, written outside the database.

A checkpoint is one line of JSON in ``KINERJA_HOME/audit/checkpoints.jsonl`` (or the file
``KINERJA_AUDIT_CHECKPOINTS`` names): the database it describes, the head's ``seq`` and hash
at that moment, when and why it was written, and an HMAC of all that under the audit key
(:mod:`kinerja.models.audit.keys`). Since the chain only grows, every later state of the log
must still hold, at that seq, an event with that hash, and must not end before it:
:func:`kinerja.models.audit.verify.verify` checks both. Someone who can rewrite the database
but not this file (nor read the key) cannot then truncate the log, rewrite it from an earlier
point, or empty it, without verify noticing.

The cycle writes one at each stage's close, each gate decision and each sweeper pass (see
tasks/audit.py), and ``kinerja audit checkpoint`` on demand. A head that has not moved since
the file's last checkpoint of the same database adds no line. Lines are appended under an
exclusive lock where the platform has one; the file is created readable by its owner only.

The database is named by its URL without user or password (:func:`database_label`), so one
file may serve several databases (a test run, a demo next to a real one); verify compares
only the lines of its own database and says how many others it skipped.
"""

from __future__ import annotations

import hmac
import json
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from kinerja.models.audit.canonical import canonical_json
from kinerja.models.audit.chain import HEAD_ID
from kinerja.models.audit.keys import DEMO_KEY_ID, Keyring, signing_keyring
from kinerja.models.store.db import DEFAULT_HOME
from kinerja.models.store.tables import AuditHead

try:  # POSIX: appends from several processes do not interleave
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

CHECKPOINTS_ENV = "KINERJA_AUDIT_CHECKPOINTS"
_MAC_LABEL = b"kinerja-audit-checkpoint\n"
_TAIL_BYTES = 64 * 1024


def checkpoint_path(environ: dict[str, str] | None = None) -> Path:
    """The checkpoint file: ``KINERJA_AUDIT_CHECKPOINTS``, else under KINERJA_HOME."""
    env = os.environ if environ is None else environ
    named = env.get(CHECKPOINTS_ENV, "").strip()
    if named:
        return Path(named).expanduser()
    return Path(env.get("KINERJA_HOME", DEFAULT_HOME)) / "audit" / "checkpoints.jsonl"


def database_label(url: URL | str) -> str:
    """The database a checkpoint describes: backend, host, port, database and schema
    options of ``url``, never its user or password."""
    url = make_url(url) if isinstance(url, str) else url
    backend = url.get_backend_name()
    if backend == "sqlite":
        name = url.database or ""
        if name and name != ":memory:" and not name.startswith("file:"):
            name = str(Path(name).resolve())
        return f"sqlite:{name}"
    port = url.port or (5432 if backend == "postgresql" else "")
    label = f"{backend}://{url.host or ''}:{port}/{url.database or ''}"
    options = url.query.get("options")
    if options:
        label += f"?options={options if isinstance(options, str) else ','.join(options)}"
    return label


def session_database(session: Session) -> str:
    return database_label(session.get_bind().url)


@dataclass(frozen=True)
class Checkpoint:
    """One checkpoint line; ``line`` is its line number in the file (0 before writing)."""

    database: str
    seq: int
    hash: str
    at: str
    reason: str
    key_id: str
    line: int = field(default=0, compare=False)

    def signed_fields(self) -> dict[str, Any]:
        fields = asdict(self)
        del fields["line"]
        return fields


def _mac_input(fields: dict[str, Any]) -> bytes:
    return _MAC_LABEL + canonical_json(fields).encode("utf-8")


def _last_line_of(path: Path, database: str) -> dict[str, Any] | None:
    """The file's last line about ``database`` among its last lines, parsed; None if none."""
    try:
        with path.open("rb") as f:
            size = f.seek(0, os.SEEK_END)
            f.seek(max(0, size - _TAIL_BYTES))
            tail = f.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return None
    for text in reversed(tail.splitlines()):
        try:
            row = json.loads(text)
        except ValueError:
            continue
        if isinstance(row, dict) and row.get("database") == database:
            return row
    return None


def write_checkpoint(
    session: Session,
    *,
    reason: str,
    at: datetime,
    keyring: Keyring | None = None,
    path: Path | None = None,
) -> Checkpoint | None:
    """Record the committed head of the chain in the checkpoint file; returns the checkpoint.

    Call it after the transaction that appended events has committed. Returns None when the
    log is empty (nothing to pin). When the file's last checkpoint of this database already
    names the same head, no line is added and that checkpoint is returned.
    """
    head = session.execute(
        select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == HEAD_ID)
    ).first()
    if head is None or head.seq == 0:
        return None
    key = (keyring or signing_keyring()).signing
    path = path or checkpoint_path()
    database = session_database(session)
    last = _last_line_of(path, database)
    if last is not None and (last.get("seq"), last.get("hash")) == (head.seq, head.hash):
        return Checkpoint(**{k: last[k] for k in Checkpoint.__dataclass_fields__ if k != "line"})
    checkpoint = Checkpoint(
        database=database,
        seq=head.seq,
        hash=head.hash,
        at=at.isoformat(),
        reason=reason,
        key_id=key.key_id,
    )
    fields = checkpoint.signed_fields()
    line = json.dumps({**fields, "mac": key.mac(_mac_input(fields))}, ensure_ascii=False) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock
    return checkpoint


@dataclass
class CheckpointLog:
    """The genuine checkpoints of one database, and what was wrong with the file."""

    path: Path
    checkpoints: list[Checkpoint] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    other_databases: int = 0
    unverifiable: int = 0
    """Lines of other databases signed by keys not in the keyring (not checked)."""


def read_checkpoints(*, database: str, keyring: Keyring, path: Path | None = None) -> CheckpointLog:
    """Every checkpoint of ``database`` in the file whose MAC verifies under ``keyring``.

    A line of this database that does not parse, names a key outside the keyring or fails
    its MAC is a problem (an edited or forged checkpoint). A line of another database is
    checked too when its key is in the keyring (an edited label must not hide a line), and
    skipped otherwise.
    """
    path = path or checkpoint_path()
    log = CheckpointLog(path=path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return log
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(raw)
            mac = row.pop("mac")
            checkpoint = Checkpoint(**row, line=number)
            ok_types = isinstance(checkpoint.seq, int) and isinstance(checkpoint.hash, str)
        except (ValueError, TypeError, KeyError, AttributeError):
            ok_types = False
        if not ok_types:
            log.problems.append(
                f"{where}: baris checkpoint rusak / not a checkpoint line (edited?)"
            )
            continue
        mine = checkpoint.database == database
        key = keyring.get(checkpoint.key_id)
        if key is None:
            if not mine:
                log.unverifiable += 1
            elif checkpoint.key_id == DEMO_KEY_ID:
                log.problems.append(
                    f"{where}: checkpoint ditandatangani kunci demo publik / checkpoint signed "
                    "with the public demo key, which anyone can use"
                )
            else:
                log.problems.append(
                    f"{where}: checkpoint ditandatangani kunci {checkpoint.key_id} yang tidak "
                    f"ada di keyring / checkpoint signed by key {checkpoint.key_id}, which is "
                    "not in the keyring"
                )
            continue
        expected = key.mac(_mac_input(checkpoint.signed_fields()))
        if not (isinstance(mac, str) and hmac.compare_digest(expected, mac)):
            log.problems.append(
                f"{where}: checkpoint diubah (MAC tidak cocok) / checkpoint altered (MAC mismatch)"
            )
            continue
        if mine:
            log.checkpoints.append(checkpoint)
        else:
            log.other_databases += 1
    return log
