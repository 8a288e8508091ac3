"""Message templates: one file per kind and language, ``configs/templates/<lang>/<kind>.j2``.

The first line is ``Subject: ...``, the rest is the body. Example::

    subject, body = render("task_reminder", "en", {"name": "Sari", ...})
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound, meta

import kinerja.configs

KINDS: tuple[str, ...] = (
    "task_opened",
    "task_reminder",
    "task_escalated",
    "task_expired",
    "task_returned",
    "task_delegated",
    "task_extended",
    "desk_link",
    "cycle_published",
    "superior_unplanned",
    "appeal_decided",
    "complaint_answered",
    "gate_waiting",
)

LANGS: tuple[str, ...] = ("id", "en")

CONTEXT_KEYS: tuple[str, ...] = (
    "name",
    "cycle_name",
    "task_title",
    "subject_name",
    "due_at",
    "link",
    "level",
    "assignee_name",
    "comment",
)
SUBJECT_PREFIX = "Subject:"


class TemplateError(ValueError):
    """A template is missing, malformed, or needs a context key that was not given."""


def templates_dir() -> Path:
    return Path(kinerja.configs.__file__).parent / "templates"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    # Plain text, not HTML: no autoescape. StrictUndefined turns a missing key into an error
    # instead of a message with a hole in it.
    return Environment(
        loader=FileSystemLoader(str(templates_dir())),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def _check_kind_lang(kind: str, lang: str) -> None:
    if kind not in KINDS:
        raise TemplateError(f"unknown notification kind {kind!r}; kinds are {list(KINDS)}")
    if lang not in LANGS:
        raise TemplateError(f"unknown language {lang!r}; languages are {list(LANGS)}")


def render(kind: str, lang: str, context: dict[str, Any]) -> tuple[str, str]:
    """Render the subject and body of one message from ``configs/templates/<lang>/<kind>.j2``.

    Raises :class:`TemplateError` for an unknown kind or language, a template without a
    ``Subject:`` first line, or a context key the template needs but was not given.
    """
    _check_kind_lang(kind, lang)
    name = f"{lang}/{kind}.j2"
    try:
        text = _environment().get_template(name).render(**context)
    except TemplateNotFound as exc:
        raise TemplateError(f"template {name} not found in {templates_dir()}") from exc
    except Exception as exc:  # jinja2.UndefinedError and friends
        raise TemplateError(f"template {name}: {exc}") from exc
    first, _, rest = text.partition("\n")
    if not first.startswith(SUBJECT_PREFIX):
        raise TemplateError(f"template {name}: the first line must start with {SUBJECT_PREFIX!r}")
    subject = first.removeprefix(SUBJECT_PREFIX).strip()
    return subject, rest.strip("\n") + "\n"


def template_variables(kind: str, lang: str) -> set[str]:
    """The context keys one template refers to."""
    _check_kind_lang(kind, lang)
    env = _environment()
    source = env.loader.get_source(env, f"{lang}/{kind}.j2")[0]  # type: ignore[union-attr]
    return set(meta.find_undeclared_variables(env.parse(source)))
