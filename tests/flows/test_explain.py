"""Every computed result is reproduced by ``kinerja explain`` (issue 4 acceptance).

After a simulated cycle, for every employee: the explanation shows the stored achievement of
each target, the predikat and the incentive, and the pure rules applied to the values it
prints (targets, realisations, ratings, behaviour values, grade, deductions, the budget note)
give back exactly the stored results. Run on the example scenario (configs/demo) and on a
copy of it with the cases an auditor meets less often: a target in the millions, a review
whose overall behaviour rating comes with the seven value ratings, and a budget cap that
scales every incentive.
"""

from __future__ import annotations

import ast
import re
import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from kinerja.flows.simulate import simulate
from kinerja.models.audit.verify import verify
from kinerja.models.cycles.cycle import cycle_pack, get_cycle
from kinerja.models.results.agreement import compare_results
from kinerja.models.results.explain import explain_lines
from kinerja.models.rules.achievement import target_achievement
from kinerja.models.rules.incentive import apply_budget_cap, incentive_for
from kinerja.models.rules.predikat import predikat_for
from kinerja.models.rules.rating import TargetScore, behaviour_rating, propose_result_rating
from kinerja.models.store.db import get_engine, session_scope
from kinerja.models.store.tables import Result, Target

DEMO = Path(__file__).resolve().parents[2] / "configs" / "demo"
HEAD = "197203151998031001"  # Kepala Dinas; his first target becomes 1234567 documents
BAYU = "199409182019031008"  # scripted review: hasil di_bawah, perilaku sesuai

TARGET_LINE = re.compile(
    r"^   (?P<id>\S+) \[(?P<kind>[^,]+), (?P<aspect>[^,]+), (?P<direction>[^,]+), "
    r"weight (?P<weight>\S+)\] target (?P<target>\S+) (?P<uom>.*), "
    r"realisation (?P<real>\S+) \((?P<how>sum|last|mean|max) of the periods\), "
    r"achievement (?P<ach>\S+)$"
)
NUMBER = r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?"


@dataclass
class Explained:
    """What an explanation prints, read back from its lines."""

    pack_hash: str = ""
    targets: list[dict[str, str]] = field(default_factory=list)
    proposed: str = ""
    unit_predikat: str | None = None  # a unit head's proposal follows the unit's predikat
    hasil: str = ""
    perilaku: str = ""
    values: dict[str, str] = field(default_factory=dict)
    predikat: str = ""
    incentive: str = ""
    grade: str | None = None
    deduction_pct: str = "0"
    budget: tuple[Decimal, Decimal] | None = None  # (total before, cap) when scaled


def read_back(lines: list[str]) -> Explained:
    out = Explained()
    section = ""
    for line in lines:
        if m := re.match(r"policy pack \S+ \(sha256 (\w+)\)", line):
            out.pack_hash = m[1]
        elif m := re.match(r"(\d)\. ", line):
            section = m[1]
        if m := TARGET_LINE.match(line):
            out.targets.append(m.groupdict())
        elif m := re.match(r"2\. Proposed rating hasil kerja: (\w+)$", line):
            out.proposed = m[1]
        elif m := re.match(r"   unit head of \S+: predikat organisasi (\w+) ", line):
            out.unit_predikat = m[1]
        elif m := re.match(r"3\. Review: hasil kerja (\w+), perilaku (\w+)$", line):
            out.hasil, out.perilaku = m[1], m[2]
        elif m := re.match(r"   behaviour values: (\{.*\})$", line):
            out.values = ast.literal_eval(m[1])
        elif m := re.match(r"4\. Predikat: (\w+)$", line):
            out.predikat = m[1]
        elif m := re.match(r"6\. Incentive: (\S+)$", line):
            out.incentive = m[1]
        elif section == "6" and (m := re.match(r"   base for grade (.+): \d", line)):
            out.grade = m[1]
        elif section == "6" and (m := re.match(r"   grade (.+) not in the table", line)):
            out.grade = ast.literal_eval(m[1])
        elif section == "6" and (m := re.search(rf"\(1 - ({NUMBER})%\)\)", line)):
            out.deduction_pct = m[1]
        elif section == "6" and (
            m := re.search(rf"Total ({NUMBER}) melebihi pagu ({NUMBER})", line)
        ):
            out.budget = (Decimal(m[1]), Decimal(m[2]))
    return out


def number(text: str) -> float | None:
    return None if text == "None" else float(text)


def reproduce(session, cycle, nip: str) -> list[str]:
    """What in ``nip``'s explanation does not reproduce the stored result (empty: all does)."""
    lines = explain_lines(session, cycle=cycle, nip=nip)
    assert lines is not None, nip
    text = "\n".join(lines)
    shown = read_back(lines)
    pack = cycle_pack(cycle)
    result = session.get(Result, (cycle.cycle_id, nip))
    stored_targets = {
        t.target_id: t
        for t in session.scalars(
            select(Target).where(Target.cycle_id == cycle.cycle_id, Target.nip == nip)
        )
    }
    problems = []

    def check(what: str, recomputed: object, printed: object, stored: object) -> None:
        if not recomputed == printed == stored:
            problems.append(
                f"{nip} {what}: recomputed {recomputed!r}, printed {printed!r}, stored {stored!r}"
            )

    def shown_as_stored(what: str, printed: object, stored: object) -> None:
        if printed != stored:
            problems.append(f"{nip} {what}: printed {printed!r}, stored {stored!r}")

    shown_as_stored("pack", shown.pack_hash, cycle.pack_hash[:12])
    # 1. Every target: its inputs printed as stored, and its achievement recomputed.
    shown_as_stored("targets", sorted(t["id"] for t in shown.targets), sorted(stored_targets))
    scores = []
    for row in shown.targets:
        stored = stored_targets[row["id"]]
        low, _, high = row["target"].partition("-")
        shown_as_stored(f"{row['id']} target", float(low), stored.target_value)
        high_shown = float(high) if high else None
        shown_as_stored(f"{row['id']} upper bound", high_shown, stored.target_high)
        shown_as_stored(f"{row['id']} realisation", number(row["real"]), stored.realisation)
        achievement = target_achievement(
            direction=row["direction"],
            target=float(low),
            realisation=number(row["real"]),
            target_high=float(high) if high else None,
            rules=pack.achievement,
        ).value
        check(f"{row['id']} achievement", achievement, number(row["ach"]), stored.achievement)
        if f"achievement {stored.achievement}" not in text:
            problems.append(f"{nip} {row['id']}: stored achievement not shown")
        weight = None if row["weight"] == "-" else float(row["weight"])
        scores.append(TargetScore(kind=row["kind"], weight=weight, achievement=achievement))
    # 2. The proposed rating hasil kerja from the printed achievements; a unit head's from
    # the printed predikat organisasi of the unit they lead (pack result_rating.unit_head).
    proposed = propose_result_rating(scores, pack.result_rating).value
    if shown.unit_predikat is not None:
        proposed = pack.result_rating.unit_head[shown.unit_predikat]
    check("proposed rating", proposed, shown.proposed, result.proposed_hasil_kerja)
    # 3. The behaviour rating from the printed value ratings, when there are any.
    perilaku = shown.perilaku
    if shown.values:
        perilaku = behaviour_rating(shown.values, pack.behaviour).value
    check("perilaku", perilaku, shown.perilaku, result.perilaku)
    shown_as_stored("hasil kerja", shown.hasil, result.hasil_kerja)
    # 4. The predikat from the printed ratings (behaviour recomputed from its values).
    predikat = predikat_for(hasil_kerja=shown.hasil, perilaku=perilaku, rules=pack.predikat).value
    check("predikat", predikat, shown.predikat, result.predikat)
    # 6. The incentive from the printed grade, predikat and deductions, then the budget note.
    amount = incentive_for(
        grade=shown.grade,
        predikat=predikat,
        attendance_deduction_pct=Decimal(shown.deduction_pct),
        rules=pack.incentive,
    ).value
    if shown.budget is not None:
        total, cap = shown.budget
        scaled, _ = apply_budget_cap(
            {nip: amount, "others": total - amount}, cap, quantum=pack.incentive.quantum
        )
        amount = scaled[nip]
    stored_incentive = None if result.incentive is None else Decimal(result.incentive)
    check("incentive", amount, Decimal(shown.incentive), stored_incentive)
    return problems


def demo_with_edge_cases(directory: Path) -> None:
    """A target in the millions, an overall behaviour rating with value ratings, a budget cap."""
    targets = (directory / "targets.csv").read_text(encoding="utf-8")
    old = f"T{HEAD}-1,{HEAD},G.DINAS.2,Terbitnya izin usaha sesuai standar pelayanan,"
    assert targets.count(old) == 1 and ",kuantitas,1200,dokumen," in targets
    line = next(row for row in targets.splitlines() if row.startswith(old))
    targets = targets.replace(line, line.replace(",kuantitas,1200,", ",kuantitas,1234567,"))
    (directory / "targets.csv").write_text(targets, encoding="utf-8")
    metrics = (directory / "metrics.csv").read_text(encoding="utf-8")
    metrics = metrics.replace(f"T{HEAD}-1,2026-Q4,1260,", f"T{HEAD}-1,2026-Q4,1296296,")
    (directory / "metrics.csv").write_text(metrics, encoding="utf-8")

    reviews = (directory / "reviews.csv").read_text(encoding="utf-8").splitlines()
    reviews = [
        f"{BAYU},di_bawah,sesuai,di_bawah,sesuai,di_bawah,sesuai,di_bawah,sesuai,di_bawah,"
        "Waktu tunggu loket masih di atas target; perlu bimbingan kinerja."
        if row.startswith(BAYU)
        else row
        for row in reviews
    ]
    (directory / "reviews.csv").write_text("\n".join(reviews) + "\n", encoding="utf-8")

    config = yaml.safe_load((directory / "cycle.yaml").read_text(encoding="utf-8"))
    config.update(cycle_id="contoh-2026-edge", incentive_budget=30000000)
    (directory / "cycle.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")


@pytest.fixture
def mail(mail, tmp_path, monkeypatch):
    monkeypatch.setenv("KINERJA_HOME", str(tmp_path / "home"))
    return mail


@pytest.mark.parametrize("variant", ["demo", "edge-cases"])
def test_every_result_is_reproduced_by_explain(variant, db_url, tmp_path, mail):
    scenario = tmp_path / "scenario"
    shutil.copytree(DEMO, scenario)
    if variant == "edge-cases":
        demo_with_edge_cases(scenario)
    report = simulate(scenario, db_url=db_url)

    with session_scope(get_engine(db_url)) as s:
        cycle = get_cycle(s, report.cycle_id)
        nips = s.scalars(
            select(Result.nip).where(Result.cycle_id == cycle.cycle_id).order_by(Result.nip)
        ).all()
        assert len(nips) == 12
        assert all(
            r.predikat and r.incentive is not None
            for r in s.scalars(select(Result).where(Result.cycle_id == cycle.cycle_id))
        )
        problems = [p for nip in nips for p in reproduce(s, cycle, nip)]
        # The stored results agree with their audit events: no warning above any of them.
        assert compare_results(s).ok and verify(s).ok
        assert not any(
            (explain_lines(s, cycle=cycle, nip=nip) or [""])[0].startswith("PERINGATAN")
            for nip in nips
        )
        if variant == "edge-cases":
            # The edge cases are really there: the budget scaled the incentives down.
            explained = "\n".join(explain_lines(s, cycle=cycle, nip=BAYU) or [])
            assert "melebihi pagu 30000000" in explained
    assert not problems, "\n".join(problems)
