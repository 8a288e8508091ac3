"""The store: the application database and the clock.

Engines and sessions (``db``), the typed tables (``tables``, one module per concern),
portable bulk upserts and updates (``bulk``), Alembic migrations (``migrate``) and the one
clock everything reads time through (``clock``).

May import: nothing else of ``kinerja.models``.
"""
