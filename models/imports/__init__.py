"""Importers for the files people bring: CSV or .xlsx, all-or-nothing.

Each importer validates the whole file first and lists every bad row (file, row, column,
what was expected) in :class:`ImportRejected`, however many; only a clean file is written,
with upserts by natural key in the caller's session (the caller commits), so importing the
same file twice changes nothing. Every cell is checked against its column's length, every
number is finite, identifiers are never a spreadsheet's scientific notation, and NIPs have
the form the caller passes (the policy pack's, see models/cycles/files.py).

May import: ``store``, ``rules`` (pure helpers such as periods).

>>> from kinerja.models.store.db import session_scope  # doctest: +SKIP
>>> with session_scope() as session:  # doctest: +SKIP
...     units, employees = import_org(session, source="scenario/")
"""

from kinerja.models.imports.errors import ImportRejected, ImportReport, RowError
from kinerja.models.imports.measurements import import_metrics, import_survey
from kinerja.models.imports.org import import_employees, import_org, import_units
from kinerja.models.imports.plans import import_goals, import_targets
from kinerja.models.imports.reader import read_table
from kinerja.models.imports.reviews import import_reviews, import_unit_ratings

__all__ = [
    "ImportRejected",
    "ImportReport",
    "RowError",
    "import_employees",
    "import_goals",
    "import_metrics",
    "import_org",
    "import_reviews",
    "import_survey",
    "import_targets",
    "import_unit_ratings",
    "import_units",
    "read_table",
]
