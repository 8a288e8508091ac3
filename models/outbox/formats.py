"""Numbers and dates as people read them in pages and messages, through Babel: Bahasa
Indonesia by default (``1.234,5``; ``7 Desember 2026``), English on request (``1,234.5``;
``7 December 2026``).
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

LOCALES = {"id": "id_ID", "en": "en_GB"}


def locale_of(lang: str) -> str:
    """The Babel locale of a page language (``id`` unless ``en``)."""
    return LOCALES.get(lang, LOCALES["id"])


def format_number(value: float | int, decimals: int, lang: str) -> str:
    """``value`` with exactly ``decimals`` places, grouped in the language's way."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=locale_of(lang))


def format_day(day: date | datetime, lang: str) -> str:
    """A day in words: ``7 Desember 2026`` / ``7 December 2026``."""
    return format_date(day, format="long", locale=locale_of(lang))


def format_moment(at: datetime, lang: str) -> str:
    """A day and time: ``7 Des 2026 13.05`` / ``7 Dec 2026, 13:05``."""
    return format_datetime(at, format="medium", locale=locale_of(lang))
