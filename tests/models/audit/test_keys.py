"""Where the audit key comes from, and what is refused (no database needed)."""

from __future__ import annotations

import pytest

from kinerja.models.audit.keys import (
    DEMO_AUDIT_KEY,
    DEMO_KEY_ID,
    AuditKeyError,
    key_id_of,
    load_keyring,
    signing_keyring,
)

GOOD = "g" * 40


def test_one_key_from_the_environment_signs():
    ring = load_keyring({"KINERJA_AUDIT_KEY": GOOD})
    assert ring.signing.key_id == key_id_of(GOOD.encode()) != DEMO_KEY_ID
    assert set(ring.keys) == {ring.signing.key_id} and not ring.demo
    assert GOOD not in repr(ring) and GOOD not in ring.describe()


def test_the_keyring_file_keeps_retired_keys_and_its_last_key_signs(tmp_path):
    old, new = "o" * 40, "n" * 40
    path = tmp_path / "audit.keys"
    path.write_text(f"# retired 2025-06-30\n{old}\n\n  {new}  \n")
    ring = load_keyring({"KINERJA_AUDIT_KEY_FILE": str(path)})
    assert ring.signing.key_id == key_id_of(new.encode())
    assert set(ring.keys) == {key_id_of(old.encode()), key_id_of(new.encode())}
    # The environment's key signs when both are set; the file's keys still verify.
    both = load_keyring({"KINERJA_AUDIT_KEY_FILE": str(path), "KINERJA_AUDIT_KEY": GOOD})
    assert both.signing.key_id == key_id_of(GOOD.encode()) and len(both.keys) == 3


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "KINERJA_AUDIT_KEY is not set"),
        ({"KINERJA_AUDIT_KEY": "changethis"}, "placeholder"),
        ({"KINERJA_AUDIT_KEY": "short-key"}, "shorter than 32"),
        ({"KINERJA_AUDIT_KEY_FILE": "/nonexistent/audit.keys"}, "cannot be read"),
    ],
)
def test_outside_the_demo_a_missing_or_weak_key_is_refused(env, named):
    with pytest.raises(AuditKeyError) as refused:
        load_keyring(env)
    message = str(refused.value)
    assert named in message and " / " in message  # Indonesian / English
    assert "KINERJA_AUDIT_KEY" in message


def test_a_placeholder_or_empty_keyring_file_is_refused(tmp_path):
    path = tmp_path / "audit.keys"
    path.write_text("# nothing yet\n")
    with pytest.raises(AuditKeyError, match="holds no key"):
        load_keyring({"KINERJA_AUDIT_KEY_FILE": str(path)})
    path.write_text(f"{GOOD}\npassword\n")
    with pytest.raises(AuditKeyError, match=f"{path}:2"):
        load_keyring({"KINERJA_AUDIT_KEY_FILE": str(path)})


def test_the_demo_accepts_the_public_demo_key():
    ring = load_keyring({"KINERJA_DEMO": "1"})
    assert ring.demo and ring.signing.key_id == DEMO_KEY_ID
    assert ring.signing.secret == DEMO_AUDIT_KEY and b"NOT-FOR-PRODUCTION" in DEMO_AUDIT_KEY
    configured = load_keyring({"KINERJA_DEMO": "1", "KINERJA_AUDIT_KEY": GOOD})
    assert configured.signing.key_id == key_id_of(GOOD.encode())
    assert DEMO_KEY_ID in configured.keys


def test_writers_sign_with_the_demo_key_only_when_nothing_is_configured(tmp_path):
    assert signing_keyring({}).signing.key_id == DEMO_KEY_ID
    assert signing_keyring({"KINERJA_AUDIT_KEY": GOOD}).signing.key_id == key_id_of(GOOD.encode())
    with pytest.raises(AuditKeyError, match="placeholder"):
        signing_keyring({"KINERJA_AUDIT_KEY": "secret"})
    # A rotated keyring file is picked up without restarting the writer.
    path = tmp_path / "audit.keys"
    path.write_text("a" * 40 + "\n")
    env = {"KINERJA_AUDIT_KEY_FILE": str(path)}
    assert signing_keyring(env).signing.key_id == key_id_of(b"a" * 40)
    path.write_text("a" * 40 + "\n" + "b" * 41 + "\n")
    assert signing_keyring(env).signing.key_id == key_id_of(b"b" * 41)
