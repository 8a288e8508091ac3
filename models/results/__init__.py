"""What a cycle's results say: the results files (``exports``: CSV, JSON, xlsx), the
derivation of one person's result (``explain``), and whether the stored results agree with
the audit events that recorded them (``agreement``, reading the ``audit_events`` table).

May import: ``store``, ``schemas``, ``policy``, ``rules``, ``cycles``, ``stages``,
``evidence``.
"""
