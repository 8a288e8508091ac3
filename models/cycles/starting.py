"""Starting a cycle from a request: the config it names among the server's configs, or the
text of an uploaded one (the ``start-cycle`` run form of the Prefect UI).

The configs a server offers are the ``*.yaml`` files with ``period_start`` at the top level
under ``KINERJA_HOME/configs`` and under Kinerja's own ``configs/`` (the demo). A name is
looked up in that order and may not leave its folder. An uploaded config resolves its
relative paths (policy pack, notification routes) against ``KINERJA_HOME/configs`` when
that folder exists, else against Kinerja's ``configs/``.

    >>> cfg, folder = resolve_start(CycleStart(config="demo/cycle.yaml"))
    >>> cfg.cycle_id, folder.name
    ('contoh-2026', 'demo')
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import yaml
from pydantic import ValidationError
from sqlalchemy.orm import Session

import kinerja.configs
from kinerja.models.cycles.cycle import CycleError, create_cycle
from kinerja.models.schemas.config import (
    ConfigError,
    CycleConfig,
    format_validation_error,
    load_cycle_config,
)
from kinerja.models.schemas.requests import CycleStart
from kinerja.models.store.db import DEFAULT_HOME
from kinerja.models.store.tables import Cycle

UPLOADED = "cycle.yaml (diunggah / uploaded)"


def config_roots() -> list[Path]:
    """Where a server's cycle configs are, first match wins."""
    home = Path(os.environ.get("KINERJA_HOME", DEFAULT_HOME))
    return [home / "configs", Path(kinerja.configs.__file__).parent]


def _is_cycle_config(path: Path) -> bool:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and "period_start" in data


def available_configs() -> list[str]:
    """The names a request may give, e.g. ``demo/cycle.yaml``, sorted."""
    names: set[str] = set()
    for root in config_roots():
        if root.is_dir():
            names.update(
                p.relative_to(root).as_posix() for p in root.rglob("*.yaml") if _is_cycle_config(p)
            )
    return sorted(names)


def _named(name: str) -> Path:
    for root in config_roots():
        path = (root / name).resolve()
        if path.is_relative_to(root.resolve()) and path.is_file():
            return path
    offered = ", ".join(available_configs()) or "-"
    raise CycleError(
        f"config '{name}': tidak ada di configs/ / not among the server's configs"
        f" (available: {offered})"
    )


def _uploaded(text: str) -> CycleConfig:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{UPLOADED}: bukan YAML yang sah / not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{UPLOADED}: expected a mapping at the top level")
    try:
        return CycleConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(UPLOADED, exc)) from exc


def resolve_start(request: CycleStart) -> tuple[CycleConfig, Path]:
    """The validated config a request names and the folder its relative paths start from.

    Raises :class:`CycleError` for an unknown name and :class:`ConfigError` for a bad config,
    each naming the config and the field.
    """
    if request.config_yaml.strip():
        home, own = config_roots()
        return _uploaded(request.config_yaml), home if home.is_dir() else own
    path = _named(request.config)
    return load_cycle_config(path), path.parent


def start_from_request(session: Session, *, request: CycleStart, now: datetime) -> Cycle:
    """Create the cycle a request names (a no-op for the same config twice)."""
    config, folder = resolve_start(request)
    return create_cycle(session, config=config, config_dir=folder, now=now)
