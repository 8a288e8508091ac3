"""The house's rules, checked on the code as it is.

1. Layers: imports point one way, models <- tasks <- flows <- cli, portal (DESIGN.md
   "Folders"); models/ imports neither Prefect nor Apprise; models/rules/ does no I/O. A
   layer's rule also applies to the project modules it reaches: a rule in models/rules/ that
   imports models/store/tables imports SQLAlchemy through it.
2. Rooms: models/ is a set of subpackages, one concern each, and a subpackage imports only
   the ones :data:`MODEL_PACKAGES` lets it (the map of the README's Architecture section).
3. Flows hold no database work: flows/ imports neither SQLAlchemy nor models/store/; flows
   call tasks, tasks call models.
4. No import circle anywhere in the product code.

Every .py file under models/, tasks/, flows/, cli/ and portal/ is parsed with ``ast``; all its
imports count (top level, inside functions, under TYPE_CHECKING, relative ones, and
``importlib.import_module("...")`` with a literal name).
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

MODEL_PACKAGES: dict[str, tuple[str, ...]] = {
    "store": (),
    "schemas": (),
    "policy": ("schemas",),
    "rules": ("policy",),
    "imports": ("store", "rules"),
    "audit": ("store",),
    "cycles": ("store", "schemas", "policy", "rules", "imports", "audit"),
    "outbox": ("store", "schemas", "cycles", "audit"),
    "humantasks": ("store", "schemas", "cycles", "audit", "outbox"),
    "stages": (
        "store",
        "schemas",
        "policy",
        "rules",
        "imports",
        "cycles",
        "audit",
        "outbox",
        "humantasks",
    ),
    "evidence": ("store", "schemas", "cycles", "audit"),
    "results": ("store", "schemas", "policy", "rules", "cycles", "stages", "evidence"),
    "appeals": (
        "store",
        "schemas",
        "policy",
        "rules",
        "cycles",
        "audit",
        "outbox",
        "humantasks",
        "stages",
        "results",
    ),
    "citizens": (
        "store",
        "schemas",
        "policy",
        "rules",
        "imports",
        "cycles",
        "audit",
        "outbox",
        "humantasks",
    ),
    "responses": (
        "store",
        "schemas",
        "policy",
        "rules",
        "cycles",
        "audit",
        "outbox",
        "humantasks",
        "stages",
        "appeals",
        "citizens",
    ),
    "scenarios": (
        "store",
        "schemas",
        "policy",
        "rules",
        "imports",
        "cycles",
        "audit",
        "humantasks",
        "responses",
    ),
    "documents": ("store", "schemas", "policy", "rules", "cycles"),
}
"""Each subpackage of models/ and the subpackages it may import, lowest first."""


@dataclass(frozen=True)
class Rule:
    """Modules under ``layer`` (a dotted path below the package) may not import ``forbidden``.

    A ``direct`` rule counts only the module's own imports, not what they reach.
    """

    layer: str
    forbidden: tuple[str, ...]
    direct: bool = False


RULES = (
    Rule(
        "models",
        (f"{PACKAGE}.tasks", f"{PACKAGE}.flows", f"{PACKAGE}.cli", f"{PACKAGE}.portal")
        + _WEB_AND_ORCHESTRATION,
    ),
    Rule("models.rules", _IO),
    Rule("tasks", (f"{PACKAGE}.flows", f"{PACKAGE}.cli", f"{PACKAGE}.portal")),
    Rule("flows", (f"{PACKAGE}.cli", f"{PACKAGE}.portal")),
    Rule("flows", ("sqlalchemy", f"{PACKAGE}.models.store"), direct=True),
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


@dataclass
class Project:
    """The product's modules, their files and what each imports."""

    root: Path
    package: str
    files: dict[str, Path]
    imports: dict[str, list[tuple[int, str]]]

    @classmethod
    def read(cls, root: Path, package: str = PACKAGE) -> Project:
        files: dict[str, Path] = {}
        for layer in LAYERS:
            for path in sorted((root / layer).rglob("*.py")) if (root / layer).is_dir() else []:
                files[module_name(root, path, package)] = path
        # Project modules outside the layers (kinerja/__init__.py, configs/...) count too.
        for path in sorted(root.glob("*.py")) + sorted((root / "configs").rglob("*.py")):
            files.setdefault(module_name(root, path, package), path)
        imports: dict[str, list[tuple[int, str]]] = {}
        for module, path in files.items():
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            imports[module] = imported_names(tree, module, path.name == "__init__.py")
        return cls(root, package, files, imports)

    def rel(self, module: str) -> Path:
        return self.files[module].relative_to(self.root)

    def project_modules(self, name: str) -> list[str]:
        """The project modules importing ``name`` runs: it and its parent packages."""
        parts = name.split(".")
        return [m for i in range(1, len(parts) + 1) if (m := ".".join(parts[:i])) in self.files]

    def target(self, name: str) -> str | None:
        """The project module ``name`` names (the longest one), if any."""
        found = self.project_modules(name)
        return found[-1] if found else None

    def edges(self) -> dict[str, dict[str, int]]:
        """module -> {module it imports: first line}; a package's ``__init__`` that a
        submodule's import runs on the way is not counted as imported."""
        out: dict[str, dict[str, int]] = {}
        for module, names in self.imports.items():
            targets: dict[str, int] = {}
            for line, name in names:
                t = self.target(name)
                if t is not None and t != module:
                    targets.setdefault(t, line)
            out[module] = targets
        return out


def find_violations(root: Path, package: str = PACKAGE) -> list[str]:
    """Every import that breaks a layer rule, as 'path:line: module imports name [via ...]'."""
    project = Project.read(root, package)
    imports = project.imports

    def reachable(start: str, forbidden: list[str]) -> dict[str, str]:
        """Project modules reached from ``start``, each with the first module that led there.

        A forbidden module is reported where it is imported, and not followed further.
        """
        seen = {start: start}
        todo = [start]
        while todo:
            current = todo.pop()
            for _, name in imports[current]:
                for target in project.project_modules(name):
                    if target not in seen and not any(_matches(target, p) for p in forbidden):
                        seen[target] = current
                        todo.append(target)
        return seen

    violations: list[str] = []
    for module in project.files:
        rel = project.rel(module)
        for line, name in imports[module]:
            if name.startswith("<relative"):
                violations.append(f"{rel}:{line}: {module} imports {name}")
        for rule in RULES:
            if not _in_layer(module, rule.layer, package):
                continue
            forbidden = [p.replace(f"{PACKAGE}.", f"{package}.", 1) for p in rule.forbidden]
            reached = {module: module} if rule.direct else reachable(module, forbidden)
            for other, via in reached.items():
                if other != module and _in_layer(other, rule.layer, package):
                    continue  # a module of the same layer reports its own imports
                reported: set[int | None] = set()
                for line, name in imports[other]:
                    # One line per import statement (``from a import b`` names a and a.b),
                    # one line per module reached through another.
                    key = line if other == module else None
                    if key in reported or not any(_matches(name, p) for p in forbidden):
                        continue
                    reported.add(key)
                    if other == module:
                        violations.append(f"{rel}:{line}: {module} imports {name}")
                    else:
                        violations.append(
                            f"{rel}: {module} imports {name} via {other} (reached from {via})"
                        )
    return sorted(set(violations))


def model_package(module: str, package: str = PACKAGE) -> str | None:
    """The subpackage of models/ a module belongs to (None for models/__init__ itself)."""
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == [package, "models"] else None


def find_room_violations(
    root: Path, package: str = PACKAGE, allowed: dict[str, tuple[str, ...]] = MODEL_PACKAGES
) -> list[str]:
    """Every import between models/ subpackages that :data:`MODEL_PACKAGES` does not allow,
    and every models/ module outside a declared subpackage."""
    project = Project.read(root, package)
    violations: dict[tuple[str, int, str], str] = {}
    for module, targets in project.edges().items():
        mine = model_package(module, package)
        if module.startswith(f"{package}.models.") and mine not in allowed:
            violations[(module, 0, "")] = (
                f"{project.rel(module)}: {module} is in no declared subpackage"
            )
            continue
        for target, line in sorted(targets.items(), key=lambda t: (t[1], -len(t[0]))):
            theirs = model_package(target, package)
            if mine is None or theirs is None or theirs == mine:
                continue
            if theirs not in allowed.get(mine, ()):
                # one line per import statement and package (``from a import b`` names a, a.b)
                violations.setdefault(
                    (module, line, theirs),
                    f"{project.rel(module)}:{line}: models/{mine} may not import models/{theirs}"
                    f" ({module} imports {target})",
                )
    return sorted(violations.values())


def find_circles(root: Path, package: str = PACKAGE) -> list[str]:
    """Every import circle between product modules, as 'a -> b -> ... -> a'."""
    edges = Project.read(root, package).edges()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[str] = []

    def visit(start: str) -> None:
        # Tarjan's strongly connected components, iteratively.
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    circles.append(_circle(sorted(component), edges))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return sorted(circles)


def _circle(component: list[str], edges: dict[str, dict[str, int]]) -> str:
    """One circle through a strongly connected component, from its first module."""
    members = set(component)
    path = [component[0]]
    while True:
        nxt = min(t for t in edges[path[-1]] if t in members)
        if nxt in path:
            return " -> ".join(path[path.index(nxt) :] + [nxt])
        path.append(nxt)


# --- the project ------------------------------------------------------------------------------


def test_project_imports_point_one_way():
    assert find_violations(ROOT) == []


def test_models_subpackages_import_only_what_the_map_allows():
    assert find_room_violations(ROOT) == []


def test_no_import_circle_in_the_product():
    assert find_circles(ROOT) == []


def test_the_map_of_models_is_layered():
    # The allowed directions themselves form no circle, and name only real subpackages.
    order: list[str] = []
    for name, below in MODEL_PACKAGES.items():
        assert set(below) <= set(order), f"{name} may import a package listed after it"
        order.append(name)
    packages = {p.name for p in (ROOT / "models").iterdir() if (p / "__init__.py").exists()}
    assert packages == set(MODEL_PACKAGES)


def test_the_checker_sees_the_project():
    # Guards against a checker that passes because it read nothing.
    project = Project.read(ROOT)
    assert {"kinerja.models.store.tables", "kinerja.models.audit.chain"} <= set(project.files)
    assert sum(len(t) for t in project.edges().values()) > 300


# --- the checker, on a synthetic tree ---------------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel in [
        "__init__.py",
        *(f"{layer}/__init__.py" for layer in LAYERS),
        *(f"models/{p}/__init__.py" for p in MODEL_PACKAGES),
    ]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text('"""Package."""\n')
    for rel, source in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(source)
    return tmp_path


CLEAN = {
    "models/store/tables.py": "import sqlalchemy\nfrom sqlalchemy.orm import Mapped\n",
    "models/schemas/config.py": "import yaml\nfrom pathlib import Path\n",
    "models/policy/pack.py": "from kinerja.models.schemas.config import Path\n",
    "models/rules/score.py": (
        "from ..policy.pack import Path\nfrom kinerja.models.rules import base\n"
    ),
    "models/rules/base.py": "import math\n",
    "models/cycles/cycle.py": "from ..store.tables import Mapped\n",
    "models/humantasks/states.py": "from kinerja.models.cycles import cycle\n",
    "models/responses/service.py": "from kinerja.models.humantasks.states import x\n",
    "tasks/dispatch.py": "import apprise\nimport prefect\nfrom ..models.store import tables\n",
    "flows/cycle.py": "from prefect import flow\nfrom kinerja.tasks.dispatch import x\n",
    "cli/main.py": "import typer\nfrom kinerja.flows import cycle\nfrom ..portal import app\n",
    "portal/app.py": "import fastapi\nfrom kinerja.models.store import tables\n",
}


def test_checker_passes_a_clean_tree(tmp_path):
    root = _tree(tmp_path, CLEAN)
    assert find_violations(root) == []
    assert find_room_violations(root) == []
    assert find_circles(root) == []


@pytest.mark.parametrize(
    ("rel", "source", "expected"),
    [
        (
            "models/humantasks/states.py",
            "import prefect\n",
            "models/humantasks/states.py:1: kinerja.models.humantasks.states imports prefect",
        ),
        (
            "models/outbox/queue.py",
            "\n\nfrom apprise import Apprise\n",
            "models/outbox/queue.py:3: kinerja.models.outbox.queue imports apprise",
        ),
        ("models/cycles/svc.py", "from kinerja.tasks import dispatch\n", "imports kinerja.tasks"),
        ("models/cycles/svc.py", "from kinerja import flows\n", "imports kinerja.flows"),
        ("models/cycles/svc.py", "from ... import portal\n", "imports kinerja.portal"),
        (
            "models/cycles/svc.py",
            "def f():\n    import typer\n",
            "models/cycles/svc.py:2: kinerja.models.cycles.svc imports typer",
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
            "from ..store.tables import Mapped\n",
            "imports sqlalchemy via kinerja.models.store.tables",
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
        # flows hold no database work
        ("flows/f.py", "from sqlalchemy import select\n", "flows/f.py:1: kinerja.flows.f imports"),
        (
            "flows/f.py",
            "def f():\n    from kinerja.models.store.db import session_scope\n",
            "flows/f.py:2: kinerja.flows.f imports kinerja.models.store.db",
        ),
    ],
)
def test_checker_finds_a_violation(tmp_path, rel, source, expected):
    violations = find_violations(_tree(tmp_path, {**CLEAN, rel: source}))
    assert len(violations) == 1, violations
    assert expected in violations[0]


def test_checker_follows_imports_through_other_layers_modules(tmp_path):
    # models -> a module outside models that imports prefect: still a violation of models.
    files = {
        **CLEAN,
        "util.py": "import prefect\n",
        "models/cycles/x.py": "from kinerja import util\n",
    }
    violations = find_violations(_tree(tmp_path, files))
    assert violations == [
        "models/cycles/x.py: kinerja.models.cycles.x imports prefect via kinerja.util"
        " (reached from kinerja.models.cycles.x)"
    ]


@pytest.mark.parametrize(
    ("rel", "source", "expected"),
    [
        # upward: a lower room imports a higher one
        (
            "models/humantasks/up.py",
            "from kinerja.models.responses.service import x\n",
            "models/humantasks/up.py:1: models/humantasks may not import models/responses",
        ),
        (
            "models/store/up.py",
            "def f():\n    from ..schemas import config\n",
            "models/store/up.py:2: models/store may not import models/schemas",
        ),
        # sideways between rooms the map keeps apart
        (
            "models/rules/side.py",
            "from kinerja.models.store.tables import Mapped\n",
            "models/rules may not import models/store",
        ),
        # a module in no room
        ("models/loose.py", "import math\n", "kinerja.models.loose is in no declared subpackage"),
    ],
)
def test_room_checker_finds_an_import_the_map_does_not_allow(tmp_path, rel, source, expected):
    violations = find_room_violations(_tree(tmp_path, {**CLEAN, rel: source}))
    assert len(violations) == 1, violations
    assert expected in violations[0]


def test_circle_checker_finds_a_circle(tmp_path):
    files = {
        **CLEAN,
        "flows/a.py": "from kinerja.flows.b import x\n",
        "flows/b.py": "def f():\n    from kinerja.flows import c\n",
        "flows/c.py": "from . import a\n",
    }
    assert find_circles(_tree(tmp_path, files)) == [
        "kinerja.flows.a -> kinerja.flows.b -> kinerja.flows.c -> kinerja.flows.a"
    ]


def test_circle_checker_finds_two_modules_importing_each_other(tmp_path):
    files = {
        **CLEAN,
        "models/policy/pack.py": "from kinerja.models.rules.score import x\n",
        "models/rules/score.py": "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from kinerja.models.policy.pack import y\n",
    }
    assert find_circles(_tree(tmp_path, files)) == [
        "kinerja.models.policy.pack -> kinerja.models.rules.score -> kinerja.models.policy.pack"
    ]


def test_a_package_importing_its_own_modules_is_no_circle(tmp_path):
    # tables/__init__ re-exports its modules, which import tables.base: not a circle.
    files = {
        **CLEAN,
        "models/store/tables/__init__.py": "from .base import Base\nfrom .org import Unit\n",
        "models/store/tables/base.py": "import sqlalchemy\n",
        "models/store/tables/org.py": "from kinerja.models.store.tables.base import Base\n",
    }
    files.pop("models/store/tables.py")
    assert find_circles(_tree(tmp_path, files)) == []
