"""The cycle's incentive budget (pagu): amounts scaled to fit, never above it, audited once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.models.audit.verify import verify
from kinerja.models.cycles.cycle import pack_of
from kinerja.models.stages.incentives import apply_incentive_budget
from kinerja.models.store.tables import AuditEvent, Result
from kinerja.tests.models.orgfixture import CYCLE_ID, START, A, B, Org, build_org


@pytest.fixture
def org(session: Session) -> Org:
    org = build_org(session)
    for nip, amount in ((A, Decimal("3000001")), (B, Decimal("1000000"))):
        result = session.get(Result, (CYCLE_ID, nip))
        result.incentive = amount
        result.derivation = {"incentive": ["computed by the pack's formula"]}
    session.commit()
    return org


def amounts(session: Session) -> dict[str, Decimal]:
    session.expire_all()
    return {r.nip: r.incentive for r in session.scalars(select(Result).order_by(Result.nip))}


def audited(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "incentive.budget")
    )


def run(session: Session, org: Org, budget: Decimal | None) -> dict:
    out = apply_incentive_budget(
        session, cycle=org.cycle, budget=budget, pack=pack_of(org.cycle), now=START
    )
    session.commit()
    return out


def test_a_total_within_the_budget_is_untouched(session: Session, org: Org):
    before = amounts(session)
    assert run(session, org, Decimal("4000001"))["scaled"] == 0
    assert run(session, org, None)["scaled"] == 0
    assert amounts(session) == before and audited(session) == 0


def test_over_the_budget_everyone_is_scaled_down_and_the_total_fits(session: Session, org: Org):
    out = run(session, org, Decimal("2000000"))
    after = amounts(session)
    # ratio 2,000,000 / 4,000,001; each amount rounded down to whole rupiah
    # 3,000,001 x 0.49999988 = 1,500,000.12 -> 1,500,000; 1,000,000 x ... = 499,999.88 -> 499,999
    assert after == {A: Decimal("1500000"), B: Decimal("499999")}
    assert sum(after.values()) <= Decimal("2000000")
    assert (out["total_before"], out["total_after"], out["scaled"]) == ("4000001", "1999999", 2)
    steps = session.get(Result, (CYCLE_ID, A)).derivation["incentive"]
    assert steps[0] == "computed by the pack's formula" and "2000000" in steps[-1]
    assert audited(session) == 1

    again = run(session, org, Decimal("2000000"))
    assert again["scaled"] == 0 and amounts(session) == after and audited(session) == 1
    assert verify(session).ok
