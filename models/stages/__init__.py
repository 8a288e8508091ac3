"""The stages' automated work, one module per stage that has any (``plan``,
``approve_targets``, ``collect_metrics``, ``review``, ``feedback``, ``training``,
``incentives``, ``publish``), with what they need: ``common`` (chunks, raters, result
updates), the distribution check (``distribution``), the organisation's own predikat
(``org_predikat``) and the unit heads' proposal that follows it (``unit_heads``), credit
points, attendance and discipline ``deductions``, the JP
``training_ledger``, and the coordinator ``gates`` between incentives and publication.

Each function takes a Session and, where it works per chunk, a NIP range; all are
idempotent.

May import: ``store``, ``schemas``, ``policy``, ``rules``, ``imports``, ``cycles``,
``audit``, ``outbox``, ``humantasks``.
"""
