"""Evidence files (bukti dukung): the files people attach to a realisation report.

What a file may be (``kinds``: types by extension and by their first bytes, the size limit,
both settings), where its bytes go (``storage``: content-addressed under
``KINERJA_EVIDENCE_URL``, any fsspec URL), the rows that name them with their audit events
and who may see them (``files``), and the signed download links (``links``). Nothing here
deletes evidence: it stays through appeals.

May import: ``store``, ``schemas``, ``cycles``, ``audit``.
"""
