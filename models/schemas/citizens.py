"""Typed inputs of citizens: an SKM survey answer and a complaint (pengaduan).

The respondent profile follows the questionnaire of PermenPANRB 14/2017 (DOMAIN.md A2): age,
sex, education, occupation and the service received. Age is asked as a band, not a number,
and every profile field may be left unanswered: the profile describes who answered, it must
never single anyone out. The choices are codes; their words live in :data:`PROFILE_CHOICES`.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

AgeBand = Literal["lt20", "20-29", "30-39", "40-49", "50-59", "60+"]
Sex = Literal["L", "P"]
Education = Literal["sd", "smp", "sma", "diploma", "s1", "s2"]
Occupation = Literal["pns", "tni", "polri", "swasta", "wirausaha", "pelajar", "lainnya"]

PROFILE_CHOICES: dict[str, list[tuple[str, str, str]]] = {
    "age": [
        ("lt20", "di bawah 20 tahun", "under 20"),
        ("20-29", "20-29 tahun", "20-29"),
        ("30-39", "30-39 tahun", "30-39"),
        ("40-49", "40-49 tahun", "40-49"),
        ("50-59", "50-59 tahun", "50-59"),
        ("60+", "60 tahun atau lebih", "60 or over"),
    ],
    "sex": [("L", "Laki-laki", "Male"), ("P", "Perempuan", "Female")],
    "education": [
        ("sd", "SD atau di bawahnya", "Primary school or less"),
        ("smp", "SMP", "Junior secondary"),
        ("sma", "SMA/SMK", "Senior secondary"),
        ("diploma", "D1-D3", "Diploma"),
        ("s1", "D4/S1", "Bachelor"),
        ("s2", "S2 ke atas", "Master or higher"),
    ],
    "occupation": [
        ("pns", "PNS/ASN", "Civil servant"),
        ("tni", "TNI", "Armed forces"),
        ("polri", "POLRI", "Police"),
        ("swasta", "Pegawai swasta", "Private employee"),
        ("wirausaha", "Wirausaha", "Self-employed"),
        ("pelajar", "Pelajar/mahasiswa", "Student"),
        ("lainnya", "Lainnya", "Other"),
    ],
}
"""Profile field -> ``[(code, Bahasa Indonesia, English)]``, in the order the form shows."""


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_strip_whitespace=True)


class RespondentProfile(_Input):
    """Who answered, coarsely; each field optional ("prefer not to say")."""

    age: AgeBand | None = None
    sex: Sex | None = None
    education: Education | None = None
    occupation: Occupation | None = None
    service: Annotated[str, Field(max_length=120)] | None = None

    @field_validator("service")
    @classmethod
    def _blank_is_none(cls, v: str | None) -> str | None:
        return v or None


class SurveySubmission(_Input):
    """One answer to a unit's SKM form: a score per element on the pack's scale.

    The element codes and the scale are the form's (checked by
    :func:`kinerja.models.citizens.survey.check_answers`), not fixed here.
    """

    answers: dict[Annotated[str, Field(min_length=1, max_length=16)], int] = Field(
        min_length=1, max_length=50
    )
    profile: RespondentProfile = Field(default_factory=RespondentProfile)


EMAIL = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+")
"""An e-mail address, loosely: the relay is the judge; this keeps out text that is not one."""

ComplaintCategory = Annotated[str, Field(min_length=1, max_length=32)]


class ComplaintFiling(_Input):
    """A complaint from the public form of a service unit.

    ``contact`` is an e-mail address for the answer, optional: without it the citizen reads
    the answer on the tracking page only.
    """

    category: ComplaintCategory
    text: Annotated[str, Field(min_length=10, max_length=4000)]
    contact: Annotated[str, Field(max_length=254)] | None = None

    @field_validator("contact")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if not v:
            return None
        if not EMAIL.fullmatch(v):
            raise ValueError("bukan alamat e-mail / not an e-mail address")
        return v
