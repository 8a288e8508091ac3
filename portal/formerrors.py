"""A form's problems in the page's language, each naming its field as the page labels it.

Two halves: :func:`from_validation` turns the typed input's (Pydantic) errors into
(form field, message) pairs in the page's language, so that ``values: Dictionary should
have at least 1 item`` reads "isi realisasi paling sedikit satu target"; and
:func:`field_label` gives the label the page shows for a form field, so that
``value:A-1-T1`` reads "Realisasi: Hasil kerja 1".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kinerja.portal.i18n import translator

# Pydantic error types and the text that says what is wrong; {n} is the bound.
_MESSAGES = {
    "missing": "required",
    "too_short": "required",
    "string_too_short": "required",
    "literal_error": "not_a_choice",
    "enum": "not_a_choice",
    "string_too_long": "too_long",
    "too_long": "too_many",
    "float_parsing": "must_be_number",
    "float_type": "must_be_number",
    "finite_number": "must_be_number",
}


def in_lang(text: str, lang: str) -> str:
    """The half in ``lang`` of a message the models write ``"bahasa / english"`` (the
    whole text when it is not written so)."""
    halves = text.split(" / ", 1)
    return halves[0 if lang == "id" else 1].strip() if len(halves) == 2 else text


def message(error: Mapping[str, Any], lang: str) -> str:
    """What one Pydantic error says, in ``lang``. A validator's own message is written
    ``"bahasa / english"``: the half in ``lang`` is kept."""
    t = translator(lang)
    kind = error.get("type", "")
    if kind == "value_error":
        return in_lang(str(error.get("msg", "")).removeprefix("Value error, "), lang)
    if kind == "too_short" and tuple(error.get("loc", ())) == ("values",):
        return t("no_realisation")
    bound = (error.get("ctx") or {}).get("max_length", "")
    return t(_MESSAGES.get(kind, "not_valid")).replace("{n}", str(bound))


def form_name(loc: Sequence[Any], rows: Sequence[int] = ()) -> str:
    """The form field a typed input's error points at: ``targets.0.weight`` is the weight of
    the first row kept (``row<rows[0]>.weight``), ``values.T1`` is ``value:T1``,
    ``perilaku_values.akuntabel`` is ``pv:akuntabel``; an error of the whole input has none."""
    parts = [str(p) for p in loc if p != "[key]"]
    if len(parts) >= 3 and parts[0] == "targets":
        k = int(parts[1])
        return f"row{rows[k] if k < len(rows) else k + 1}.{parts[2]}"
    if len(parts) >= 2 and parts[0] == "values":
        return f"value:{parts[1]}"
    if len(parts) >= 2 and parts[0] == "perilaku_values":
        return f"pv:{parts[1]}"
    return ".".join(parts)


def from_validation(
    errors: Sequence[Mapping[str, Any]], lang: str, rows: Sequence[int] = ()
) -> list[tuple[str, str]]:
    """(form field, message in ``lang``) for each of a typed input's errors."""
    return [(form_name(e.get("loc", ()), rows), message(e, lang)) for e in errors]


# A field whose label differs by page: (task kind, field) -> text key.
_BY_KIND = {
    ("decide_appeal", "hasil_kerja"): "new_hasil_kerja",
    ("decide_appeal", "perilaku"): "new_perilaku",
    ("decide_appeal", "reason"): "decision_reason",
    ("review", "perilaku"): "perilaku_overall",
    ("approve_targets", "comment"): "overall_comment",
}
_LABELS = {
    "hasil_kerja": "hasil_kerja",
    "perilaku": "perilaku",
    "comment": "comment",
    "text": "feedback_text",
    "feedback": "feedback",
    "coaching": "coaching",
    "evidence": "evidence",
    "values": "realisation",
    "decision": "decision",
    "reason": "decision_reason",
}


def field_label(kind: str, name: str, ctx: Mapping[str, Any], lang: str) -> str:
    """The label the page of a task of ``kind`` shows for the form field ``name``, given
    the page's context (:func:`kinerja.portal.views.task_context`); "" for the whole form."""
    t: Callable[[str], str] = translator(lang)
    if not name:
        return ""
    if (kind, name) in _BY_KIND:
        return t(_BY_KIND[(kind, name)])
    if name in _LABELS:
        return t(_LABELS[name])
    if name.startswith("pv:"):
        values = dict(ctx.get("behaviour_values") or ())
        return values.get(name.removeprefix("pv:"), name.removeprefix("pv:"))
    if name.startswith(("value:", "tc:", "file:")):
        prefix, target_id = name.split(":", 1)
        statement = next(
            (x.statement for x in ctx.get("targets") or () if x.target_id == target_id),
            target_id,
        )
        key = {"value": "realisation", "tc": "comment_per_target", "file": "evidence_files"}
        return f"{t(key[prefix])}: {statement}"
    if name.startswith("row") and "." in name:
        row, field = name.split(".", 1)
        return f"{t(field)} ({t('row')} {row.removeprefix('row')})"
    return t(name)
