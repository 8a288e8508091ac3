"""What a document says, in Bahasa Indonesia or English: headings, the words of codes the
pack has no label for (aspects, target kinds), period names, numbers and dates.

Numbers go through :mod:`kinerja.models.rules.numbers` (``1.250``, ``87,5`` on an Indonesian
document), dates through Babel (``31 Desember 2025``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from babel.dates import format_date, get_month_names

from kinerja.models.rules.numbers import number

WORDS: dict[str, tuple[str, str]] = {
    "skp_title": ("SASARAN KINERJA PEGAWAI", "EMPLOYEE PERFORMANCE TARGETS (SKP)"),
    "evaluation_title": ("EVALUASI KINERJA PEGAWAI", "EMPLOYEE PERFORMANCE EVALUATION"),
    "period_annual": ("PERIODE: TAHUNAN", "PERIOD: ANNUAL"),
    "assessment_period": ("Periode penilaian", "Assessment period"),
    "until": ("s.d.", "to"),
    "approach": ("Pendekatan", "Approach"),
    "approach_quantitative": ("Kuantitatif", "Quantitative"),
    "approach_qualitative": ("Kualitatif", "Qualitative"),
    "no": ("No", "No"),
    "ratee": ("Pegawai yang Dinilai", "Employee assessed"),
    "rater": ("Pejabat Penilai Kinerja", "Performance rater"),
    "rater_superior": ("Atasan Pejabat Penilai Kinerja", "The rater's superior"),
    "name": ("Nama", "Name"),
    "nip": ("NIP", "NIP"),
    "grade": ("Pangkat/Gol. Ruang", "Rank/grade"),
    "position": ("Jabatan", "Position"),
    "unit": ("Unit Kerja", "Unit"),
    "outside": ("di luar instansi", "outside the agency"),
    "hasil_kerja_heading": ("HASIL KERJA", "WORK RESULTS"),
    "serves": ("Rencana Hasil Kerja Pimpinan yang Diintervensi", "The leader's RHK served"),
    "rhk": ("Rencana Hasil Kerja", "Planned result (RHK)"),
    "aspect": ("Aspek", "Aspect"),
    "indicator": ("Indikator Kinerja Individu", "Individual performance indicator"),
    "target": ("Target", "Target"),
    "realisation": ("Realisasi Berdasarkan Bukti Dukung", "Realisation from the evidence"),
    "achievement": ("Capaian", "Achievement"),
    "no_targets_of_kind": ("Tidak ada.", "None."),
    "perilaku_heading": ("PERILAKU KERJA", "WORK BEHAVIOUR"),
    "behaviour_value": ("Perilaku Kerja (BerAKHLAK)", "Work behaviour (BerAKHLAK)"),
    "behaviour_rating": ("Rating", "Rating"),
    "behaviour_guide": (
        "Pedoman perilaku mengikuti nilai dasar ASN BerAKHLAK (SE MenPANRB 20/2021).",
        "Behaviour follows the ASN core values BerAKHLAK (SE MenPANRB 20/2021).",
    ),
    "rating_hasil_kerja": ("RATING HASIL KERJA", "RESULT RATING"),
    "rating_perilaku": ("RATING PERILAKU KERJA", "BEHAVIOUR RATING"),
    "predikat": ("PREDIKAT KINERJA PEGAWAI", "EMPLOYEE PERFORMANCE PREDIKAT"),
    "predikat_organisasi": ("Predikat kinerja organisasi", "The unit's predikat"),
    "achievement_total": ("Capaian hasil kerja", "Achievement of the results"),
    "comment": ("Catatan pejabat penilai", "The rater's comment"),
    "feedback": ("Umpan balik", "Feedback"),
    "periodic_heading": ("HASIL EVALUASI PERIODIK", "PERIODIC RESULTS"),
    "period": ("Periode", "Period"),
    "achievement_to_date": ("Capaian s.d. periode", "Achievement to date"),
    "expected_to_date": ("Harapan s.d. periode", "Expected to date"),
    "hasil_kerja": ("Rating hasil kerja", "Result rating"),
    "perilaku": ("Rating perilaku", "Behaviour rating"),
    "predikat_short": ("Predikat", "Predikat"),
    "place_blank": ("..................", ".................."),
    "signature_blank": ("(tanda tangan)", "(signature)"),
    "page": ("Halaman", "Page"),
    "of": ("dari", "of"),
    "kind_utama": ("Utama", "Main"),
    "kind_tambahan": ("Tambahan", "Additional"),
    "aspect_kuantitas": ("Kuantitas", "Quantity"),
    "aspect_kualitas": ("Kualitas", "Quality"),
    "aspect_waktu": ("Waktu", "Time"),
    "aspect_biaya": ("Biaya", "Cost"),
    "direction_lower": ("makin rendah makin baik", "lower is better"),
    "not_rated": ("belum dinilai", "not rated yet"),
}

ROMAN = ("I", "II", "III", "IV")
DATE_LOCALES = {"id": "id_ID", "en": "en_GB"}
"""Dates as the portal writes them: ``31 Desember 2025``, ``31 December 2025``."""


def words(lang: str) -> Callable[[str], str]:
    """``w(key)``: the words of ``key`` in ``lang``; an unknown key shows as itself."""
    index = 1 if lang == "en" else 0

    def w(key: str) -> str:
        pair = WORDS.get(key)
        return pair[index] if pair else key

    return w


def code_words(group: str, code: str | None, lang: str) -> str:
    """A code the pack has no label for (``aspect``, ``kind``) in words; the code itself
    when there are none, ``-`` when empty."""
    if not code:
        return "-"
    key = f"{group}_{code}"
    return words(lang)(key) if key in WORDS else code


def day(value: date | None, lang: str) -> str:
    """``31 Desember 2025`` / ``31 December 2025``; empty for no day."""
    if value is None:
        return ""
    return format_date(value, format="long", locale=DATE_LOCALES.get(lang, "id_ID"))


def num(value: float | int | None, lang: str) -> str:
    """A number in the language's format (up to three decimals), ``-`` for none."""
    return "-" if value is None else number(value, lang=lang)


def percent(value: float | None, lang: str) -> str:
    """An achievement: ``87,5%`` / ``87.5%``, ``-`` for none."""
    return "-" if value is None else f"{number(value, lang=lang, places=None)}%"


def target_text(value: float | None, high: float | None, unit: str, lang: str) -> str:
    """A target with its unit of measure; a range as ``80 – 100``."""
    if value is None:
        return "-"
    shown = num(value, lang) if high is None else f"{num(value, lang)} – {num(high, lang)}"
    return f"{shown} {unit}".strip()


def period_name(label: str, lang: str) -> str:
    """A period label in words: ``2025-Q1`` is ``Triwulan I 2025`` / ``Quarter 1 2025``,
    ``2025-03`` is ``Maret 2025``, ``2025-S2`` is ``Semester II 2025``."""
    year, rest = label[:4], label[5:]
    en = lang == "en"
    if not rest:
        return year
    if rest[0] in "Qq":
        n = int(rest[1:])
        return f"Quarter {n} {year}" if en else f"Triwulan {ROMAN[n - 1]} {year}"
    if rest[0] in "Ss":
        n = int(rest[1:])
        return f"Half {n} {year}" if en else f"Semester {ROMAN[n - 1]} {year}"
    months = get_month_names("wide", locale=DATE_LOCALES.get(lang, "id_ID"))
    return f"{months[int(rest)]} {year}"
