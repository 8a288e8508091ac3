"""The canonical form of an audit event: the one text of it that is hashed and signed.

Canonical JSON is what makes a chain written on PostgreSQL verify after a round trip through
the JSON column: keys sorted, no spaces, datetimes as ISO strings, Decimals as strings,
integral floats as integers. The payload is stored in that normalised form, so what is read
back is exactly what was hashed (see :mod:`kinerja.models.audit.chain`).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from kinerja.models.audit.keys import AuditKey


def normalize(value: Any) -> Any:
    """``value`` as plain JSON data, the form in which a payload is stored and hashed.

    Datetimes and dates become ISO strings, Decimals strings, tuples lists, mapping keys
    strings; an integral float becomes an int, because a JSON number such as ``1e16`` may be
    read back as an int. NaN and infinities are refused: JSON has no such numbers.
    """
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is dict:  # the common case first: the Mapping check below is slow
        return {
            k if type(k) is str else str(k): v if type(v) is str or v is None else normalize(v)
            for k, v in value.items()
        }
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"audit payload: {value!r} is not a JSON number")
        return int(value) if value.is_integer() else value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): normalize(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalize(v) for v in value]
    raise TypeError(f"audit payload: cannot store a value of type {type(value).__name__}")


def canonical_json(value: Any) -> str:
    """The one text of ``value`` that is hashed: normalised, sorted keys, no spaces."""
    return json.dumps(
        normalize(value),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )


def event_content(
    *,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    cycle_id: str | None,
    entity: str,
    entity_id: str,
    payload: Any,
    key_id: str | None = None,
) -> str:
    """The canonical JSON of an event's content; a keyed event's includes its key id, so
    the id cannot be swapped without breaking the hash. (The chain puts the same text
    together from its parts: :func:`content_text`.)"""
    content = {
        "seq": seq,
        "at": at.isoformat(),
        "actor": actor,
        "action": action,
        "cycle_id": cycle_id,
        "entity": entity,
        "entity_id": entity_id,
        "payload": payload,
    }
    if key_id is not None:
        content["key_id"] = key_id
    return canonical_json(content)


def event_hash(
    *,
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    cycle_id: str | None,
    entity: str,
    entity_id: str,
    payload: Any,
    key: AuditKey | None = None,
) -> str:
    """The event's hash: HMAC-SHA256 under ``key`` of ``prev_hash`` followed by the canonical
    JSON of the content (key id included), or, for an unkeyed event (``key=None``, written
    before keys existed), the plain sha256 of the same without a key id."""
    message = (
        prev_hash
        + event_content(
            seq=seq,
            at=at,
            actor=actor,
            action=action,
            cycle_id=cycle_id,
            entity=entity,
            entity_id=entity_id,
            payload=payload,
            key_id=None if key is None else key.key_id,
        )
    ).encode("utf-8")
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return key.mac(message)


compact_json = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode
"""The canonical JSON of an already normalised value (:func:`normalize`)."""
_string = json.encoder.encode_basestring  # a str as :func:`canonical_json` writes it


def _text(value: str | None) -> str:
    return "null" if value is None else _string(value)


def content_text(row: Mapping[str, Any], at_text: str) -> str:
    """:func:`event_content` of a chained row, put together from its parts: the same text
    (keys in sorted order, the payload's canonical JSON in place) without encoding the
    whole event again."""
    return (
        f'{{"action":{_text(row["action"])},"actor":{_text(row["actor"])},'
        f'"at":{_text(at_text)},"cycle_id":{_text(row["cycle_id"])},'
        f'"entity":{_text(row["entity"])},"entity_id":{_text(row["entity_id"])},'
        f'"key_id":{_text(row["key_id"])},"payload":{row["payload_text"]},"seq":{row["seq"]}}}'
    )
