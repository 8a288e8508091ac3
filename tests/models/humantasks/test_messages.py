"""Task messages are digests: one message per recipient per call, one link line per task.

``queue_task_messages`` is called here directly with reminders (slot 1), after the tasks
were opened (which queued their own ``task_opened`` messages, left out of these counts).
M and the coordinator read Bahasa Indonesia, B reads English.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.orm import Session

from kinerja.models.humantasks.messages import digest_key_part, queue_task_messages, task_link
from kinerja.models.humantasks.opening import NewTask
from kinerja.models.outbox.queue import notification_key
from kinerja.models.store.tables import HumanTask, Notification
from kinerja.tests.models.orgfixture import (
    CYCLE_ID,
    HR,
    START,
    STRANGER,
    A,
    B,
    H,
    M,
    Org,
    build_org,
    check_message,
    days,
    notifications,
    open_with_tasks,
    task_by,
)

NOW = START + days(11)


@pytest.fixture
def org(session: Session) -> Org:
    """Reviews: A and B by M, M by H, X and H by B (who reads English), in id order."""
    org = build_org(session)
    reviews = [
        NewTask("review", A, M, {}),
        NewTask("review", B, M, {}),
        NewTask("review", M, H, {}),
        NewTask("review", STRANGER, B, {}),
        NewTask("review", H, B, {}),
    ]
    open_with_tasks(session, org=org, stage="review", tasks=reviews, now=START)
    session.commit()
    return org


def review_of(session: Session, subject: str) -> HumanTask:
    return task_by(session, "review", subject)


def remind(
    session: Session,
    org: Org,
    tasks: list[HumanTask],
    *,
    now: datetime = NOW,
    slot: int = 1,
    recipients: dict[int, str] | None = None,
) -> int:
    queued = queue_task_messages(
        session,
        cycle=org.cycle,
        config=org.config,
        tasks=tasks,
        kind="task_reminder",
        now=now,
        slot=slot,
        recipients=recipients,
    )
    session.commit()
    return queued


def reminders(session: Session) -> list[Notification]:
    return notifications(session, kind="task_reminder")


def url(org: Org, task: HumanTask) -> str:
    return task_link(org.config, task, nip=task.assignee_nip)


def key(task_id: int | str, recipient: str, slot: int = 1) -> str:
    return notification_key(
        cycle_id=CYCLE_ID, task_id=task_id, kind="task_reminder", recipient_nip=recipient, slot=slot
    )


@pytest.mark.parametrize(
    ("recipient", "subjects", "lang", "names", "label", "greeting"),
    [
        (M, (A, B), "id", ("Agus", "Bella"), "2 pegawai", "Yth. Maya,"),
        (B, (STRANGER, H), "en", ("Xaverius", "Hartono"), "2 people", "Dear Bella,"),
    ],
)
def test_two_tasks_for_one_person_make_one_message_listing_both_links(
    session: Session,
    org: Org,
    recipient: str,
    subjects: tuple[str, str],
    lang: str,
    names: tuple[str, str],
    label: str,
    greeting: str,
):
    first, second = (review_of(session, s) for s in subjects)
    assert first.id < second.id and {first.assignee_nip, second.assignee_nip} == {recipient}
    # Given in reverse order: the digest lists tasks by id whatever the caller's order.
    assert remind(session, org, [second, first]) == 1
    (message,) = reminders(session)
    assert (message.recipient_nip, message.lang, message.task_id) == (recipient, lang, first.id)
    assert message.key == key(digest_key_part([first.id, second.id]), recipient)
    assert message.link == f"{names[0]}: {url(org, first)}\n{names[1]}: {url(org, second)}"
    body = message.body.splitlines()
    assert body[0] == greeting
    assert f"{names[0]}: {url(org, first)}" in body and f"{names[1]}: {url(org, second)}" in body
    assert f"({label})" in message.body
    other = "2 people" if lang == "id" else "2 pegawai"
    assert other not in message.body
    assert check_message(session, message) == [first.id, second.id]


def test_tasks_for_two_recipients_make_two_messages(session: Session, org: Org):
    a, b, m = (review_of(session, s) for s in (A, B, M))
    assert remind(session, org, [a, b, m]) == 2
    by_recipient = {n.recipient_nip: n for n in reminders(session)}
    assert set(by_recipient) == {M, H}
    assert check_message(session, by_recipient[M]) == sorted([a.id, b.id])
    # H has one task: a plain message keyed by the task, its link alone, the subject named.
    single = by_recipient[H]
    assert (single.key, single.task_id, single.link) == (key(m.id, H), m.id, url(org, m))
    assert "(Maya)" in single.body and "pegawai" not in single.body
    assert check_message(session, single) == [m.id]


def test_recipients_not_assignees_decide_the_grouping(session: Session, org: Org):
    # As an escalation does: M's two tasks go to two different people, H's task to H.
    a, b, m = (review_of(session, s) for s in (A, B, M))
    assert remind(session, org, [a, b, m], slot=2, recipients={a.id: H, b.id: HR}) == 2
    by_recipient = {n.recipient_nip: n for n in reminders(session)}
    assert set(by_recipient) == {H, HR}
    assert check_message(session, by_recipient[H]) == sorted([a.id, m.id])
    assert by_recipient[H].key == key(digest_key_part([a.id, m.id]), H, slot=2)
    # The coordinator is no employee: named and addressed from the cycle config.
    coordinator = by_recipient[HR]
    assert (coordinator.key, coordinator.lang) == (key(b.id, HR, slot=2), "id")
    assert coordinator.body.startswith("Yth. Koordinator SDM,")


def test_queueing_the_same_group_twice_adds_no_row(session: Session, org: Org):
    a, b, m = (review_of(session, s) for s in (A, B, M))
    assert remind(session, org, [a, b, m]) == 2
    before = [(n.id, n.key, n.body, n.link, n.created_at) for n in reminders(session)]
    assert remind(session, org, [a, b, m]) == 0
    assert remind(session, org, [m, b, a], now=NOW + days(1)) == 0  # later, other order
    after = [(n.id, n.key, n.body, n.link, n.created_at) for n in reminders(session)]
    assert after == before
    # Another slot is another message.
    assert remind(session, org, [a, b], slot=2) == 1
    assert len(reminders(session)) == 3


def test_an_escalation_names_the_assignee_even_when_they_receive_nothing(
    session: Session, org: Org
):
    # H reviews M; escalated to the coordinator, the message must say who did not act:
    # H is neither the recipient nor a subject here, yet has a name.
    m = review_of(session, M)
    queued = queue_task_messages(
        session,
        cycle=org.cycle,
        config=org.config,
        tasks=[m],
        kind="task_escalated",
        now=NOW,
        slot=1,
        recipients={m.id: HR},
    )
    session.commit()
    assert queued == 1
    (message,) = notifications(session, kind="task_escalated")
    assert (message.recipient_nip, check_message(session, message)) == (HR, [m.id])
    assert "oleh Hartono" in message.body
    assert H not in message.body


def test_no_tasks_queue_nothing(session: Session, org: Org):
    assert remind(session, org, []) == 0
    assert reminders(session) == []
