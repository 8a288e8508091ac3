"""Cycle configuration (cycle.yaml): validated data, not code.

A cycle config names the policy pack, the period, the evaluation periods, and per stage a
deadline, reminder offsets and an escalation chain. It is loaded into Pydantic models with
``extra="forbid"``; an error names the file and the field path.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    model_serializer,
    model_validator,
)

STAGES: tuple[str, ...] = (
    "plan",
    "approve_targets",
    "collect_metrics",
    "review",
    "feedback",
    "training",
    "incentives",
    "publish",
)
"""The eight stages of a cycle, in order."""

STAGE_TITLES: dict[str, tuple[str, str]] = {
    "plan": ("Perencanaan kinerja", "Plan targets"),
    "approve_targets": ("Persetujuan SKP", "Approve targets"),
    "collect_metrics": ("Pengumpulan realisasi", "Collect metrics"),
    "review": ("Penilaian kinerja", "Review"),
    "feedback": ("Umpan balik", "Give feedback"),
    "training": ("Pengembangan kompetensi", "Assign training"),
    "incentives": ("Tunjangan kinerja", "Calculate incentives"),
    "publish": ("Publikasi", "Publish"),
    "period_report": ("Laporan realisasi periodik", "Periodic realisation report"),
    "period_checkin": ("Evaluasi periodik dan dialog kinerja", "Periodic check-in"),
}

PERIOD_PHASES: tuple[str, ...] = ("report", "checkin")
"""The stages of one evaluation period, in order: the realisation of the period is reported
(``report-2026-03``), then the rater's check-in rates it and gives feedback (``checkin-2026-03``).
Their deadlines are the config's ``stages.period_report`` and ``stages.period_checkin``."""


def period_stage(phase: str, label: str) -> str:
    """The stage name of one phase of the period ``label``: ``report-2026-03``."""
    return f"{phase}-{label}"


def stage_family(stage: str) -> str:
    """The configured stage a stage name belongs to: itself, or ``period_<phase>`` for a
    period's stage (``checkin-2026-Q1`` -> ``period_checkin``)."""
    phase, _, label = stage.partition("-")
    if label and phase in PERIOD_PHASES and label[:4].isdigit():
        return f"period_{phase}"
    return stage


def period_of_stage(stage: str) -> str | None:
    """The period label of a period's stage, None for an annual stage."""
    return stage.partition("-")[2] if stage_family(stage) != stage else None


def stage_title(stage: str) -> tuple[str, str]:
    """The stage's title in Bahasa Indonesia and English, with the period when it has one."""
    id_title, en_title = STAGE_TITLES[stage_family(stage)]
    period = period_of_stage(stage)
    return (f"{id_title} {period}", f"{en_title} {period}") if period else (id_title, en_title)


class ConfigError(ValueError):
    """A configuration file is invalid; the message names the file and each bad field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StageConfig(_Strict):
    """Deadlines of one stage, in days from the moment the stage opens."""

    deadline_days: float = Field(14, gt=0, description="Due date, days after the stage opens")
    reminders_days_before: list[float] = Field(
        default_factory=lambda: [3.0, 1.0],
        description="Reminders sent this many days before the due date",
    )
    escalate_after_days: list[float] = Field(
        default_factory=lambda: [1.0, 3.0],
        description="Escalation levels, days after the due date (one per link of the chain)",
    )
    escalation_chain: list[Literal["superior", "hr"]] = Field(
        default_factory=lambda: ["superior", "hr"]
    )
    final_after_days: float = Field(
        7, ge=0, description="Final deadline, days after the due date: the policy closes the task"
    )
    final_policy: Literal["keep_proposal", "not_submitted"] = "keep_proposal"

    @model_validator(mode="after")
    def _chain_matches(self) -> StageConfig:
        if len(self.escalate_after_days) > len(self.escalation_chain):
            raise ValueError("escalate_after_days has more levels than escalation_chain")
        if any(d >= self.final_after_days for d in self.escalate_after_days):
            raise ValueError("every escalation must come before the final deadline")
        return self


class Coordinator(_Strict):
    """The HR coordinator: signs gates, is the last link of every escalation chain."""

    nip: str = "HR"
    name: str = "Koordinator SDM"
    email: str | None = None


class ExternalRater(_Strict):
    """Who rates the people with no manager in the organisation (the agency head): a rater
    outside it, e.g. the regional secretary or the minister. The HR coordinator records
    that rating on their behalf; the coordinator is never the rater."""

    nip: str = Field(
        "EXTERNAL", min_length=1, max_length=64, description="Their identifier in results"
    )
    name: str = Field(
        "Pejabat penilai di luar organisasi / rater outside the organisation",
        min_length=1,
        max_length=255,
    )


class PublicationConfig(_Strict):
    min_group_size: int = Field(5, ge=1, description="Aggregates of smaller groups are suppressed")


class NotificationConfig(_Strict):
    """Where messages go, and how long a message that fails is tried again.

    After the n-th failed attempt a message waits ``backoff_seconds * 2**(n-1)``, at most
    ``backoff_max_seconds``. A failed attempt parks it as ``dead`` once it has been tried
    ``max_attempts`` times and the waits so far add up to ``retry_hours`` (both must hold;
    ``retry_hours: 0`` makes it ``max_attempts`` alone). The defaults (30 s doubling up to an
    hour, at least 24 hours) try 31 times over 24 h 3 min (:meth:`retry_window_seconds`),
    so a relay down overnight loses nothing.
    """

    routes: str | None = Field(
        None, description="Apprise routes file (YAML), relative to the config"
    )
    max_attempts: int = Field(
        5, ge=1, le=1000, description="Attempts at least, before a message is parked as dead"
    )
    backoff_seconds: float = Field(
        30, ge=1, le=86400, description="Wait after the first failure; doubles after each"
    )
    backoff_max_seconds: float = Field(
        3600, ge=1, le=7 * 86400, description="The longest wait between two attempts"
    )
    retry_hours: float = Field(
        24, ge=0, le=720, description="Hours of waits, at least, before a message is dead"
    )
    batch_size: int = Field(500, ge=1)

    @model_validator(mode="after")
    def _schedule(self) -> NotificationConfig:
        if self.backoff_max_seconds < self.backoff_seconds:
            raise ValueError(
                f"backoff_max_seconds ({self.backoff_max_seconds:g}) is shorter than "
                f"backoff_seconds ({self.backoff_seconds:g})"
            )
        return self

    @model_serializer(mode="wrap")
    def _without_unset_schedule(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        # The schedule's later fields are left out at their defaults: a cycle's id and
        # config hash come from this dump, and a config that does not set them must keep
        # the id (and so the simulated people's draws) it had before they existed.
        for name in _SCHEDULE_ADDED:
            if getattr(self, name) == NotificationConfig.model_fields[name].default:
                data.pop(name, None)
        return data

    def retry_delay(self, failures: int) -> float:
        """Seconds to wait after the ``failures``-th failed attempt (1 for the first)."""
        doublings = min(max(failures, 1) - 1, 64)  # past 2**64 every wait is the cap anyway
        return min(self.backoff_seconds * 2.0**doublings, self.backoff_max_seconds)

    def _schedule_to_cap(self) -> tuple[int, float]:
        """(k, w): the first attempt k whose following wait is the cap, and w the waits
        before it; or the attempt that is already the last, if it comes first."""
        attempt, waited = 1, 0.0
        window = self.retry_hours * 3600
        while not (attempt >= self.max_attempts and waited >= window):
            delay = self.retry_delay(attempt)
            if delay >= self.backoff_max_seconds:
                break
            waited += delay
            attempt += 1
        return attempt, waited

    def attempts_before_dead(self) -> int:
        """The attempt whose failure parks a message as ``dead``."""
        attempt, waited = self._schedule_to_cap()
        window = self.retry_hours * 3600
        at_cap = math.ceil(max(0.0, window - waited) / self.backoff_max_seconds)
        return max(attempt + at_cap, self.max_attempts)

    def retry_window_seconds(self) -> float:
        """How long after its first attempt a message's last attempt comes (the waits' sum)."""
        attempt, waited = self._schedule_to_cap()
        return waited + (self.attempts_before_dead() - attempt) * self.backoff_max_seconds


_SCHEDULE_ADDED = ("backoff_max_seconds", "retry_hours")


class PeriodicConfig(_Strict):
    """Evaluation inside the year (PermenPANRB 6/2022: periodic and annual, DOMAIN.md A1).

    Each period of ``evaluation_periods`` opens the day after it ends: its realisation is
    reported (stage ``report-<period>``), then the rater holds a check-in (``checkin-<period>``):
    a periodic rating, feedback, and a coaching dialog for people at risk. With ``incentives:
    monthly`` (monthly periods only) tukin is computed each month from that month's periodic
    predikat, signed by the HR coordinator at a payout gate per month and exported as the
    month's payroll file.
    """

    checkin: bool = Field(True, description="Raters rate each period and give feedback")
    incentives: Literal["annual", "monthly"] = Field(
        "annual", description="monthly: tukin each month from the month's periodic predikat"
    )
    monthly_budget: Decimal | None = Field(
        None, ge=0, description="Budget cap (pagu) of one month's incentives; scaled to fit"
    )


class GatesConfig(_Strict):
    """Coordinator gates (Prefect pause forms) and how long a paused run waits."""

    publication: bool = Field(True, description="Sign the distribution findings before publish")
    payout: bool = Field(True, description="Sign the incentive totals before payout")
    timeout_days: float = Field(30, gt=0, description="A pause not signed by then fails the run")
    poll_seconds: float = Field(
        10, gt=0, description="How often a paused run looks for a signature"
    )


class CycleConfig(_Strict):
    """A cycle definition (cycle.yaml)."""

    cycle_id: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    name: str
    policy: str = Field(description="Policy pack name in configs/policies, or a path to one")
    period_start: date
    period_end: date
    evaluation_periods: Literal["monthly", "quarterly", "semester", "annual"] = "quarterly"
    approach: Literal["quantitative", "qualitative"] = Field(
        "quantitative",
        description=(
            "PermenPANRB 6/2022: quantitative (numeric targets, a proposed rating from the"
            " achievements) or qualitative (the rater judges each RHK against the expectation:"
            " targets may have no number, realisation may be evidence only, no proposal)"
        ),
    )
    chunk_size: int = Field(5000, ge=1)
    metrics_at_period_end: bool = Field(
        True, description="Collect metrics only once the period has ended"
    )
    lang: Literal["id", "en"] = "id"
    portal_url: str = "http://127.0.0.1:8700"
    coordinator: Coordinator = Field(default_factory=Coordinator)
    external_rater: ExternalRater = Field(default_factory=ExternalRater)
    publication: PublicationConfig = Field(default_factory=PublicationConfig)
    incentive_budget: Decimal | None = Field(
        None, ge=0, description="Budget cap (pagu) of the cycle's incentives; scaled to fit"
    )
    notifications: NotificationConfig = Field(default_factory=NotificationConfig)
    stages: dict[str, StageConfig] = Field(default_factory=dict)
    gates: GatesConfig = Field(default_factory=GatesConfig)
    periodic: PeriodicConfig | None = Field(
        None, description="Periods inside the year: reports, check-ins, monthly tukin"
    )
    appeal_window_days: int = Field(
        14,
        ge=1,
        description="Days after publication in which an employee may appeal (keberatan)",
    )

    @model_validator(mode="after")
    def _check(self) -> CycleConfig:
        if self.period_end <= self.period_start:
            raise ValueError("period_end must be after period_start")
        if self.external_rater.nip == self.coordinator.nip:
            raise ValueError(
                "external_rater.nip: the HR coordinator records, never rates; give the"
                " external rater an identifier of their own"
            )
        known = (*STAGES, *(f"period_{phase}" for phase in PERIOD_PHASES))
        unknown = set(self.stages) - set(known)
        if unknown:
            raise ValueError(f"unknown stage(s) {sorted(unknown)}; stages are {list(known)}")
        if (
            self.periodic is not None
            and self.periodic.incentives == "monthly"
            and self.evaluation_periods != "monthly"
        ):
            raise ValueError("periodic.incentives: monthly needs evaluation_periods: monthly")
        return self

    @model_serializer(mode="wrap")
    def _without_unset_periodic(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        # A cycle's id and config hash come from this dump: a config without periods keeps
        # the id (and so the simulated people's draws) it had before periods existed.
        if self.periodic is None:
            data.pop("periodic", None)
        return data

    def stage(self, name: str) -> StageConfig:
        return self.stages.get(name) or self.stages.get(stage_family(name)) or StageConfig()


def format_validation_error(source: str, exc: ValidationError) -> str:
    lines = [f"{source}: invalid configuration"]
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"]) or "(top level)"
        lines.append(f"  {path}: {err['msg']}")
    return "\n".join(lines)


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc


M = TypeVar("M", bound=BaseModel)


def load_yaml_model(
    path: str | Path, model: type[M], *, context: dict[str, Any] | None = None
) -> M:
    """Load a YAML file into ``model``; raises :class:`ConfigError` naming file and fields.

    ``context`` reaches the model's validators (a pack resolves its catalogue with it).
    """
    path = Path(path)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(str(path), exc)) from exc


def load_cycle_config(path: str | Path) -> CycleConfig:
    """Load and validate a cycle config; raises :class:`ConfigError` naming file and fields."""
    return load_yaml_model(path, CycleConfig)


def content_hash(data: Any) -> str:
    """SHA-256 of the canonical JSON form of ``data``."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
