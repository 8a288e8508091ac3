"""The store: the application database and the clock.

Engines and sessions (``db``), the typed tables (``tables``, one module per concern),
portable bulk upserts and updates (``bulk``), Alembic migrations (``migrate``), the one
clock everything reads time through (``clock``), and who a process is, to tell a dead
claimant from a live one (``processes``).

May import: nothing else of ``kinerja.models``.
"""
