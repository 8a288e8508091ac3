"""The words a generated organisation speaks (configs/demo/words.yaml): themes of work,
sections, goal and target templates, names and comments.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

import kinerja.configs
from kinerja.models.schemas.config import ConfigError, format_validation_error, read_yaml

WORDS_FILE = Path(kinerja.configs.__file__).parent / "demo" / "words.yaml"


# --- the words (configs/demo/words.yaml) ------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Theme(_Strict):
    title: str = ""
    name: str = ""
    phrase: str
    output: str
    service: bool = False


class Section(_Strict):
    name: str
    service: bool = False


class GoalTemplate(_Strict):
    statement: str
    indicator: str
    target: str
    unit: str
    direction: Literal["higher", "lower", "range"]


class TargetTemplate(_Strict):
    statement: str
    indicator: str
    unit: str
    direction: Literal["higher", "lower", "range"]
    low: int = Field(ge=0)
    high: int = Field(ge=0)


class Words(_Strict):
    """The vocabulary of generated organisations."""

    agency: Theme
    themes: list[Theme] = Field(min_length=1)
    sections: list[Section] = Field(min_length=1)
    goals: list[GoalTemplate] = Field(min_length=3)
    targets: dict[Literal["kuantitas", "kualitas", "waktu"], list[TargetTemplate]]
    counted_units: frozenset[str]
    weight_splits: list[tuple[int, int, int]] = Field(min_length=1)
    positions: dict[Literal["graduate", "other"], list[str]]
    degrees: dict[str, list[str]]
    names: dict[Literal["male", "female", "family", "male_family", "female_family"], list[str]]
    review_comments: dict[Literal["above", "meets", "below"], list[str]]

    @field_validator("weight_splits")
    @classmethod
    def _sum_to_100(cls, splits: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
        if any(sum(s) != 100 for s in splits):
            raise ValueError("every weight split must sum to 100")
        return splits

    @field_validator("targets")
    @classmethod
    def _every_aspect(cls, targets: dict[str, list[TargetTemplate]]) -> dict:
        if set(targets) != {"kuantitas", "kualitas", "waktu"} or not all(targets.values()):
            raise ValueError("targets needs templates for kuantitas, kualitas and waktu")
        return targets


@cache
def load_words(path: Path = WORDS_FILE) -> Words:
    """Load and validate a words file; raises :class:`ConfigError` naming file and fields."""
    try:
        return Words.model_validate(read_yaml(path))
    except ValidationError as exc:
        raise ConfigError(format_validation_error(str(path), exc)) from exc
