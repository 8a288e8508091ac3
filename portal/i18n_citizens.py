"""The words of the citizens' pages (survey, complaints, tracking) in Bahasa Indonesia and
English; merged into :data:`kinerja.portal.i18n.TEXTS`.

The survey's questions are those of the questionnaire in PermenPANRB 14/2017's annex, one per
standard element (U1 ... U9); an element a pack adds is asked by its name.
"""

from __future__ import annotations

CITIZEN_TEXTS: dict[str, tuple[str, str]] = {
    "skm_title": ("Survei Kepuasan Masyarakat", "Citizen satisfaction survey"),
    "skm_intro": (
        "Survei ini tanpa nama dan tanpa login. Jawaban Anda dihitung dalam Indeks Kepuasan "
        "Masyarakat (IKM) unit ini. Kami tidak menyimpan nama, alamat IP, atau kontak Anda.",
        "This survey is anonymous and needs no login. Your answer counts in this unit's "
        "citizen satisfaction index (IKM). We do not store your name, IP address or contact.",
    ),
    "skm_unit": ("Unit layanan", "Service unit"),
    "skm_period": ("Periode survei", "Survey period"),
    "skm_profile": ("Tentang Anda (boleh dikosongkan)", "About you (optional)"),
    "skm_age": ("Umur", "Age"),
    "skm_sex": ("Jenis kelamin", "Sex"),
    "skm_education": ("Pendidikan terakhir", "Education"),
    "skm_occupation": ("Pekerjaan", "Occupation"),
    "skm_service": ("Jenis layanan yang diterima", "Service received"),
    "skm_not_said": ("Tidak ingin menjawab", "Prefer not to say"),
    "skm_questions": ("Penilaian Anda", "Your rating"),
    "skm_scale_1": ("Tidak baik", "Poor"),
    "skm_scale_2": ("Kurang baik", "Fair"),
    "skm_scale_3": ("Baik", "Good"),
    "skm_scale_4": ("Sangat baik", "Very good"),
    "skm_q_U1": (
        "Bagaimana kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
        "How well did the requirements fit the service?",
    ),
    "skm_q_U2": (
        "Bagaimana kemudahan prosedur pelayanan di unit ini?",
        "How easy was the procedure of this service?",
    ),
    "skm_q_U3": (
        "Bagaimana kecepatan waktu dalam memberikan pelayanan?",
        "How fast was the service delivered?",
    ),
    "skm_q_U4": (
        "Bagaimana kewajaran biaya/tarif dalam pelayanan?",
        "How fair was the cost or fee of the service?",
    ),
    "skm_q_U5": (
        "Bagaimana kesesuaian produk pelayanan antara yang tercantum dalam standar pelayanan "
        "dengan hasil yang diberikan?",
        "How well did what you received match the published service standard?",
    ),
    "skm_q_U6": (
        "Bagaimana kompetensi/kemampuan petugas dalam pelayanan?",
        "How competent were the staff?",
    ),
    "skm_q_U7": (
        "Bagaimana perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
        "How courteous and friendly were the staff?",
    ),
    "skm_q_U8": (
        "Bagaimana penanganan pengaduan, saran dan masukan di unit ini?",
        "How are complaints, suggestions and input handled here?",
    ),
    "skm_q_U9": (
        "Bagaimana kualitas sarana dan prasarana?",
        "How good are the facilities?",
    ),
    "skm_honeypot": ("Jangan isi kolom ini", "Leave this field empty"),
    "skm_send": ("Kirim jawaban", "Send my answer"),
    "skm_thanks_title": ("Terima kasih", "Thank you"),
    "skm_thanks_body": (
        "Jawaban Anda sudah kami terima dan akan dihitung dalam IKM unit ini.",
        "We have received your answer; it will count in this unit's IKM.",
    ),
    "skm_already_title": ("Anda sudah mengisi survei ini", "You have already answered"),
    "skm_already_body": (
        "Terima kasih, jawaban dari perangkat ini untuk periode ini sudah kami terima. "
        "Satu jawaban per perangkat per periode.",
        "Thank you, we already have an answer from this device for this period. "
        "One answer per device per period.",
    ),
    "skm_closed_title": ("Survei tidak dibuka", "Survey not open"),
    "skm_closed_body": (
        "Survei ini dibuka dari {opens} sampai {closes}.",
        "This survey is open from {opens} to {closes}.",
    ),
    "skm_cookie_title": ("Perlu cookie", "Cookie needed"),
    "skm_cookie_body": (
        "Halaman ini menyimpan satu cookie acak agar satu perangkat menjawab sekali. Aktifkan "
        "cookie, buka ulang tautan survei, lalu kirim lagi.",
        "This page keeps one random cookie so that a device answers once. Enable cookies, "
        "open the survey link again and send once more.",
    ),
    "skm_missing": ("Mohon jawab pertanyaan ini", "Please answer this question"),
    "too_many_title": ("Terlalu banyak kiriman", "Too many submissions"),
    "too_many_body": (
        "Terlalu banyak kiriman dari alamat ini atau untuk formulir ini. Coba lagi nanti.",
        "Too many submissions from this address or for this form. Please try again later.",
    ),
    "form_not_found_body": (
        "Formulir ini tidak ada. Periksa tautan atau kode QR.",
        "There is no such form. Check the link or the QR code.",
    ),
}
"""key -> (Bahasa Indonesia, English)."""

COMPLAINT_TEXTS: dict[str, tuple[str, str]] = {
    "adu_title": ("Pengaduan", "Complaint"),
    "adu_intro": (
        "Sampaikan pengaduan, saran atau masukan tentang layanan unit ini. Anda akan menerima "
        "kode pelacakan untuk melihat jawabannya. Kontak e-mail boleh dikosongkan; bila diisi, "
        "hanya dipakai untuk mengirim jawaban.",
        "Tell us about a problem with this unit's service, or make a suggestion. You will get "
        "a tracking code to read the answer. The e-mail is optional; if given, it is used only "
        "to send you the answer.",
    ),
    "adu_category": ("Jenis pengaduan", "Kind of complaint"),
    "adu_text": ("Isi pengaduan", "Your complaint"),
    "adu_contact": ("E-mail untuk jawaban (boleh dikosongkan)", "E-mail for the answer (optional)"),
    "adu_send": ("Kirim pengaduan", "Send complaint"),
    "adu_received_title": ("Pengaduan diterima", "Complaint received"),
    "adu_keep_code": (
        "Simpan kode pelacakan ini untuk melihat jawaban:",
        "Keep this tracking code to read the answer:",
    ),
    "adu_track": ("Lacak pengaduan", "Track a complaint"),
    "adu_code": ("Kode pelacakan", "Tracking code"),
    "adu_status": ("Status", "Status"),
    "adu_status_open": ("Sedang ditangani", "Being handled"),
    "adu_status_answered": ("Sudah dijawab", "Answered"),
    "adu_status_closed": ("Selesai", "Closed"),
    "adu_received_on": ("Diterima", "Received"),
    "adu_due_on": ("Batas waktu layanan", "Answer due by"),
    "adu_reply": ("Jawaban", "Answer"),
    "adu_replied_on": ("Dijawab", "Answered on"),
    "adu_close_reason": ("Alasan penutupan", "Why closed"),
    "adu_no_reply": ("Belum ada jawaban.", "No answer yet."),
    "adu_unknown_body": (
        "Kode pelacakan ini tidak dikenal. Periksa kembali kodenya.",
        "This tracking code is not known. Please check it.",
    ),
    "adu_fix": ("Mohon periksa isian ini", "Please check these fields"),
    "adu_reply_label": ("Jawaban untuk pelapor", "Answer to the citizen"),
    "adu_reply_hint": (
        "Pelapor membaca jawaban ini di halaman pelacakan (dan lewat e-mail bila memberi kontak).",
        "The citizen reads this answer on the tracking page (and by e-mail if they gave one).",
    ),
    "adu_close_as": ("Tutup pengaduan sebagai", "Close the complaint as"),
    "adu_keep_open": ("Jawab, biarkan terbuka", "Answer, keep open"),
}
CITIZEN_TEXTS.update(COMPLAINT_TEXTS)

PUBLIC_TEXTS: dict[str, tuple[str, str]] = {
    "public_complaints": ("Penanganan pengaduan per unit", "Complaint handling per unit"),
    "public_complaints_intro": (
        "Pengaduan yang diterima pada periode siklus; tepat waktu = dijawab dalam batas waktu "
        "layanan (hari kerja) kategorinya.",
        "Complaints received in the cycle's period; on time = answered within its category's "
        "service level (working days).",
    ),
    "public_no_complaints": ("Tidak ada pengaduan pada periode ini.", "No complaints this period."),
    "public_unit": ("Unit", "Unit"),
    "public_c_received": ("Diterima", "Received"),
    "public_c_within": ("Dijawab tepat waktu", "Answered on time"),
    "public_c_late": ("Terlambat", "Late"),
    "public_c_open": ("Belum dijawab", "Not answered yet"),
    "public_c_median": ("Median hari kerja sampai dijawab", "Median working days to answer"),
}
CITIZEN_TEXTS.update(PUBLIC_TEXTS)

CHART_TEXTS: dict[str, tuple[str, str]] = {
    "chart_share": ("Porsi pegawai", "Share of staff"),
    "chart_nrr": ("Nilai unsur (1-4)", "Element score (1-4)"),
    "chart_elements": ("Nilai per unsur SKM", "Score per SKM element"),
    "chart_table": ("Tabel data grafik", "The chart's data as a table"),
    "open_data": ("Data terbuka", "Open data"),
    "open_data_intro": (
        "Unduh angka siklus ini (CSV atau JSON), dengan kamus data. Unit dengan pegawai "
        "kurang dari batas minimum tidak memuat angka.",
        "Download this cycle's figures (CSV or JSON), with a data dictionary. Units with fewer "
        "staff than the minimum carry no figures.",
    ),
    "data_dictionary": ("Kamus data", "Data dictionary"),
    "dataset_units": ("Hasil per unit kerja", "Results per unit"),
    "dataset_ikm": ("IKM per unsur", "IKM per element"),
    "dataset_complaints": ("Penanganan pengaduan", "Complaint handling"),
    "column": ("Kolom", "Column"),
    "type": ("Jenis", "Type"),
    "meaning": ("Arti", "Meaning"),
    "elements_table": ("Nilai per unsur", "Score per element"),
}
CITIZEN_TEXTS.update(CHART_TEXTS)
