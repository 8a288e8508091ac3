"""Training needs: weak predikat opens courses; less than 20 JP a year opens a top-up (A3)."""

from __future__ import annotations

import pytest

from kinerja.models.rules.training import training_for


def _plan(asn, predikat: str, jp: float) -> list[tuple[str, float]]:
    return [
        (n.course, n.jp) for n in training_for(predikat=predikat, jp_so_far=jp, rules=asn.training)
    ]


@pytest.mark.parametrize(
    ("predikat", "jp", "expected"),
    [
        ("sangat_baik", 20, []),
        ("baik", 25, []),
        ("baik", 12, [("pemenuhan_jp", 8.0)]),
        ("baik", 0, [("pemenuhan_jp", 20.0)]),
        ("baik", 19.25, [("pemenuhan_jp", 1.0)]),  # a 0.75 JP gap rounds up to one JP
        ("butuh_perbaikan", 0, [("bimbingan_kinerja", 10.0), ("pemenuhan_jp", 10.0)]),
        ("butuh_perbaikan", 15, [("bimbingan_kinerja", 10.0)]),
        (
            "kurang",
            0,
            [("bimbingan_kinerja", 10.0), ("penguatan_berakhlak", 8.0), ("pemenuhan_jp", 2.0)],
        ),
        ("sangat_kurang", 30, [("bimbingan_kinerja", 10.0), ("penguatan_berakhlak", 8.0)]),
    ],
)
def test_asn_training(asn, predikat, jp, expected):
    assert _plan(asn, predikat, jp) == expected


def test_courses_may_not_count_toward_the_minimum(asn):
    rules = asn.training.model_copy(update={"course_jp_counts": False})
    needs = training_for(predikat="butuh_perbaikan", jp_so_far=15, rules=rules)
    assert [(n.course, n.jp) for n in needs] == [("bimbingan_kinerja", 10.0), ("pemenuhan_jp", 5.0)]


def test_reasons_are_bilingual(asn):
    needs = training_for(predikat="butuh_perbaikan", jp_so_far=4, rules=asn.training)
    assert needs[0].reason == (
        "Predikat butuh_perbaikan: Bimbingan kinerja (10 JP)"
        " / Predikat butuh_perbaikan: Performance coaching (10 JP)"
    )
    assert needs[1].reason == (
        "Pemenuhan 20 JP: 14 dari minimal 20 JP setahun"
        " / 20 JP top-up: 14 of the 20 JP yearly minimum"
    )


def test_generic_pack(generic):
    needs = training_for(predikat="unsatisfactory", jp_so_far=0, rules=generic.training)
    assert [(n.course, n.jp) for n in needs] == [
        ("performance_coaching", 8.0),
        ("learning_topup", 8.0),
    ]


def test_no_training_section_means_no_training():
    assert training_for(predikat="kurang", jp_so_far=0, rules=None) == []


def test_negative_jp_is_refused(asn):
    with pytest.raises(ValueError, match="must not be negative"):
        training_for(predikat="baik", jp_so_far=-1, rules=asn.training)


# DOMAIN.md A3 (engine): a competency below its required level opens training; the asn pack's
# gap rules open the catalogue course of that competency from a gap of one level [U], and
# the 20 JP minimum [C] is topped up after the opened courses count.
@pytest.mark.parametrize(
    ("predikat", "jp", "levels", "expected"),
    [
        ("baik", 20, {"pelayanan_publik": (3, 3)}, []),
        ("baik", 20, {"pelayanan_publik": (3, 4)}, []),  # above the requirement
        ("baik", 20, {"pelayanan_publik": (3, 2)}, [("pelatihan_pelayanan_publik", 12.0)]),
        (
            "baik",
            0,
            {"pelayanan_publik": (3, 2)},
            [("pelatihan_pelayanan_publik", 12.0), ("pemenuhan_jp", 8.0)],
        ),
        (
            "butuh_perbaikan",
            0,
            {"komunikasi": (4, 2), "integritas": (3, 3)},
            [("bimbingan_kinerja", 10.0), ("pelatihan_komunikasi", 8.0), ("pemenuhan_jp", 2.0)],
        ),
        ("sangat_baik", 20, {"bahasa_asing": (3, 1)}, []),  # no rule for it
    ],
)
def test_competency_gaps_open_catalogue_courses(asn, predikat, jp, levels, expected):
    needs = training_for(predikat=predikat, jp_so_far=jp, rules=asn.training, competencies=levels)
    assert [(n.course, n.jp) for n in needs] == expected


def test_a_gap_rule_threshold_and_reason(asn):
    rules = asn.training.model_copy(
        update={
            "gap_courses": [g.model_copy(update={"min_gap": 2}) for g in asn.training.gap_courses]
        }
    )
    one = training_for(
        predikat="baik", jp_so_far=20, rules=rules, competencies={"komunikasi": (3, 2)}
    )
    assert one == []
    [need] = training_for(
        predikat="baik", jp_so_far=20, rules=rules, competencies={"komunikasi": (3, 1)}
    )
    assert need.course == "pelatihan_komunikasi"
    assert need.reason == (
        "Kesenjangan kompetensi Komunikasi: level 1 dari 3 (selisih 2 >= 2): Komunikasi efektif"
        " (8 JP) / Competency gap in Communication: level 1 of 3 (gap 2 >= 2): Effective"
        " communication (8 JP)"
    )


def test_a_course_opened_twice_is_assigned_once(asn):
    rules = asn.training.model_copy(
        update={
            "gap_courses": [
                *asn.training.gap_courses,
                asn.training.gap_courses[0].model_copy(update={"competency": "integritas"}),
            ]
        }
    )
    needs = training_for(
        predikat="baik", jp_so_far=30, rules=rules, competencies={"integritas": (3, 1)}
    )
    assert [n.course for n in needs] == ["pelatihan_integritas"]
