"""Each channel's Apprise URL parsed once per pass: the fields a message's plugin is built
from are exactly what Apprise makes of the message's own URL, or the URL is parsed."""

from __future__ import annotations

import pytest
from apprise.plugins import url_to_dict

from kinerja.models.outbox.routes import Routes
from kinerja.tasks.delivery import ParsedUrls, with_key_header

MAIL = (
    "mailto://127.0.0.1:2525?smtp=127.0.0.1&mode=insecure&from=kinerja@kinerja.local"
    "&to={email}&format=text"
)
ROUTES = Routes(
    channels={
        "email": MAIL,
        "default": Routes.load().channels["email"],
        "hook": "json://kin:${HOOK_SECRET}@127.0.0.1:8080/hook?:nip={nip}&:to={email}",
        "whatsapp": "whatsapp://token@1234567890/{phone}",
        "telegram": "tgram://123456789:abcdefg_hijklmnop/{telegram}",
    }
)
KEY = "c1:42:task_opened:198501012010011001:0"


@pytest.mark.parametrize(
    ("channel", "recipient"),
    [
        ("email", {"email": "sari@pemda.go.id"}),
        ("email", {"email": "John.Doe+kinerja@Agency.ORG"}),
        ("email", {"email": "62812345"}),
        ("default", {"email": "a_b-c@x-y.go.id"}),
        ("hook", {"nip": "198501012010011001", "email": "2010011001"}),
        ("whatsapp", {"phone": "+6281234567"}),
        ("telegram", {"telegram": "100200300"}),
    ],
)
@pytest.mark.parametrize("key", [KEY, "-:-:gate_waiting:HR-1:0", None])
def test_parsed_fields_are_what_apprise_makes_of_the_url(channel, recipient, key, monkeypatch):
    monkeypatch.setenv("HOOK_SECRET", "s3cr3t-value")
    parsed = ParsedUrls()
    url = with_key_header(ROUTES.url_for(channel, recipient)[0], key)
    for _ in range(2):  # parsed once, then from the cache
        assert parsed.fields(ROUTES, channel, recipient, key) == url_to_dict(url)


@pytest.mark.parametrize(
    ("channel", "recipient", "key"),
    [
        ("email", {"email": "a,b@x.go.id"}, KEY),  # a list separator: not an address
        ("email", {"email": "Sari <sari@x.go.id>"}, KEY),
        ("email", {"email": "sari@x.go.id"}, "c1:1:kind:nip with space:0"),
        ("telegram", {"telegram": "-100200300"}, None),
        # One form for all of a message's values: a token and an address together are not.
        ("hook", {"nip": "198501012010011001", "email": "s@x.go.id"}, None),
        ("email", {"email": "kinerjamark0z@kinerja.invalid"}, None),  # looks like a marker
    ],
)
def test_values_of_another_form_have_their_own_url_parsed(channel, recipient, key, monkeypatch):
    monkeypatch.setenv("HOOK_SECRET", "s3cr3t-value")
    parsed = ParsedUrls()
    fields = parsed.fields(ROUTES, channel, recipient, key)
    url = with_key_header(ROUTES.url_for(channel, recipient)[0], key)
    assert fields is None or fields == url_to_dict(url)
    if "kinerjamark" not in recipient.get("email", ""):
        assert fields is None


def test_a_url_apprise_cannot_parse_is_never_cached():
    routes = Routes(channels={"email": MAIL, "broken": "nonsense://{nip}"})
    parsed = ParsedUrls()
    assert parsed.fields(routes, "broken", {"nip": "9002"}, None) is None
    assert parsed.fields(routes, "nowhere", {"nip": "9002"}, None) is None
