"""Notification routes (``configs/notify-routes.yaml``): which Apprise URL reaches a recipient
on each channel, and which channels to try.

A route maps a channel to an Apprise URL template; secrets come from the environment as
``${VAR}`` (never logged, never stored in ``last_error``) and the recipient's fields as
``{field}``. Rules pick channels by unit, role or NIP; a person's own ``channels`` win.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field, model_validator

import kinerja.configs
from kinerja.models.schemas.config import load_yaml_model

DEFAULT_ROUTES = Path(kinerja.configs.__file__).parent / "notify-routes.yaml"

# ${VAR} or ${VAR:-default} (environment), or {field} (recipient), in one pass so that a
# secret's value is never itself read as a placeholder.
_TOKEN = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


class RouteError(Exception):
    """A channel cannot be used: an environment variable is missing or the URL is invalid."""


class MissingAddress(Exception):
    """The recipient lacks a field the channel's URL needs (e.g. no e-mail address)."""


class Rule(BaseModel):
    """Channels for recipients matching every given criterion (unit id, role, nip)."""

    model_config = ConfigDict(extra="forbid")
    unit: list[str] = Field(default_factory=list)
    role: list[str] = Field(default_factory=list)
    nip: list[str] = Field(default_factory=list)
    channels: list[str]

    def matches(self, recipient: Mapping[str, Any]) -> bool:
        checks = ((self.unit, "unit_id"), (self.role, "role"), (self.nip, "nip"))
        return all(not wanted or recipient.get(field) in wanted for wanted, field in checks)


class Routes(BaseModel):
    """Which Apprise URL reaches a recipient on each channel, and which channels to try."""

    model_config = ConfigDict(extra="forbid")
    channels: dict[str, str]
    default_channels: list[str] = Field(default_factory=lambda: ["email"])
    rules: list[Rule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _known_channels(self) -> Routes:
        named = list(self.default_channels) + [c for r in self.rules for c in r.channels]
        unknown = sorted(set(named) - set(self.channels))
        if unknown:
            raise ValueError(f"unknown channel(s) {unknown}; channels are {sorted(self.channels)}")
        return self

    @classmethod
    def load(cls, path: str | Path | None = None) -> Routes:
        """Load and validate a routes file (default ``configs/notify-routes.yaml``)."""
        return load_yaml_model(Path(path) if path else DEFAULT_ROUTES, cls)

    def channels_for(self, recipient: Mapping[str, Any]) -> list[str]:
        """Channels to try in order: the person's own, else the first matching rule's."""
        own = recipient.get("channels")
        if isinstance(own, str):
            own = [c.strip() for c in re.split(r"[,;\s]+", own) if c.strip()]
        if own:
            return list(own)
        for rule in self.rules:
            if rule.matches(recipient):
                return list(rule.channels)
        return list(self.default_channels)

    def url_for(
        self,
        channel: str,
        recipient: Mapping[str, Any],
        env: Mapping[str, str] | None = None,
    ) -> tuple[str, dict[str, str]]:
        """The Apprise URL of ``channel`` for ``recipient``, and the secrets it contains.

        The second value maps each environment value used to its variable name, so that
        error texts can be scrubbed. Raises :class:`MissingAddress` or :class:`RouteError`.
        """
        if channel not in self.channels:
            raise RouteError(f"unknown channel {channel!r}; channels are {sorted(self.channels)}")
        env = os.environ if env is None else env
        secrets: dict[str, str] = {}

        def substitute(m: re.Match[str]) -> str:
            var, default, field = m.group(1), m.group(2), m.group(3)
            if var is not None:
                if var in env and env[var] != "":
                    secrets[env[var]] = var
                    return env[var]
                if default is not None:
                    return default
                raise RouteError(f"channel {channel!r}: environment variable {var} is not set")
            value = recipient.get(field)
            if value is None or str(value).strip() == "":
                raise MissingAddress(f"{channel} needs {field}")
            return quote(str(value).strip(), safe="@")

        return _TOKEN.sub(substitute, self.channels[channel]), secrets

    def fields_of(self, channel: str) -> list[str]:
        """The recipient fields (``{field}``) the URL template of ``channel`` uses, in order."""
        template = self.channels.get(channel, "")
        return [m.group(3) for m in _TOKEN.finditer(template) if m.group(3) is not None]

    def missing_env(self, env: Mapping[str, str] | None = None) -> dict[str, list[str]]:
        """Variables without a default that are unset, by channel (a pre-flight check)."""
        env = os.environ if env is None else env
        missing: dict[str, list[str]] = {}
        for channel, template in self.channels.items():
            for m in _TOKEN.finditer(template):
                var, default = m.group(1), m.group(2)
                if var and default is None and not env.get(var):
                    missing.setdefault(channel, []).append(var)
        return missing
