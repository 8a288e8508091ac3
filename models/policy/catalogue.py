"""The training catalogue (configs/training/*.yaml): courses, their hours and competencies.

A policy pack's ``training.catalogue`` names a catalogue; the pack's rules then refer to
courses by code (``training.courses`` for a predikat, ``training.gap_courses`` for a
competency gap). When the pack is loaded the catalogue is read, validated and embedded in
the pack, so a cycle's pack snapshot carries the catalogue it started with: editing the
catalogue file later changes new cycles only (see models/cycles/cycle.py).

The competency names follow the ASN competency standard (teknis, manajerial, sosial
kultural; PermenPANRB 38/2017, levels 1-5); the catalogue is data, any agency writes its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator

import kinerja.configs
from kinerja.models.policy.base import Strict
from kinerja.models.schemas.config import ConfigError, format_validation_error, read_yaml

_CODE = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class Title(Strict):
    """A display title in Bahasa Indonesia (``id``) and English (``en``)."""

    id: str
    en: str


class CatalogueCourse(Strict):
    """One course of the catalogue."""

    course: str = Field(pattern=_CODE, description="Stable course code")
    title: Title
    jp: float = Field(gt=0, description="Hours (jam pelajaran, 1 JP = 45 minutes)")
    competency: str | None = Field(None, description="The competency the course develops")


class TrainingCatalogue(Strict):
    """A catalogue of courses and the competencies they develop."""

    name: str = Field(pattern=_CODE)
    version: str = Field(min_length=1, max_length=64)
    levels: tuple[int, int] = Field((1, 5), description="Lowest and highest competency level")
    competencies: dict[str, Title] = Field(description="Competency code -> title")
    courses: list[CatalogueCourse] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> TrainingCatalogue:
        low, high = self.levels
        if low > high:
            raise ValueError("levels: the lowest level is above the highest")
        seen: set[str] = set()
        for i, c in enumerate(self.courses):
            if c.course in seen:
                raise ValueError(f"courses.{i}.course: {c.course!r} appears twice")
            seen.add(c.course)
            if c.competency is not None and c.competency not in self.competencies:
                raise ValueError(
                    f"courses.{i}.competency: {c.competency!r} is not one of the competencies"
                    f" {sorted(self.competencies)}"
                )
        return self

    def course(self, code: str) -> CatalogueCourse | None:
        """The course with this code, or None."""
        return next((c for c in self.courses if c.course == code), None)


def catalogues_dir() -> Path:
    """The catalogues shipped with Kinerja (configs/training)."""
    return Path(kinerja.configs.__file__).parent / "training"


def catalogue_path(name_or_path: str, base_dir: Path | None) -> Path:
    """A bare name is a shipped catalogue; a path is relative to the pack's directory."""
    if "/" not in name_or_path and "\\" not in name_or_path:
        if not name_or_path.endswith((".yaml", ".yml")):
            return catalogues_dir() / f"{name_or_path}.yaml"
    path = Path(name_or_path)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    return path


def load_catalogue(name_or_path: str, *, base_dir: Path | None = None) -> TrainingCatalogue:
    """Load and validate a catalogue; :class:`ConfigError` names the file and field path."""
    path = catalogue_path(name_or_path, base_dir)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    try:
        return TrainingCatalogue.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(str(path), exc)) from exc


def embedded_catalogue(value: Any, context: dict[str, Any] | None) -> Any:
    """A pack's ``training.catalogue`` ready to validate: a reference (a name or a path,
    relative to the pack file's directory given in ``context["base_dir"]``) is read and
    embedded; an embedded catalogue (a stored snapshot) is returned as it is."""
    if not isinstance(value, str):
        return value
    base_dir = (context or {}).get("base_dir")
    return load_catalogue(value, base_dir=base_dir).model_dump(mode="json")


def check_training_rules(training: Any, predikat: set[str]) -> None:
    """Cross-checks of a pack's ``training`` section against its catalogue.

    Raises ValueError whose message starts with the field path (``training.courses.0.course``)
    for a course that neither the catalogue nor the rule itself describes, a gap rule on an
    unknown course or competency, or a gap course that develops another competency.
    """
    catalogue: TrainingCatalogue | None = training.catalogue
    for i, rule in enumerate(training.courses):
        known = catalogue is not None and catalogue.course(rule.course) is not None
        if not known and (rule.title is None or rule.jp is None):
            where = f"the catalogue {catalogue.name}" if catalogue else "a catalogue"
            raise ValueError(
                f"training.courses.{i}.course: {rule.course!r} is not in {where};"
                " name a catalogue course or give the course's title and jp"
            )
        bad = set(rule.predikat) - predikat
        if bad:
            raise ValueError(f"training.courses.{i}.predikat: unknown predikat {sorted(bad)}")
    for i, gap in enumerate(training.gap_courses):
        if catalogue is None:
            raise ValueError(f"training.gap_courses.{i}: gap rules need training.catalogue")
        if gap.competency not in catalogue.competencies:
            raise ValueError(
                f"training.gap_courses.{i}.competency: {gap.competency!r} is not a competency"
                f" of the catalogue {catalogue.name} ({', '.join(sorted(catalogue.competencies))})"
            )
        course = catalogue.course(gap.course)
        if course is None:
            raise ValueError(
                f"training.gap_courses.{i}.course: {gap.course!r} is not in the catalogue"
                f" {catalogue.name}"
            )
        if course.competency != gap.competency:
            raise ValueError(
                f"training.gap_courses.{i}.course: {gap.course!r} develops"
                f" {course.competency!r}, not {gap.competency!r}"
            )
