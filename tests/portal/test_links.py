"""Signed links: one task and one person per token, an expiry, and a secret that is real."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from kinerja.models.humantasks.links import (
    DEMO_SECRET,
    ExpiredLink,
    ForgedLink,
    SecretError,
    decode,
    link_secret,
    load_secret,
    sign,
    sign_person,
    task_expiry,
    verify,
    verify_person,
)
from kinerja.models.humantasks.messages import task_link
from kinerja.models.humantasks.opening import NewTask
from kinerja.portal.app import create_app
from kinerja.tests.models.orgfixture import START, A, M, build_org, open_with_tasks

KEY = b"k" * 40
EXPIRES = datetime(2025, 3, 1, 12, 0)
BEFORE = EXPIRES - timedelta(seconds=1)


def test_a_token_names_its_task_and_person_until_it_expires():
    token = sign(42, "199001012020121001", EXPIRES, KEY)
    assert verify(token, KEY, BEFORE) == (42, "199001012020121001")
    assert token.startswith("42.")
    assert sign(42, "199001012020121001", EXPIRES, KEY) == token  # the same link each time
    with pytest.raises(ExpiredLink, match="kedaluwarsa.*expired"):
        verify(token, KEY, EXPIRES)


def _swap(token: str, index: int, value: str) -> str:
    parts = token.split(".")
    parts[index] = value
    return ".".join(parts)


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda t: _swap(t, 0, "43"), id="another task"),
        pytest.param(lambda t: _swap(t, 1, sign(7, "B-1", EXPIRES, KEY).split(".")[1]), id="nip"),
        pytest.param(lambda t: _swap(t, 2, str(int(t.split(".")[2]) + 86400)), id="later expiry"),
        pytest.param(lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), id="signature"),
        pytest.param(lambda t: sign(42, "A-1", EXPIRES, b"x" * 40), id="other secret"),
        pytest.param(lambda t: "p." + t.split(".", 1)[1], id="as a person token"),
        pytest.param(lambda t: "042." + t.split(".", 1)[1], id="zero-padded id"),
        pytest.param(lambda t: t + ".x", id="extra part"),
        pytest.param(lambda t: "not-a-token", id="garbage"),
        pytest.param(lambda t: "42.\u00e9\u00e9.1.\u00e9", id="non-ascii"),
    ],
)
def test_any_change_to_a_token_is_a_forgery(tamper):
    token = sign(42, "A-1", EXPIRES, KEY)
    with pytest.raises(ForgedLink, match="tidak sah / invalid link"):
        verify(tamper(token), KEY, BEFORE)


def test_forgery_is_detected_before_expiry():
    token = sign(42, "A-1", EXPIRES, KEY)
    with pytest.raises(ForgedLink):
        verify(token, b"y" * 40, EXPIRES + timedelta(days=30))


def test_person_tokens_open_only_the_person_page():
    token = sign_person("A-1", EXPIRES, KEY)
    assert verify_person(token, KEY, BEFORE) == "A-1"
    assert decode(token, KEY).task_id is None
    with pytest.raises(ForgedLink):
        verify(token, KEY, BEFORE)
    with pytest.raises(ForgedLink):
        verify_person(sign(1, "A-1", EXPIRES, KEY), KEY, BEFORE)
    with pytest.raises(ExpiredLink):
        verify_person(token, KEY, EXPIRES)


def test_nips_with_dots_and_any_characters_survive():
    token = sign(5, "emp.01/é", EXPIRES, KEY)
    assert verify(token, KEY, BEFORE) == (5, "emp.01/é")


def test_links_expire_a_day_after_the_final_deadline():
    assert task_expiry(EXPIRES) == EXPIRES + timedelta(days=1)


# --- the secret --------------------------------------------------------------------------------


def test_a_real_secret_is_used_as_given():
    assert load_secret({"KINERJA_SECRET": "s" * 32}) == b"s" * 32


@pytest.mark.parametrize("value", ["", "changethis", "secret", "short-but-not-placeholder"])
def test_missing_or_placeholder_secrets_are_refused_outside_the_demo(value):
    with pytest.raises(SecretError, match="KINERJA_SECRET"):
        load_secret({"KINERJA_SECRET": value})


def test_the_demo_uses_the_named_demo_secret():
    assert load_secret({"KINERJA_DEMO": "1"}) == DEMO_SECRET
    assert load_secret({}, demo=True) == DEMO_SECRET
    assert b"NOT-FOR-PRODUCTION" in DEMO_SECRET


def test_the_portal_refuses_to_start_without_a_secret(monkeypatch):
    monkeypatch.delenv("KINERJA_SECRET", raising=False)
    monkeypatch.delenv("KINERJA_DEMO", raising=False)
    with pytest.raises(SecretError):
        create_app("sqlite://")
    monkeypatch.setenv("KINERJA_SECRET", "changethis")
    with pytest.raises(SecretError):
        create_app("sqlite://")
    monkeypatch.setenv("KINERJA_DEMO", "1")
    monkeypatch.delenv("KINERJA_SECRET")
    assert create_app("sqlite://").state.portal.secret == DEMO_SECRET


def test_message_links_without_a_secret_only_work_on_a_demo_portal():
    assert link_secret({}) == DEMO_SECRET
    assert link_secret({"KINERJA_SECRET": "t" * 40}) == b"t" * 40
    with pytest.raises(SecretError):
        link_secret({"KINERJA_SECRET": "changethis"})


# --- the link in messages ----------------------------------------------------------------------


def test_task_link_is_signed_for_whoever_must_act(engine, monkeypatch):
    monkeypatch.setenv("KINERJA_SECRET", KEY.decode())
    with Session(engine) as session:
        org = build_org(session)
        (task,) = open_with_tasks(
            session,
            org=org,
            stage="approve_targets",
            tasks=[NewTask("approve_targets", A, M, {})],
            now=START,
        )
        link = task_link(org.config, task)
        assert link.startswith(f"{org.config.portal_url}/t/{task.id}.")
        token = link.rsplit("/", 1)[1]
        assert verify(token, KEY, START) == (task.id, M)
        assert decode(token, KEY).expires_at == task.final_due_at + timedelta(days=1)
        task.state, task.escalated_to = "escalated", "H-1"
        assert verify(task_link(org.config, task).rsplit("/", 1)[1], KEY, START) == (task.id, "H-1")
        explicit = task_link(org.config, task, nip=M).rsplit("/", 1)[1]
        assert verify(explicit, KEY, START) == (task.id, M)
