"""Numbers as people read them: Indonesian (``21.285.000``) or English (``21,285,000``).

One place decides how a count, an amount or a share is written, through Babel's CLDR data
(never a hand-written separator): Indonesian text shows ``id_ID`` numbers, English text
``en_US`` ones. Bilingual lines (``Bahasa Indonesia / English``) use Indonesian numbers, the
cycle's own language.

>>> number(21285000)
'21.285.000'
>>> money("21285000.00")
'Rp21.285.000'
>>> number(1234.5, lang="en")
'1,234.5'
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Literal

from babel.numbers import format_currency, format_decimal

Lang = Literal["id", "en"]

LOCALES: dict[str, str] = {"id": "id_ID", "en": "en_US"}
"""The Babel locale of each language people read."""


def _locale(lang: str) -> str:
    return LOCALES.get(lang, LOCALES["id"])


def _decimal(value: object) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def number(value: object, *, lang: str = "id", places: int | None = None) -> str:
    """``value`` with thousands separators; ``places`` fixes the decimals shown (rounded),
    else the value's own decimals up to three."""
    amount = _decimal(value)
    if places is None:
        return format_decimal(amount, format="#,##0.###", locale=_locale(lang))
    pattern = "#,##0" + ("." + "0" * places if places > 0 else "")
    return format_decimal(amount, format=pattern, locale=_locale(lang))


def money(value: object, *, lang: str = "id", currency: str = "IDR") -> str:
    """An amount of ``currency``; Rupiah are shown without cents (they are not paid)."""
    amount = _decimal(value)
    places = 0 if currency == "IDR" else 2
    pattern = "¤#,##0" + ("." + "0" * places if places else "")
    return format_currency(
        amount, currency, format=pattern, locale=_locale(lang), currency_digits=False
    )


def cell(value: object, *, lang: str = "id") -> str:
    """A table cell: integers and decimals with separators, ``-`` for nothing, text as is.

    Booleans are words, not ``True``; ``None`` (no value) is ``-``.
    """
    if value is None:
        return "-"
    if isinstance(value, bool):
        return ("ya" if value else "tidak") if lang == "id" else ("yes" if value else "no")
    if isinstance(value, int):
        return number(value, lang=lang)
    if isinstance(value, float | Decimal):
        return number(value, lang=lang, places=2)
    return str(value)
