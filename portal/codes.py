"""The codes a page shows, in people's words: a target's status, direction, aspect and kind,
and the words of a form's validation messages, in Bahasa Indonesia and English.

Merged into :data:`kinerja.portal.i18n.TEXTS` under ``<group>_<code>`` keys
(``status_proposed``, ``direction_higher``); a page reads them through
:func:`kinerja.portal.i18n.code_translator`, which shows an unknown code as itself.
"""

from __future__ import annotations

from typing import Any

CODES: dict[str, dict[str, tuple[str, str]]] = {
    "status": {
        "proposed": ("Diusulkan", "Proposed"),
        "approved": ("Disetujui", "Approved"),
        "returned": ("Dikembalikan", "Returned"),
        "withdrawn": ("Ditarik", "Withdrawn"),
    },
    "direction": {
        "higher": ("makin tinggi makin baik", "higher is better"),
        "lower": ("makin rendah makin baik", "lower is better"),
        "range": ("dalam rentang", "within a range"),
    },
    "aspect": {
        "kuantitas": ("Kuantitas", "Quantity"),
        "kualitas": ("Kualitas", "Quality"),
        "waktu": ("Waktu", "Time"),
        "biaya": ("Biaya", "Cost"),
    },
    "kind": {
        "utama": ("Utama", "Main"),
        "tambahan": ("Tambahan", "Additional"),
    },
}

FORM_TEXTS: dict[str, tuple[str, str]] = {
    "choose_blank": ("— pilih —", "— choose —"),
    "suggestion": ("Usulan sistem", "Suggested"),
    "suggestion_hint": (
        "Usulan dihitung dari capaian; Anda yang memutuskan.",
        "The suggestion is computed from the achievements; the decision is yours.",
    ),
    "weight_total": ("Jumlah bobot", "Weight total"),
    "weight_required": ("harus berjumlah {n}", "must add up to {n}"),
    "weight_unused": (
        "bobot tidak dipakai dalam siklus ini",
        "weights are not used in this cycle",
    ),
    "unit": ("Unit kerja", "Unit"),
    "must_choose": ("wajib dipilih", "a choice is required"),
    "not_a_choice": ("bukan pilihan yang tersedia", "is not one of the choices"),
    "too_long": ("terlalu panjang (paling banyak {n})", "too long (at most {n})"),
    "too_many": ("terlalu banyak (paling banyak {n})", "too many (at most {n})"),
    "not_valid": ("tidak sah", "is not valid"),
    "not_json": ("JSON tidak sah", "is not valid JSON"),
    "no_realisation": (
        "isi realisasi paling sedikit satu target",
        "fill in the realisation of at least one target",
    ),
    "row": ("baris", "row"),
    "earlier_cycles": ("Hasil siklus sebelumnya", "Results of earlier cycles"),
    "no_earlier_cycles": (
        "Belum ada hasil siklus sebelumnya.",
        "No results of earlier cycles yet.",
    ),
    "reason_required": (
        "alasan wajib diisi bila rating berbeda dari usulan",
        "a reason is required when the rating differs from the proposal",
    ),
}


def code_texts() -> dict[str, tuple[str, str]]:
    """Every code's words under its ``<group>_<code>`` key, and the form texts."""
    out = {
        f"{group}_{code}": pair for group, codes in CODES.items() for code, pair in codes.items()
    }
    return out | FORM_TEXTS


def pack_label(labels: dict[str, Any], code: str | None, lang: str) -> str:
    """A pack's label of ``code`` in ``lang`` (the code itself when the pack has none)."""
    if code is None:
        return "-"
    found = labels.get(code)
    if found is None:
        return code
    return found.id if lang == "id" else found.en
