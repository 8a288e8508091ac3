"""What a cycle's results say: the results files (``exports``: CSV, JSON, xlsx) and the
derivation of one person's result (``explain``).

May import: ``store``, ``schemas``, ``policy``, ``rules``, ``cycles``, ``stages``.
"""
