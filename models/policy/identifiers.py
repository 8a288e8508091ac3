"""What an employee identifier looks like: the pack's ``identifiers`` section.

Every file that names a person does so by ``nip``. For ASN the NIP is 18 digits (birth date,
appointment year and month, sex, sequence); another organisation may use any code. The
importers refuse a NIP of another form (unless it already names an employee), so that a
number a spreadsheet has damaged or shortened never becomes a new person.
"""

from __future__ import annotations

import re

from pydantic import Field, model_validator

from kinerja.models.policy.base import Label, Strict


class IdentifierFormat(Strict):
    """One identifier's form: a regular expression its whole value must match."""

    pattern: str | None = Field(
        None, description="A regular expression the whole value must match; null: any text"
    )
    label: Label = Field(
        default_factory=lambda: Label(id="teks apa pun", en="any text"),
        description="The form in words, quoted when a value is refused",
    )
    example: str | None = Field(None, description="A value of this form, shown with the label")

    @model_validator(mode="after")
    def _pattern(self) -> IdentifierFormat:
        if self.pattern is None:
            return self
        try:
            compiled = re.compile(self.pattern)
        except re.error as exc:
            raise ValueError(f"pattern: not a regular expression ({exc})") from None
        if compiled.fullmatch(""):
            raise ValueError("pattern: must not accept an empty value")
        if self.example is not None and not compiled.fullmatch(self.example):
            raise ValueError(f"example: {self.example!r} does not match the pattern")
        return self


class IdentifierRules(Strict):
    """The identifiers files use; for now the employee's (``nip``)."""

    nip: IdentifierFormat = Field(default_factory=IdentifierFormat)
