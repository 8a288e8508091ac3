"""Properties that must hold for any input (hypothesis), on every shipped pack."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinerja.models.policy.loading import load_pack
from kinerja.models.rules.achievement import target_achievement
from kinerja.models.rules.ikm import compute_ikm
from kinerja.models.rules.incentive import apply_budget_cap, attendance_deduction_pct, incentive_for
from kinerja.models.rules.predikat import predikat_for
from kinerja.models.rules.rating import TargetScore, propose_result_rating

PACKS = {name: load_pack(name) for name in ("asn", "generic", "okr")}
ASN = PACKS["asn"]
pack_names = st.sampled_from(sorted(PACKS))


@given(pack_names, st.data())
def test_a_better_rating_never_yields_a_worse_predikat(name, data):
    pack = PACKS[name]
    results, behaviours = pack.result_rating.levels, pack.behaviour.levels
    h1, h2 = sorted(data.draw(st.lists(st.integers(0, len(results) - 1), min_size=2, max_size=2)))
    p1, p2 = sorted(
        data.draw(st.lists(st.integers(0, len(behaviours) - 1), min_size=2, max_size=2))
    )
    # index 0 is the best level: (h1, p1) is at least as good as (h2, p2) on both ratings.
    better = predikat_for(hasil_kerja=results[h1], perilaku=behaviours[p1], rules=pack.predikat)
    worse = predikat_for(hasil_kerja=results[h2], perilaku=behaviours[p2], rules=pack.predikat)
    assert pack.predikat.rank(better.value) <= pack.predikat.rank(worse.value)


achievements = st.one_of(st.none(), st.floats(0, 200, allow_nan=False))
kinds = st.sampled_from(["utama", "tambahan"])


@given(
    pack_names,
    st.lists(st.tuples(kinds, st.integers(1, 50), achievements), min_size=1, max_size=8),
    st.data(),
)
def test_a_higher_achievement_never_lowers_the_result_rating(name, rows, data):
    pack = PACKS[name]
    i = data.draw(st.integers(0, len(rows) - 1))
    kind, weight, ach = rows[i]
    raised = (ach or 0.0) + data.draw(st.floats(0, 100, allow_nan=False))
    before = [TargetScore(k, w, a) for k, w, a in rows]
    after = before.copy()
    after[i] = TargetScore(kind, weight, raised)
    rank = pack.result_rating.rank
    assert rank(propose_result_rating(after, pack.result_rating).value) <= rank(
        propose_result_rating(before, pack.result_rating).value
    )


@given(
    st.lists(
        st.fixed_dictionaries({f"U{i}": st.integers(1, 4) for i in range(1, 10)}),
        min_size=1,
        max_size=60,
    )
)
def test_ikm_is_always_between_25_and_100(responses):
    result = compute_ikm(responses, ASN.ikm)
    assert result.ikm is not None and 25 <= result.ikm <= 100
    assert result.mutu in {"A", "B", "C", "D"}


money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@given(st.dictionaries(st.text(min_size=1, max_size=6), money, max_size=40), money)
@settings(max_examples=200)
def test_capped_incentive_totals_never_exceed_the_cap(amounts, cap):
    capped, notes = apply_budget_cap(amounts, cap)
    assert set(capped) == set(amounts) and notes
    assert sum(capped.values(), Decimal(0)) <= max(cap, sum(amounts.values(), Decimal(0)))
    assert sum(capped.values(), Decimal(0)) <= cap or capped == amounts
    assert all(capped[k] <= amounts[k] for k in amounts)


@given(
    st.sampled_from(["higher", "lower", "range"]),
    st.floats(0, 1e6, allow_nan=False),
    st.floats(0, 1e6, allow_nan=False),
    st.floats(0, 1e6, allow_nan=False),
    pack_names,
)
def test_achievement_stays_within_floor_and_cap(direction, target, width, realisation, name):
    rules = PACKS[name].achievement
    value = target_achievement(
        direction=direction,
        target=target,
        realisation=realisation,
        target_high=target + width,
        rules=rules,
    ).value
    assert rules.floor <= value <= rules.cap


@pytest.mark.parametrize("name", sorted(PACKS))
@given(data=st.data())
def test_a_better_predikat_never_pays_less(name, data):
    pack = PACKS[name]
    order = pack.predikat.order
    i, j = sorted(data.draw(st.lists(st.integers(0, len(order) - 1), min_size=2, max_size=2)))
    deduction = data.draw(st.floats(0, 150, allow_nan=False))
    grade = data.draw(st.sampled_from([None, "III/a", "IV/e", "L3"]))

    def pay(predikat: str) -> Decimal:
        return incentive_for(
            grade=grade, predikat=predikat, attendance_deduction_pct=deduction, rules=pack.incentive
        ).value

    assert pay(order[i]) >= pay(order[j]) >= 0


@pytest.mark.parametrize("name", sorted(n for n in PACKS if PACKS[n].incentive is not None))
@given(data=st.data())
def test_more_attendance_lapses_never_raise_the_incentive(name, data):
    """Another lapse adds its cut (Permentan 68/2012, DOMAIN.md A4): pay never rises."""
    rules = PACKS[name].incentive
    if not rules.attendance_codes:
        return
    codes = sorted(rules.attendance_codes)
    counts = data.draw(st.dictionaries(st.sampled_from(codes), st.integers(0, 40), max_size=5))
    extra = data.draw(st.sampled_from(codes))
    more = {**counts, extra: counts.get(extra, 0) + data.draw(st.integers(1, 10))}
    predikat = data.draw(st.sampled_from(PACKS[name].predikat.order))

    def pay(lapses: dict[str, int]) -> Decimal:
        pct = attendance_deduction_pct(lapses, rules).value
        return incentive_for(
            grade="III/a", predikat=predikat, attendance_deduction_pct=pct, rules=rules
        ).value

    assert (
        attendance_deduction_pct(more, rules).value >= attendance_deduction_pct(counts, rules).value
    )
    assert pay(more) <= pay(counts)
