"""From a submitted form to the task kind's typed input (models/schemas/inputs.py).

Each reader takes the form's fields and returns the data for ``INPUT_FOR_KIND[kind]`` and
the problems it found, each naming its field, so the page can show them next to the field.
The typed model then validates the data again, exactly as for the CLI.
"""

from __future__ import annotations

import json
import re
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from kinerja.models.schemas.inputs import INPUT_FOR_KIND
from kinerja.portal.formerrors import from_validation
from kinerja.portal.i18n import translator

TARGET_FIELDS = (
    "target_id",
    "serves",
    "statement",
    "indicator",
    "aspect",
    "target",
    "target_high",
    "unit_of_measure",
    "direction",
    "weight",
    "kind",
    "aggregate",
)
NUMBERS = ("target", "target_high", "weight")
_ROW = re.compile(r"^row(\d+)\.(\w+)$")


@dataclass
class FormResult:
    """The data for the typed input, and the problems as (field name, message) pairs;
    ``rows``: the form row each proposed target came from (empty rows are dropped)."""

    data: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)


def _text(form: Mapping[str, str], name: str) -> str | None:
    value = (form.get(name) or "").strip()
    return value or None


def _number(value: str) -> float:
    # People type a decimal comma as often as a point.
    return float(value.strip().replace(",", "."))


def _nan_message(lang: str) -> str:
    return translator(lang)("must_be_number")


def target_decision(form: Mapping[str, str], lang: str) -> FormResult:
    comments = {
        name.removeprefix("tc:"): value.strip()
        for name, value in form.items()
        if name.startswith("tc:") and value.strip()
    }
    return FormResult(
        {
            "decision": form.get("decision", ""),
            "comment": _text(form, "comment"),
            "target_comments": comments,
        }
    )


def review(form: Mapping[str, str], lang: str) -> FormResult:
    values = {
        name.removeprefix("pv:"): value
        for name, value in form.items()
        if name.startswith("pv:") and value
    }
    out = FormResult(
        {
            "hasil_kerja": _text(form, "hasil_kerja"),
            "perilaku": _text(form, "perilaku"),
            "perilaku_values": values,
            "comment": _text(form, "comment"),
        }
    )
    proposed = _text(form, "proposed")
    changed = out.data["hasil_kerja"] not in (None, proposed)
    if changed and not out.data["comment"]:
        out.errors.append(("comment", translator(lang)("reason_required")))
    return out


def checkin(form: Mapping[str, str], lang: str) -> FormResult:
    return FormResult(
        {
            name: _text(form, name)
            for name in ("hasil_kerja", "perilaku", "feedback", "coaching", "comment")
        }
    )


def feedback_note(form: Mapping[str, str], lang: str) -> FormResult:
    return FormResult({"text": _text(form, "text") or ""})


def acknowledgement(form: Mapping[str, str], lang: str) -> FormResult:
    return FormResult({"acknowledged": True, "comment": _text(form, "comment")})


def realisation(form: Mapping[str, str], lang: str) -> FormResult:
    """Numbers per target; with none given but evidence written, an evidence-only report
    of every target shown (the response service accepts it in a qualitative cycle only)."""
    out = FormResult({"values": {}, "evidence": _text(form, "evidence")})
    shown = [name for name in form if name.startswith("value:")]
    for name in shown:
        raw = form[name]
        if not raw.strip():
            continue
        try:
            out.data["values"][name.removeprefix("value:")] = _number(raw)
        except ValueError:
            out.errors.append((name, _nan_message(lang)))
    if not out.data["values"] and not out.errors and out.data["evidence"]:
        out.data["values"] = {name.removeprefix("value:"): None for name in shown}
    return out


def target_proposal(form: Mapping[str, str], lang: str) -> FormResult:
    """Rows ``row<i>.<field>``; a row left empty is ignored; "resubmit" keeps the targets."""
    if form.get("action") == "resubmit":
        return FormResult({"targets": None, "comment": _text(form, "comment")})
    rows: dict[int, dict[str, str]] = {}
    for name, value in form.items():
        match = _ROW.match(name)
        if match and match[2] in TARGET_FIELDS:
            rows.setdefault(int(match[1]), {})[match[2]] = value.strip()
    out = FormResult({"targets": [], "comment": _text(form, "comment")})
    for i in sorted(rows):
        row = rows[i]
        if not any(row.get(f) for f in ("serves", "statement", "indicator", "target")):
            continue
        target: dict[str, Any] = {}
        for name in TARGET_FIELDS:
            value = row.get(name, "")
            if not value:
                continue
            if name in NUMBERS:
                try:
                    target[name] = _number(value)
                except ValueError:
                    out.errors.append((f"row{i}.{name}", _nan_message(lang)))
                    continue
            else:
                target[name] = value
        # The target number may be empty in a qualitative cycle: the service decides.
        for required in ("serves", "statement", "indicator", "unit_of_measure"):
            if required not in target and not any(f == f"row{i}.{required}" for f, _ in out.errors):
                out.errors.append((f"row{i}.{required}", translator(lang)("required")))
        out.data["targets"].append(target)
        out.rows.append(i)
    return out


# --- the fallback: a form built from the typed input's fields ----------------------------------


def _base(annotation: Any) -> Any:
    """The annotation without ``| None``."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def field_widgets(model: type[BaseModel]) -> list[dict[str, Any]]:
    """How each field of ``model`` is shown: text, textarea, number, select, checkbox, json."""
    widgets = []
    for name, info in model.model_fields.items():
        base = _base(info.annotation)
        origin = typing.get_origin(base)
        widget: dict[str, Any] = {
            "name": name,
            "required": info.is_required(),
            "help": info.description or "",
        }
        if origin is Literal:
            choices = [c for c in typing.get_args(base)]
            widget["type"] = "checkbox" if choices == [True] else "select"
            widget["choices"] = [str(c) for c in choices]
        elif base is bool:
            widget["type"] = "checkbox"
        elif base in (int, float):
            widget["type"] = "number"
        elif origin in (dict, list) or base in (dict, list):
            widget["type"] = "json"
        elif name in ("text", "comment", "reason", "grounds", "decision_reason"):
            widget["type"] = "textarea"
        else:
            widget["type"] = "text"
        widgets.append(widget)
    return widgets


def generic(model: type[BaseModel]) -> Callable[[Mapping[str, str], str], FormResult]:
    def read(form: Mapping[str, str], lang: str) -> FormResult:
        out = FormResult()
        for widget in field_widgets(model):
            name, raw = widget["name"], (form.get(widget["name"]) or "").strip()
            if widget["type"] == "checkbox":
                if raw:
                    out.data[name] = True
                continue
            if not raw:
                continue
            if widget["type"] == "json":
                try:
                    out.data[name] = json.loads(raw)
                except ValueError:
                    out.errors.append((name, translator(lang)("not_json")))
            else:
                out.data[name] = raw
        return out

    return read


def appeal_decision(form: Mapping[str, str], lang: str) -> FormResult:
    return FormResult(
        {
            "decision": form.get("decision", ""),
            "hasil_kerja": _text(form, "hasil_kerja"),
            "perilaku": _text(form, "perilaku"),
            "reason": (form.get("reason") or "").strip(),
        }
    )


def complaint_reply(form: Mapping[str, str], lang: str) -> FormResult:
    # An empty closure reason answers and keeps the complaint open.
    return FormResult(
        {"reply": (form.get("reply") or "").strip(), "close_reason": _text(form, "close_reason")}
    )


READERS: dict[str, Callable[[Mapping[str, str], str], FormResult]] = {
    "answer_complaint": complaint_reply,
    "decide_appeal": appeal_decision,
    "approve_targets": target_decision,
    "review": review,
    "write_feedback": feedback_note,
    "acknowledge_feedback": acknowledgement,
    "report_realisation": realisation,
    "report_period": realisation,
    "checkin": checkin,
    "propose_targets": target_proposal,
    "revise_targets": target_proposal,
}


FIXED_FIELDS: dict[str, frozenset[str]] = {
    "approve_targets": frozenset({"decision", "comment"}),
    "review": frozenset({"hasil_kerja", "perilaku", "comment", "proposed"}),
    "write_feedback": frozenset({"text"}),
    "acknowledge_feedback": frozenset({"comment"}),
    "report_realisation": frozenset({"evidence"}),
    "report_period": frozenset({"evidence"}),
    "checkin": frozenset({"hasil_kerja", "perilaku", "feedback", "coaching", "comment"}),
    "propose_targets": frozenset({"action", "comment"}),
    "revise_targets": frozenset({"action", "comment"}),
    "decide_appeal": frozenset({"decision", "hasil_kerja", "perilaku", "reason"}),
    "answer_complaint": frozenset({"reply", "close_reason"}),
}
"""The fields each kind's page always has (templates/kinds/<kind>.html)."""


def page_fields(kind: str, ctx: Mapping[str, Any]) -> frozenset[str]:
    """Every field name the page of a task of ``kind`` has, given its context
    (:func:`kinerja.portal.views.task_context`): the fixed ones, and those named after the
    task's own targets, rows and behaviour values."""
    names = set(FIXED_FIELDS.get(kind, ()))
    targets = [t.target_id for t in ctx.get("targets") or ()]
    if kind == "approve_targets":
        names |= {f"tc:{t}" for t in targets}
    elif kind in ("report_realisation", "report_period"):
        names |= {f"value:{t}" for t in targets} | {f"file:{t}" for t in targets}
    elif kind == "review":
        names |= {f"pv:{code}" for code, _ in ctx.get("behaviour_values") or ()}
    elif kind in ("propose_targets", "revise_targets"):
        rows = range(len(ctx.get("rows") or ()))
        names |= {f"row{i}.{name}" for i in rows for name in TARGET_FIELDS}
    elif kind not in FIXED_FIELDS:
        names |= {w["name"] for w in ctx.get("widgets") or ()}
    return frozenset(names)


def required_choices(kind: str, ctx: Mapping[str, Any]) -> tuple[str, ...]:
    """The choices a person must make on the page itself: a review's result rating and
    each behaviour value, a check-in's result rating and behaviour rating. The typed input
    lets them out (the CLI and the simulator accept the proposal that way); the page shows
    the proposal as a suggestion and starts every such choice empty, so that no rating is
    given by one tap. In the page's order, so that the problems are listed in it."""
    if kind == "review":
        values = [f"pv:{code}" for code, _ in ctx.get("behaviour_values") or ()]
        return ("hasil_kerja", *values)
    if kind == "checkin":
        return ("hasil_kerja", "perilaku")
    return ()


def read_form(
    kind: str, form: Mapping[str, str], lang: str, *, required: tuple[str, ...] = ()
) -> tuple[BaseModel | None, FormResult]:
    """The typed input for ``kind`` from ``form``, or None with the problems found (in
    ``lang``); each name in ``required`` must be chosen (see :func:`required_choices`)."""
    model = INPUT_FOR_KIND[kind]
    reader = READERS.get(kind) or generic(model)
    out = reader(form, lang)
    missing = [name for name in required if not (form.get(name) or "").strip()]
    out.errors = [(name, translator(lang)("must_choose")) for name in missing] + out.errors
    if out.errors:
        return None, out
    try:
        return model.model_validate(out.data), out
    except ValidationError as exc:
        out.errors += from_validation(exc.errors(), lang, out.rows)
        return None, out
