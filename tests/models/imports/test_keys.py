"""KeyRows: the first row of each key, the same answers as a dict, in far less memory."""

from __future__ import annotations

import random
import tracemalloc

from kinerja.models.imports.keys import KeyRows


def test_it_answers_as_a_dict_for_ids_and_tuples() -> None:
    rng = random.Random(1)
    rows, expected = KeyRows(), {}
    for number in range(5000):
        key = rng.choice(
            [
                f"id{rng.randrange(300)}",
                (f"T{rng.randrange(200)}", f"2026-{rng.randrange(1, 13):02d}"),
            ]
        )
        if key in rows:
            assert key in expected and rows[key] == expected[key]
        else:
            assert key not in expected
            rows[key] = expected[key] = number
    assert len(rows) == len(expected)
    assert dict(rows.items()) == expected
    del rows["id7"], expected["id7"]
    first = next(k for k in expected if isinstance(k, tuple))
    del rows[first], expected[first]
    assert dict(rows.items()) == expected and len(rows) == len(expected)


def test_keys_of_other_widths_are_kept_apart() -> None:
    rows = KeyRows()
    rows["a", "b", "c"] = 1
    rows["a", "b"] = 2
    rows[("x", "y"), "z"] = 3
    assert dict(rows.items()) == {("a", "b", "c"): 1, ("a", "b"): 2, (("x", "y"), "z"): 3}


def _bytes_per_key(holder: object) -> float:
    keys = [
        (f"T1976071619990910{t:05d}-{t % 3}", f"2026-{m:02d}")
        for t in range(5000)
        for m in range(1, 13)
    ]
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for number, key in enumerate(keys, start=1000):
        # Each row's cells are new strings, as a file reader gives them.
        holder[(key[0] + " ")[:-1], (key[1] + " ")[:-1]] = number  # type: ignore[index]
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return used / len(keys)


def test_a_monthly_metrics_file_s_keys_take_well_under_half_a_dict_s_memory() -> None:
    compact, plain = _bytes_per_key(KeyRows()), _bytes_per_key({})
    assert compact < 0.45 * plain, (compact, plain)
