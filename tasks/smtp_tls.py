"""Create the TLS context of an SMTP connection only when the connection uses TLS.

Apprise's e-mail plugin builds ``ssl.create_default_context()`` for every connection, also
for plain SMTP where the context is never used. Loading the system's CA certificates costs
about 17 ms of CPU each time, which caps a dispatcher at a few dozen messages a second.
:func:`install` hands the plugin a context that records what Apprise sets on it and
builds the real default context, with those settings, when smtplib wraps a socket (the
only use smtplib makes of it, for SMTPS and STARTTLS). TLS connections keep exactly the
verification Apprise asked for.
"""

from __future__ import annotations

import ssl
import types
from typing import Any

_SETTABLE = ("check_hostname", "verify_mode")


class LazyTLSContext:
    """Stands for ``ssl.create_default_context()`` until a socket is wrapped."""

    def __init__(self) -> None:
        object.__setattr__(self, "_settings", {})

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in _SETTABLE:
            raise AttributeError(f"LazyTLSContext does not support setting {name!r}")
        self._settings[name] = value

    def __getattr__(self, name: str) -> Any:
        if name in _SETTABLE:
            return self._settings.get(name, getattr(ssl.create_default_context(), name))
        raise AttributeError(name)

    def materialize(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        # check_hostname must be cleared before verify_mode may become CERT_NONE
        if "check_hostname" in self._settings:
            context.check_hostname = self._settings["check_hostname"]
        if "verify_mode" in self._settings:
            context.verify_mode = self._settings["verify_mode"]
        return context

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        return self.materialize().wrap_socket(*args, **kwargs)


def _ssl_with_lazy_context() -> types.ModuleType:
    shim = types.ModuleType("ssl")
    shim.__dict__.update(ssl.__dict__)
    shim.create_default_context = lambda *a, **k: (  # type: ignore[attr-defined]
        LazyTLSContext() if not a and not k else ssl.create_default_context(*a, **k)
    )
    return shim


def install() -> bool:
    """Give Apprise's SMTP plugin the lazy context; False if the plugin is not as expected."""
    try:
        from apprise.plugins.email import smtp
    except ImportError:
        return False
    if getattr(smtp, "ssl", None) is ssl:
        smtp.ssl = _ssl_with_lazy_context()
        return True
    return isinstance(getattr(smtp, "ssl", None), types.ModuleType) and hasattr(
        smtp.ssl.create_default_context(), "materialize"
    )
