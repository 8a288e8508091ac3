"""Verifying the audit log (``kinerja audit verify``): recompute the whole keyed chain,
compare it with every checkpoint written outside the database, and report every altered,
missing, inserted or forged event, a deleted tail, and an emptied log.

What a clean report proves, given that the key and the checkpoint file were out of reach of
whoever could write to the database: every event up to the head was written by a holder of a
key in the keyring, none was changed or removed since, and the log reaches at least as far as
the last checkpoint. It does not prove anything about events appended after the last
checkpoint and then removed, nor about rows outside the log (the comparison of the results
with their events is models/results/agreement.py).

Unkeyed events (written before keys existed) verify by their plain sha256, and are accepted
only once sealed: by the first keyed event after them (its keyed hash covers their last
hash) or by a checkpoint at or after their last seq. Unsealed, anyone could have written them
(a whole log rewritten without the key looks exactly like that), so they are a problem until
``kinerja audit checkpoint`` seals them. Sealing proves they have not changed since, nothing
about before. An unkeyed event after a keyed one is a problem: no writer of this version
produces one.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from kinerja.models.audit.canonical import event_hash
from kinerja.models.audit.chain import EVENT_FIELDS, GENESIS_HASH, HEAD_ID
from kinerja.models.audit.checkpoints import Checkpoint, read_checkpoints, session_database
from kinerja.models.audit.keys import DEMO_KEY_ID, Keyring, signing_keyring
from kinerja.models.store.tables import AuditEvent, AuditHead, Cycle, Result


@dataclass
class VerifyReport:
    """The outcome of :func:`verify`.

    ``problems`` name the seq (or checkpoint line) and what is wrong; ``notes`` say what the
    verification rested on (keys, checkpoints, unkeyed events and what seals them).
    """

    ok: bool
    events: int
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checkpoints: int = 0


@dataclass
class _Span:
    """The events sharing one problem (consecutive or not), reported as one line."""

    count: int = 0
    first: int = 0
    last: int = 0

    def add(self, seq: int) -> None:
        self.count += 1
        self.first = self.first or seq
        self.last = seq

    def seqs(self) -> str:
        return f"seq {self.first}" if self.count == 1 else f"seq {self.first}-{self.last}"


class _Problems:
    """Problems up to a limit, then a count of the rest."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.items: list[str] = []
        self.extra = 0

    def __call__(self, message: str) -> None:
        if len(self.items) < self.limit:
            self.items.append(message)
        else:
            self.extra += 1

    def done(self) -> list[str]:
        if self.extra:
            self.items.append(f"... {self.extra} masalah lain / {self.extra} more problems")
        return self.items


def _pins(checkpoints: list[Checkpoint]) -> dict[int, dict[str, Checkpoint]]:
    pins: dict[int, dict[str, Checkpoint]] = {}
    for c in checkpoints:
        pins.setdefault(c.seq, {}).setdefault(c.hash, c)
    return pins


def verify(
    session: Session,
    *,
    keyring: Keyring | None = None,
    checkpoint_file: Path | None = None,
    max_problems: int = 1000,
    batch: int = 5000,
) -> VerifyReport:
    """Recompute the whole chain, compare it with the checkpoints, and report.

    ``keyring`` defaults to the writers' (:func:`signing_keyring`); ``kinerja audit verify``
    passes :func:`~kinerja.models.audit.keys.load_keyring`'s, which refuses to run without a
    configured key outside the demo. Streams the events in seq order (memory stays flat but
    for the checkpoints). Checks, per event: its hash against its content and key, its
    ``prev_hash`` against the previous event's hash, gaps in seq, and the hash every
    checkpoint recorded at its seq; then the head against the last event and the last
    checkpoint, and an empty log against the cycles and results that exist. At most
    ``max_problems`` problems are listed; a last line counts the rest.
    """
    keyring = keyring or signing_keyring()
    report = _Problems(max_problems)
    log = read_checkpoints(
        database=session_database(session), keyring=keyring, path=checkpoint_file
    )
    for problem in log.problems:
        report(problem)
    pins = _pins(log.checkpoints)
    seen_pins: set[int] = set()
    held: list[Checkpoint] = []  # checkpoints whose event still has the recorded hash

    columns = [
        AuditEvent.__table__.c[name]
        for name in (*EVENT_FIELDS, "seq", "at", "prev_hash", "key_id", "hash")
    ]
    stmt = select(*columns).order_by(AuditEvent.__table__.c.seq).execution_options(yield_per=batch)
    count = 0
    last_seq, last_hash = 0, GENESIS_HASH
    unkeyed, downgraded = _Span(), _Span()
    unknown: dict[str, _Span] = {}
    first_keyed = 0
    for row in session.execute(stmt):
        count += 1
        if row.seq != last_seq + 1:
            missing = (
                f"{last_seq + 1}" if row.seq == last_seq + 2 else f"{last_seq + 1}-{row.seq - 1}"
            )
            report(
                f"seq {row.seq}: event seq {missing} hilang (dihapus?) / "
                f"event seq {missing} missing (deleted?)"
            )
        if row.prev_hash != last_hash:
            report(
                f"seq {row.seq}: prev_hash tidak cocok dengan hash event sebelumnya (seq "
                f"{last_seq}) / prev_hash does not match the previous event's hash (seq {last_seq})"
            )
        checkable = True
        key = None
        if row.key_id is None:
            if first_keyed:
                downgraded.add(row.seq)
            else:
                unkeyed.add(row.seq)
        else:
            first_keyed = first_keyed or row.seq
            key = keyring.get(row.key_id)
            if key is None:
                unknown.setdefault(row.key_id, _Span()).add(row.seq)
                checkable = False
        if checkable:
            expected = event_hash(
                prev_hash=row.prev_hash,
                seq=row.seq,
                at=row.at,
                actor=row.actor,
                action=row.action,
                cycle_id=row.cycle_id,
                entity=row.entity,
                entity_id=row.entity_id,
                payload=row.payload,
                key=key,
            )
            if not hmac.compare_digest(expected, row.hash or ""):
                report(
                    f"seq {row.seq}: isi event diubah atau dipalsukan (hash tidak cocok) / "
                    f"event content altered or forged (hash mismatch)"
                )
        for pinned, checkpoint in pins.get(row.seq, {}).items():
            seen_pins.add(row.seq)
            if pinned == row.hash:
                held.append(checkpoint)
            else:
                report(
                    f"seq {row.seq}: hash berbeda dari checkpoint {_where(checkpoint)} "
                    f"(log ditulis ulang?) / the hash differs from checkpoint "
                    f"{_where(checkpoint)} (log rewritten?)"
                )
        last_seq, last_hash = row.seq, row.hash

    _report_keys(report, unknown, downgraded)
    head = session.execute(
        select(AuditHead.__table__.c.seq, AuditHead.__table__.c.hash).where(
            AuditHead.__table__.c.id == HEAD_ID
        )
    ).first()
    _report_head(report, head, count=count, last_seq=last_seq, last_hash=last_hash)
    _report_checkpoints(report, pins, seen_pins, last_seq=last_seq, head=head)
    if count == 0:
        _report_empty(session, report)

    notes = [f"kunci / keys: {keyring.describe()}"]
    if keyring.demo:
        notes.append(
            "kunci demo publik diterima (demo) / the public demo key is accepted (demo): the "
            "log proves nothing against anyone who knows it"
        )
    notes.append(
        f"checkpoint: {len(log.checkpoints)} dibandingkan / compared ({log.path}); "
        f"{log.other_databases + log.unverifiable} milik basis data lain dilewati / "
        "of other databases skipped"
    )
    if unkeyed.count:
        text = (
            f"{unkeyed.seqs()}: {unkeyed.count} event tanpa kunci (ditulis sebelum kunci audit) "
            f"/ {unkeyed.count} unkeyed event(s), written before audit keys"
        )
        sealed = _seal(unkeyed, first_keyed, held)
        if sealed:
            notes.append(f"{text}; {sealed}")
        else:
            report(
                f"{text}: belum disegel, siapa pun yang bisa menulis ke basis data dapat "
                "membuatnya; bila basis data ini memang dari sebelum kunci audit, periksa lalu "
                "segel dengan `kinerja audit checkpoint` / not sealed by a keyed event or a "
                "checkpoint, so anyone with write access to the database could have made them; "
                "if this database predates audit keys, check it and seal it with "
                "`kinerja audit checkpoint`"
            )
    problems = report.done()
    return VerifyReport(
        ok=not problems,
        events=count,
        problems=problems,
        notes=notes,
        checkpoints=len(log.checkpoints),
    )


def _where(checkpoint: Checkpoint) -> str:
    return f"baris/line {checkpoint.line} ({checkpoint.at}, {checkpoint.reason})"


def _seal(unkeyed: _Span, first_keyed: int, checkpoints: list[Checkpoint]) -> str:
    """What protects the unkeyed events, or "" when nothing does."""
    if first_keyed:
        return (
            f"disegel oleh event berkunci seq {first_keyed} / sealed by keyed event seq "
            f"{first_keyed}"
        )
    covering = [c for c in checkpoints if c.seq >= unkeyed.last]
    if covering:
        return f"disegel oleh checkpoint / sealed by checkpoint {_where(covering[0])}"
    return ""


def _report_keys(report: _Problems, unknown: dict[str, _Span], downgraded: _Span) -> None:
    for key_id, span in sorted(unknown.items()):
        if key_id == DEMO_KEY_ID:
            report(
                f"{span.seqs()}: {span.count} event ditandatangani kunci demo publik / "
                f"{span.count} event(s) signed with the public demo key, which anyone can use: "
                "no evidence outside the demo (KINERJA_DEMO=1 checks a demo database)"
            )
        else:
            report(
                f"{span.seqs()}: {span.count} event ditandatangani kunci {key_id} yang tidak ada"
                f" di keyring / {span.count} event(s) signed by key {key_id}, which is not in "
                "the keyring (KINERJA_AUDIT_KEY_FILE): a retired key missing, or forged events"
            )
    if downgraded.count:
        report(
            f"{downgraded.seqs()}: {downgraded.count} event tanpa kunci setelah event berkunci /"
            f" {downgraded.count} unkeyed event(s) after keyed ones: rewritten without the key"
        )


def _report_head(
    report: _Problems, head: Any, *, count: int, last_seq: int, last_hash: str
) -> None:
    if head is None:
        if count:
            report(
                f"seq {last_seq}: baris kepala (audit_head) tidak ada / "
                "the head row (audit_head) is missing"
            )
    elif head.seq != last_seq:
        seq = head.seq
        report(
            f"seq {seq}: kepala rantai menunjuk seq {seq}, event terakhir seq "
            f"{last_seq} (event terakhir dihapus?) / the head names seq {seq}, the last "
            f"event is seq {last_seq} (events deleted at the end?)"
        )
    elif head.hash != last_hash:
        report(
            f"seq {last_seq}: hash kepala rantai tidak cocok dengan event terakhir / "
            "the head's hash does not match the last event"
        )


def _report_checkpoints(
    report: _Problems,
    pins: dict[int, dict[str, Checkpoint]],
    seen: set[int],
    *,
    last_seq: int,
    head: Any,
) -> None:
    for seq in sorted(set(pins) - seen):
        if seq <= last_seq:
            checkpoint = next(iter(pins[seq].values()))
            report(
                f"seq {seq}: event yang dicatat checkpoint {_where(checkpoint)} hilang / the "
                f"event checkpoint {_where(checkpoint)} recorded is missing"
            )
    if not pins:
        return
    top = max(pins)
    checkpoint = next(iter(pins[top].values()))
    head_seq = getattr(head, "seq", 0)
    if top > last_seq or top > head_seq:
        report(
            f"seq {top}: log berakhir di seq {last_seq} (kepala {head_seq}), padahal checkpoint "
            f"{_where(checkpoint)} mencatat seq {top} / the log ends at seq {last_seq} (head "
            f"{head_seq}) but checkpoint {_where(checkpoint)} recorded seq {top}: events at "
            "the end were removed"
        )


def _report_empty(session: Session, report: _Problems) -> None:
    """An empty log is only right in a database where nothing happened yet."""
    if not session.scalar(select(exists().where(Cycle.cycle_id.is_not(None)))):
        if not session.scalar(select(exists().where(Result.nip.is_not(None)))):
            return
    cycles = session.scalar(select(func.count()).select_from(Cycle))
    results = session.scalar(select(func.count()).select_from(Result))
    report(
        f"log audit kosong, padahal ada {cycles} siklus dan {results} hasil / the audit log is "
        f"empty while {cycles} cycle(s) and {results} result(s) exist: events deleted"
    )
