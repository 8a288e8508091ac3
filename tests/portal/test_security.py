"""Every way in that is not the person's own open task is refused and changes nothing.

Each attack runs against the same organisation; every table is compared before and after
(the audit chain apart), and the audit chain grows by exactly the ``portal.refused`` events
the issue asks for: an attempt by a person on a task that is not theirs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import httpx

from kinerja.models.audit.verify import verify as verify_chain
from kinerja.models.humantasks.links import sign, sign_person, task_expiry
from kinerja.models.humantasks.states import Actor
from kinerja.models.responses.service import respond
from kinerja.models.store.tables import Cycle, HumanTask
from kinerja.tests.portal.portalfixture import (
    HR,
    SECRET,
    STRANGER,
    A,
    B,
    M,
    Portal,
    audit_events,
    build_portal,
    csrf_of,
    open_form,
    table_rows,
)


@dataclass
class Attack:
    name: str
    status: int
    audited: bool
    run: Callable[[Portal], httpx.Response]
    words: str = ""
    """Text the refusal page must show."""


def _tamper_nip(p: Portal) -> str:
    """Maya's genuine token with Bella's NIP put in: valid only for the NIP it was signed for."""
    mine = p.token("approve_targets").split(".")
    bella = sign(1, B, task_expiry(p.task("approve_targets").final_due_at), SECRET).split(".")
    return ".".join([mine[0], bella[1], mine[2], mine[3]])


def _get(path: Callable[[Portal], str]) -> Callable[[Portal], httpx.Response]:
    return lambda p: p.client.get(path(p))


def _post(path: Callable[[Portal], str], **form: str) -> Callable[[Portal], httpx.Response]:
    """POST with a CSRF token from a page the portal rendered (for Maya's approval)."""

    def run(p: Portal) -> httpx.Response:
        csrf = open_form(p, f"/t/{p.token('approve_targets')}")
        return p.client.post(path(p), data={"csrf_token": csrf, "decision": "approve", **form})

    return run


def _expired(p: Portal) -> str:
    task = p.task("approve_targets")
    return f"/t/{sign(task.id, M, p.clock.now() - timedelta(seconds=1), SECRET)}"


def _stale_csrf(p: Portal) -> httpx.Response:
    path = f"/t/{p.token('approve_targets')}"
    csrf = open_form(p, path)
    p.clock.advance(timedelta(hours=13))
    try:
        return p.client.post(path, data={"csrf_token": csrf, "decision": "approve"})
    finally:
        p.clock.advance(timedelta(hours=-13))


def _csrf_of_other_link(p: Portal) -> httpx.Response:
    other = open_form(p, f"/t/{p.token('approve_targets', B)}")
    path = f"/t/{p.token('approve_targets')}"
    return p.client.post(path, data={"csrf_token": other, "decision": "approve"})


def _csrf_forged(p: Portal) -> httpx.Response:
    csrf = open_form(p, f"/t/{p.token('approve_targets')}")
    nonce, issued, mac = csrf.split(".")
    forged = f"{nonce}.{issued}.{'0' * len(mac)}"
    return p.client.post(
        f"/t/{p.token('approve_targets')}", data={"csrf_token": forged, "decision": "approve"}
    )


def _variant(token: str, part: int, change: Callable[[str], str]) -> str:
    """The token with one of its four parts changed."""
    parts = token.split(".")
    parts[part] = change(parts[part])
    return ".".join(parts)


def _loose_base64(token: str) -> str:
    """The NIP part written with padding bits set: the same bytes, another string."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    nip = token.split(".")[1]
    assert len(nip) % 4 == 2, "a NIP whose encoding ends with four padding bits"
    last = alphabet[alphabet.index(nip[-1]) + 1]
    return _variant(token, 1, lambda part: part[:-1] + last)


def _oversized(p: Portal) -> httpx.Response:
    csrf = open_form(p, f"/t/{p.token('approve_targets')}")
    data = {"csrf_token": csrf, "decision": "return", "comment": "x" * 200_000}
    return p.client.post(f"/t/{p.token('approve_targets')}", data=data)


def _oversized_stream(p: Portal) -> httpx.Response:
    """A body sent in chunks with no length declared, far past the limit."""
    csrf = open_form(p, f"/t/{p.token('approve_targets')}")

    def chunks():  # noqa: ANN202
        yield f"csrf_token={csrf}&decision=return&comment=".encode()
        for _ in range(200):
            yield b"y" * 4096

    return p.client.post(
        f"/t/{p.token('approve_targets')}",
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )


ATTACKS = [
    Attack(
        "forged signature",
        403,
        False,
        _get(lambda p: f"/t/{p.token('approve_targets')[:-2]}xx"),
        "Tautan tidak sah",
    ),
    Attack(
        "signed with another secret",
        403,
        False,
        _get(lambda p: "/t/" + sign(1, M, p.clock.now() + timedelta(days=9), b"z" * 40)),
    ),
    Attack("garbage token", 403, False, _get(lambda p: "/t/1.2.3")),
    Attack("token with another NIP", 403, False, _get(lambda p: f"/t/{_tamper_nip(p)}")),
    Attack("forged POST", 403, False, _post(lambda p: f"/t/{p.token('approve_targets')}0")),
    Attack("expired link", 410, False, _get(_expired), "Tautan kedaluwarsa / Link expired"),
    Attack("expired link POST", 410, False, _post(_expired)),
    Attack(
        "another person's task (GET)",
        403,
        True,
        _get(lambda p: f"/t/{p.token('approve_targets', nip=STRANGER)}"),
        "not valid for you",
    ),
    Attack(
        "another person's task (POST)",
        403,
        True,
        _post(lambda p: f"/t/{p.token('approve_targets', nip=STRANGER)}"),
    ),
    Attack(
        "approving one's own targets",
        403,
        True,
        _get(lambda p: f"/t/{p.token('approve_targets', nip=A)}"),
    ),
    Attack(
        "the manager on the employee's own task",
        403,
        True,
        _get(lambda p: f"/t/{p.token('report_realisation', nip=M)}"),
    ),
    Attack(
        "the coordinator without a reason",
        403,
        True,
        _post(lambda p: f"/t/{p.token('approve_targets', nip=HR)}"),
    ),
    Attack(
        "missing CSRF token",
        400,
        False,
        lambda p: p.client.post(f"/t/{p.token('approve_targets')}", data={"decision": "approve"}),
        "Reload the page",
    ),
    Attack("CSRF token of another link", 400, False, _csrf_of_other_link),
    Attack("forged CSRF token", 400, False, _csrf_forged),
    Attack("stale CSRF token", 400, False, _stale_csrf),
    Attack("forged person page", 403, False, _get(lambda p: "/me/p.QS0x.9999999999.xx")),
    Attack(
        "task token as person page",
        403,
        False,
        _get(lambda p: f"/me/{p.token('approve_targets')}"),
    ),
    Attack(
        "person token as task link",
        403,
        False,
        _get(lambda p: f"/t/{sign_person(M, p.clock.now() + timedelta(days=1), SECRET)}"),
    ),
    Attack(
        "expired person page",
        410,
        False,
        _get(lambda p: f"/me/{sign_person(M, p.clock.now(), SECRET)}"),
    ),
    # Tokens are read only in the exact form the portal writes them.
    Attack(
        "token with a leading zero in its expiry",
        403,
        False,
        _get(lambda p: "/t/" + _variant(p.token("approve_targets"), 2, lambda e: "0" + e)),
    ),
    Attack(
        "token with a plus sign in its task id",
        403,
        False,
        _get(lambda p: "/t/" + _variant(p.token("approve_targets"), 0, lambda t: "+" + t)),
    ),
    Attack(
        "token with base64 padding",
        403,
        False,
        _get(lambda p: "/t/" + _variant(p.token("approve_targets"), 1, lambda n: n + "=")),
    ),
    Attack(
        "person token with a loose base64 NIP",
        403,
        False,
        _get(
            lambda p: "/me/" + _loose_base64(sign_person(HR, p.clock.now() + timedelta(1), SECRET))
        ),
    ),
    # What a form may bring: its own fields, within bounds, in a small body.
    Attack(
        "a field the page does not have",
        400,
        False,
        _post(lambda p: f"/t/{p.token('approve_targets')}", **{"tc:B-1-T1": "not yours"}),
        "does not have",
    ),
    Attack("a POST over the size limit", 413, False, _oversized, "too large"),
    Attack("a streamed POST over the size limit", 413, False, _oversized_stream, "too large"),
    Attack(
        "a comment over its length",
        400,
        False,
        _post(lambda p: f"/t/{p.token('approve_targets')}", comment="k" * 6000),
        "5000",
    ),
]


def _check(portal: Portal, attack: Attack, counts: Counter[int]) -> None:
    before = table_rows(portal.engine)
    events_before = len(audit_events(portal.engine))
    response = attack.run(portal)
    assert response.status_code == attack.status, (attack.name, response.text[-600:])
    assert attack.words in response.text, attack.name
    assert table_rows(portal.engine) == before, f"{attack.name} changed something"
    events = audit_events(portal.engine)[events_before:]
    if attack.audited:
        assert [e.action for e in events] == ["portal.refused"], attack.name
        assert events[0].payload["reason"] and events[0].payload["method"] in ("GET", "POST")
    else:
        assert events == [], attack.name
    counts[attack.status] += 1


def test_every_attack_on_an_open_task_is_refused_and_changes_nothing(engine, monkeypatch):
    portal = build_portal(engine, monkeypatch)
    counts: Counter[int] = Counter()
    for attack in ATTACKS:
        _check(portal, attack, counts)
    refused = audit_events(engine)[-1]
    assert (refused.actor, refused.entity_id) == (HR, str(portal.tasks[("approve_targets", A)]))
    assert "alasan" in refused.payload["reason"]
    with portal.session() as s:
        assert verify_chain(s).ok
    print(
        f"\nportal security: {sum(counts.values())} attacks refused "
        f"(403: {counts[403]}, 410: {counts[410]}, 400: {counts[400]}, 413: {counts[413]}),"
        " none changed anything"
    )
    assert sum(counts.values()) == len(ATTACKS)


def test_a_link_stops_working_once_its_task_is_closed(engine, monkeypatch):
    portal = build_portal(engine, monkeypatch)
    path = f"/t/{portal.token('approve_targets')}"
    csrf = open_form(portal, path)
    assert portal.client.post(path, data={"csrf_token": csrf, "decision": "approve"}).status_code
    bella_path = f"/t/{portal.token('approve_targets', B)}"
    bella_csrf = open_form(portal, bella_path)
    # Bella's approval is closed by the coordinator through the same service (the CLI's door).
    with portal.session() as s:
        respond(
            s,
            task_id=portal.tasks[("approve_targets", B)],
            actor=Actor(HR, reason="atasan cuti / manager on leave"),
            data={"decision": "approve"},
            now=portal.clock.now(),
        )
        s.commit()
    counts: Counter[int] = Counter()
    closed = [
        Attack(
            "reused link after the task closed",
            410,
            False,
            _get(lambda p: path),
            "Sudah dijawab / Already answered",
        ),
        Attack(
            "a different answer to a closed task",
            410,
            False,
            lambda p: p.client.post(
                path, data={"csrf_token": csrf, "decision": "return", "comment": "ubah"}
            ),
            "Sudah dijawab / Already answered",
        ),
        Attack(
            "POST on a task closed by someone else",
            410,
            False,
            lambda p: p.client.post(
                bella_path, data={"csrf_token": bella_csrf, "decision": "approve"}
            ),
        ),
        Attack("GET on a task closed by someone else", 410, False, _get(lambda p: bella_path)),
        Attack(
            "another person on a closed task",
            403,
            True,
            _get(lambda p: f"/t/{p.token('approve_targets', nip=STRANGER)}"),
        ),
    ]
    for attack in closed:
        _check(portal, attack, counts)
    print(f"\nportal security: {sum(counts.values())} uses of closed tasks refused")
    assert sum(counts.values()) == len(closed)


def test_a_link_expires_a_day_after_the_final_deadline(engine, monkeypatch):
    portal = build_portal(engine, monkeypatch)
    task = portal.task("approve_targets")
    path = f"/t/{portal.token('approve_targets')}"
    csrf = csrf_of(portal.client.get(path).text)
    portal.clock.set(task.final_due_at + timedelta(days=1))
    before = table_rows(portal.engine, with_audit=True)
    assert portal.client.get(path).status_code == 410
    response = portal.client.post(path, data={"csrf_token": csrf, "decision": "approve"})
    assert response.status_code == 410
    assert table_rows(portal.engine, with_audit=True) == before


def test_a_link_sent_before_an_extension_works_until_the_new_final_deadline(engine, monkeypatch):
    from kinerja.models.humantasks.extensions import extend_tasks

    portal = build_portal(engine, monkeypatch)
    task = portal.task("approve_targets")
    old_path = f"/t/{portal.token('approve_targets')}"  # as the first message carried it
    with portal.session() as s:
        cycle = s.get(Cycle, task.cycle_id)
        extend_tasks(
            s,
            cycle=cycle,
            tasks=[s.get(HumanTask, task.id)],
            days=5,
            reason="banjir",
            by=HR,
            now=portal.clock.now(),
        )
        s.commit()
    forged_short = f"/t/{sign(task.id, M, task.final_due_at - timedelta(hours=1), SECRET)}"
    portal.clock.set(task.final_due_at + timedelta(days=2))  # the old link's expiry has passed
    assert portal.client.get(old_path).status_code == 200
    assert portal.client.get(forged_short).status_code == 410  # any other expiry stands
    portal.clock.set(task.final_due_at + timedelta(days=6, hours=1))  # the new one too
    assert portal.client.get(old_path).status_code == 410
