"""The portal's number and date formats: those of the messages (Babel), see
:mod:`kinerja.models.outbox.formats`."""

from kinerja.models.outbox.formats import (
    format_day,
    format_moment,
    format_number,
    locale_of,
)

__all__ = ["format_day", "format_moment", "format_number", "locale_of"]
