"""Appeals (keberatan): filing within the window, who decides, and what an upheld appeal changes.

A small published cycle is built in-process with the stage functions themselves::

    ROOT  head H (no manager)           H, R1 .. R4 (report to H)
    SEC   head M (reports to H)         M, S1 .. S5 (report to M)

S1 is rated di_bawah / sesuai (predikat butuh_perbaikan): the only one among M's direct
reports, so that group's "at least one Butuh Perbaikan or Kurang" finding (under SEC's curve,
M's unit) passes until S1's appeal is upheld. M, the head of SEC, is in H's group with
R1 .. R4, under ROOT's curve (H's unit); H alone is the HR coordinator's group.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.models.appeals.filing import AppealError, file_appeal, list_appeals
from kinerja.models.audit.verify import verify
from kinerja.models.cycles.cycle import close_stage, create_cycle, cycle_pack, open_stage
from kinerja.models.humantasks.states import Actor, NotAllowed, TaskError
from kinerja.models.responses.service import respond
from kinerja.models.schemas.config import STAGES, Coordinator, CycleConfig
from kinerja.models.stages import incentives, plan, publish, review, training
from kinerja.models.store.tables import (
    AuditEvent,
    Cycle,
    CycleStage,
    DistributionFinding,
    Employee,
    HumanTask,
    JpLedgerEntry,
    Notification,
    Publication,
    Result,
    TrainingAssignment,
    Unit,
    UnitRating,
)

CYCLE_ID = "skp-2025"
PUBLISHED = datetime(2026, 1, 20, 9, 0)
HR = "HR-1"
H, M, S1 = "H-1", "M-1", "S-1"
RATINGS = {
    H: ("di_atas", "sesuai", "IV/c"),
    M: ("sesuai", "sesuai", "IV/a"),
    S1: ("di_bawah", "sesuai", "III/b"),
    "S-2": ("sesuai", "sesuai", "III/b"),
    "S-3": ("sesuai", "sesuai", "III/a"),
    "S-4": ("di_atas", "di_atas", "III/c"),
    "S-5": ("sesuai", "di_atas", "II/d"),
    "R-1": ("sesuai", "sesuai", "III/d"),
    "R-2": ("di_bawah", "di_bawah", "III/a"),
    "R-3": ("sesuai", "sesuai", "II/c"),
    "R-4": ("di_atas", "sesuai", "III/b"),
}
UPHOLD = {"decision": "uphold", "hasil_kerja": "sesuai", "reason": "Bukti realisasi Q4 diterima"}
REJECT = {"decision": "reject", "reason": "Penilaian sudah sesuai bukti"}


def config(**extra: Any) -> CycleConfig:
    return CycleConfig(
        cycle_id=CYCLE_ID,
        name="SKP 2025",
        policy="asn",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        coordinator=Coordinator(nip=HR, name="Koordinator SDM"),
        **extra,
    )


def build_published(session: Session, cfg: CycleConfig) -> Cycle:
    """The organisation and a cycle run to publication by the stage functions."""
    session.add_all(
        [
            Unit(unit_id="ROOT", name="Dinas Contoh", head_nip=H),
            Unit(unit_id="SEC", name="Seksi Layanan", parent_id="ROOT", head_nip=M),
        ]
    )
    for nip, (_, _, grade) in RATINGS.items():
        unit = "ROOT" if nip == H or nip.startswith("R") else "SEC"
        manager = None if nip == H else (H if unit == "ROOT" or nip == M else M)
        session.add(
            Employee(
                nip=nip, name=f"Pegawai {nip}", unit_id=unit, position="Staf", grade=grade,
                manager_nip=manager,
            )
        )  # fmt: skip
    session.flush()
    start = PUBLISHED - timedelta(days=30)
    cycle = create_cycle(session, config=cfg, config_dir=None, now=start)
    session.add_all(
        UnitRating(cycle_id=CYCLE_ID, unit_id=u, predikat_organisasi="baik")
        for u in ("ROOT", "SEC")
    )
    plan.ensure_results(session, cycle=cycle, coordinator=HR, lo="", hi="\uffff")
    session.flush()
    for nip, (hasil, perilaku, _) in RATINGS.items():
        result = session.get(Result, (CYCLE_ID, nip))
        result.proposed_hasil_kerja = result.hasil_kerja = hasil
        result.perilaku = perilaku
    session.flush()
    pack = cycle_pack(cycle)
    every = {"lo": "", "hi": "\uffff"}
    review.compute_predikat(session, cycle=cycle, pack=pack, now=start, **every)
    review.check_distributions(session, cycle=cycle, pack=pack)
    training.assign_training_chunk(session, cycle=cycle, pack=pack, year=2025, **every)
    incentives.compute_incentives(session, cycle=cycle, pack=pack, now=start, **every)
    incentives.apply_incentive_budget(
        session, cycle=cycle, budget=cfg.incentive_budget, pack=pack, now=start
    )
    publish.publish_units(session, cycle=cycle, config=cfg, now=PUBLISHED)
    for stage in STAGES:
        open_stage(session, cycle=cycle, stage=stage, now=start)
        close_stage(session, cycle=cycle, stage=stage, now=PUBLISHED, stats={})
    session.commit()
    return cycle


@pytest.fixture
def cycle(session: Session) -> Cycle:
    return build_published(session, config())


def snapshot(session: Session) -> dict[str, Any]:
    """Every row an appeal may change, keyed so that two snapshots can be compared row by row."""
    session.expire_all()
    results = {
        r.nip: {c.name: getattr(r, c.name) for c in Result.__table__.columns}
        for r in session.scalars(select(Result))
    }
    return {
        "results": results,
        "publications": {
            p.unit_id: (p.payload, p.published_at) for p in session.scalars(select(Publication))
        },
        "findings": {
            (f.unit_id, f.rater_nip, f.rule): (f.passed, f.detail)
            for f in session.scalars(select(DistributionFinding))
        },
        "training": {
            (t.nip, t.course): (t.jp, t.reason, t.status)
            for t in session.scalars(select(TrainingAssignment))
        },
        "ledger": {
            e.key: (e.nip, e.jp, e.status, e.year) for e in session.scalars(select(JpLedgerEntry))
        },
    }


def differing(before: dict[str, Any], after: dict[str, Any]) -> dict[str, set]:
    """The keys whose rows differ (changed, added or removed), per table."""
    out = {}
    for table in before:
        keys = set(before[table]) | set(after[table])
        out[table] = {k for k in keys if before[table].get(k) != after[table].get(k)}
    return out


def appeal(session: Session, nip: str = S1, now: datetime = PUBLISHED) -> HumanTask:
    task = file_appeal(
        session, cycle_id=CYCLE_ID, nip=nip, reason="Bukti Q4 belum dinilai", now=now
    )
    session.commit()
    return task


def decide(
    session: Session, task: HumanTask, data: dict, *, by: str = H, reason: str | None = None
) -> Any:
    try:
        outcome = respond(
            session,
            task_id=task.id,
            actor=Actor(by, reason),
            data=data,
            now=PUBLISHED + timedelta(days=3),
        )
    except Exception:
        session.rollback()  # the caller's transaction: a refusal leaves nothing behind
        raise
    session.commit()
    return outcome


def appellant_messages(session: Session, task: HumanTask) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification).where(
                Notification.task_id == task.id, Notification.kind == "appeal_decided"
            )
        )
    )


def count(session: Session, table: type, *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(table).where(*where)) or 0


# --- filing ------------------------------------------------------------------------------------


def test_an_appeal_opens_a_task_for_the_raters_superior_with_a_message(session, cycle):
    task = appeal(session)
    assert (task.kind, task.stage, task.state) == ("decide_appeal", "appeal", "open")
    assert task.subject_nip == S1 and task.assignee_nip == H  # S1's rater is M; M reports to H
    assert task.payload["rater_nip"] == M and task.payload["predikat"] == "butuh_perbaikan"
    (message,) = session.scalars(select(Notification).where(Notification.task_id == task.id))
    assert message.recipient_nip == H and message.kind == "task_opened"
    assert message.link in message.body and "Memutus keberatan" in message.body
    filed = session.scalars(select(AuditEvent).where(AuditEvent.action == "appeal.filed")).one()
    assert (filed.actor, filed.entity_id) == (S1, str(task.id))
    assert [a["nip"] for a in list_appeals(session, cycle_id=CYCLE_ID)] == [S1]


def test_without_a_superior_the_hr_coordinator_decides(session, cycle):
    # H has no manager: H is rated from outside the organisation (the coordinator only
    # records that rating, and is no rater); with nobody above in it, the coordinator decides.
    task = appeal(session, nip=H)
    assert task.assignee_nip == HR and task.payload["rater_nip"] == "EXTERNAL"
    decide(session, task, {"decision": "reject", "reason": "Sesuai"}, by=HR)
    assert session.get(HumanTask, task.id).state == "done"


@pytest.mark.parametrize(
    ("late", "refused"),
    [
        (timedelta(days=14), False),
        (timedelta(days=14, seconds=1), True),
        (timedelta(days=40), True),
    ],
)
def test_the_window_is_fourteen_days_from_publication(session, cycle, late, refused):
    if refused:
        with pytest.raises(AppealError, match="window"):
            file_appeal(session, cycle_id=CYCLE_ID, nip=S1, reason="x", now=PUBLISHED + late)
        session.rollback()
        assert count(session, HumanTask) == 0 and count(session, Notification) == 0
    else:
        assert appeal(session, now=PUBLISHED + late).state == "open"


def test_the_window_comes_from_the_cycle_config(session):
    cfg = config(appeal_window_days=3)
    assert cfg.model_dump()["appeal_window_days"] == 3
    assert config().appeal_window_days == 14
    build_published(session, cfg)
    with pytest.raises(AppealError, match="3 days"):
        file_appeal(session, cycle_id=CYCLE_ID, nip=S1, reason="x", now=PUBLISHED + timedelta(4))


def test_a_second_appeal_is_refused_before_and_after_the_decision(session, cycle):
    task = appeal(session)
    with pytest.raises(AppealError, match="already appealed"):
        appeal(session)
    session.rollback()
    decide(session, task, REJECT)
    with pytest.raises(AppealError, match="already appealed"):
        appeal(session)
    session.rollback()
    assert count(session, HumanTask) == 1


def test_appeals_before_publication_without_reason_or_result_are_refused(session, cycle):
    with pytest.raises(AppealError, match="reason"):
        file_appeal(session, cycle_id=CYCLE_ID, nip=S1, reason="   ", now=PUBLISHED)
    with pytest.raises(AppealError, match="no result"):
        file_appeal(session, cycle_id=CYCLE_ID, nip="NOBODY", reason="x", now=PUBLISHED)
    with pytest.raises(AppealError, match="unknown cycle"):
        file_appeal(session, cycle_id="other", nip=S1, reason="x", now=PUBLISHED)
    session.rollback()
    session.get(CycleStage, (CYCLE_ID, "publish")).status = "open"
    session.flush()
    with pytest.raises(AppealError, match="not published"):
        file_appeal(session, cycle_id=CYCLE_ID, nip=S1, reason="x", now=PUBLISHED)
    session.rollback()
    assert (
        count(session, HumanTask) == 0
        and count(session, AuditEvent, AuditEvent.action == "appeal.filed") == 0
    )


# --- deciding ----------------------------------------------------------------------------------


def test_an_upheld_appeal_changes_exactly_the_appellant_and_their_unit(session, cycle):
    task = appeal(session)
    before = snapshot(session)
    events_before = count(session, AuditEvent)
    outcome = decide(session, task, UPHOLD)
    assert outcome.recorded and outcome.state == "done" and outcome.stage == "appeal"
    after = snapshot(session)
    changed = differing(before, after)
    assert changed["results"] == {S1}
    assert changed["publications"] == {"SEC"}
    assert {(unit, rater) for unit, rater, _ in changed["findings"]} == {("SEC", M)}
    assert {nip for nip, _ in changed["training"]} == {S1}
    assert {after["ledger"].get(k, before["ledger"].get(k))[0] for k in changed["ledger"]} == {S1}

    old, new = before["results"][S1], after["results"][S1]
    assert (old["hasil_kerja"], old["predikat"]) == ("di_bawah", "butuh_perbaikan")
    assert (new["hasil_kerja"], new["perilaku"], new["predikat"]) == ("sesuai", "sesuai", "baik")
    assert new["rater_nip"] == M  # the rating stays the rater's, changed on appeal
    assert new["incentive"] > old["incentive"]  # the predikat factor 0.90 -> 1.00
    assert new["derivation"]["appeal"][0].startswith(f"appeal (task {task.id}) upheld by {H}")
    # Training: coaching for Butuh Perbaikan is gone; the 20 JP top-up now covers all 20.
    assert {c for n, c in before["training"] if n == S1} == {"bimbingan_kinerja", "pemenuhan_jp"}
    assert {c: v[0] for (n, c), v in after["training"].items() if n == S1} == {"pemenuhan_jp": 20}
    assert f"{CYCLE_ID}:{S1}:bimbingan_kinerja" not in after["ledger"]
    assert after["ledger"][f"{CYCLE_ID}:{S1}:pemenuhan_jp"][1] == 20
    assert new["training_jp"] == 20
    # The unit's aggregates and the curve's finding follow the new predikat.
    assert before["publications"]["SEC"][0]["predikat"]["butuh_perbaikan"] == 1
    assert "butuh_perbaikan" not in after["publications"]["SEC"][0]["predikat"]
    assert after["publications"]["SEC"][1] == before["publications"]["SEC"][1]
    rule = ("SEC", M, "baik.bp_kurang.min1")
    assert before["findings"][rule][0] is True and after["findings"][rule][0] is False

    actions = list(
        session.scalars(
            select(AuditEvent.action).where(AuditEvent.seq > events_before).order_by(AuditEvent.seq)
        )
    )
    assert actions == [
        "appeal.rating",
        "result.predikat",
        "training.appeal",
        "result.incentive",
        "publication.appeal",
        "distribution.appeal",
        "task.respond",
    ]
    assert verify(session).ok
    (told,) = appellant_messages(session, task)
    assert "Keputusan ini bersifat final" in told.body or "This decision is final" in told.body
    assert ("DITERIMA" in told.body or "UPHELD" in told.body) and "baik" in told.body
    assert "/me/p." in told.link and told.link in told.body
    # Final: another decision is refused, the same one is recorded once.
    with pytest.raises(TaskError, match="already answered"):
        decide(session, task, REJECT)
    assert decide(session, task, UPHOLD).recorded is False
    assert snapshot(session) == after and verify(session).ok
    assert len(appellant_messages(session, task)) == 1


def test_a_heads_appeal_rechecks_the_group_of_the_heads_rater(session, cycle):
    # M (head of SEC) is rated by H: M's group is H's direct reports {M, R1 .. R4}, under
    # ROOT's Baik curve (H's unit), not SEC's. Before: M, R1, R3, R4 baik, R2 sangat_kurang;
    # baik 4 <= ceil(0.7 x 5 = 3.5) = 4. Upheld to di_atas / di_atas, M is sangat_baik:
    # baik 3 <= 4 still passes (only its count changes), and with 0 Butuh Perbaikan or Kurang
    # "at least one" fails before and after (DOMAIN.md A1, kurva Baik).
    task = appeal(session, nip=M)
    assert task.assignee_nip == HR  # M's rater H has no superior
    before = snapshot(session)
    decide(
        session,
        task,
        {"decision": "uphold", "hasil_kerja": "di_atas", "perilaku": "di_atas", "reason": "Bukti"},
        by=HR,
    )
    after = snapshot(session)
    changed = differing(before, after)
    assert changed["results"] == {M} and after["results"][M]["predikat"] == "sangat_baik"
    assert changed["publications"] == {"SEC"}  # M's result belongs to SEC
    assert changed["findings"] == {("ROOT", H, "baik.baik.max")}
    max_rule, min_rule = ("ROOT", H, "baik.baik.max"), ("ROOT", H, "baik.bp_kurang.min1")
    assert "4/5" in before["findings"][max_rule][1] and "3/5" in after["findings"][max_rule][1]
    assert after["findings"][max_rule][0] is True
    assert before["findings"][min_rule] == after["findings"][min_rule]
    assert after["findings"][min_rule][0] is False and "0/5" in after["findings"][min_rule][1]
    recheck = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "distribution.appeal")
    ).one()
    assert recheck.entity_id == "ROOT" and recheck.payload["rater_nip"] == H
    assert verify(session).ok


def test_reject_changes_nothing_and_closes_with_the_reason(session, cycle):
    task = appeal(session)
    before = snapshot(session)
    decide(session, task, REJECT)
    assert snapshot(session) == before
    closed = session.get(HumanTask, task.id)
    assert (closed.state, closed.closed_by) == ("done", H)
    (told,) = appellant_messages(session, task)
    assert ("DITOLAK" in told.body or "REJECTED" in told.body) and REJECT["reason"] in told.body
    assert closed.response["input"]["reason"] == REJECT["reason"]
    (row,) = list_appeals(session, cycle_id=CYCLE_ID)
    assert (row["decision"], row["decision_reason"], row["decided_by"]) == (
        "reject",
        REJECT["reason"],
        H,
    )
    with pytest.raises(TaskError, match="already answered"):
        decide(session, task, UPHOLD)
    assert snapshot(session) == before and verify(session).ok


@pytest.mark.parametrize(
    ("who", "reason", "match"),
    [
        (S1, None, "own work"),  # the appellant
        (M, None, "not allowed"),  # the rater
        ("R-1", None, "not allowed"),  # a colleague
        (HR, None, "reason"),  # the coordinator, without a written reason
    ],
)
def test_the_wrong_person_cannot_decide(session, cycle, who, reason, match):
    task = appeal(session)
    before = snapshot(session)
    events = count(session, AuditEvent)
    with pytest.raises(NotAllowed, match=match):
        decide(session, task, UPHOLD, by=who, reason=reason)
    assert snapshot(session) == before and count(session, AuditEvent) == events
    assert session.get(HumanTask, task.id).state == "open"


def test_the_rater_cannot_decide_even_as_a_delegate(session, cycle):
    task = appeal(session)
    session.get(HumanTask, task.id).delegate_nip = M
    session.commit()
    with pytest.raises(NotAllowed, match="rater"):
        decide(session, task, UPHOLD, by=M)
    assert session.get(HumanTask, task.id).state == "open"


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"decision": "uphold", "reason": "ya"}, "needs a new rating"),
        ({"decision": "reject", "hasil_kerja": "sesuai", "reason": "x"}, "changes no rating"),
        ({"decision": "uphold", "hasil_kerja": "sesuai"}, "reason"),
        ({"decision": "uphold", "hasil_kerja": "luar_biasa", "reason": "x"}, "luar_biasa"),
        ({"decision": "uphold", "hasil_kerja": "di_bawah", "reason": "x"}, "must change"),
    ],
)
def test_invalid_decisions_are_refused(session, cycle, data, match):
    task = appeal(session)
    before = snapshot(session)
    with pytest.raises(TaskError, match=match):
        decide(session, task, data)
    assert snapshot(session) == before and session.get(HumanTask, task.id).state == "open"


def expected_total() -> Decimal:
    """The cycle's incentives without a budget, from the pack's rules alone."""
    from kinerja.models.policy.loading import load_pack
    from kinerja.models.rules.incentive import incentive_for
    from kinerja.models.rules.predikat import predikat_for

    pack = load_pack("asn")
    total = Decimal(0)
    for hasil, perilaku, grade in RATINGS.values():
        predikat = predikat_for(hasil_kerja=hasil, perilaku=perilaku, rules=pack.predikat).value
        total += incentive_for(
            grade=grade, predikat=predikat, attendance_deduction_pct=0, rules=pack.incentive
        ).value
    return total


def test_an_upheld_appeal_stays_within_the_budget_cap(session):
    budget = Decimal("40000000")
    build_published(session, config(incentive_budget=budget))
    before = snapshot(session)
    applied = session.scalars(
        select(AuditEvent.payload).where(AuditEvent.action == "incentive.budget")
    ).one()
    assert Decimal(applied["total_before"]) == expected_total() > budget  # the cap bound
    decide(session, appeal(session), UPHOLD)
    after = snapshot(session)
    assert differing(before, after)["results"] == {S1}
    # S1 gets the scale everyone got (raw 3,800,000 at factor 1.00), within what is left.
    scaled = math.floor(Fraction(3800000) * Fraction(budget) / Fraction(expected_total()))
    others = sum(r["incentive"] for n, r in after["results"].items() if n != S1)
    new = after["results"][S1]["incentive"]
    assert new == min(Decimal(scaled), budget - others)
    assert new >= before["results"][S1]["incentive"]
    assert sum(r["incentive"] for r in after["results"].values()) <= budget
    assert any("budget scale" in step for step in after["results"][S1]["derivation"]["incentive"])
    assert verify(session).ok


def test_the_appellant_gets_at_most_what_is_left_of_the_budget(session):
    # A budget just above the cycle's total: nothing is scaled, and S1's raise must fit.
    budget = expected_total() + 1000
    build_published(session, config(incentive_budget=budget))
    before = snapshot(session)
    assert count(session, AuditEvent, AuditEvent.action == "incentive.budget") == 0
    decide(session, appeal(session), UPHOLD)
    after = snapshot(session)
    assert differing(before, after)["results"] == {S1}
    assert after["results"][S1]["incentive"] == before["results"][S1]["incentive"] + 1000
    assert sum(r["incentive"] for r in after["results"].values()) == budget
    assert "left of the budget" in after["results"][S1]["derivation"]["incentive"][-1]
    assert verify(session).ok


# --- waiting for the decision -----------------------------------------------------------------


def test_a_pending_appeal_is_reminded_and_escalated_once_each_after_the_cycle_is_done(
    session, cycle
):
    from kinerja.models.responses.sweeper import sweep, sweepable_cycles

    assert cycle.status == "done" and sweepable_cycles(session) == []
    task = appeal(session)
    assert sweepable_cycles(session) == [CYCLE_ID]
    stage = config().stage("appeal")
    due = PUBLISHED + timedelta(days=stage.deadline_days)
    moments = [
        due - timedelta(days=stage.reminders_days_before[0]),
        due - timedelta(days=stage.reminders_days_before[-1]),
        *(due + timedelta(days=d + 0.5) for d in stage.escalate_after_days),
    ]
    for now in moments:
        for _ in range(3):  # however often the sweeper runs
            report = sweep(session, cycle=cycle, now=now)
            session.commit()
            assert report.complete_stages == []  # an appeal never advances the cycle

    def sent(kind: str) -> list[tuple[str, str]]:
        rows = session.scalars(
            select(Notification)
            .where(Notification.task_id == task.id, Notification.kind == kind)
            .order_by(Notification.id)
        )
        return [(n.recipient_nip, n.key.rsplit(":", 1)[-1]) for n in rows]

    assert sent("task_reminder") == [(H, "1"), (H, "2")]
    escalated = session.get(HumanTask, task.id)
    assert (escalated.state, escalated.escalation_level) == ("escalated", 2)
    assert [to for to, _ in sent("task_escalated")] == [HR, HR]  # H has no superior: HR
    decide(session, escalated, REJECT, by=HR, reason="atasan penilai tidak memutus")
    assert sweepable_cycles(session) == []
    assert verify(session).ok


def test_an_appeal_nobody_decides_is_closed_at_its_final_deadline_and_the_appellant_told(
    session, cycle
):
    from kinerja.models.responses.sweeper import sweep, sweepable_cycles

    task = appeal(session)
    stage = config().stage("appeal")
    final = PUBLISHED + timedelta(days=stage.deadline_days + stage.final_after_days)
    before = snapshot(session)
    for _ in range(3):
        sweep(session, cycle=cycle, now=final + timedelta(hours=1))
        session.commit()
    assert session.get(HumanTask, task.id).state == "expired"
    assert snapshot(session)["results"] == before["results"]  # the result stands
    (told,) = appellant_messages(session, task)
    assert "tidak diputus" in told.body or "not decided" in told.body
    assert sweepable_cycles(session) == []
    assert verify(session).ok


def test_an_upheld_appeal_rewrites_the_published_results_files_after_commit(
    session, cycle, tmp_path, monkeypatch
):
    import json

    from kinerja.models.results.exports import exports_dir, write_exports

    monkeypatch.setenv("KINERJA_HOME", str(tmp_path))
    directory = exports_dir(CYCLE_ID)
    write_exports(session, cycle_id=CYCLE_ID, directory=directory)  # as the publish stage does

    def predikat() -> str:
        rows = json.loads((directory / "results.json").read_text(encoding="utf-8"))
        return next(r["predikat"] for r in rows if r["nip"] == S1)

    assert predikat() == "butuh_perbaikan"
    task = appeal(session)
    with pytest.raises(TaskError):  # refused: the files stay as they were
        decide(session, task, {**UPHOLD, "hasil_kerja": "di_bawah"})
    assert predikat() == "butuh_perbaikan"
    decide(session, task, UPHOLD)
    assert predikat() == "baik"
    assert (directory / "results.csv").read_text(encoding="utf-8").count("baik") >= 1


def test_an_appeal_decider_away_after_the_cycle_is_done_is_delegated_at_once(session, cycle):
    from kinerja.models.humantasks.absences import record_absence
    from kinerja.models.store.clock import ManualClock

    task = appeal(session)
    items = record_absence(
        session,
        nip=H,
        delegate_nip="R-1",
        starts_on=PUBLISHED.date(),
        ends_on=(PUBLISHED + timedelta(days=10)).date(),
        reason="cuti / leave",
        by=HR,
        clock=ManualClock(PUBLISHED + timedelta(hours=2)),
    )
    session.commit()
    assert [(i.task_id, i.outcome) for i in items[1:]] == [(task.id, "ok")]
    assert session.get(HumanTask, task.id).delegate_nip == "R-1"
