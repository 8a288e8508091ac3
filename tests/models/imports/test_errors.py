"""The import report: every problem kept in file and row order, however many (pure: no
database)."""

from __future__ import annotations

import random

import pytest

from kinerja.models.imports import errors
from kinerja.models.imports.errors import ImportRejected, Problems, RowError, shown_value


def test_problems_come_out_in_file_and_row_order_stable_within_a_row():
    problems = Problems()
    problems.add("units.csv", 5, "name", "e5", "i5")
    problems.add("units.csv", 2, "unit_id", "e2", "i2")
    problems.add("employees.csv", 3, "nip", "e3", "i3")
    problems.add("units.csv", None, None, "file", "berkas")
    problems.add("units.csv", 2, "name", "e2b", "i2b")
    assert [(e.file, e.row, e.column) for e in problems] == [
        ("units.csv", None, None),
        ("units.csv", 2, "unit_id"),
        ("units.csv", 2, "name"),
        ("units.csv", 5, "name"),
        ("employees.csv", 3, "nip"),
    ]
    assert [e.message for e in problems][1] == "e2 / i2"


def test_every_problem_is_kept_beyond_memory_and_read_back_in_order(monkeypatch):
    # Small runs and few of them, so that spilling and merging both happen.
    monkeypatch.setattr(errors, "IN_MEMORY", 7)
    monkeypatch.setattr(errors, "MAX_RUNS", 3)
    rng = random.Random(5)
    problems = Problems()
    added = []
    for i in range(500):
        file = rng.choice(["a.csv", "b.csv"])
        row = rng.randint(1, 60)
        problems.add(file, row, "c", f"problem {i}", f"masalah {i}", value=f"v{i}")
        added.append((file, row, i))
    assert problems.total == 500
    first_file = added[0][0]
    expected = sorted(added, key=lambda t: (t[0] != first_file, t[1], t[2]))
    read = [(e.file, e.row, int(e.message.split()[1])) for e in problems]
    assert read == expected
    # A second reading gives the same, even interleaved with a third.
    again, third = iter(problems), iter(problems)
    pairs = [(next(again), next(third)) for _ in range(500)]
    assert all(x == y for x, y in pairs)
    assert [e.value for e in problems][:1] == [f"v{expected[0][2]}"]


def test_the_refusal_shows_fifty_and_lists_all(monkeypatch):
    monkeypatch.setattr(errors, "IN_MEMORY", 60)
    problems = Problems()
    for row in range(2, 302):
        problems.add("targets.csv", row, "nip", f"bad {row}", f"salah {row}")
    refused = ImportRejected.of(problems)
    assert refused.total == 300
    lines = str(refused).splitlines()
    assert lines[0].startswith("import refused, 300 problem(s), nothing was written")
    assert len(lines) == 1 + 50 + 1
    assert lines[1] == "  targets.csv row 2, column nip: bad 2 / salah 2"
    assert lines[-1] == "  ... and 250 more / dan 250 lainnya"
    every = list(refused.all_errors())
    assert [e.row for e in every] == list(range(2, 302))
    assert len(refused.errors) == 60  # what is held in memory; the rest is read back


def test_a_refusal_built_from_a_list_lists_it():
    error = RowError("x.csv", 3, "a", "m")
    refused = ImportRejected([error])
    assert list(refused.all_errors()) == [error] and refused.total == 1


@pytest.mark.parametrize(("size", "cut"), [(80, False), (81, True), (100_000, True)])
def test_a_long_value_is_quoted_cut(size, cut):
    shown = shown_value("x" * size)
    if cut:
        assert shown == "x" * 80 + f"... ({size} characters / karakter)"
    else:
        assert shown == "x" * size
