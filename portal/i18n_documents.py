"""The words of the portal's document links and refusals in Bahasa Indonesia and English;
merged into :data:`kinerja.portal.i18n.TEXTS`."""

from __future__ import annotations

DOCUMENT_TEXTS: dict[str, tuple[str, str]] = {
    "documents": ("Dokumen untuk ditandatangani", "Documents to sign"),
    "document_skp": ("SKP (PDF)", "SKP (PDF)"),
    "document_evaluation": ("Evaluasi kinerja (PDF)", "Performance evaluation (PDF)"),
    "ratee_skp": ("SKP pegawai ini (PDF)", "This person's SKP (PDF)"),
    "no_document_body": (
        "Dokumen ini belum ada: SKP belum disetujui atau kinerja belum dinilai.",
        "This document does not exist yet: no approved targets, or not rated yet.",
    ),
    "documents_unavailable_title": ("Dokumen belum dapat dibuat", "Document unavailable"),
    "documents_unavailable_body": (
        "Dokumen PDF tidak dapat dibuat saat ini. Hubungi koordinator SDM.",
        "The PDF cannot be made right now. Please contact the HR coordinator.",
    ),
}
