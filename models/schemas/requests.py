"""The HR coordinator's typed requests: an HR task action (remind, extend, delegate, end an
absence) and a gate signature (payout, publication).

Each model is the same for the CLI verb, the Prefect form and the audit log.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class TaskAction(BaseModel):
    """An HR coordinator's request: remind a unit, extend a task or a unit, or delegate."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["remind", "extend", "delegate", "end_absence"] = Field(
        description="remind a unit / extend a task or a unit / delegate while someone is away"
        " / end an absence early"
    )
    cycle: str | None = Field(None, description="Cycle id (default: the newest)")
    unit: str | None = Field(None, description="remind, extend: the unit (unit_id)")
    with_subunits: bool = Field(False, description="remind, extend: the units below it too")
    stage: str | None = Field(None, description="remind, extend: only this stage")
    task_id: int | None = Field(None, description="extend: one task instead of a unit")
    days: float | None = Field(None, gt=0, description="extend: how many days")
    reason: str = Field("", description="extend, delegate: the written reason")
    nip: str | None = Field(None, description="delegate: the NIP of the person away")
    delegate: str | None = Field(None, description="delegate: the NIP who acts meanwhile")
    starts_on: date | None = Field(None, description="delegate: first day away")
    ends_on: date | None = Field(
        None, description="delegate: last day away; end_absence: the new last day (empty: cancel)"
    )
    absence_id: int | None = Field(None, description="end_absence: the absence (its id)")
    by: str | None = Field(None, description="Who acts (default: the cycle's HR coordinator)")

    @model_validator(mode="after")
    def _fields_for_action(self) -> TaskAction:
        needed = {
            "remind": ["unit"],
            "extend": ["days", "reason"],
            "delegate": ["nip", "delegate", "starts_on", "ends_on", "reason"],
            "end_absence": ["absence_id", "reason"],
        }[self.action]
        missing = [f for f in needed if getattr(self, f) in (None, "")]
        if missing:
            raise ValueError(f"{self.action} needs {', '.join(missing)}")
        if self.action == "extend" and (self.task_id is None) == (self.unit is None):
            raise ValueError("extend needs either task_id or unit, not both")
        return self


class UnitException(BaseModel):
    """A failing unit accepted anyway, with the coordinator's written reason."""

    unit_id: str
    reason: str = ""


class GateSignature(BaseModel):
    """The coordinator's signature on a gate: ``kinerja gate``, the Prefect form and the audit.

    The Prefect form (flows/gates.py) is this model as a ``RunInput``.
    """

    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"] = Field(description="approve / reject")
    signed_by: str = Field(min_length=1, description="NIP of the HR coordinator")
    reason: str = Field("", description="Alasan (wajib jika menolak) / reason (required to reject)")
    exceptions: list[UnitException] = Field(
        default_factory=list,
        description="Unit gagal yang diterima, beralasan / accepted failing units, with reasons",
    )


class CycleStart(BaseModel):
    """The HR coordinator's request to create a cycle and start it: the typed run form of
    the ``start-cycle`` deployment in the Prefect UI (``kinerja cycle start`` takes a file).

    Either ``config`` names a cycle config among the configs the server has (under
    ``KINERJA_HOME/configs`` or Kinerja's own ``configs/``), or ``config_yaml`` holds the text
    of an uploaded one, which then wins.
    """

    model_config = ConfigDict(extra="forbid")

    config: str = Field(
        "demo/cycle.yaml",
        description="Konfigurasi siklus di configs/ / a cycle config in configs/,"
        " e.g. demo/cycle.yaml",
    )
    config_yaml: str = Field(
        "",
        description="Atau isi cycle.yaml yang diunggah (menggantikan `config`) / or the text"
        " of an uploaded cycle.yaml (used instead of `config`)",
    )
    run: bool = Field(
        True,
        description="Jalankan alur siklus sekarang / run the cycle flow now (until people"
        " must act)",
    )
