"""Which files are evidence: the extension must be one of the setting's types and the first
bytes must agree with it; the size is bounded; the settings are checked."""

from __future__ import annotations

import pytest

from kinerja.models.evidence.kinds import (
    DEFAULT_TYPES,
    EvidenceRules,
    clean_filename,
)

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
ZIP = b"PK\x03\x04\x14\x00\x06\x00"
ODT = b"PK\x03\x04\x14\x00\x00\x08\x00\x00" + b"\x00" * 20 + b"mimetype"
ODT += b"application/vnd.oasis.opendocument.text"

CASES = [
    # name, first bytes, size, refused as (None: accepted)
    ("laporan.pdf", PDF, 1000, None),
    ("LAPORAN.PDF", PDF, 1000, None),
    ("foto.jpg", JPEG, 1000, None),
    ("foto.jpeg", JPEG, 1000, None),
    ("foto.png", PNG, 1000, None),
    ("rekap.xlsx", ZIP, 1000, None),
    ("surat.docx", ZIP, 1000, None),
    ("surat.odt", ODT, 1000, None),
    ("data.csv", b"nip;nilai\n1;2\n", 14, None),
    ("catatan.txt", b"Catatan rapat, 5 Januari", 24, None),
    ("laporan.pdf", b"<html><body>", 1000, "content"),
    ("laporan.pdf", JPEG, 1000, "content"),
    ("foto.jpg", PNG, 1000, "content"),
    ("foto.png", JPEG, 1000, "content"),
    ("rekap.xlsx", PDF, 1000, "content"),
    ("surat.odt", ZIP, 1000, "content"),  # a zip, but not an OpenDocument text
    ("data.csv", b"nip\x00nilai", 1000, "content"),
    ("catatan.txt", PDF, 1000, "content"),
    ("foto.heic", b"\x00\x00\x00\x18ftypheic", 1000, "type"),
    ("program.exe", b"MZ\x90\x00", 1000, "type"),
    ("laporan", PDF, 1000, "type"),
    (".pdf", PDF, 1000, "type"),
    ("laporan.pdf.exe", b"MZ", 1000, "type"),
    ("rekap.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 1000, "type"),  # known, not listed
    ("laporan.pdf", PDF, 0, "empty"),
    ("laporan.pdf", PDF, 10 * 1024 * 1024, None),
    ("laporan.pdf", PDF, 10 * 1024 * 1024 + 1, "too_large"),
]


@pytest.mark.parametrize(("name", "head", "size", "refused"), CASES)
def test_a_file_is_checked_by_its_extension_its_first_bytes_and_its_size(name, head, size, refused):
    found = EvidenceRules.from_env({}).check(name, head, size)
    assert (found.code if found else None) == refused
    if found:
        assert (found.filename, found.size) == (name, size)


def test_the_settings_choose_the_types_and_the_limit():
    rules = EvidenceRules.from_env(
        {"KINERJA_EVIDENCE_TYPES": " PDF, .xls ,pdf", "KINERJA_EVIDENCE_MAX_MB": "0,5"}
    )
    assert rules.types == ("pdf", "xls")
    assert rules.max_bytes == 512 * 1024
    assert rules.check("rekap.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 10) is None
    assert rules.check("foto.jpg", JPEG, 10).code == "type"
    assert rules.media_type("rekap.xls") == "application/vnd.ms-excel"
    defaults = EvidenceRules.from_env({})
    assert defaults.types == DEFAULT_TYPES and defaults.max_bytes == 10 * 1024 * 1024
    assert defaults.media_type("Foto.JPG") == "image/jpeg"


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"KINERJA_EVIDENCE_TYPES": "pdf,exe"}, "unknown types ['exe']"),
        ({"KINERJA_EVIDENCE_TYPES": " , "}, "unknown types"),
        ({"KINERJA_EVIDENCE_MAX_MB": "ten"}, "KINERJA_EVIDENCE_MAX_MB"),
        ({"KINERJA_EVIDENCE_MAX_MB": "0"}, "between 0 and 1024"),
        ({"KINERJA_EVIDENCE_MAX_MB": "-3"}, "between 0 and 1024"),
    ],
)
def test_a_bad_setting_is_refused_by_name(env, words):
    with pytest.raises(ValueError, match="KINERJA_EVIDENCE") as caught:
        EvidenceRules.from_env(env)
    assert words in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("laporan.pdf", "laporan.pdf"),
        ("C:\\fakepath\\Laporan Q1.pdf", "Laporan Q1.pdf"),
        ("../../etc/passwd", "passwd"),
        ("bukti\r\n\x00.pdf", "bukti.pdf"),
        ("", "bukti"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_a_file_keeps_only_its_own_name(raw, clean):
    assert clean_filename(raw) == clean
