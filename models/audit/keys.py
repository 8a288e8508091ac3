"""The audit keys: the secret that signs each audit event (HMAC-SHA256), kept outside the
database, and the keyring that verifies events signed by retired keys.

Where the keys come from:

- ``KINERJA_AUDIT_KEY``: one key (at least 32 characters).
- ``KINERJA_AUDIT_KEY_FILE``: a keyring file, one key a line (blank lines and ``#`` comments
  ignored). Every key in it verifies; the last one signs, unless ``KINERJA_AUDIT_KEY`` is
  also set, which then signs. Rotation: append a new key, restart the processes, never delete
  a line.

An event records the id of the key that signed it (:func:`key_id_of`, a fingerprint that does
not reveal the key), never the key. The demo's key (:data:`DEMO_AUDIT_KEY`, id ``demo``) is
public: events it signs prove nothing against anyone who has read this file.

Two ways of loading, as for the portal's link secret (models/humantasks/links.py):

- :func:`load_keyring` (``kinerja audit verify``, ``kinerja serve``, ``kinerja portal``)
  refuses a missing, short or placeholder key outside the demo (``KINERJA_DEMO=1``); in the
  demo the demo key is accepted besides the configured ones.
- :func:`signing_keyring` (every writer of an event) signs with the demo key when nothing at
  all is configured, so a cycle never stops for it; :func:`load_keyring` outside the demo then
  rejects those events, so the gap shows at the first verification.

    >>> ring = load_keyring({"KINERJA_AUDIT_KEY": "k" * 32})
    >>> ring.signing.key_id == key_id_of(b"k" * 32), ring.demo
    (True, False)
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

KEY_ENV = "KINERJA_AUDIT_KEY"
KEY_FILE_ENV = "KINERJA_AUDIT_KEY_FILE"
DEMO_ENV = "KINERJA_DEMO"

DEMO_AUDIT_KEY = b"kinerja-demo-audit-key-NOT-FOR-PRODUCTION-set-KINERJA_AUDIT_KEY"
"""The demo's key: public, so events it signs are forgeable by anyone."""

DEMO_KEY_ID = "demo"
MIN_KEY_LENGTH = 32
PLACEHOLDERS = frozenset(
    {"changethis", "change-me", "changeme", "secret", "demo", "test", "password", "xxx"}
)


class AuditKeyError(RuntimeError):
    """The audit key is missing, unreadable or a placeholder; ``str()`` names the variable."""


def key_id_of(secret: bytes) -> str:
    """The id an event records for the key that signed it: ``k`` and 16 hex digits.

    A fingerprint under its own label, so it identifies the key without revealing it.
    """
    if secret == DEMO_AUDIT_KEY:
        return DEMO_KEY_ID
    return "k" + hashlib.sha256(b"kinerja-audit-key-id\0" + secret).hexdigest()[:16]


@dataclass(frozen=True)
class AuditKey:
    """One key: its id and the secret (never printed)."""

    key_id: str
    secret: bytes = field(repr=False)

    def mac(self, data: bytes) -> str:
        """HMAC-SHA256 of ``data`` under this key, as hex."""
        return hmac.digest(self.secret, data, "sha256").hex()


def _key(secret: bytes) -> AuditKey:
    return AuditKey(key_id_of(secret), secret)


DEMO_KEY = _key(DEMO_AUDIT_KEY)


@dataclass(frozen=True)
class Keyring:
    """The key that signs new events and every key that verifies old ones, by id.

    ``demo`` says whether the public demo key is among them (the demo only).
    """

    signing: AuditKey
    keys: Mapping[str, AuditKey]
    demo: bool

    def get(self, key_id: str) -> AuditKey | None:
        return self.keys.get(key_id)

    def describe(self) -> str:
        """The key ids, the signing one first, for reports (ids only, never keys)."""
        others = sorted(k for k in self.keys if k != self.signing.key_id)
        return ", ".join([f"{self.signing.key_id} (signs)", *others])


def is_demo(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return env.get(DEMO_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def _weak(value: str) -> bool:
    return value.lower() in PLACEHOLDERS or len(value) < MIN_KEY_LENGTH


def _refuse_weak(where: str) -> None:
    raise AuditKeyError(
        f"{where}: kunci audit terlalu lemah atau contoh / the audit key is a placeholder or "
        f"shorter than {MIN_KEY_LENGTH} characters"
    )


def _file_keys(path: Path, *, demo: bool) -> list[bytes]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AuditKeyError(
            f"{KEY_FILE_ENV}={path}: berkas kunci audit tidak bisa dibaca / the audit keyring "
            f"file cannot be read ({exc.strerror or exc})"
        ) from exc
    keys = []
    for number, line in enumerate(text.splitlines(), start=1):
        value = line.strip()
        if not value or value.startswith("#"):
            continue
        if _weak(value) and not demo:
            _refuse_weak(f"{path}:{number}")
        keys.append(value.encode())
    if not keys:
        raise AuditKeyError(
            f"{KEY_FILE_ENV}={path}: berkas kunci audit kosong / the audit keyring file holds "
            "no key"
        )
    return keys


def _configured(env: Mapping[str, str]) -> tuple[str, str]:
    return env.get(KEY_ENV, "").strip(), env.get(KEY_FILE_ENV, "").strip()


def load_keyring(environ: Mapping[str, str] | None = None, *, demo: bool | None = None) -> Keyring:
    """The keyring from ``KINERJA_AUDIT_KEY`` and ``KINERJA_AUDIT_KEY_FILE``.

    Refuses a missing, short or placeholder key outside the demo. In the demo
    (``demo=True`` or ``KINERJA_DEMO=1``) the demo key is also accepted, and signs when
    nothing is configured. Raises :class:`AuditKeyError`, whose message names the variable.
    """
    env = os.environ if environ is None else environ
    demo = is_demo(env) if demo is None else demo
    value, file_name = _configured(env)
    secrets_: list[bytes] = []
    if file_name:
        secrets_ += _file_keys(Path(file_name).expanduser(), demo=demo)
    if value:
        if _weak(value) and not demo:
            _refuse_weak(KEY_ENV)
        secrets_.append(value.encode())
    if not secrets_:
        if not demo:
            raise AuditKeyError(
                f"{KEY_ENV} belum diatur (kunci audit, minimal {MIN_KEY_LENGTH} karakter acak, "
                f"atau berkas kunci {KEY_FILE_ENV}) / {KEY_ENV} is not set (the audit key, at "
                f"least {MIN_KEY_LENGTH} random characters, e.g. `python3 -c 'import secrets; "
                f"print(secrets.token_urlsafe(48))'`, or a keyring file in {KEY_FILE_ENV}); "
                f"set {DEMO_ENV}=1 only for the demo"
            )
        secrets_.append(DEMO_AUDIT_KEY)
    keys = {k.key_id: k for k in map(_key, secrets_)}
    if demo:
        keys.setdefault(DEMO_KEY_ID, DEMO_KEY)
    # The environment's key signs when both are set; else the file's last key.
    return Keyring(signing=_key(secrets_[-1]), keys=keys, demo=demo)


_cache: dict[tuple[object, ...], Keyring] = {}


def signing_keyring(environ: Mapping[str, str] | None = None) -> Keyring:
    """The keyring writers sign with: :func:`load_keyring`, or the demo key when neither
    ``KINERJA_AUDIT_KEY`` nor ``KINERJA_AUDIT_KEY_FILE`` is set.

    Cached per configuration (and the keyring file's size and time), because every append
    asks for it. A placeholder key is still refused.
    """
    env = os.environ if environ is None else environ
    value, file_name = _configured(env)
    if not value and not file_name:
        return _DEMO_RING
    stamp: tuple[int, int] | None = None
    if file_name:
        try:
            st = Path(file_name).expanduser().stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None  # load_keyring reports it
    cache_key = (value, file_name, stamp, is_demo(env))
    ring = _cache.get(cache_key)
    if ring is None:
        ring = load_keyring(env)
        _cache.clear()
        _cache[cache_key] = ring
    return ring


_DEMO_RING = Keyring(signing=DEMO_KEY, keys={DEMO_KEY_ID: DEMO_KEY}, demo=True)
