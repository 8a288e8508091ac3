"""What the CLI says about results of services, as sentences and tables, never a Python repr.

Services return dicts (a flow's outcome, outbox counts, a gate's summary); these functions
turn them into the bilingual lines the HR coordinator reads. Numbers go through
models/rules/numbers.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kinerja.models.rules.numbers import money, number

MESSAGE_STATUSES: dict[str, str] = {
    "sent": "terkirim / sent",
    "pending": "antre / queued",
    "sending": "sedang dikirim / sending",
    "dead": "gagal permanen / dead",
}

DISPATCH_OUTCOMES: dict[str, str] = {
    "sent": "terkirim / sent",
    "failed": "dicoba lagi nanti / to retry",
    "dead": "gagal permanen / dead",
}

STAGE_STATUSES: dict[str, str] = {
    "done": "selesai / done",
    "waiting": "menunggu / waiting",
    "open": "terbuka / open",
    "pending": "belum dibuka / pending",
    "rejected": "ditolak / rejected",
}


def counts(by_key: Mapping[str, int], labels: Mapping[str, str] | None = None) -> str:
    """``{'sent': 432, 'dead': 1}`` as ``432 terkirim / sent, 1 gagal permanen / dead``;
    ``-`` when empty."""
    labels = labels or {}
    parts = [f"{number(n)} {labels.get(key, key)}" for key, n in by_key.items()]
    return ", ".join(parts) if parts else "-"


def messages_line(status: Mapping[str, Any]) -> str:
    """The outbox of a cycle in one line: counts by status, and the stuck ones."""
    by_status = status["by_status"]
    return (
        f"pesan / messages: {counts(by_status, MESSAGE_STATUSES)};"
        f" gagal permanen / dead: {number(by_status.get('dead', 0))};"
        f" macet / stuck: {number(status['stuck_count'])}"
    )


def advance_line(result: Mapping[str, Any]) -> str:
    """What one run of the cycle flow did, from :func:`kinerja.flows.trigger.advance_cycle`."""
    if result.get("mode") == "deployment":
        return (
            "alur siklus dijadwalkan di server Prefect / cycle flow queued on the Prefect"
            f" server: flow run {result['flow_run_id']}"
        )
    stage, status = result.get("stage"), result.get("status")
    if status == "done" and stage == "publish":
        return "alur siklus: siklus selesai / cycle flow: the cycle is complete"
    label = STAGE_STATUSES.get(str(status), str(status))
    return f"alur siklus / cycle flow: {stage or '-'} {label}"


def stage_label(stage: str | None, cycle_status: str) -> str:
    """The stage a cycle stands at; a finished cycle has none."""
    if stage:
        return stage
    return "selesai / complete" if cycle_status == "done" else "-"


def gate_rows(summary: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """A gate's summary as table rows and their columns: the units failing the distribution
    check with their findings (publication), or each unit's people and incentive total
    (payout)."""
    if "failing" in summary:
        rows = [
            {"unit": unit, "temuan / findings": "; ".join(items)}
            for unit, items in summary["failing"].items()
        ]
        return rows, ["unit", "temuan / findings"]
    rows = [
        {"unit": unit, "pegawai / employees": n, "total": money(total)}
        for unit, n, total in summary["units"]
    ]
    return rows, ["unit", "pegawai / employees", "total"]


def gate_totals_line(summary: Mapping[str, Any]) -> str:
    """A payout gate's total against its budget (pagu)."""
    budget = summary.get("budget")
    return (
        f"total: {money(summary['total'])}; pagu / budget:"
        f" {money(budget) if budget is not None else '-'}"
    )


def sweep_line(cycle_id: str, result: Mapping[str, Any]) -> str:
    """One cycle's sweep: reminders, escalations, closures, and the stages it moved on."""
    line = (
        f"{cycle_id}: {number(result['reminders'])} pengingat / reminders,"
        f" {number(result['escalations'])} eskalasi / escalations,"
        f" {number(result['expired'])} ditutup pada batas akhir / closed at the final deadline,"
        f" {number(result['delegations'])} delegasi / delegations"
    )
    if result.get("complete"):
        line += f"; dilanjutkan / advanced: {', '.join(result['complete'])}"
    return line
