"""The audit log: append-only, hash-chained events signed with a key kept outside the
database (``chain``, ``keys``), checkpoints of the chain written outside the database
(``checkpoints``), and their verification (``verify``).

May import: ``store``.
"""
