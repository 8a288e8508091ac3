"""The documents people sign, as PDF: a person's SKP (sasaran kinerja pegawai, the targets as
approved) and their evaluation document (dokumen evaluasi kinerja: realisation, ratings,
predikat and the periodic results), laid out after the annex of PermenPANRB 6/2022 as far as
DOMAIN.md knows it.

``records`` holds the plain typed records, ``gather`` fills them from the database, ``words``
says them in the cycle's language, ``render`` turns them into HTML and PDF bytes (WeasyPrint,
loaded only when a PDF is made), and ``service`` is the one call the CLI and the portal
use::

    from kinerja.models.documents.service import document_pdf
    pdf = document_pdf(session, cycle_id="skp-2025", nip="198505102010012003", kind="skp")

May import: ``store``, ``schemas``, ``policy``, ``rules``, ``cycles``.
"""
