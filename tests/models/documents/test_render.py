"""The documents as real PDFs: the text a reader sees, in the cycle's language and format."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kinerja.models.documents.gather import gather
from kinerja.models.documents.render import css_string, document_html
from kinerja.models.documents.service import document_pdf, file_name
from kinerja.tests.models.documents.docfixture import GOAL, MANAGER_TARGET, add_documents_data
from kinerja.tests.models.documents.pdftext import pdf_text
from kinerja.tests.models.orgfixture import CYCLE_ID, A, build_org


@pytest.fixture
def org(session):
    org = build_org(session, periodic=True)
    add_documents_data(session, periodic=True)
    session.commit()
    return org


def test_the_skp_pdf_in_indonesian(session, org):
    text = pdf_text(document_pdf(session, cycle_id=CYCLE_ID, nip=A, kind="skp"))
    for shown in (
        "SASARAN KINERJA PEGAWAI",
        "Periode penilaian: 1 Januari 2025 s.d. 31 Desember 2025",
        "Agus",
        A,
        "Maya",
        GOAL,
        MANAGER_TARGET,
        "Arsip layanan terdigitalisasi",
        "1.250 dokumen",  # an Indonesian number
        "A. Utama",
        "B. Tambahan",
        "Berorientasi Pelayanan",
        "Kolaboratif",
        "Pegawai yang Dinilai",
        "Pejabat Penilai Kinerja",
        "Halaman 1 dari",
    ):
        assert shown in text, shown
    assert "Rencana yang dikembalikan" not in text


def test_the_evaluation_pdf_in_indonesian(session, org):
    text = pdf_text(document_pdf(session, cycle_id=CYCLE_ID, nip=A, kind="evaluation"))
    for shown in (
        "EVALUASI KINERJA PEGAWAI",
        "PERIODE: TAHUNAN",
        "Agus",
        A,
        "ATASAN PEJABAT PENILAI KINERJA",
        "Hartono",
        "1.100 dokumen",
        "87,5%",  # capaian with a decimal comma
        "RATING HASIL KERJA Sesuai Ekspektasi",
        "RATING PERILAKU KERJA Di Atas Ekspektasi",
        "PREDIKAT KINERJA PEGAWAI Baik",
        "HASIL EVALUASI PERIODIK",
        "Triwulan II 2025 48,5%",
        "Pertahankan ketelitian.",
    ):
        assert shown in text, shown


def test_the_evaluation_pdf_in_english(session, org):
    pdf = document_pdf(session, cycle_id=CYCLE_ID, nip=A, kind="evaluation", lang="en")
    text = pdf_text(pdf)
    for shown in ("EMPLOYEE PERFORMANCE EVALUATION", "1,100 dokumen", "87.5%", "Good"):
        assert shown in text, shown
    assert "Quarter 2 2025 48.5%" in text


def test_the_place_of_signing(session, org):
    doc = gather(session, cycle_id=CYCLE_ID, nip=A, kind="skp")
    html = document_html(doc, place="Kota Contoh")
    assert "Kota Contoh," in html
    assert '<html lang="id">' in html


def test_text_from_the_database_is_escaped(session, org):
    from sqlalchemy import update

    from kinerja.models.store.tables import Employee

    session.execute(update(Employee).where(Employee.nip == A).values(name='Agus <b>"x"</b>'))
    session.commit()
    html = document_html(gather(session, cycle_id=CYCLE_ID, nip=A, kind="skp"))
    assert "<b>" not in html and "&lt;b&gt;" in html
    # The footer's CSS string cannot be closed nor leave the style element.
    assert str(css_string('a"b</style>')) == '"a\\"b\\3C /style>"'


def test_file_names_hold_the_nip_and_the_kind():
    assert file_name("198505102010012003", "skp") == "198505102010012003-skp.pdf"
    assert file_name('a/b"c', "evaluation") == "a_b_c-evaluation.pdf"


def test_without_weasyprint_the_rest_works_and_a_pdf_fails_in_one_line(tmp_path):
    # A machine without Pango: WeasyPrint cannot be imported. Only making a PDF fails.
    code = (
        "import sys; sys.modules['weasyprint'] = None\n"
        "from datetime import date\n"
        "import kinerja.models.documents.service, kinerja.cli.main, kinerja.portal.app\n"
        "from kinerja.models.documents.records import Person, PersonDocument\n"
        "from kinerja.models.documents.render import RendererMissing, render_pdf\n"
        "doc = PersonDocument('skp', 'id', 'c', 'C', 'quantitative', date(2025, 1, 1),\n"
        "    date(2025, 12, 31), None, Person('P', 'N'), None, None, (), (), ())\n"
        "try:\n"
        "    render_pdf(doc)\n"
        "except RendererMissing as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    line = done.stdout.strip()
    assert "\n" not in line
    assert line.startswith("PDF tidak dapat dibuat: WeasyPrint atau Pango tidak tersedia")
    assert "cannot make PDFs: WeasyPrint or Pango is not available" in line
