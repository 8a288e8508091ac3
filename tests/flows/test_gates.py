"""Coordinator gates: the cycle pauses before payout and publication until the HR coordinator
signs in the Prefect form (resumed here as the UI does) or with ``kinerja gate``."""

from __future__ import annotations

import contextvars
import re
import shutil
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prefect.flow_runs import resume_flow_run
from sqlalchemy import select, update

from kinerja.flows.cycle import performance_cycle
from kinerja.flows.gates import GateInput, form_model
from kinerja.flows.signing import find_paused_run, sign_gate
from kinerja.flows.simulate import simulate
from kinerja.flows.stage import StageOutcome
from kinerja.models.audit.verify import verify
from kinerja.models.cycles.cycle import get_cycle, stage_row
from kinerja.models.humantasks.links import link_secret, verify_desk
from kinerja.models.stages.gates import GateError, check_input
from kinerja.models.store.db import get_engine, session_scope
from kinerja.models.store.tables import AuditEvent, DistributionFinding, Notification
from kinerja.tasks.mailcatcher import MailCatcher

DEMO = Path(__file__).resolve().parents[2] / "configs" / "demo"
WAIT = 120  # seconds: every wait in these tests has this deadline


@pytest.fixture
def gated(db_url, tmp_path, monkeypatch) -> str:
    """The demo cycle, run to the end, then set back to just before the gates as a real
    (not simulated) cycle, with one unit failing the distribution check."""
    monkeypatch.setenv("KINERJA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KINERJA_GATE_POLL_SECONDS", "1")
    scenario = tmp_path / "scenario"
    shutil.copytree(DEMO, scenario)
    with MailCatcher(tmp_path / "mail") as catcher:
        monkeypatch.setenv("KINERJA_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("KINERJA_SMTP_PORT", str(catcher.port))
        cycle_id = simulate(scenario, db_url=db_url).cycle_id
    with session_scope(get_engine(db_url)) as s:
        incentives = stage_row(s, cycle_id, "incentives")
        incentives.stats = {k: v for k, v in incentives.stats.items() if k != "gates"}
        publish = stage_row(s, cycle_id, "publish")
        publish.status, publish.stats, publish.closed_at = "pending", {}, None
        cycle = get_cycle(s, cycle_id)
        cycle.status, cycle.current_stage, cycle.finished_at = "running", "publish", None
        cycle.clock_at = None
        s.execute(
            update(DistributionFinding)
            .where(DistributionFinding.cycle_id == cycle_id, DistributionFinding.unit_id == "DINAS")
            .values(passed=False)
        )
    return cycle_id


def run_cycle_with(
    cycle_id: str, db_url: str, actions: list[Callable[[str, str], None]]
) -> StageOutcome:
    """Run the cycle flow in a thread; act on each new gate pause in turn; return its outcome."""
    out: list[Any] = []

    def run() -> None:
        try:
            out.append(performance_cycle(cycle_id=cycle_id, db_url=db_url))
        except BaseException as exc:  # reported by the assertion below
            out.append(exc)

    flow = threading.Thread(target=contextvars.copy_context().run, args=(run,), daemon=True)
    flow.start()
    seen: set[tuple[str, str]] = set()
    for act in actions:
        deadline = time.monotonic() + WAIT
        while (paused := find_paused_run(cycle_id)) is None or paused in seen:
            assert flow.is_alive(), f"the flow ended before pausing: {out}"
            assert time.monotonic() < deadline, "the cycle did not pause at a gate"
            time.sleep(0.3)
        seen.add(paused)
        act(*paused)
    flow.join(WAIT)
    assert not flow.is_alive(), "the cycle flow did not finish after the last signature"
    assert not isinstance(out[0], BaseException), out[0]
    return out[0]


def gate_events(db_url: str) -> list[tuple[str, dict]]:
    with session_scope(get_engine(db_url)) as s:
        rows = s.execute(
            select(AuditEvent.action, AuditEvent.payload)
            .where(AuditEvent.action.like("gate.%"))
            .order_by(AuditEvent.seq)
        ).all()
    return [(a, p) for a, p in rows]


def test_gates_pause_and_approval_with_reasons_publishes(gated, db_url):
    keys: list[str] = []

    def approve_payout(run_id: str, key: str) -> None:
        keys.append(key)
        assert sign_gate(gated, db_url=db_url, decision="approve")["mode"] == "resumed"

    def ui_without_reason(run_id: str, key: str) -> None:
        keys.append(key)  # the form as the UI sends it: the failing unit's reason left blank
        resume_flow_run(
            run_id,
            run_input={
                "decision": "approve",
                "signed_by": "HR-0001",
                "reason": "",
                "exceptions": [{"unit_id": "DINAS", "reason": ""}],
            },
        )

    def approve_with_reason(run_id: str, key: str) -> None:
        keys.append(key)
        with pytest.raises(GateError, match="DINAS"):  # refused before it reaches the run
            sign_gate(gated, db_url=db_url, decision="approve")
        sign_gate(
            gated,
            db_url=db_url,
            decision="approve",
            exceptions={"DINAS": "unit kecil / small unit"},
        )

    outcome = run_cycle_with(
        gated, db_url, [approve_payout, ui_without_reason, approve_with_reason]
    )
    assert outcome.done
    assert keys == ["gate-payout-1", "gate-publication-1", "gate-publication-2"]
    with session_scope(get_engine(db_url)) as s:
        assert stage_row(s, gated, "publish").status == "done"
        assert get_cycle(s, gated).status == "done"
        gates = stage_row(s, gated, "incentives").stats["gates"]
        assert gates["publication"]["exceptions"] == {"DINAS": "unit kecil / small unit"}
        assert verify(s).ok
    events = gate_events(db_url)
    assert [(a, p["gate"]) for a, p in events[-2:]] == [
        ("gate.approve", "payout"),
        ("gate.approve", "publication"),
    ]
    # A rerun after the signatures does not pause again and changes nothing.
    assert performance_cycle(cycle_id=gated, db_url=db_url).done
    assert gate_events(db_url) == events

    # The coordinator was told once per gate (the publication gate paused twice), in the
    # cycle's language, with the figures and a link to the desk.
    with session_scope(get_engine(db_url)) as s:
        told = s.scalars(
            select(Notification)
            .where(Notification.kind == "gate_waiting")
            .order_by(Notification.id)
        ).all()
    assert [(n.recipient_nip, n.key.split(":")[1]) for n in told] == [
        ("HR-0001", "gate-payout"),
        ("HR-0001", "gate-publication"),
    ]
    assert re.search(r"Total: Rp\d{1,3}(\.\d{3})+", told[0].body), told[0].body
    assert "1 unit gagal uji distribusi" in told[1].body
    assert all("/desk/d." in n.link and n.link in n.body for n in told)
    # The link opens the coordinator's desk, still when the gate's pause is nearly over.
    token = told[0].link.rsplit("/", 1)[1]
    late = datetime.now() + timedelta(days=29)
    assert verify_desk(token, link_secret(), late) == "HR-0001"

    # What was signed is a table artifact per gate, with readable figures.
    payout, description = table_artifact(f"{gated}-gate-payout")
    assert "Rp" in description and "{'" not in description
    units = {row["unit"]: row for row in payout}
    assert "DINAS" in units and {"* total", "* pagu / budget"} <= set(units)
    assert re.fullmatch(r"Rp\d{1,3}(\.\d{3})+", units["* total"]["total"]), units["* total"]
    publication, _ = table_artifact(f"{gated}-gate-publication")
    by_unit = {row["unit"]: row for row in publication}
    assert by_unit["DINAS"]["uji distribusi / distribution check"] != "lolos / passed"
    assert all("[('" not in v and "{'" not in v for row in publication for v in row.values())


def table_artifact(key: str) -> tuple[list[dict[str, str]], str]:
    """The rows and the description of the newest table artifact under ``key``."""
    import json

    from prefect.artifacts import Artifact

    artifact = Artifact.get(key)
    assert artifact is not None and artifact.type == "table", artifact
    data = artifact.data
    rows = json.loads(data) if isinstance(data, str) else data
    return rows, artifact.description or ""


def test_reject_stops_the_cycle_until_an_approval(gated, db_url):
    def reject(run_id: str, key: str) -> None:
        sign_gate(gated, db_url=db_url, decision="reject", reason="data unit salah / wrong data")

    outcome = run_cycle_with(gated, db_url, [reject])
    assert (outcome.stage, outcome.status, outcome.stats["gate"]) == (
        "publish",
        "rejected",
        "payout",
    )
    with session_scope(get_engine(db_url)) as s:
        assert get_cycle(s, gated).status == "rejected"
        assert stage_row(s, gated, "publish").status == "pending"
    again = run_cycle_with(gated, db_url, [])  # no pause: the rejection stands
    assert again.status == "rejected"
    with pytest.raises(GateError, match="reason"):
        sign_gate(gated, db_url=db_url, decision="reject")
    # Corrected, the coordinator approves without a paused run: recorded, the cycle goes on
    # (in this process) to the publication gate, where the form is signed in turn.
    result: dict[str, Any] = {}

    def approve_publication(run_id: str, key: str) -> None:
        assert key == "gate-publication-1"
        sign_gate(gated, db_url=db_url, decision="approve", exceptions={"DINAS": "koreksi"})

    def approve_payout() -> None:
        result.update(sign_gate(gated, db_url=db_url, decision="approve"))

    thread = threading.Thread(target=contextvars.copy_context().run, args=(approve_payout,))
    thread.start()
    deadline = time.monotonic() + WAIT
    while find_paused_run(gated) is None:
        assert time.monotonic() < deadline, "the publication gate did not pause"
        time.sleep(0.3)
    approve_publication(*find_paused_run(gated))
    thread.join(WAIT)
    assert result["mode"] == "recorded" and result["cycle"]["status"] == "done"
    with session_scope(get_engine(db_url)) as s:
        assert get_cycle(s, gated).status == "done"
        assert verify(s).ok
    assert [a for a, _ in gate_events(db_url)][-3:] == [
        "gate.reject",
        "gate.approve",
        "gate.approve",
    ]


@pytest.mark.parametrize(
    ("kind", "signed", "message"),
    [
        ("payout", {"decision": "reject", "signed_by": "HR"}, "reason"),
        ("payout", {"decision": "approve", "signed_by": "someone"}, "coordinator"),
        ("publication", {"decision": "approve", "signed_by": "HR"}, "U1"),
        (
            "publication",
            {
                "decision": "approve",
                "signed_by": "HR",
                "exceptions": [{"unit_id": "U9", "reason": "x"}],
            },
            "U9",
        ),
        ("payout", {"decision": "approve", "signed_by": "HR"}, "budget"),
    ],
)
def test_signatures_that_are_refused(kind, signed, message):
    summary = {"failing": {"U1": ["rule: detail"]}, "units": [], "total": "120", "budget": 100}
    with pytest.raises(GateError, match=message):
        check_input(kind, GateInput.model_validate(signed), summary, "HR")
    ok = {"decision": "approve", "signed_by": "HR", "reason": "ok"}
    if kind == "publication":
        ok["exceptions"] = [{"unit_id": "U1", "reason": "accepted"}]
    check_input(kind, GateInput.model_validate(ok), summary, "HR")


def test_the_prefect_form_is_prefilled_from_its_schema():
    """The UI fills its form from the JSON schema's defaults: the signer and one row per
    failing unit must be there (a default_factory would leave them out)."""
    state = {"summary": {"failing": {"U1": ["rule: detail"], "U2": ["x"]}}, "coordinator": "HR"}
    form = form_model("publication", state)
    props = form.model_json_schema()["properties"]
    assert props["signed_by"]["default"] == "HR"
    assert props["signed_by"]["minLength"] == 1
    assert props["exceptions"]["default"] == [
        {"unit_id": "U1", "reason": ""},
        {"unit_id": "U2", "reason": ""},
    ]
    first, second = form(decision="approve"), form(decision="approve")
    first.exceptions[0].reason = "accepted"
    assert second.exceptions[0].reason == ""  # each signature gets its own rows
    payout = form_model("payout", {"summary": {"units": []}, "coordinator": "HR"})
    assert payout.model_json_schema()["properties"]["exceptions"]["default"] == []
