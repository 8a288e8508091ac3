"""The first row of each key of a file, held compactly for files of millions of rows.

An import's first pass remembers the row where each key (an id, or a tuple such as a
target and a period) first appears, to name it when the key comes again. Held as a dict of
tuples, a key costs about 250 bytes: at 100,000 people a metrics file of 3.5 million rows
would hold close to 1 GiB for this alone. :class:`KeyRows` nests a tuple key under its first
part (a target's 12 monthly periods share one entry for the target) and keeps one copy of
each repeated later part (a period's spelling), about 70 bytes a row.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any


class KeyRows(MutableMapping[Any, int]):
    """key -> first row, for str keys and tuple keys of two or more parts."""

    def __init__(self) -> None:
        self._flat: dict[Any, int] = {}
        self._nested: dict[Any, dict[Any, int]] = {}
        self._parts: dict[Any, Any] = {}
        self._width = 0  # the parts of the nested keys (all one width; others held flat)
        self._size = 0

    def _split(self, key: Any) -> tuple[Any, Any] | None:
        if not isinstance(key, tuple) or len(key) < 2 or len(key) != (self._width or len(key)):
            return None
        return key[0], (key[1] if len(key) == 2 else key[1:])

    def __getitem__(self, key: Any) -> int:
        split = self._split(key)
        if split is None:
            return self._flat[key]
        return self._nested[split[0]][split[1]]

    def __contains__(self, key: object) -> bool:
        split = self._split(key)
        if split is None:
            return key in self._flat
        inner = self._nested.get(split[0])
        return inner is not None and split[1] in inner

    def __setitem__(self, key: Any, row: int) -> None:
        split = self._split(key)
        if split is None:
            self._size += key not in self._flat
            self._flat[key] = row
            return
        self._width = len(key)
        first, rest = split
        inner = self._nested.get(first)
        if inner is None:
            inner = self._nested[first] = {}
        rest = self._parts.setdefault(rest, rest)
        self._size += rest not in inner
        inner[rest] = row

    def __delitem__(self, key: Any) -> None:
        split = self._split(key)
        if split is None:
            del self._flat[key]
        else:
            inner = self._nested[split[0]]
            del inner[split[1]]
            if not inner:
                del self._nested[split[0]]
        self._size -= 1

    def __iter__(self) -> Iterator[Any]:
        yield from self._flat
        for first, inner in self._nested.items():
            for rest in inner:
                yield (first, rest) if self._width == 2 else (first, *rest)

    def __len__(self) -> int:
        return self._size
