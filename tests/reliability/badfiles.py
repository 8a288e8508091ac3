"""The damage model of tests/reliability/test_bad_files.py: good rows of every kind of file,
what can go wrong in each column, and how a damaged file is written (CSV or .xlsx).

A :class:`Damage` is a kind of file, the rows to damage (each with what is done to it, or
one damage of the header), and how the file is written (comma or semicolon, a byte-order
mark, or an .xlsx sheet). :func:`write_damaged` writes it and returns the rows a correct
importer must name: the damaged rows (for a duplicate key, the later of the two rows; for a
damaged header, row 1 alone, since a file whose columns are wrong is refused at its header,
except a header written with the other separator, which the reader follows, so that every
data row is then wrong).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import strategies as st

from kinerja.models.imports.measurements import MetricsImporter, SurveyImporter
from kinerja.models.imports.org import EmployeesImporter, UnitsImporter
from kinerja.models.imports.plans import GoalsImporter, TargetsImporter
from kinerja.models.imports.policyinputs import (
    AttendanceImporter,
    CompetenciesImporter,
    DisciplineImporter,
    FunctionalPositionsImporter,
)
from kinerja.models.imports.reviews import ReviewsImporter, UnitRatingsImporter
from kinerja.models.imports.training import TrainingCompletionImporter

ELEMENTS = [f"U{i}" for i in range(1, 10)]


@dataclass(frozen=True)
class Spec:
    """What each column of one kind of file may suffer."""

    kind: str
    required: tuple[str, ...]
    key: tuple[str, ...]
    nips: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()  # other identifiers
    numbers: tuple[str, ...] = ()
    wholes: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()  # must be a known code or reference
    periods: tuple[str, ...] = ()
    weights: tuple[str, ...] = ()
    lengths: dict[str, int] = field(default_factory=dict)


def _lengths(importer: object) -> dict[str, int]:
    return importer.lengths()  # type: ignore[attr-defined]


def specs() -> dict[str, Spec]:
    """Every kind of file the importers read, with its columns' limits from the tables."""
    p = Path("x.csv")
    behaviour = [f"perilaku_{v}" for v in ("akuntabel", "kompeten", "loyal")]
    return {
        "units": Spec(
            "units",
            ("unit_id", "name"),
            ("unit_id",),
            nips=("head_nip",),
            ids=("unit_id", "parent_id"),
            unknown=("parent_id", "is_service_unit"),
            lengths=_lengths(UnitsImporter(p)),
        ),
        "employees": Spec(
            "employees",
            ("nip", "name", "unit_id", "position"),
            ("nip",),
            nips=("nip", "manager_nip"),
            ids=("unit_id",),
            unknown=("unit_id", "email"),
            lengths=_lengths(EmployeesImporter(p)),
        ),
        "goals": Spec(
            "goals",
            ("goal_id", "unit_id", "statement", "indicator", "target", "unit_of_measure"),
            ("goal_id",),
            ids=("goal_id", "unit_id"),
            numbers=("target",),
            unknown=("unit_id", "direction"),
            lengths=_lengths(GoalsImporter(p, cycle_id="c")),
        ),
        "targets": Spec(
            "targets",
            TargetsImporter.required,
            ("target_id",),
            nips=("nip",),
            ids=("target_id", "serves"),
            numbers=("target", "weight"),
            unknown=("aspect", "kind", "direction", "serves"),
            weights=("weight",),
            lengths=_lengths(
                TargetsImporter(p, cycle_id="c", weights_sum=None, aspects=None, kinds=None)
            ),
        ),
        "metrics": Spec(
            "metrics",
            ("target_id", "period", "value"),
            ("target_id", "period"),
            ids=("target_id",),
            numbers=("value",),
            unknown=("target_id",),
            periods=("period",),
            lengths=_lengths(MetricsImporter(p, cycle_id="c")),
        ),
        "survey": Spec(
            "survey",
            ("unit_id", "respondent_id", *ELEMENTS),
            ("unit_id", "respondent_id"),
            ids=("unit_id", "respondent_id"),
            wholes=tuple(ELEMENTS),
            unknown=("unit_id", "date", *ELEMENTS),
            lengths=_lengths(SurveyImporter(p, elements=ELEMENTS, scale=(1, 4))),
        ),
        "reviews": Spec(
            "reviews",
            ("nip",),
            ("nip",),
            nips=("nip",),
            unknown=("hasil_kerja", "perilaku", *behaviour),
            lengths=_lengths(ReviewsImporter(p, cycle_id="c", ratings=set(), behaviour_values=[])),
        ),
        "unit_ratings": Spec(
            "unit_ratings",
            ("unit_id", "predikat_organisasi"),
            ("unit_id",),
            ids=("unit_id",),
            unknown=("unit_id", "predikat_organisasi"),
            lengths=_lengths(UnitRatingsImporter(p, cycle_id="c", predikat=set())),
        ),
        "attendance": Spec(
            "attendance",
            ("nip", "code", "count"),
            ("nip", "code"),
            nips=("nip",),
            wholes=("count",),
            unknown=("code",),
            lengths=_lengths(AttendanceImporter(p, cycle_id="c", codes=set())),
        ),
        "discipline": Spec(
            "discipline",
            ("nip", "sanction"),
            ("nip", "sanction"),
            nips=("nip",),
            unknown=("sanction", "decided_on"),
            lengths=_lengths(DisciplineImporter(p, cycle_id="c", sanctions=set())),
        ),
        "functional_positions": Spec(
            "functional_positions",
            ("nip", "jenjang"),
            ("nip",),
            nips=("nip",),
            numbers=("months",),
            unknown=("jenjang",),
            lengths=_lengths(
                FunctionalPositionsImporter(p, cycle_id="c", jenjang=set(), months_per_year=12)
            ),
        ),
        "competencies": Spec(
            "competencies",
            ("nip", "competency", "required_level", "actual_level"),
            ("nip", "competency"),
            nips=("nip",),
            wholes=("required_level", "actual_level"),
            unknown=("competency", "required_level"),
            lengths=_lengths(
                CompetenciesImporter(p, cycle_id="c", competencies=set(), levels=(1, 5))
            ),
        ),
        "training": Spec(
            "training",
            ("nip", "course", "jp", "completed_on"),
            ("nip", "course", "completed_on"),
            nips=("nip",),
            numbers=("jp",),
            unknown=("completed_on",),
            lengths=_lengths(TrainingCompletionImporter(p)),
        ),
    }


# --- what a damage does to one cell -------------------------------------------------------------

UNKNOWN = {
    "is_service_unit": "mungkin",
    "email": "bukan-email",
    "direction": "sideways",
    "date": "kemarin",
    "decided_on": "kemarin",
    "completed_on": "31/02/2026",
    "required_level": "9",
    **{e: "5" for e in ELEMENTS},  # outside the scale 1 to 4
}
NON_FINITE = ["1e999", "-1e999", "inf", "-inf", "nan", "NaN", "Infinity", "1E+400"]
WRONG_NIPS = ["12345", "E-1", "19850510201001200", "1985051020100120031", "NIP 198505102010"]
OUTSIDE = ["2025-Q4", "2025-12", "2027", "2027-S1", "2025"]
WEIGHTS_OUT = ["0", "-5", "150", "100.5", "-0.01"]


def excel_scientific(text: str) -> str:
    """How a spreadsheet shows a long number: 198505102010012003 as 1.98505E+17."""
    digits = "".join(c for c in text if c.isdigit()).lstrip("0").ljust(7, "5")
    return f"{digits[0]}.{digits[1:6]}E+{max(len(digits) - 1, 2):02d}"


ROW_DAMAGES = (
    "sci_nip",
    "wrong_nip",
    "sci_id",
    "non_finite",
    "sci_whole",
    "too_long",
    "unknown",
    "outside",
    "weight",
    "missing",
    "extra_cells",
    "duplicate",
    "other_delimiter",
    "not_utf8",
)
HEADER_DAMAGES = ("missing_column", "unknown_column", "twice", "header_delimiter", "header_utf8")


def columns_for(damage: str, spec: Spec, header: list[str]) -> list[str]:
    """The columns of this file a row damage can apply to (empty: it cannot)."""
    present = set(header)
    chosen: tuple[str, ...] = {
        "sci_nip": spec.nips,
        "wrong_nip": spec.nips,
        "sci_id": spec.ids,
        "non_finite": spec.numbers,
        "sci_whole": spec.wholes,
        "too_long": tuple(spec.lengths),
        "unknown": spec.unknown,
        "outside": spec.periods,
        "weight": spec.weights,
        "missing": spec.required,
    }.get(damage, ("*",))
    return [c for c in chosen if c == "*" or c in present]


@dataclass
class Damage:
    """One damaged file: its kind, how it is written, and what is done to it."""

    kind: str
    xlsx: bool
    semicolon: bool
    bom: bool
    header_damage: str | None
    rows: dict[int, tuple[str, str, int]]  # row index -> (damage, column, a choice)


def damages(good: dict[str, tuple[list[str], list[list[str]]]]) -> st.SearchStrategy[Damage]:
    """Damaged files built from ``good`` (kind -> header, rows)."""
    all_specs = specs()

    @st.composite
    def build(draw: st.DrawFn) -> Damage:
        kind = draw(st.sampled_from(sorted(good)))
        header, rows = good[kind]
        xlsx = draw(st.booleans())
        semicolon = not xlsx and draw(st.booleans())
        bom = not xlsx and draw(st.booleans())
        if draw(st.integers(0, 9)) == 0:
            options = [h for h in HEADER_DAMAGES if not (xlsx and h.startswith("header_"))]
            return Damage(kind, xlsx, semicolon, bom, draw(st.sampled_from(options)), {})
        spec = all_specs[kind]
        possible = [
            d
            for d in ROW_DAMAGES
            if columns_for(d, spec, header)
            and not (xlsx and d in ("other_delimiter", "not_utf8"))
            and not (d == "duplicate" and len(rows) < 2)
        ]
        count = draw(st.integers(1, min(4, len(rows))))
        chosen = draw(st.lists(st.integers(0, len(rows) - 1), min_size=count, max_size=count,
                               unique=True))  # fmt: skip
        done: dict[int, tuple[str, str, int]] = {}
        for index in chosen:
            damage = draw(st.sampled_from(possible))
            column = draw(st.sampled_from(columns_for(damage, spec, header)))
            done[index] = (damage, column, draw(st.integers(0, 10**6)))
        return Damage(kind, xlsx, semicolon, bom, None, done)

    return build()


# --- writing the damaged file -------------------------------------------------------------------


def _damage_cell(damage: str, column: str, value: str, limit: int, choice: int) -> str:
    if damage in ("sci_nip", "sci_id", "sci_whole"):
        return excel_scientific(value) if damage != "sci_whole" else f"{1 + choice % 9}.2E+01"
    if damage == "wrong_nip":
        return WRONG_NIPS[choice % len(WRONG_NIPS)]
    if damage == "non_finite":
        return NON_FINITE[choice % len(NON_FINITE)]
    if damage == "too_long":
        # Now and then the 100,000 characters; mostly just over the limit.
        return "x" * (100_000 if choice % 7 == 0 else limit + 1 + choice % 40)
    if damage == "unknown":
        return UNKNOWN.get(column, f"TIDAK-ADA-{choice % 97}")
    if damage == "outside":
        return OUTSIDE[choice % len(OUTSIDE)]
    if damage == "weight":
        return WEIGHTS_OUT[choice % len(WEIGHTS_OUT)]
    if damage == "missing":
        return ""
    raise AssertionError(damage)


def _line(cells: list[str], delimiter: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerow(cells)
    return out.getvalue()


def write_damaged(
    damage: Damage,
    good: dict[str, tuple[list[str], list[list[str]]]],
    spec: Spec,
    path: Path,
    *,
    beside: tuple[str, ...] = (),
) -> tuple[Path, set[int]]:
    """Write ``damage`` at ``path`` (.csv, or .xlsx beside it); return the path written and
    the file rows (header = 1) a correct importer must name. ``beside``: kinds whose good
    files go with it (as CSV files in the same directory, or as sheets of the workbook)."""
    header, rows = good[damage.kind]
    header, rows = list(header), [list(r) for r in rows]
    expected: set[int] = set()
    raw_lines: dict[int, bytes] = {}  # row number -> bytes written instead of the row
    delimiter = ";" if damage.semicolon else ","
    other = "," if damage.semicolon else ";"
    if damage.header_damage is not None:
        h = damage.header_damage
        # The header decides the separator: a header written with the other one makes every
        # data row a single cell, each named; any other damaged header is named alone.
        expected |= set(range(2, len(rows) + 2)) if h == "header_delimiter" else {1}
        if h == "missing_column":
            drop = header.index(spec.required[-1])
            header.pop(drop)
            for r in rows:
                r.pop(drop)
        elif h == "unknown_column":
            header.append("kolom_aneh")
            for r in rows:
                r.append("x")
        elif h == "twice":
            header.append(header[0])
            for r in rows:
                r.append(r[0])
        elif h == "header_delimiter":
            raw_lines[1] = _line(header, other).encode()
        elif h == "header_utf8":
            raw_lines[1] = _line([*header[:-1], header[-1] + "\u00e9"], delimiter).encode("cp1252")
    for index, (kind, column, choice) in damage.rows.items():
        row, number = rows[index], index + 2
        sources = [i for i in range(len(rows)) if i not in damage.rows]
        if kind == "duplicate" and sources:
            # The key of an undamaged row, so that the pair stays a pair.
            source = sources[choice % len(sources)]
            for c in spec.key:
                row[header.index(c)] = rows[source][header.index(c)]
            expected.add(max(number, source + 2))  # the later of the two is the duplicate
            continue
        expected.add(number)
        if kind in ("extra_cells", "duplicate"):  # a duplicate with no row left to copy
            row.append("lebih")
        elif kind == "other_delimiter":
            # Written with the other separator: the row reads as one cell.
            clean = [v.replace(",", " ").replace(";", " ") for v in row]
            raw_lines[number] = _line([other.join(clean)], delimiter).encode()
        elif kind == "not_utf8":
            clean = [*row[:-1], row[-1] + " Jos\u00e9"]
            raw_lines[number] = _line(clean, delimiter).encode("cp1252", errors="replace")
        else:
            i = header.index(column)
            limit = spec.lengths.get(column, 64)
            row[i] = _damage_cell(kind, column, row[i], limit, choice)
    if damage.xlsx:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = damage.kind
        for other_kind in beside:
            other_header, other_rows = good[other_kind]
            extra = book.create_sheet(other_kind)
            for r in [other_header, *other_rows]:
                extra.append(r)
        sheet.append(header)
        for r in rows:
            sheet.append(r)
        target = path.with_suffix(".xlsx")
        book.save(target)
        return target, expected
    for other_kind in beside:
        other_header, other_rows = good[other_kind]
        text = "".join(_line(r, ",") for r in [other_header, *other_rows])
        path.with_name(f"{other_kind}.csv").write_text(text, encoding="utf-8")
    out = bytearray(b"\xef\xbb\xbf" if damage.bom else b"")
    lines = [header, *rows]
    for number, cells in enumerate(lines, start=1):
        out += raw_lines.get(number) or _line(cells, delimiter).encode()
    path.write_bytes(bytes(out))
    return path, expected
