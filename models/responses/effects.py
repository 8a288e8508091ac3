"""The one-task effects: what an answer of a kind without a set-based effect changes.

An effect takes the task, its cycle and the validated input and changes what the answer
changes (targets proposed, a returned approval, an appeal's outcome, a complaint's reply),
in the caller's transaction. The other kinds' answers are applied in batches
(:data:`kinerja.models.responses.bulk.BULK_EFFECTS`); a batch of these kinds goes through
them one task at a time.
"""

from __future__ import annotations

from kinerja.models.appeals.deciding import decide_appeal
from kinerja.models.citizens.complaints import complaint_answered
from kinerja.models.responses.targets import targets_decided, targets_proposed

EFFECTS = {
    "propose_targets": targets_proposed,
    "revise_targets": targets_proposed,
    "approve_targets": targets_decided,  # a return; approvals go in bulk
    "decide_appeal": decide_appeal,  # an upheld appeal recalculates: see models/appeals/filing.py
    "answer_complaint": complaint_answered,  # the reply reaches the citizen's tracking page
}
