"""``kinerja policy``: validate a policy pack and say in plain words what it will do.

``kinerja policy check PACK [--on DATE]`` loads every version of the pack (a name from
configs/policies or a path), picks the one in force on the date (default: the latest) and
prints its rules section by section, in English with the Indonesian labels the pack uses.
An invalid pack exits with code 2 and the error naming the file and the field path.
"""

from __future__ import annotations

from datetime import date

import typer

from kinerja.cli.common import fail
from kinerja.cli.policy_curve import describe_distribution
from kinerja.cli.policy_curve import num as _num
from kinerja.cli.policy_curve import pct as _pct
from kinerja.cli.policy_curve import section as _section
from kinerja.models.cycles.reports import format_table
from kinerja.models.policy.base import Label
from kinerja.models.policy.loading import load_pack_versions, pack_hash, version_on
from kinerja.models.policy.pack import PolicyPack
from kinerja.models.schemas.config import ConfigError

policy_app = typer.Typer(help="Policy packs (configs/policies).", no_args_is_help=True)


@policy_app.callback()
def _policy() -> None:
    """Policy packs (configs/policies): the rules of a cycle as data."""
    # A callback keeps ``policy`` a group even while ``check`` is its only command.


def _label(label: Label) -> str:
    return f"{label.en} ({label.id})" if label.en != label.id else label.en


def _identifiers(pack: PolicyPack) -> list[str]:
    nip = pack.identifiers.nip
    if nip.pattern is None:
        form = f"{_label(nip.label)}, not empty, up to the database column's length."
    else:
        example = f", e.g. {nip.example}" if nip.example else ""
        form = (
            f"{_label(nip.label)}: the whole value matches {nip.pattern}{example}. Another"
            " form is refused in every file, unless it already names an employee."
        )
    return [*_section("Identifiers", "Identitas"), f"Employee identifier (NIP): {form}"]


def _targets_and_achievement(pack: PolicyPack) -> list[str]:
    t, a = pack.targets, pack.achievement
    weights = (
        f"weights required, summing to {_num(t.weights_sum)} per person"
        if t.use_weights
        else "no weights (every target counts the same)"
    )
    weights += f"; a weight given is above {_num(t.weight_above)}"
    weights += f" and at most {_num(t.weight_at_most)}"
    agg = ", ".join(f"{unit}: {how}" for unit, how in a.aggregate_by_unit.items())
    return [
        *_section("Targets and achievement", "Rencana dan capaian"),
        f"Target kinds (jenis): {', '.join(t.kinds)}; aspects (aspek): {', '.join(t.aspects)}.",
        f"Directions: {', '.join(t.directions)}; {weights}.",
        "Achievement (capaian): higher is better r / t x 100; lower is better"
        " (1 + (1 - r / t)) x 100; a range scores 100 inside its bounds.",
        f"Capped at {_num(a.cap) if a.cap is not None else 'no cap'},"
        f" floored at {_num(a.floor) if a.floor is not None else 'no floor'},"
        f" {a.decimals} decimals; a zero target met scores {_num(a.zero_target_met)},"
        f" missed {_num(a.zero_target_missed)}.",
        f"Period values combine by '{a.aggregate}'" + (f" (per unit: {agg})." if agg else "."),
    ]


def _result_rating(pack: PolicyPack) -> list[str]:
    r = pack.result_rating
    levels = ", ".join(f"{code} = {_label(r.labels[code])}" for code in r.levels)
    lines = [
        *_section("Result rating", "Rating hasil kerja"),
        f"Levels, best first: {levels}.",
    ]
    if r.method == "share" and r.share is not None:
        s = r.share
        above, meets, below = r.levels
        lines += [
            f"Method: share of results. A result is above expectation at >= {_num(s.above_from)}%"
            f" achievement and below it under {_num(s.below_under)}%"
            f" (counting kinds {', '.join(s.count_kinds)}).",
            f"{above}: more than {_pct(s.most)} above and no {'/'.join(s.guard_kinds)} result"
            f" below; {below}: more than {_pct(s.most)} below; otherwise {meets}.",
            f"A result without realisation counts as {s.missing_counts_as}.",
        ]
    else:
        cap = _num(r.score_cap) if r.score_cap is not None else "no cap"
        bands = ", ".join(f"{b.level} from {_num(b.min_score)}" for b in r.bands)
        lines += [
            f"Method: weighted score = sum(weight x min(achievement, {cap})) / sum(weight);"
            f" a missing achievement counts as {r.score_missing}.",
            f"Score bands: {bands}.",
        ]
    lines.append(f"With no result to rate: {r.if_no_results}.")
    return lines


def _behaviour(pack: PolicyPack) -> list[str]:
    b = pack.behaviour
    values = ", ".join(_label(b.value_labels[v]) for v in b.values)
    how = (
        f"the most frequent value rating (a tie goes to the {b.tie_break})"
        if b.method == "majority"
        else "the lowest value rating"
    )
    lines = [
        *_section("Behaviour rating", "Rating perilaku"),
        f"Values rated: {values}.",
        f"Overall rating: {how}"
        + (
            f"; any value at the lowest level caps it at {b.any_lowest_caps_at}"
            if b.any_lowest_caps_at
            else ""
        )
        + ".",
        f"Every value must be rated: {'yes' if b.require_all_values else 'no'};"
        f" when the rater gives none: {b.default_rating}.",
    ]
    return lines


def _predikat(pack: PolicyPack) -> list[str]:
    p = pack.predikat
    order = ", ".join(f"{code} = {_label(p.labels[code])}" for code in p.order)
    lines = [*_section("Predikat (final grade)", "Predikat kinerja"), f"Best first: {order}."]
    if p.method == "matrix" and p.matrix is not None:
        cols = pack.behaviour.levels
        lines.append("Matrix: result rating (rows) x behaviour rating (columns):")
        rows = [
            {"hasil kerja \\ perilaku": row, **{c: p.matrix[row][c] for c in cols}}
            for row in pack.result_rating.levels
        ]
        lines.append(format_table(rows, ["hasil kerja \\ perilaku", *cols]))
    else:
        lines.append("From the result rating alone (behaviour is recorded, not used):")
        table = p.from_result or {}
        rows = [{"result rating": k, "predikat": v} for k, v in table.items()]
        lines.append(format_table(rows, ["result rating", "predikat"]))
    return lines


def _ikm(pack: PolicyPack) -> list[str]:
    k = pack.ikm
    lines = _section("Citizen satisfaction", "Indeks Kepuasan Masyarakat (IKM)")
    if k is None:
        return [*lines, "None: no citizen survey."]
    weights = k.weights()
    rows = [
        {"code": e.code, "element (unsur)": _label(e.name), "weight": str(weights[e.code])}
        for e in k.elements
    ]
    lines.append(
        f"Scores {k.scale[0]}-{k.scale[1]}; NRR per element = mean score; IKM = sum(NRR x"
        f" weight) x {_num(k.multiplier)}, rounded to {k.decimals} decimals at the end."
    )
    lines.append(format_table(rows, ["code", "element (unsur)", "weight"]))
    bands = ", ".join(f"{b.mutu} ({_label(b.label)}) from {_num(b.min)}" for b in k.bands)
    lines.append(f"Bands (mutu): {bands}.")
    if k.sample is not None:
        s = k.sample
        lines.append(
            f"Sample size (Krejcie-Morgan): chi2 {s.chi2}, P {s.p}, d {s.d}, rounding"
            f" {s.rounding}; a unit with fewer respondents is warned."
        )
    lines.append(f"At least {k.min_surveys_per_year} survey(s) a year per service unit.")
    return lines


def _training(pack: PolicyPack) -> list[str]:
    t = pack.training
    lines = _section("Training", "Pengembangan kompetensi")
    if t is None:
        return [*lines, "None: no training is assigned."]
    lines.append(f"At least {_num(t.min_jp_per_year)} JP (jam pelajaran, 45 minutes) a year.")
    if t.catalogue is not None:
        lines.append(
            f"Courses from the catalogue {t.catalogue.name}@{t.catalogue.version}"
            f" ({len(t.catalogue.courses)} courses)."
        )
    for c in t.courses:
        title, jp = t.course_info(c.course)
        lines.append(f"- {_label(title)}, {_num(jp)} JP, for: {', '.join(c.predikat)}")
    for g in t.gap_courses:
        title, jp = t.course_info(g.course)
        lines.append(
            f"- {_label(title)}, {_num(jp)} JP,"
            f" for a gap of {g.min_gap}+ level(s) in {g.competency}"
        )
    counts = "count" if t.course_jp_counts else "do not count"
    lines.append(
        f"Opened courses {counts} toward the minimum; a shortfall opens"
        f" '{_label(t.topup_title)}' for the gap."
    )
    return lines


def _incentive(pack: PolicyPack) -> list[str]:
    inc = pack.incentive
    lines = _section("Incentive", "Tunjangan kinerja")
    if inc is None:
        return [*lines, "None: no incentive is computed."]
    lines += [
        f"Formula: {inc.parsed_formula()}",
        f"Weights: performance {inc.performance_weight}, attendance {inc.attendance_weight};"
        f" currency {inc.currency}; rounded {inc.rounding} to {inc.quantum}.",
        f"Base by grade: {len(inc.base_by_grade)} grade(s), otherwise {inc.default_base}.",
        "Predikat factors: " + ", ".join(f"{k} {v}" for k, v in inc.predikat_factors.items()) + ".",
    ]
    if inc.constants:
        lines.append(
            "Constants: " + ", ".join(f"{k} = {v}" for k, v in inc.constants.items()) + "."
        )
    if inc.attendance_codes:
        lines.append(
            "Attendance cuts per occurrence (potongan kehadiran), at most"
            f" {inc.max_attendance_deduction_pct}%: "
            + ", ".join(f"{code} {c.pct}%" for code, c in inc.attendance_codes.items())
            + "."
        )
    if inc.discipline_cuts:
        rows = [
            {"sanction": _label(c.label), "cut": f"{c.pct}%", "months": c.months}
            for c in inc.discipline_cuts.values()
        ]
        lines.append("Discipline cuts (hukuman disiplin), the largest in force applies:")
        lines.append(format_table(rows, ["sanction", "cut", "months"]))
    return lines


def _credit_points(pack: PolicyPack) -> list[str]:
    cp = pack.credit_points
    lines = _section("JF credit points", "Angka kredit")
    if cp is None:
        return [*lines, "None."]
    lines.append(
        f"AK = months / {cp.months_per_year} x percent(predikat) x coefficient, rounded to"
        f" {cp.decimals} decimals. Percent: "
        + ", ".join(f"{k} {_num(v)}%" for k, v in cp.predikat_pct.items())
        + "."
    )
    rows = [
        {"jenjang": _label(j.label), "coefficient": _num(j.coefficient)}
        for j in cp.jenjang.values()
    ]
    lines.append(format_table(rows, ["jenjang", "coefficient"]))
    return lines


def describe_pack(pack: PolicyPack, *, versions: list[PolicyPack] | None = None) -> str:
    """What ``pack`` will do, in plain words, section by section."""
    lines = [
        f"Policy pack / Paket kebijakan: {pack.rule_version}, in force from"
        f" (berlaku sejak) {pack.effective_from}",
        f"sha256 {pack_hash(pack)}",
        pack.description.strip(),
    ]
    if versions and len(versions) > 1:
        listed = ", ".join(
            f"{v.version} from {v.effective_from}{' (this one)' if v == pack else ''}"
            for v in versions
        )
        lines.append(f"Versions in the file / Versi: {listed}")
    for part in (
        _identifiers,
        _targets_and_achievement,
        _result_rating,
        _behaviour,
        _predikat,
        describe_distribution,
        _ikm,
        _training,
        _incentive,
        _credit_points,
    ):
        lines += part(pack)
    return "\n".join(lines)


def _parse_date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(
            f"tanggal tidak valid {text!r} (format YYYY-MM-DD)"
            f" / invalid date {text!r} (expected YYYY-MM-DD)",
            2,
        )


@policy_app.command("check")
def check(
    pack: str = typer.Argument(
        ..., help="A pack name in configs/policies, or a path to a YAML file"
    ),
    on: str | None = typer.Option(
        None, "--on", help="Show the version in force on this date (YYYY-MM-DD); default: latest"
    ),
) -> None:
    """Validate a policy pack and print what it will do."""
    when = _parse_date(on)
    try:
        versions = load_pack_versions(pack)
        chosen = version_on(versions, when, source=pack)
    except ConfigError as exc:
        fail(str(exc), 2)
    typer.echo(describe_pack(chosen, versions=versions))
    typer.echo("")
    typer.echo(
        f"Paket valid ({len(versions)} versi) / The pack is valid ({len(versions)} version(s))."
    )
