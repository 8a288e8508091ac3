"""The portal's words in Bahasa Indonesia and English, and how a page picks its language.

A page is in ``?lang=`` when given (``id`` or ``en``), else in the person's language
(``employees.lang``), else Bahasa Indonesia.
"""

from __future__ import annotations

from collections.abc import Callable

from kinerja.portal.codes import code_texts
from kinerja.portal.i18n_citizens import CITIZEN_TEXTS
from kinerja.portal.i18n_desk import DESK_TEXTS
from kinerja.portal.i18n_documents import DOCUMENT_TEXTS
from kinerja.portal.i18n_evidence import EVIDENCE_TEXTS

LANGS = ("id", "en")

TEXTS: dict[str, tuple[str, str]] = {
    "portal": ("Portal Kinerja", "Kinerja portal"),
    "hello": ("Halo", "Hello"),
    "for": ("Untuk", "For"),
    "about": ("Tentang", "About"),
    "cycle": ("Siklus", "Cycle"),
    "due": ("Batas waktu", "Due"),
    "final_due": ("Batas akhir", "Final deadline"),
    "submit": ("Kirim", "Submit"),
    "approve": ("Setujui", "Approve"),
    "return": ("Kembalikan untuk diperbaiki", "Return for revision"),
    "comment": ("Komentar", "Comment"),
    "comment_per_target": ("Komentar untuk target ini", "Comment on this target"),
    "overall_comment": ("Komentar umum", "Overall comment"),
    "targets": ("Target (RHK)", "Targets (RHK)"),
    "no_targets": ("Belum ada target.", "No targets yet."),
    "statement": ("Rencana hasil kerja", "Planned result"),
    "indicator": ("Indikator", "Indicator"),
    "aspect": ("Aspek", "Aspect"),
    "target": ("Target", "Target"),
    "target_high": ("Target atas (rentang)", "Upper target (range)"),
    "unit_of_measure": ("Satuan", "Unit of measure"),
    "direction": ("Arah", "Direction"),
    "weight": ("Bobot", "Weight"),
    "kind": ("Jenis", "Kind"),
    "serves": ("Mendukung (sasaran/target atasan)", "Serves (goal or manager's target)"),
    "status": ("Status", "Status"),
    "realisation": ("Realisasi", "Realisation"),
    "achievement": ("Capaian", "Achievement"),
    "standing_import": ("Nilai yang sudah diimpor", "Value already imported"),
    "standing_report": ("Nilai yang sudah Anda laporkan", "Value you already reported"),
    "standing_replace": (
        "Isian baru menggantikannya; nilai lama tetap tercatat dalam riwayat.",
        "A new entry replaces it; the earlier value stays in the history.",
    ),
    "achievement_to_date": ("Capaian s.d. periode ini", "Achievement to date"),
    "expected_share": ("Harapan s.d. periode ini", "Expected to date"),
    "at_risk_note": (
        "Pegawai ini berisiko tidak mencapai target: lakukan dialog kinerja dan catat hasilnya.",
        "This person is at risk of missing their targets: hold a coaching dialog and record it.",
    ),
    "periodic_results": ("Hasil evaluasi periodik", "Periodic results"),
    "behaviour_default": ("Rating baku", "Default rating"),
    "coaching": ("Dialog kinerja (coaching)", "Coaching dialog"),
    "coaching_hint": (
        "Wajib bila pegawai berisiko: apa yang disepakati untuk perbaikan.",
        "Required when the person is at risk: what was agreed to improve.",
    ),
    "evidence": ("Bukti dukung", "Evidence"),
    "evidence_hint": (
        "Tautan atau keterangan dokumen bukti",
        "Links to or a description of the evidence",
    ),
    "score": ("Skor", "Score"),
    "proposal": ("Usulan rating hasil kerja", "Proposed result rating"),
    "proposal_from_unit": (
        "Usulan mengikuti hasil unit yang dipimpin (predikat organisasi)",
        "The proposal follows the result of the unit they lead (predikat organisasi)",
    ),
    "on_behalf_of": ("Dicatat atas nama penilai", "Recorded on behalf of the rater"),
    "hasil_kerja": ("Rating hasil kerja", "Result rating"),
    "perilaku": ("Perilaku kerja (BerAKHLAK)", "Work behaviour (BerAKHLAK)"),
    "perilaku_overall": ("Rating perilaku keseluruhan", "Overall behaviour rating"),
    "from_values": ("(dihitung dari nilai-nilai)", "(computed from the values)"),
    "review_comment_hint": (
        "Wajib diisi bila rating berbeda dari usulan",
        "Required when the rating differs from the proposal",
    ),
    "measurements": ("Realisasi per periode", "Realisation per period"),
    "period": ("Periode", "Period"),
    "feedback": ("Umpan balik", "Feedback"),
    "feedback_text": ("Tulis umpan balik", "Write your feedback"),
    "acknowledge": ("Saya telah membaca umpan balik ini", "I have read this feedback"),
    "returned_comments": ("Catatan atasan", "Your manager's notes"),
    "resubmit": ("Ajukan kembali tanpa perubahan", "Resubmit unchanged"),
    "new_target": ("Target baru", "New target"),
    "empty_rows": (
        "Baris yang dikosongkan diabaikan.",
        "Rows left empty are ignored.",
    ),
    "value": ("Nilai", "Value"),
    "details": ("Rincian", "Details"),
    "done_title": ("Terima kasih", "Thank you"),
    "done_body": ("Jawaban Anda telah dicatat.", "Your response has been recorded."),
    "already_recorded": (
        "Jawaban yang sama sudah tercatat sebelumnya.",
        "The same response was already recorded.",
    ),
    "my_page": ("Halaman saya", "My page"),
    "refused_title": ("Akses ditolak", "Access refused"),
    "refused_body": (
        "Tautan ini tidak berlaku untuk Anda. Percobaan ini dicatat.",
        "This link is not valid for you. The attempt has been recorded.",
    ),
    "forged_body": (
        "Tautan tidak sah. Buka tautan dari pesan yang Anda terima.",
        "This link is not valid. Open the link from the message you received.",
    ),
    "gone_title": ("Sudah dijawab", "Already answered"),
    "gone_body": (
        "Tugas ini sudah ditutup; tautannya tidak berlaku lagi.",
        "This task is closed; its link no longer works.",
    ),
    "expired_title": ("Tautan kedaluwarsa", "Link expired"),
    "expired_body": (
        "Tautan ini sudah kedaluwarsa. Hubungi koordinator SDM.",
        "This link has expired. Please contact the HR coordinator.",
    ),
    "bad_request_title": ("Permintaan tidak sah", "Bad request"),
    "csrf_body": (
        "Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu kirim lagi.",
        "The form has expired or is not valid. Reload the page and submit again.",
    ),
    "unknown_fields_body": (
        "Formulir ini berisi isian yang tidak ada di halaman tugas ini. Muat ulang halaman.",
        "This form holds fields that the page of this task does not have. Reload the page.",
    ),
    "too_large_title": ("Kiriman terlalu besar", "Submission too large"),
    "too_large_body": (
        "Kiriman melebihi batas ukuran portal. Persingkat isian lalu kirim lagi.",
        "The submission exceeds the portal's size limit. Shorten it and submit again.",
    ),
    "fix_errors": ("Periksa isian berikut:", "Please check the following:"),
    "open_tasks": ("Tugas yang menunggu Anda", "Tasks waiting for you"),
    "no_open_tasks": ("Tidak ada tugas yang menunggu.", "No tasks are waiting."),
    "results": ("Hasil penilaian", "Results"),
    "no_results": ("Belum ada hasil.", "No results yet."),
    "predikat": ("Predikat kinerja", "Performance predikat"),
    "no_feedback": ("Belum ada umpan balik.", "No feedback yet."),
    "acknowledged": ("Diterima", "Acknowledged"),
    "open": ("Buka", "Open"),
    "fields": ("Isian", "Fields"),
    "yes": ("Ya", "Yes"),
    "choose": ("(pilih)", "(choose)"),
    "generic_intro": (
        "Isi formulir berikut untuk menyelesaikan tugas ini.",
        "Fill in the form below to complete this task.",
    ),
    "no_form": (
        "Tugas ini tidak dapat dijawab lewat portal.",
        "This task cannot be answered in the portal.",
    ),
    "required": ("wajib diisi", "required"),
    "must_be_number": ("harus berupa angka", "must be a number"),
    "language": ("Bahasa", "Language"),
    "appeal": ("Keberatan pegawai", "The employee's appeal"),
    "appeal_hint": (
        "Keputusan Anda final. Menerima keberatan memerlukan rating baru; menolak tidak "
        "mengubah rating.",
        "Your decision is final. Upholding needs a new rating; rejecting changes no rating.",
    ),
    "appeal_right_title": ("Hak mengajukan keberatan", "Your right to appeal"),
    "appeal_right": (
        "Jika Anda tidak setuju dengan hasil penilaian, Anda berhak mengajukan keberatan"
        " tertulis beserta alasannya kepada atasan pejabat penilai Anda, paling lambat {days}"
        " hari setelah hasil diterbitkan (PP 30/2019 Pasal 59). Keputusan atasan tersebut"
        " final. Sampaikan keberatan melalui koordinator SDM: {coordinator}.",
        "If you disagree with your result, you may appeal in writing, with your reasons, to"
        " your rater's superior within {days} days after the results are published (PP"
        " 30/2019 Article 59). That decision is final. File your appeal through the HR"
        " coordinator: {coordinator}.",
    ),
    "decision": ("Keputusan", "Decision"),
    "new_hasil_kerja": ("Rating hasil kerja baru", "New result rating"),
    "new_perilaku": ("Rating perilaku baru", "New behaviour rating"),
    "unchanged": ("(tidak berubah)", "(unchanged)"),
    "decision_reason": ("Alasan keputusan", "Reason for the decision"),
    "uphold": ("Terima keberatan", "Uphold the appeal"),
    "reject": ("Tolak keberatan", "Reject the appeal"),
    # The public pages (portal/public.py).
    "public_cycles": ("Hasil kinerja yang dipublikasikan", "Published performance results"),
    "public_no_cycles": (
        "Belum ada siklus yang dipublikasikan.",
        "No cycle has been published yet.",
    ),
    "public_period": ("Periode", "Period"),
    "public_published_on": ("Dipublikasikan", "Published"),
    "public_units_count": ("Unit kerja", "Units"),
    "public_intro": (
        "Hasil per unit kerja, dalam jumlah saja: tidak ada nama, NIP, atau hasil perorangan. "
        "Unit dengan kurang dari {n} pegawai tidak ditampilkan.",
        "Results per unit, as counts only: no names, NIPs or individual results. "
        "Units with fewer than {n} staff are not shown.",
    ),
    "public_unit_results": ("Hasil kinerja per unit kerja", "Performance results per unit"),
    "public_no_units": ("Tidak ada hasil unit kerja.", "No unit results."),
    "public_headcount": ("Jumlah pegawai", "Staff"),
    "public_mean_achievement": ("Rata-rata capaian", "Mean achievement"),
    "public_predikat_counts": ("Jumlah pegawai per predikat", "Staff per predikat"),
    "public_predikat_organisasi": ("Predikat organisasi", "Unit predikat"),
    "public_suppressed": (
        "Kurang dari {n} pegawai: angka unit ini tidak ditampilkan.",
        "Fewer than {n} staff: this unit's figures are not shown.",
    ),
    "public_not_rated": ("Belum dinilai", "Not rated"),
    "public_ikm": (
        "Indeks Kepuasan Masyarakat (IKM) per unit layanan",
        "Citizen satisfaction index (IKM) per service unit",
    ),
    "public_ikm_intro": (
        "Survei Kepuasan Masyarakat, PermenPANRB 14/2017: nilai IKM 25-100 dan mutu pelayanan "
        "A (sangat baik) sampai D (tidak baik).",
        "Citizen satisfaction survey, PermenPANRB 14/2017: IKM from 25 to 100 and service "
        "quality from A (very good) to D (poor).",
    ),
    "public_no_ikm": ("Tidak ada unit layanan.", "No service units."),
    "public_ikm_value": ("Nilai IKM", "IKM"),
    "public_mutu": ("Mutu pelayanan", "Service quality"),
    "public_respondents": ("Responden", "Respondents"),
    "public_no_survey": (
        "Belum ada survei pada periode ini (wajib minimal 1 kali setahun).",
        "No survey in this period (at least one a year is required).",
    ),
    "public_sample_short": (
        "Sampel kurang: {respondents} responden, minimal {required} untuk populasi "
        "{population} (Krejcie-Morgan).",
        "Sample too small: {respondents} respondents, at least {required} for a population "
        "of {population} (Krejcie-Morgan).",
    ),
    "public_all_cycles": ("Semua siklus", "All cycles"),
    "not_found_title": ("Tidak ditemukan", "Not found"),
    "not_published_body": (
        "Siklus ini tidak ada atau hasilnya belum dipublikasikan.",
        "This cycle does not exist or its results are not published yet.",
    ),
}

TEXTS.update(code_texts())


TEXTS.update(CITIZEN_TEXTS)
TEXTS.update(EVIDENCE_TEXTS)
TEXTS.update(DOCUMENT_TEXTS)
TEXTS.update(DESK_TEXTS)


def pick_lang(query: str | None, person: str | None) -> str:
    """``?lang=`` if it names a known language, else the person's, else ``id``."""
    for candidate in (query, person):
        if candidate in LANGS:
            return candidate
    return "id"


def translator(lang: str) -> Callable[[str], str]:
    """``t(key)`` for templates: the text in ``lang``; an unknown key shows as itself."""
    index = 0 if lang == "id" else 1

    def t(key: str) -> str:
        pair = TEXTS.get(key)
        return pair[index] if pair else key

    return t


def code_translator(lang: str) -> Callable[[str, str | None], str]:
    """``c(group, code)`` for templates: the code's words in ``lang`` (the code itself when
    it has none, "-" when empty), e.g. ``c("direction", "higher")``."""
    t = translator(lang)

    def c(group: str, code: str | None) -> str:
        if not code:
            return "-"
        key = f"{group}_{code}"
        return t(key) if key in TEXTS else code

    return c


def both(key: str) -> str:
    """The text in both languages, ``id / en`` (messages read before a language is known)."""
    id_, en = TEXTS[key]
    return f"{id_} / {en}"
