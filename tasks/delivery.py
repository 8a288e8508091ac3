"""Delivering one message through Apprise: the recipient's channels in order, one Apprise
call per recipient so that a failure is attributed, secrets scrubbed from every error.

An e-mail carries its outbox key in an ``X-Kinerja-Key`` header and a Message-ID derived
from the key (:mod:`kinerja.tasks.message_id`), so that a copy sent again after a crash is
recognisably the same message.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import apprise
from apprise.plugins import url_to_dict
from apprise.plugins.email.base import NotifyEmail

from kinerja.models.outbox.routes import MissingAddress, RouteError, Routes
from kinerja.tasks import mail_compose, message_id, smtp_pool, smtp_tls

smtp_tls.install()
message_id.install()
smtp_pool.install()
mail_compose.install()

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


_ASSET = apprise.AppriseAsset()
"""One asset for every plugin built here, as one Apprise object shares one across its URLs."""
_PLUGINS = apprise.NotificationManager()


def _plugin(source: str | dict[str, Any]) -> apprise.NotifyBase | None:
    """The Apprise plugin of a URL, or of a URL's parsed fields; None if Apprise refuses it.

    Fields are given to the plugin's class as ``Apprise.instantiate`` does, without the
    debug line it formats first (the plugin's URL built again, whatever the log level).
    """
    if isinstance(source, str):
        return apprise.Apprise.instantiate(source, asset=_ASSET)
    schema = source.get("schema")
    if schema not in _PLUGINS or not _PLUGINS[schema].enabled:
        return None
    try:
        plugin = _PLUGINS[schema](**{**source, "tag": set(), "asset": _ASSET})
    except Exception:  # noqa: BLE001 - as instantiate: a plugin that refuses its fields
        return None
    return plugin if plugin.enabled else None


def _notify(
    source: str | dict[str, Any], *, title: str, body: str, key: str | None
) -> tuple[bool, str | None]:
    """Build the Apprise plugin of ``source`` (a URL, or a URL's parsed fields) and send.

    Returns ``(built, error)``: ``built`` is False when Apprise refused ``source``.
    """
    apprise_log = logging.getLogger("apprise")
    capture = _Capture()
    with _apprise_logs_withheld():
        apprise_log.addHandler(capture)
        try:
            plugin = _plugin(source)
            if plugin is None:
                return False, _refused(capture)
            if isinstance(plugin, NotifyEmail):
                return True, _notify_email(plugin, title=title, body=body, key=key, capture=capture)
            sender = apprise.Apprise(asset=_ASSET)
            if not sender.add(plugin):
                return False, _refused(capture)
            result = sender.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT)
        finally:
            apprise_log.removeHandler(capture)
    if result:
        return True, None
    # The result's own log is attributed to this call even when Apprise used a worker thread.
    lines = [
        e.message.strip()
        for e in result.logs()
        if e.level in ("WARNING", "ERROR", "CRITICAL") and e.message.strip()
    ]
    return True, " ".join(lines or capture.lines) or "Apprise reported a failure without details"


def _refused(capture: _Capture) -> str:
    """The error of a URL Apprise refused, with what Apprise logged about it."""
    return "invalid Apprise URL: " + (" ".join(capture.lines) or "unparseable")


def _notify_email(
    plugin: NotifyEmail, *, title: str, body: str, key: str | None, capture: _Capture
) -> str | None:
    """Send an e-mail through its plugin, in this thread; None on success, else the error.

    The plugin is called directly, not through an Apprise object: the SMTP socket's timeout
    bounds every step of the send, and an Apprise object would hand the message to its
    shared pool of threads (to enforce a deadline), describe the outcome (the URL built
    again) and load its translations, about a quarter of a message's CPU in a profile.
    """
    msgid = None
    if key is not None:
        msgid = message_id.message_id(key, plugin.from_addr[1].rpartition("@")[2])
    with message_id.keyed(msgid):
        try:
            sent = plugin.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT)
        except Exception as exc:  # noqa: BLE001 - as Apprise does: a plugin's crash is a failure
            capture.lines.append(f"{type(exc).__name__}: {exc}")
            sent = False
    if sent:
        return None
    return " ".join(capture.lines) or "Apprise reported a failure without details"


def send_one(url: str, *, title: str, body: str, key: str | None = None) -> str | None:
    """Send one message through one Apprise URL; None on success, else the error text.

    An e-mail with a ``key`` gets the Message-ID derived from it (and from the sender's
    domain). The error text may contain the URL's secrets: scrub it before storing or
    logging it.
    """
    return _notify(url, title=title, body=body, key=key)[1]


def with_key_header(url: str, key: str | None) -> str:
    """An e-mail URL that also sets the ``X-Kinerja-Key`` header to the message's key.

    The receiving side (and the tests) can then tell a message delivered twice apart.
    """
    if not key or not url.startswith(("mailto://", "mailtos://")):
        return url
    from urllib.parse import quote

    separator = "&" if "?" in url else "?"
    return f"{url}{separator}+X-Kinerja-Key={quote(key, safe='')}"


@dataclass(frozen=True)
class _Shape:
    """A form of value: the marker that stands for value ``i`` while a URL is parsed once,
    and the probe that shows whether parsing leaves values of this form as they are."""

    pattern: re.Pattern[str]
    marker: str
    probe: str


# An e-mail address, or a plain token (a phone number, a chat id): the forms a recipient's
# field takes in a URL. Markers match _MARK; probes mix case, dots, signs and an "@".
_SHAPES = (
    _Shape(
        re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+"),
        "kinerjamark{}z@kinerja.invalid",
        "Kin{}.Q+r-s_T@Ex-a.Am",
    ),
    _Shape(re.compile(r"\+?[A-Za-z0-9][A-Za-z0-9._-]*"), "kinerjamark{}z", "+Kin{}Q_r-s.T9"),
)
_KEY = _Shape(re.compile(r"[A-Za-z0-9._:+@-]+"), "kinerjamarkkz", "-Kin:K.Q+r_s@Ex:0")
_MARK = re.compile(r"kinerjamark(\d+|k)z(?:@kinerja\.invalid)?")


def _replace(value: Any, values: Mapping[str, str]) -> Any:
    """``value`` (parsed URL fields) with each marker replaced by its value, as a copy."""
    if isinstance(value, str):
        if "kinerjamark" not in value:
            return value
        return _MARK.sub(lambda m: values.get(m.group(1), m.group(0)), value)
    if isinstance(value, dict):
        return {_replace(k, values): _replace(v, values) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return type(value)(_replace(v, values) for v in value)
    return value


class ParsedUrls:
    """Each channel's Apprise URL parsed once for the messages of a dispatcher pass.

    Apprise parses a URL into its plugin's fields (about 0.3 ms for an e-mail URL); from one
    message to the next only the recipient's fields and the key change. A channel's URL is
    parsed once with markers in place of those, and each message's plugin is built from the
    parsed fields with the markers replaced by its values (Apprise still validates them and
    builds the plugin per message). This is done only where it gives what parsing the
    message's own URL gives: the URL parsed with probe values (mixed case, dots, signs, an
    ``@``) must equal the marked parse with the probes put in, and every value of the
    message must have the probed form (an address, or a plain token such as a phone
    number). Otherwise the message's own URL is parsed, as without this cache.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._parsed: dict[tuple[str, bool], list[tuple[_Shape, dict[str, Any]]]] = {}

    def fields(
        self, routes: Routes, channel: str, recipient: Mapping[str, Any], key: str | None
    ) -> dict[str, Any] | None:
        """The parsed fields of the message's URL on ``channel``, or None to parse the URL."""
        template = routes.channels.get(channel)
        if template is None or (key is not None and not _KEY.pattern.fullmatch(key)):
            return None
        names = list(dict.fromkeys(routes.fields_of(channel)))
        with self._lock:
            if (template, key is not None) not in self._parsed:
                self._parsed[template, key is not None] = _parse_once(
                    routes, channel, names, keyed=key is not None
                )
            forms = self._parsed[template, key is not None]
        values = {str(i): str(recipient.get(name) or "").strip() for i, name in enumerate(names)}
        for shape, parsed in forms:
            if all(shape.pattern.fullmatch(v) for v in values.values()):
                return _replace(parsed, values | ({"k": key} if key is not None else {}))
        return None


def _parse_once(
    routes: Routes, channel: str, names: list[str], *, keyed: bool
) -> list[tuple[_Shape, dict[str, Any]]]:
    """Each form of value for which ``channel``'s URL parses transparently, with the URL
    parsed with that form's markers."""

    def parse(stand_in: str, key_stand_in: str) -> dict[str, Any] | None:
        recipient = {name: stand_in.format(i) for i, name in enumerate(names)}
        try:
            url, _ = routes.url_for(channel, recipient)
        except (MissingAddress, RouteError):
            return None
        with _apprise_logs_withheld():
            return url_to_dict(with_key_header(url, key_stand_in if keyed else None))

    forms = []
    for shape in _SHAPES:
        marked = parse(shape.marker, _KEY.marker)
        probed = parse(shape.probe, _KEY.probe)
        if marked is None or probed is None:
            continue
        probes = {str(i): shape.probe.format(i) for i in range(len(names))} | {"k": _KEY.probe}
        if _replace(marked, probes) == probed:
            forms.append((shape, marked))
    return forms


def deliver(
    routes: Routes,
    recipient: Mapping[str, Any] | None,
    nip: str,
    *,
    title: str,
    body: str,
    key: str | None = None,
    parsed: ParsedUrls | None = None,
) -> tuple[str, str | None]:
    """Try the recipient's channels in order until one delivers.

    ``parsed`` (one per dispatcher pass) spares parsing each message's URL where it can.
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
        fields = parsed.fields(routes, channel, recipient, key) if parsed else None
        built, error = False, None
        if fields is not None:
            built, error = _notify(fields, title=title, body=body, key=key)
        if not built:  # Apprise refused the parsed fields: its error for the URL itself
            error = send_one(with_key_header(url, key), title=title, body=body, key=key)
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
