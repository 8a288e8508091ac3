"""The words of the HR coordinator's desk (portal/desk.py) in Bahasa Indonesia and English;
merged into :data:`kinerja.portal.i18n.TEXTS`."""

from __future__ import annotations

DESK_TEXTS: dict[str, tuple[str, str]] = {
    "desk_title": ("Meja Koordinator SDM", "HR coordinator's desk"),
    "desk_signin_intro": (
        "Masukkan alamat surel Anda sebagai Koordinator SDM. Kami mengirim tautan masuk ke "
        "alamat itu bila alamat tersebut terdaftar.",
        "Enter your e-mail address as HR coordinator. We send a sign-in link to that address "
        "if it is on record.",
    ),
    "desk_email": ("Alamat surel", "E-mail address"),
    "desk_send_link": ("Kirim tautan masuk", "Send me a sign-in link"),
    "desk_sent_title": ("Periksa kotak surel Anda", "Check your inbox"),
    "desk_sent_body": (
        "Bila alamat ini terdaftar sebagai Koordinator SDM, tautan masuk telah dikirim ke "
        "alamat tersebut. Tautan berlaku tujuh hari.",
        "If this address is on record as an HR coordinator, a sign-in link has been sent to "
        "it. The link works for seven days.",
    ),
    "desk_slow_title": ("Terlalu banyak permintaan", "Too many requests"),
    "desk_slow_body": (
        "Terlalu banyak permintaan tautan dari alamat jaringan ini. Coba lagi nanti.",
        "Too many link requests from this network address. Please try again later.",
    ),
    "desk_expired_body": (
        "Tautan meja ini sudah kedaluwarsa. Minta tautan baru di halaman /desk portal ini.",
        "This desk link has expired. Ask for a new one on this portal's /desk page.",
    ),
    "desk_not_yours": (
        "Siklus ini tidak Anda koordinasikan. Percobaan ini dicatat.",
        "You do not coordinate this cycle. The attempt has been recorded.",
    ),
    "desk_no_cycles": (
        "Tidak ada siklus yang Anda koordinasikan.",
        "There are no cycles that you coordinate.",
    ),
    "desk_finished": ("Siklus yang sudah selesai", "Finished cycles"),
    "desk_status": ("Status siklus", "Cycle status"),
    "desk_status_created": ("Dibuat", "Created"),
    "desk_status_running": ("Berjalan", "Running"),
    "desk_status_done": ("Selesai", "Finished"),
    "desk_status_rejected": ("Ditolak pada persetujuan", "Rejected at a gate"),
    "desk_stage": ("Tahap berjalan", "Stages open"),
    "desk_no_stage": ("Tidak ada tahap yang terbuka", "No stage is open"),
    "desk_waits": ("Menunggu", "Waiting for"),
    "desk_waits_tasks": (
        "{stage}: tugas belum selesai {n}, batas waktu {due}, batas akhir {final}",
        "{stage}: tasks still open {n}, due {due}, final deadline {final}",
    ),
    "desk_waits_gate": ("Persetujuan Anda: {gate}", "Your approval: {gate}"),
    "desk_waits_opens": ("{stage} dibuka pada {day}", "{stage} opens on {day}"),
    "desk_waits_ready": (
        "{stage} siap dijalankan sekarang",
        "{stage} is ready to run now",
    ),
    "desk_waits_nothing": ("Tidak menunggu apa pun", "Nothing is waiting"),
    "desk_progress": ("Kemajuan per unit", "Progress per unit"),
    "desk_progress_all": (
        "Tidak ada tahap yang terbuka: semua tugas siklus ini dihitung.",
        "No stage is open: every task of this cycle is counted.",
    ),
    "desk_progress_note": (
        "Tugas tahap yang terbuka, menurut unit pegawai yang harus mengerjakannya.",
        "The open stages' tasks, by the unit of the person who must act on them.",
    ),
    "desk_tasks": ("Tugas", "Tasks"),
    "desk_done": ("Selesai", "Done"),
    "desk_open": ("Belum jatuh tempo", "Not yet due"),
    "desk_late": ("Terlambat", "Late"),
    "desk_escalated": ("Dieskalasi", "Escalated"),
    "desk_closed": ("Ditutup lainnya", "Closed otherwise"),
    "desk_share": ("Persen selesai", "Share done"),
    "desk_late_people": ("Pegawai terlambat dan tugas yang dieskalasi", "Late and escalated"),
    "desk_no_late": ("Tidak ada yang terlambat.", "Nobody is late."),
    "desk_who": ("Yang harus bertindak", "Who must act"),
    "desk_task": ("Tugas", "Task"),
    "desk_about": ("mengenai", "about"),
    "desk_due": ("batas waktu", "due"),
    "desk_level": ("eskalasi tingkat {n}", "escalated, level {n}"),
    "desk_more": ("dan {n} lainnya", "and {n} more"),
    "desk_gate": ("Persetujuan yang menunggu", "Gate waiting"),
    "desk_gate_none": ("Tidak ada persetujuan yang menunggu.", "No gate is waiting."),
    "desk_gate_how": (
        "Tanda tangani di formulir Prefect UI atau dengan perintah: kinerja gate {cycle} "
        "approve (atau reject).",
        "Sign it in the Prefect UI form or with the command: kinerja gate {cycle} approve "
        "(or reject).",
    ),
    "desk_employees": ("Pegawai", "Employees"),
    "desk_amount": ("Jumlah tunjangan", "Incentive total"),
    "desk_total": ("Total", "Total"),
    "desk_budget": ("Pagu", "Budget"),
    "desk_over_budget": (
        "Total melebihi pagu: persetujuan memerlukan alasan.",
        "The total is over the budget: an approval needs a reason.",
    ),
    "desk_failing": (
        "Unit yang gagal uji distribusi (setiap unit yang diterima perlu alasan)",
        "Units failing the distribution check (each accepted unit needs a reason)",
    ),
    "desk_findings": ("Temuan", "Findings"),
    "desk_no_failing": (
        "Semua unit lolos uji distribusi.",
        "Every unit passed the distribution check.",
    ),
    "desk_groups": ("Kelompok distribusi yang diperiksa", "Distribution groups checked"),
    "desk_source": ("Sumber", "Source"),
    "desk_actions": ("Tindakan", "Actions"),
    "desk_actions_intro": (
        "Setiap tindakan dicatat atas nama Anda dalam log audit.",
        "Each action is recorded in your name in the audit log.",
    ),
    "desk_remind": ("Ingatkan satu unit", "Remind a unit"),
    "desk_remind_hint": (
        "Satu pengingat sekarang untuk setiap tugas aktif pegawai unit ini (paling banyak "
        "sekali sehari).",
        "One reminder now for every active task of the unit's people (once a day at most).",
    ),
    "desk_remind_button": ("Kirim pengingat", "Send reminders"),
    "desk_extend": ("Perpanjang tugas satu unit", "Extend a unit's tasks"),
    "desk_extend_hint": (
        "Batas waktu dan batas akhir setiap tugas aktif pegawai unit ini pada tahap yang "
        "terbuka diundur sekian hari.",
        "The due date and final deadline of every active task of the unit's people in the "
        "open stages move by this many days.",
    ),
    "desk_days": ("Jumlah hari", "Days"),
    "desk_reason": ("Alasan", "Reason"),
    "desk_extend_button": ("Perpanjang", "Extend"),
    "desk_with_subunits": ("Termasuk unit di bawahnya", "Include the units below it"),
    "desk_delegate": ("Limpahkan selama berhalangan", "Delegate while someone is away"),
    "desk_delegate_hint": (
        "Tugas menilai dan menyetujui milik pegawai yang berhalangan dilimpahkan kepada "
        "pelaksana selama tanggal tersebut.",
        "The away person's approving and rating tasks are handed to the delegate for those dates.",
    ),
    "desk_away_nip": ("NIP pegawai yang berhalangan", "NIP of the person away"),
    "desk_delegate_nip": ("NIP pelaksana", "NIP of the delegate"),
    "desk_from": ("Hari pertama", "First day"),
    "desk_until": ("Hari terakhir", "Last day"),
    "desk_delegate_button": ("Catat pelimpahan", "Record the delegation"),
    "desk_done_remind": (
        "Pengingat untuk {unit}: tugas diingatkan {ok}, dilewati {skipped}, ditolak {refused}.",
        "Reminders for {unit}: tasks reminded {ok}, skipped {skipped}, refused {refused}.",
    ),
    "desk_done_extend": (
        "Perpanjangan untuk {unit}: tugas diperpanjang {ok}, dilewati {skipped}, "
        "ditolak {refused}.",
        "Extension for {unit}: tasks extended {ok}, skipped {skipped}, refused {refused}.",
    ),
    "desk_done_delegate": (
        "Pelimpahan dicatat untuk {unit}: tugas dilimpahkan sekarang {ok}, tetap pada "
        "pegawai {skipped}, ditolak {refused}.",
        "Delegation recorded for {unit}: tasks handed over now {ok}, left with the person "
        "{skipped}, refused {refused}.",
    ),
    "desk_refused": ("Tindakan ditolak:", "The action was refused:"),
    "desk_no_action": ("Meja ini tidak memiliki tindakan itu.", "The desk has no such action."),
    "desk_documents": ("Dokumen pegawai (PDF)", "An employee's documents (PDF)"),
    "desk_documents_hint": (
        "SKP yang disetujui dan dokumen evaluasi, dalam bahasa siklus.",
        "The approved SKP and the evaluation document, in the cycle's language.",
    ),
    "desk_documents_nip": ("NIP pegawai", "Employee's NIP"),
    "desk_documents_skp": ("Unduh SKP", "Download the SKP"),
    "desk_documents_evaluation": ("Unduh dokumen evaluasi", "Download the evaluation"),
}
