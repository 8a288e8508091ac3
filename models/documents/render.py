"""A document's HTML (Jinja2) and PDF (WeasyPrint): A4 portrait, page numbers, the head
block, the tables and the signature blocks, in the document's language.

WeasyPrint is imported only when a PDF is made, so the rest of Kinerja runs on a machine
without Pango; there a PDF request fails with :class:`RendererMissing`, one line in both
languages.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from kinerja.models.documents.gather import DocumentError
from kinerja.models.documents.records import Person, PersonDocument
from kinerja.models.documents.words import day, num, percent, target_text, words

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = {"skp": "skp.html.j2", "evaluation": "evaluation.html.j2"}
TITLE = {"skp": "skp_title", "evaluation": "evaluation_title"}
PERSON_FIELDS = ("name", "nip", "grade", "position", "unit")
_ONE_AT_A_TIME = threading.Lock()
"""WeasyPrint does not promise thread safety (Pango and fontconfig lie beneath it), and the
portal serves requests from a thread pool: one PDF at a time per process."""


class RendererMissing(DocumentError):
    """WeasyPrint or the libraries it needs (Pango, HarfBuzz, fontconfig) cannot be loaded."""


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string (the page footer's ``content``), safe in a style
    element: quotes and backslashes escaped, no way to close the element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return Markup('"' + escaped.replace("<", "\\3C ") + '"')


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    return env


def _person_values(person: Person | None, lang: str) -> list[tuple[str, str]]:
    """(field, text) for the people block; a rater outside the agency has a name only."""
    w = words(lang)
    if person is None:
        return [(key, "-") for key in PERSON_FIELDS]
    position = person.position or (f"({w('outside')})" if person.nip is None else "-")
    return [
        ("name", person.name),
        ("nip", person.nip or "-"),
        ("grade", person.grade or "-"),
        ("position", position),
        ("unit", person.unit_name or "-"),
    ]


def document_html(doc: PersonDocument, *, place: str | None = None) -> str:
    """The document as one HTML page (its CSS inline); ``place`` is where it is signed
    (a dotted line to fill in by hand when not given)."""
    lang = doc.lang
    w = words(lang)
    mine = _person_values(doc.employee, lang)
    theirs = _person_values(doc.rater, lang)
    context: dict[str, Any] = {
        "doc": doc,
        "title": w(TITLE[doc.kind]),
        "footer": f"{doc.employee.name} · {w('nip')} {doc.employee.nip} · {doc.cycle_name}",
        "place": place or w("place_blank"),
        "w": w,
        "num": lambda value: num(value, lang),
        "percent": lambda value: percent(value, lang),
        "day": lambda value: day(value, lang),
        "target_text": lambda value, high, unit: target_text(value, high, unit, lang),
        "rows": [(key, a, b) for (key, a), (_, b) in zip(mine, theirs, strict=True)],
        "people": [mine, theirs, _person_values(doc.rater_superior, lang)],
    }
    return _environment().get_template(TEMPLATE[doc.kind]).render(context)


def render_pdf(doc: PersonDocument, *, place: str | None = None) -> bytes:
    """The document as PDF bytes. Raises :class:`RendererMissing` when WeasyPrint cannot
    load."""
    html = document_html(doc, place=place)
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        raise RendererMissing(
            "PDF tidak dapat dibuat: WeasyPrint atau Pango tidak tersedia / cannot make PDFs:"
            f" WeasyPrint or Pango is not available ({type(exc).__name__}: {exc})"
        ) from exc
    with _ONE_AT_A_TIME:
        return HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
