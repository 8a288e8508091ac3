"""Imports point one way (DESIGN.md "Folders"): models <- tasks <- flows <- cli, portal.

Every .py file under models/, tasks/, flows/, cli/ and portal/ is parsed with ``ast``; all its
imports count (top level, inside functions, under TYPE_CHECKING, relative ones, and
``importlib.import_module("...")`` with a literal name). A layer's rule also applies to the
project modules it reaches: a rule in models/rules/ that imports models/tables.py imports
SQLAlchemy through it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "kinerja"
ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("models", "tasks", "flows", "cli", "portal")

_WEB_AND_ORCHESTRATION = ("prefect", "apprise", "fastapi", "starlette", "uvicorn", "typer")
_IO = (
    "sqlalchemy",
    "alembic",
    "psycopg",
    "psycopg2",
    "sqlite3",
    "httpx",
    "requests",
    "urllib",
    "urllib3",
    "socket",
    "subprocess",
    "smtplib",
    "aiosmtpd",
)


@dataclass(frozen=True)
class Rule:
    """Modules under ``layer`` (a dotted path below the package) may not import ``forbidden``."""

    layer: str
    forbidden: tuple[str, ...]


RULES = (
    Rule(
        "models",
        (f"{PACKAGE}.tasks", f"{PACKAGE}.flows", f"{PACKAGE}.cli", f"{PACKAGE}.portal")
        + _WEB_AND_ORCHESTRATION,
    ),
    Rule("models.rules", _IO),
    Rule("tasks", (f"{PACKAGE}.flows", f"{PACKAGE}.cli", f"{PACKAGE}.portal")),
    Rule("flows", (f"{PACKAGE}.cli", f"{PACKAGE}.portal")),
)


def module_name(root: Path, path: Path, package: str = PACKAGE) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([package, *parts])


def imported_names(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, dotted name) of everything ``tree`` imports; ``from a import b`` gives a and a.b."""
    names: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = module.split(".") if is_package else module.split(".")[:-1]
                if node.level - 1 >= len(base_parts):
                    names.append((node.lineno, "<relative import beyond the package>"))
                    continue
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names.append((node.lineno, base))
            names += [(node.lineno, f"{base}.{a.name}") for a in node.names if a.name != "*"]
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if called in ("import_module", "__import__") and isinstance(first, ast.Constant):
                if isinstance(first.value, str):
                    names.append((node.lineno, first.value))
    return names


def _matches(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _in_layer(module: str, layer: str, package: str) -> bool:
    return _matches(module, f"{package}.{layer}")


def find_violations(root: Path, package: str = PACKAGE) -> list[str]:
    """Every import that breaks a rule, as 'path:line: module imports name [via ...]'."""
    files: dict[str, Path] = {}
    for layer in LAYERS:
        for path in sorted((root / layer).rglob("*.py")) if (root / layer).is_dir() else []:
            files[module_name(root, path, package)] = path
    # Project modules outside the layers (kinerja/__init__.py, configs/...) are followed too.
    for path in sorted(root.glob("*.py")) + sorted((root / "configs").rglob("*.py")):
        files.setdefault(module_name(root, path, package), path)

    imports: dict[str, list[tuple[int, str]]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        imports[module] = imported_names(tree, module, path.name == "__init__.py")

    def project_modules(name: str) -> list[str]:
        """The project modules importing ``name`` runs: it and its parent packages."""
        parts = name.split(".")
        return [m for i in range(1, len(parts) + 1) if (m := ".".join(parts[:i])) in files]

    def reachable(start: str, forbidden: list[str]) -> dict[str, str]:
        """Project modules reached from ``start``, each with the first module that led there.

        A forbidden module is reported where it is imported, and not followed further.
        """
        seen = {start: start}
        todo = [start]
        while todo:
            current = todo.pop()
            for _, name in imports[current]:
                for target in project_modules(name):
                    if target not in seen and not any(_matches(target, p) for p in forbidden):
                        seen[target] = current
                        todo.append(target)
        return seen

    violations: list[str] = []
    for module, path in files.items():
        rel = path.relative_to(root)
        for line, name in imports[module]:
            if name.startswith("<relative"):
                violations.append(f"{rel}:{line}: {module} imports {name}")
        for rule in RULES:
            if not _in_layer(module, rule.layer, package):
                continue
            forbidden = [p.replace(f"{PACKAGE}.", f"{package}.", 1) for p in rule.forbidden]
            for reached, via in reachable(module, forbidden).items():
                if reached != module and _in_layer(reached, rule.layer, package):
                    continue  # a module of the same layer reports its own imports
                reported: set[int | None] = set()
                for line, name in imports[reached]:
                    # One line per import statement (``from a import b`` names a and a.b),
                    # one line per module reached through another.
                    key = line if reached == module else None
                    if key in reported or not any(_matches(name, p) for p in forbidden):
                        continue
                    reported.add(key)
                    if reached == module:
                        violations.append(f"{rel}:{line}: {module} imports {name}")
                    else:
                        violations.append(
                            f"{rel}: {module} imports {name} via {reached} (reached from {via})"
                        )
    return sorted(set(violations))


# --- the project ------------------------------------------------------------------------------


def test_project_imports_point_one_way():
    assert find_violations(ROOT) == []


def test_the_checker_sees_the_project():
    # Guards against a checker that passes because it read nothing.
    names = {module_name(ROOT, p) for layer in LAYERS for p in (ROOT / layer).rglob("*.py")}
    assert {
        "kinerja.models.store.tables",
        "kinerja.models.audit.chain",
        "kinerja.models.rules",
    } <= names


# --- the checker, on a synthetic tree ---------------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel in [
        "__init__.py",
        *(f"{layer}/__init__.py" for layer in LAYERS),
        "models/rules/__init__.py",
    ]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text('"""Package."""\n')
    for rel, source in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(source)
    return tmp_path


CLEAN = {
    "models/tables.py": "import sqlalchemy\nfrom sqlalchemy.orm import Mapped\n",
    "models/config.py": "import yaml\nfrom pathlib import Path\n",
    "models/rules/score.py": "from ..config import Path\nfrom kinerja.models.rules import base\n",
    "models/rules/base.py": "import math\n",
    "tasks/dispatch.py": "import apprise\nimport prefect\nfrom ..models import tables\n",
    "flows/cycle.py": "from prefect import flow\nfrom kinerja.tasks.dispatch import x\n",
    "cli/main.py": "import typer\nfrom kinerja.flows import cycle\nfrom ..portal import app\n",
    "portal/app.py": "import fastapi\nfrom kinerja.models import tables\n",
}


def test_checker_passes_a_clean_tree(tmp_path):
    assert find_violations(_tree(tmp_path, CLEAN)) == []


@pytest.mark.parametrize(
    ("rel", "source", "expected"),
    [
        (
            "models/humantasks.py",
            "import prefect\n",
            "models/humantasks.py:1: kinerja.models.humantasks imports prefect",
        ),
        (
            "models/outbox.py",
            "\n\nfrom apprise import Apprise\n",
            "models/outbox.py:3: kinerja.models.outbox imports apprise",
        ),
        ("models/svc.py", "from kinerja.tasks import dispatch\n", "imports kinerja.tasks"),
        ("models/svc.py", "from kinerja import flows\n", "imports kinerja.flows"),
        ("models/svc.py", "from .. import portal\n", "imports kinerja.portal"),
        (
            "models/svc.py",
            "def f():\n    import typer\n",
            "models/svc.py:2: kinerja.models.svc imports typer",
        ),
        ("models/rules/a.py", "import sqlalchemy as sa\n", "imports sqlalchemy"),
        ("models/rules/a.py", "from urllib.request import urlopen\n", "imports urllib.request"),
        ("models/rules/a.py", "import subprocess\n", "imports subprocess"),
        (
            "models/rules/a.py",
            "import importlib\nm = importlib.import_module('httpx')\n",
            "imports httpx",
        ),
        (
            "models/rules/a.py",
            "from ..tables import Mapped\n",
            "imports sqlalchemy via kinerja.models.tables",
        ),
        (
            "models/rules/sub/__init__.py",
            "from ...tables import Mapped\n",
            "via kinerja.models.tables",
        ),
        (
            "tasks/t.py",
            "from ..flows import cycle\n",
            "tasks/t.py:1: kinerja.tasks.t imports kinerja.flows",
        ),
        ("tasks/t.py", "import kinerja.cli.main\n", "imports kinerja.cli.main"),
        ("flows/f.py", "from kinerja.portal.app import app\n", "imports kinerja.portal.app"),
        ("flows/f.py", "from .. import cli\n", "imports kinerja.cli"),
        ("flows/f.py", "from .... import x\n", "imports <relative import beyond the package>"),
    ],
)
def test_checker_finds_a_violation(tmp_path, rel, source, expected):
    violations = find_violations(_tree(tmp_path, {**CLEAN, rel: source}))
    assert len(violations) == 1, violations
    assert expected in violations[0]


def test_checker_follows_imports_through_other_layers_modules(tmp_path):
    # models -> a module outside models that imports prefect: still a violation of models.
    files = {**CLEAN, "util.py": "import prefect\n", "models/x.py": "from kinerja import util\n"}
    violations = find_violations(_tree(tmp_path, files))
    assert violations == [
        "models/x.py: kinerja.models.x imports prefect via kinerja.util"
        " (reached from kinerja.models.x)"
    ]
