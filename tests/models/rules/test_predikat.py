"""Predikat from the two ratings: every cell of the ASN 3x3 matrix and the generic mapping."""

from __future__ import annotations

import pytest

from kinerja.models.rules.predikat import predikat_for

# DOMAIN.md A1, "Predikat Kinerja Pegawai: 3x3 matrix" (PermenPANRB 6/2022):
# rows rating hasil kerja, columns rating perilaku.
ASN_MATRIX = [
    ("di_atas", "di_bawah", "kurang"),
    ("di_atas", "sesuai", "baik"),
    ("di_atas", "di_atas", "sangat_baik"),
    ("sesuai", "di_bawah", "kurang"),
    ("sesuai", "sesuai", "baik"),
    ("sesuai", "di_atas", "baik"),
    ("di_bawah", "di_bawah", "sangat_kurang"),
    ("di_bawah", "sesuai", "butuh_perbaikan"),
    ("di_bawah", "di_atas", "butuh_perbaikan"),
]


@pytest.mark.parametrize(("hasil_kerja", "perilaku", "expected"), ASN_MATRIX)
def test_asn_matrix_cell(asn, hasil_kerja, perilaku, expected):
    derived = predikat_for(hasil_kerja=hasil_kerja, perilaku=perilaku, rules=asn.predikat)
    assert derived.value == expected
    assert hasil_kerja in derived.steps[0] and perilaku in derived.steps[0]


def test_asn_matrix_table_covers_every_cell(asn):
    cells = {(h, p) for h, p, _ in ASN_MATRIX}
    assert cells == {(h, p) for h in asn.result_rating.levels for p in asn.behaviour.levels}


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("5", "outstanding"),
        ("4", "exceeds"),
        ("3", "meets"),
        ("2", "partially_meets"),
        ("1", "unsatisfactory"),
    ],
)
def test_generic_predikat_follows_the_result_rating(generic, level, expected):
    for perilaku in (None, "1", "5"):
        derived = predikat_for(hasil_kerja=level, perilaku=perilaku, rules=generic.predikat)
        assert derived.value == expected


@pytest.mark.parametrize(("hasil_kerja", "perilaku"), [("great", "sesuai"), ("sesuai", "great")])
def test_unknown_rating_is_refused_in_both_languages(asn, hasil_kerja, perilaku):
    with pytest.raises(ValueError, match="tidak dikenal.*/ unknown"):
        predikat_for(hasil_kerja=hasil_kerja, perilaku=perilaku, rules=asn.predikat)


def test_generic_unknown_result_rating(generic):
    with pytest.raises(ValueError, match="unknown result rating"):
        predikat_for(hasil_kerja="6", perilaku=None, rules=generic.predikat)
