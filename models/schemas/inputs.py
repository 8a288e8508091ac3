"""One typed input per human action.

The same model validates the portal form, ``kinerja respond`` and the Prefect form, and is
stored in the audit log. Fields can be added without changing any signature.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Rating = Annotated[str, Field(min_length=1, max_length=32)]
"""A rating code of the cycle's policy pack (ASN: di_atas, sesuai, di_bawah); checked there."""

Key = Annotated[str, Field(min_length=1, max_length=64)]
"""An identifier as the tables store it (a target id, a goal id, a NIP)."""

Text = Annotated[str, Field(max_length=5000)]
"""A person's words: a comment, a reason, evidence, feedback."""

Line = Annotated[str, Field(min_length=1, max_length=2000)]
"""One line of a target: its statement or indicator."""

MAX_TARGETS = 100
"""The most targets one person proposes, or one answer reports on, at once."""


def validation_problems(exc: ValidationError, *, root: str = "input") -> str:
    """A Pydantic error as one line: ``field.path: message; ...`` (``root`` for the whole)."""
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or root}: {e['msg']}" for e in exc.errors()
    )


class _Input(BaseModel):
    # Unknown fields are refused, numbers are finite, and every text has a bound: an answer
    # is stored in the task and its audit event as it came.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class ProposedTarget(_Input):
    target_id: Key | None = Field(None, description="Kept when revising an existing target")
    serves: Key = Field(description="The unit goal or the manager's target this one serves")
    statement: Line
    indicator: Line
    aspect: str = Field("kuantitas", max_length=32)
    target: float | None = Field(
        None, description="The number to reach; empty only in a qualitative cycle"
    )
    target_high: float | None = None
    unit_of_measure: str = Field(min_length=1, max_length=64)
    direction: Literal["higher", "lower", "range"] = "higher"
    weight: float | None = Field(None, description="Within the pack's bounds (checked there)")
    kind: Literal["utama", "tambahan"] = "utama"
    aggregate: Literal["sum", "last", "mean", "max"] | None = Field(
        None, description="How period values combine; empty: the pack's default"
    )


class TargetProposal(_Input):
    """An employee proposes (or revises) their targets; ``targets=None`` resubmits as they are."""

    targets: list[ProposedTarget] | None = Field(None, max_length=MAX_TARGETS)
    comment: Text | None = None


class TargetDecision(_Input):
    """A manager approves the targets, or returns them with a comment."""

    decision: Literal["approve", "return"]
    comment: Text | None = None
    target_comments: dict[Key, Text] = Field(default_factory=dict, max_length=MAX_TARGETS)

    @model_validator(mode="after")
    def _return_needs_comment(self) -> TargetDecision:
        if self.decision == "return" and not (self.comment or self.target_comments):
            raise ValueError(
                "mengembalikan SKP memerlukan komentar / returning targets needs a comment"
            )
        return self


class RealisationReport(_Input):
    """An employee reports realisation per target for the cycle (with evidence).

    A value may be empty (None) only in a qualitative cycle, and then evidence is required.
    """

    values: dict[Key, float | None] = Field(min_length=1, max_length=MAX_TARGETS)
    evidence: Text | None = None

    @model_validator(mode="after")
    def _no_number_needs_evidence(self) -> RealisationReport:
        if any(v is None for v in self.values.values()) and not (self.evidence or "").strip():
            raise ValueError(
                "realisasi tanpa angka memerlukan bukti / a realisation without a number"
                " needs evidence"
            )
        return self


class ReviewSubmission(_Input):
    """A manager rates results and behaviour. Omitted ratings accept the proposal.

    A rating hasil kerja other than the proposed one needs a reason, in ``comment``.
    """

    hasil_kerja: Rating | None = None
    perilaku: Rating | None = None
    perilaku_values: dict[Rating, Rating] = Field(default_factory=dict, max_length=50)
    comment: Text | None = None


class CheckinSubmission(_Input):
    """A rater's periodic check-in: the period's ratings (omitted: the proposal and the
    pack's default behaviour rating), feedback to the employee, and for a person at risk
    the coaching dialog held (dialog kinerja). A rating other than the proposal needs a
    reason, in ``comment``."""

    hasil_kerja: Rating | None = None
    perilaku: Rating | None = None
    feedback: str | None = Field(None, max_length=5000)
    coaching: str | None = Field(None, max_length=5000)
    comment: Text | None = None


class FeedbackNote(_Input):
    """A manager writes feedback (umpan balik) to the employee."""

    text: str = Field(min_length=1, max_length=5000)


class FeedbackAcknowledgement(_Input):
    """The employee acknowledges the feedback."""

    acknowledged: Literal[True] = True
    comment: Text | None = None


class Appeal(_Input):
    """An employee objects to their result (keberatan), with reasons, after publication."""

    reason: str = Field(min_length=1, max_length=5000)

    @model_validator(mode="after")
    def _reason_not_blank(self) -> Appeal:
        if not self.reason.strip():
            raise ValueError("alasan keberatan wajib diisi / an appeal needs a reason")
        return self


class AppealDecision(_Input):
    """The rater's superior decides an appeal; final. Upholding gives the new rating(s)."""

    decision: Literal["uphold", "reject"]
    hasil_kerja: Rating | None = None
    perilaku: Rating | None = None
    reason: str = Field(min_length=1, max_length=5000)

    @model_validator(mode="after")
    def _consistent(self) -> AppealDecision:
        if not self.reason.strip():
            raise ValueError("keputusan memerlukan alasan / a decision needs a reason")
        changes = self.hasil_kerja is not None or self.perilaku is not None
        if self.decision == "uphold" and not changes:
            raise ValueError(
                "menerima keberatan memerlukan rating baru (hasil_kerja dan/atau perilaku) / "
                "upholding an appeal needs a new rating (hasil_kerja and/or perilaku)"
            )
        if self.decision == "reject" and changes:
            raise ValueError(
                "menolak keberatan tidak mengubah rating / rejecting an appeal changes no rating"
            )
        return self


class ComplaintReply(_Input):
    """The officer's answer to a citizen's complaint, shown on its tracking page, and why it
    is closed (``None``: answered, still open for follow-up)."""

    reply: Annotated[str, Field(min_length=2, max_length=4000)]
    close_reason: (
        Literal["resolved", "not_substantiated", "out_of_scope", "duplicate", "withdrawn"] | None
    ) = "resolved"


INPUT_FOR_KIND: dict[str, type[_Input]] = {
    "propose_targets": TargetProposal,
    "revise_targets": TargetProposal,
    "approve_targets": TargetDecision,
    "report_realisation": RealisationReport,
    "report_period": RealisationReport,
    "checkin": CheckinSubmission,
    "review": ReviewSubmission,
    "write_feedback": FeedbackNote,
    "acknowledge_feedback": FeedbackAcknowledgement,
    "file_appeal": Appeal,  # not a task: filed through models.appeals.file_appeal
    "decide_appeal": AppealDecision,
    "answer_complaint": ComplaintReply,
}
