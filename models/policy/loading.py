"""Loading policy packs: shipped names or paths, effective-dated versions, the form stored
on a cycle, and its content hash.

A file may hold several versions (a top-level ``versions:`` list); each lays its keys over
the one before it, and a cycle picks the version in force on its start date::

    pack = load_pack("asn")
    predikat_for(hasil_kerja="di_atas", perilaku="sesuai", rules=pack.predikat)
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from pydantic import (
    ValidationError,
)

import kinerja.configs
from kinerja.models.policy.pack import PolicyPack
from kinerja.models.schemas.config import (
    ConfigError,
    content_hash,
    format_validation_error,
    load_yaml_model,
    read_yaml,
)

# --- loading ----------------------------------------------------------------------------------


def policies_dir() -> Path:
    """The packs shipped with Kinerja (configs/policies)."""
    return Path(kinerja.configs.__file__).parent / "policies"


def _pack_path(name_or_path: str, base_dir: Path | None) -> Path:
    is_bare_name = (
        "/" not in name_or_path
        and "\\" not in name_or_path
        and not (name_or_path.endswith((".yaml", ".yml")))
    )
    if is_bare_name:
        return policies_dir() / f"{name_or_path}.yaml"
    path = Path(name_or_path)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    return path


def _merged(base: Any, override: Any) -> Any:
    """``override`` laid over ``base``: mappings merge key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for key, value in override.items():
            out[key] = _merged(base.get(key), value) if key in base else value
        return out
    return override


def _version_error(path: Path, index: int, exc: ValidationError) -> ConfigError:
    lines = [f"{path}: invalid configuration"]
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        lines.append(f"  versions.{index}{'.' + loc if loc else ''}: {err['msg']}")
    return ConfigError("\n".join(lines))


def _versions(path: Path, data: dict[str, Any]) -> list[PolicyPack]:
    """Every version a multi-version file holds, oldest first, each validated in full.

    The top-level keys other than ``versions`` are shared; each entry of ``versions`` lays
    its keys over the version before it (the first over the shared keys), so a new version
    states only what changed. Mappings merge key by key; lists and values replace.
    """
    entries = data["versions"]
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}: invalid configuration\n  versions: must be a non-empty list")
    shared = {k: v for k, v in data.items() if k != "versions"}
    packs: list[PolicyPack] = []
    current: dict[str, Any] = shared
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: invalid configuration\n  versions.{i}: must be a mapping")
        for key in ("version", "effective_from"):
            if key not in entry:
                raise ConfigError(
                    f"{path}: invalid configuration\n  versions.{i}.{key}: Field required"
                    " (every version states its own)"
                )
        current = _merged(current, entry)
        try:
            pack = PolicyPack.model_validate(current, context={"base_dir": path.parent})
        except ValidationError as exc:
            raise _version_error(path, i, exc) from exc
        if packs and pack.effective_from <= packs[-1].effective_from:
            raise ConfigError(
                f"{path}: invalid configuration\n  versions.{i}.effective_from: must be after"
                f" the previous version's {packs[-1].effective_from}"
            )
        if any(pack.version == p.version for p in packs):
            raise ConfigError(
                f"{path}: invalid configuration\n  versions.{i}.version: {pack.version!r}"
                " is used twice"
            )
        packs.append(pack)
    return packs


def load_pack_versions(name_or_path: str, *, base_dir: Path | None = None) -> list[PolicyPack]:
    """Every version of a pack, oldest first (one for a single-version file)."""
    path = _pack_path(name_or_path, base_dir)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    if "versions" not in data:
        return [load_yaml_model(path, PolicyPack, context={"base_dir": path.parent})]
    return _versions(path, data)


def version_on(packs: list[PolicyPack], on: date | None, *, source: str) -> PolicyPack:
    """The version in force on ``on``: the latest ``effective_from`` not after it.

    Without a date, the latest version. Before the first version, no pack applies.
    """
    if on is None:
        return packs[-1]
    in_force = [p for p in packs if p.effective_from <= on]
    if not in_force:
        raise ConfigError(
            f"{source}: tidak ada versi yang berlaku pada {on} (versi pertama mulai"
            f" {packs[0].effective_from}) / no version in force on {on} (the first starts"
            f" {packs[0].effective_from})"
        )
    return in_force[-1]


def load_pack(
    name_or_path: str, *, base_dir: Path | None = None, on: date | None = None
) -> PolicyPack:
    """Load and validate a pack: a bare name (``"asn"``) or a path (relative to ``base_dir``).

    A file may hold several effective-dated versions (a top-level ``versions:`` list);
    ``on`` picks the one in force on that date (default: the latest). Raises
    :class:`ConfigError` naming the file and each bad field path.
    """
    packs = load_pack_versions(name_or_path, base_dir=base_dir)
    return version_on(packs, on, source=str(_pack_path(name_or_path, base_dir)))


def pack_to_dict(pack: PolicyPack) -> dict[str, Any]:
    """A JSON-able dict of the pack (stored on the cycle); :func:`pack_from_dict` reverses it."""
    return pack.model_dump(mode="json")


def pack_from_dict(data: dict[str, Any], *, source: str = "stored policy pack") -> PolicyPack:
    try:
        return PolicyPack.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(source, exc)) from exc


def pack_hash(pack: PolicyPack) -> str:
    """SHA-256 of the pack's canonical JSON: equal packs hash equal, whatever the YAML layout."""
    return content_hash(pack_to_dict(pack))
