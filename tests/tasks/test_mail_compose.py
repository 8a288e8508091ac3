"""The plain-text composer gives, byte for byte, what Apprise's own ``prepare_emails``
gives, and leaves every message it does not handle to it."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from apprise import NotifyFormat
from apprise.plugins.email import base

from kinerja.tasks import delivery, mail_compose, message_id

_DATE = re.compile(r"^Date: (.*)$", re.M)
_BOUNDARY = re.compile(r"={15}\d+==")
SUBJECTS = [
    "[Kinerja] Tugas baru: Persetujuan SKP",
    "  spaces   collapse\tand\ttabs  ",
    'quotes " and ; commas, (comments) <angles> =?utf-8?q?not_a_word?=',
    "x" * 200,
    "Tugas baru: penilaian 100% / New task: appraisal",
    "Pengingat — tenggat besok",  # non-ASCII: Apprise encodes it
    "",
]
BODIES = [
    "Yth. Pegawai,\n\nAnda mendapat tugas baru.\n\nhttp://127.0.0.1:8700/t/abc\n" * 3,
    "windows\r\nline\r\nends\r\n",
    "old mac\rends\r",
    "trailing spaces   \nand tabs\t\n",
    "a long line " * 40,
    "From the start of a line\n.\n..\n",
    "Nilai: 95,5 — sangat baik / é ü 中文\n",
    "=3D already looks encoded =\n",
    "",
]
NAMES: list[Any] = [False, "", "Sari Dewi", "Dewi, S.Kom", "Sári Déwi", 'Q "uoted"']
HEADERS = [
    {"X-Application": "Apprise", "X-Kinerja-Key": "c1:42:task_opened:198501012010011001:0"},
    {"X-Application": "Apprise"},
    {"X-Application": "Apprise", "X-Note": "two  spaces"},
    {"X-Application": "Apprise", "X-Note": "ünïcode"},
    {"X-Application": "Apprise", "Autocrypt": "addr=a@b; keydata=xyz"},
]


def _compose(original: bool, **kw: Any) -> list[tuple[str, list[str], str]]:
    prepare = mail_compose._original if original else base.NotifyEmail.prepare_emails
    assert prepare is not None
    with message_id.keyed("<kinerja.fixed@x.go.id>"):
        out = [(m.recipient, list(m.to_addrs), m.body) for m in prepare(**kw)]
    # The Date is the clock's and a multipart boundary random: both are compared apart.
    for _, _, text in out:
        assert len(_DATE.findall(text)) == 1
    return [(r, t, _BOUNDARY.sub("-", _DATE.sub("Date: -", text))) for r, t, text in out]


def _arguments(rng: random.Random) -> dict[str, Any]:
    return {
        "subject": rng.choice(SUBJECTS),
        "body": rng.choice(BODIES),
        "from_addr": (rng.choice(["", "Kinerja", "Kinerja BKD"]), "kinerja@pemda.go.id"),
        "to": [(rng.choice(NAMES), f"p{i}@x.go.id") for i in range(rng.choice([1, 1, 2]))],
        "smtp_host": rng.choice([None, "127.0.0.1", "smtp.pemda.go.id"]),
        "notify_format": NotifyFormat.TEXT,
        "headers": dict(rng.choice(HEADERS)),
    }


def test_the_composer_is_installed_with_delivery():
    assert delivery.mail_compose is mail_compose
    assert base.NotifyEmail.prepare_emails is mail_compose._prepare_emails
    assert mail_compose.install() is True  # a second install changes nothing


@pytest.mark.parametrize("seed", range(6))
def test_every_message_is_what_apprise_composes(seed):
    rng = random.Random(seed)
    fast = 0
    for _ in range(80):
        kw = _arguments(rng)
        mine = _compose(False, **kw)
        assert mine == _compose(True, **kw), kw
        bound = mail_compose._signature.bind(**kw)  # type: ignore[union-attr]
        bound.apply_defaults()
        fast += mail_compose.compose_plain(bound.arguments) is not None
    assert fast >= 10  # the composer itself wrote a good share of them


def test_the_project_s_own_messages_take_the_fast_path():
    kw = {
        "subject": SUBJECTS[0],
        "body": BODIES[0],
        "from_addr": ("", "kinerja@kinerja.local"),
        "to": [(False, "sari@pemda.go.id")],
        "smtp_host": "127.0.0.1",
        "notify_format": NotifyFormat.TEXT,
        "headers": HEADERS[0],
    }
    bound = mail_compose._signature.bind(**kw)  # type: ignore[union-attr]
    bound.apply_defaults()
    [(recipient, to_addrs, text)] = mail_compose.compose_plain(bound.arguments) or []
    assert (recipient, to_addrs) == ("sari@pemda.go.id", ["sari@pemda.go.id"])
    assert "X-Kinerja-Key: c1:42:task_opened:198501012010011001:0\n" in text
    assert "Content-Transfer-Encoding: quoted-printable\n" in text
    assert _compose(False, **kw) == _compose(True, **kw)


@pytest.mark.parametrize(
    "change",
    [
        {"notify_format": NotifyFormat.HTML},
        {"cc": {"a@x.go.id"}},
        {"bcc": {"a@x.go.id"}},
        {"reply_to": {"a@x.go.id"}},
        {"subject": "Pengingat — tenggat besok"},
        {"headers": {"X-Application": "Apprise", "Autocrypt": "addr=a@b"}},
    ],
)
def test_other_messages_are_left_to_apprise(change):
    kw = {
        "subject": "Tugas",
        "body": "Isi",
        "from_addr": ("", "kinerja@kinerja.local"),
        "to": [(False, "a@x.go.id")],
        "notify_format": NotifyFormat.TEXT,
        "headers": {"X-Application": "Apprise"},
    } | change
    bound = mail_compose._signature.bind(**kw)  # type: ignore[union-attr]
    bound.apply_defaults()
    assert mail_compose.compose_plain(bound.arguments) is None
    assert _compose(False, **kw) == _compose(True, **kw)
