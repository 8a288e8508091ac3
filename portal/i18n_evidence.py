"""The words of evidence files (bukti dukung) on the task pages and one's own page, in
Bahasa Indonesia and English; merged into :data:`kinerja.portal.i18n.TEXTS`.

Texts with ``{name}`` fields are filled in by portal/evidence.py.
"""

from __future__ import annotations

EVIDENCE_TEXTS: dict[str, tuple[str, str]] = {
    "evidence_files": ("Berkas bukti dukung", "Evidence files"),
    "attach_file": ("Lampirkan berkas bukti", "Attach an evidence file"),
    "attach_hint": (
        "Boleh dikosongkan. Jenis: {types}; paling besar {limit} per berkas.",
        "Optional. Types: {types}; at most {limit} per file.",
    ),
    "choose_again": (
        "Berkas yang tadi dipilih belum tersimpan: pilih lagi sebelum mengirim.",
        "The files chosen before were not saved: choose them again before sending.",
    ),
    "file_too_large": (
        "{name}: {size}, melebihi batas {limit} per berkas.",
        "{name}: {size}, over the limit of {limit} per file.",
    ),
    "file_type": (
        "{name}: jenis berkas ini tidak diterima. Jenis yang diterima: {types}.",
        "{name}: this type of file is not accepted. Accepted types: {types}.",
    ),
    "file_content": (
        "{name}: isinya bukan berkas {label}, walaupun namanya demikian.",
        "{name}: the content is not a {label} file, though the name says so.",
    ),
    "file_empty": ("{name}: berkas kosong.", "{name}: the file is empty."),
    "uploads_too_large_body": (
        "Berkas yang dilampirkan bersama-sama terlalu besar. Kirim lebih sedikit atau lebih kecil.",
        "The attached files together are too large. Send fewer or smaller files.",
    ),
    "file_gone_body": (
        "Berkas ini tidak ditemukan.",
        "This file was not found.",
    ),
}
