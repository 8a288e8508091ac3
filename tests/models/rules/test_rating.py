"""Result rating (share and weighted-score methods) and behaviour rating."""

from __future__ import annotations

import pytest

from kinerja.models.rules.rating import (
    TargetScore,
    behaviour_rating,
    propose_result_rating,
    weighted_score,
)


def U(ach: float | None) -> TargetScore:
    return TargetScore(kind="utama", weight=None, achievement=ach)


def T(ach: float | None) -> TargetScore:
    return TargetScore(kind="tambahan", weight=None, achievement=ach)


# DOMAIN.md A1 "Rating Hasil Kerja": Di Atas = most/all above expectation and no main result
# below; Di Bawah = most/all below; else Sesuai. Thresholds from the asn pack: above >= 110,
# below < 100, most = more than half.
SHARE_CASES = [
    ([U(115), U(120), U(110)], "di_atas"),  # all above
    ([U(115), U(112), U(100)], "di_atas"),  # most above, none below
    ([U(115), U(112), U(95)], "sesuai"),  # most above but a main result below
    ([U(115), U(112), T(90)], "di_atas"),  # an additional result below does not block
    ([U(100), U(105), U(109.99)], "sesuai"),  # all meet
    ([U(110), U(99.99)], "sesuai"),  # half above is not most; a main result is below
    ([U(90), U(80), U(105)], "di_bawah"),  # most below
    ([U(90), U(99), T(120)], "di_bawah"),
    ([U(90), U(120)], "sesuai"),  # half below is not most
    ([U(None), U(None), U(120)], "di_bawah"),  # no realisation counts as below
    ([], "di_bawah"),  # nothing to rate: the pack's if_no_results
]


@pytest.mark.parametrize(("items", "expected"), SHARE_CASES)
def test_share_method(asn, items, expected):
    derived = propose_result_rating(items, asn.result_rating)
    assert derived.value == expected
    assert derived.steps[-1].endswith(expected)


def test_share_missing_results_may_be_ignored(asn):
    share = asn.result_rating.share.model_copy(update={"missing_counts_as": "ignore"})
    rules = asn.result_rating.model_copy(update={"share": share})
    assert propose_result_rating([U(None), U(None), U(120)], rules).value == "di_atas"
    assert propose_result_rating([U(None)], rules).value == "di_bawah"  # if_no_results


def test_weighted_score(generic):
    items = [
        TargetScore("utama", 50, 120),
        TargetScore("utama", 30, 100),
        TargetScore("tambahan", 20, 90),
    ]
    derived = weighted_score(items, generic.result_rating)
    assert derived.value == 108.0  # (50 x 120 + 30 x 100 + 20 x 90) / 100
    assert propose_result_rating(items, generic.result_rating).value == "4"


def test_weighted_score_caps_each_achievement(generic):
    items = [TargetScore("utama", 50, 200), TargetScore("utama", 50, 60)]
    assert weighted_score(items, generic.result_rating).value == 95.0  # (130 + 60) / 2


def test_weighted_score_equal_weights_and_missing(generic, asn):
    items = [TargetScore("utama", None, 120), TargetScore("utama", None, None)]
    assert weighted_score(items, generic.result_rating).value == 60.0  # missing scores zero
    ignoring = generic.result_rating.model_copy(update={"score_missing": "ignore"})
    assert weighted_score(items, ignoring).value == 120.0
    assert weighted_score([], generic.result_rating).value is None
    assert weighted_score([U(100), U(120)], asn.result_rating).value == 110.0


def test_weighted_score_falls_back_to_equal_weights_when_some_are_missing(generic):
    derived = weighted_score([TargetScore("utama", 90, 100), U(120)], generic.result_rating)
    assert derived.value == 110.0  # not (90 x 100 + 120) / 91
    assert "equal weights used" in derived.steps[0]


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (130, "5"),
        (115, "5"),
        (114.99, "4"),
        (103, "4"),
        (102.99, "3"),
        (95, "3"),
        (80, "2"),
        (79.99, "1"),
        (0, "1"),
    ],
)
def test_generic_bands(generic, score, level):
    assert propose_result_rating([U(score)], generic.result_rating).value == level


def test_generic_no_results(generic):
    assert propose_result_rating([], generic.result_rating).value == "1"


VALUES = [
    "berorientasi_pelayanan",
    "akuntabel",
    "kompeten",
    "harmonis",
    "loyal",
    "adaptif",
    "kolaboratif",
]


def _seven(*levels: str) -> dict[str, str]:
    return dict(zip(VALUES, levels, strict=True))


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        (["di_atas"] * 7, "di_atas"),
        (["sesuai"] * 7, "sesuai"),
        (["di_atas"] * 4 + ["sesuai"] * 3, "di_atas"),
        (["sesuai"] * 4 + ["di_atas"] * 3, "sesuai"),
        (["di_bawah"] * 4 + ["sesuai"] * 3, "di_bawah"),
        (["di_atas"] * 3 + ["sesuai"] * 3 + ["di_bawah"], "sesuai"),  # tie toward the worse
        (["di_atas"] * 6 + ["di_bawah"], "sesuai"),  # any value below rules out di_atas
        (["di_bawah"] * 3 + ["di_atas"] * 3 + ["sesuai"], "di_bawah"),
    ],
)
def test_asn_behaviour(asn, levels, expected):
    assert behaviour_rating(_seven(*levels), asn.behaviour).value == expected


def test_behaviour_lowest_method(asn):
    rules = asn.behaviour.model_copy(update={"method": "lowest"})
    assert behaviour_rating(_seven(*(["di_atas"] * 6 + ["sesuai"])), rules).value == "sesuai"


def test_behaviour_overall_given_directly(asn):
    derived = behaviour_rating({}, asn.behaviour, overall="di_atas")
    assert derived.value == "di_atas" and "directly" in derived.steps[0]
    # Per-value ratings decide when both are given.
    derived = behaviour_rating(_seven(*(["sesuai"] * 7)), asn.behaviour, overall="di_atas")
    assert derived.value == "sesuai"


@pytest.mark.parametrize(
    ("values", "overall", "message"),
    [
        ({}, None, "no behaviour rating given"),
        ({}, "great", "unknown rating 'great'"),
        ({"akuntabel": "sesuai"}, None, "not rated"),
        (_seven(*(["sesuai"] * 7)) | {"jujur": "sesuai"}, None, "unknown behaviour value"),
        (_seven(*(["sesuai"] * 6 + ["hebat"])), None, "perilaku_kolaboratif: .*unknown rating"),
    ],
)
def test_behaviour_errors(asn, values, overall, message):
    with pytest.raises(ValueError, match=message):
        behaviour_rating(values, asn.behaviour, overall=overall)


def test_generic_behaviour_allows_partial_values(generic):
    assert behaviour_rating({"integrity": "4", "learning": "3"}, generic.behaviour).value == "3"
