"""The audit log: append-only, hash-chained events (``chain``) and their verification
(``verify``).

May import: ``store``.
"""
