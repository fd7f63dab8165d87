"""The layers of docs/architecture.md hold: every import in tracker/ points down.

Every import statement counts, wherever it is: at the top of a module, inside a
function (the lazy imports that keep start-up cheap), under TYPE_CHECKING, and
``import_module("tracker.export.…")`` with a literal name.
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

import tracker

PACKAGE = Path(tracker.__file__).parent
# migrations/ at the top of a checkout, tracker/migrations/ in an installed wheel.
_MIGRATIONS_SPEC = importlib.util.find_spec("tracker.migrations")
assert _MIGRATIONS_SPEC is not None and _MIGRATIONS_SPEC.origin is not None
MIGRATIONS = Path(_MIGRATIONS_SPEC.origin).parent

# What each layer may import from tracker, besides itself.
MAY_IMPORT: dict[str, frozenset[str]] = {
    "domain": frozenset(),
    "store": frozenset({"domain"}),
    "services": frozenset({"domain", "store"}),
    "export": frozenset({"domain"}),
    # tracker/clock.py: the one place that reads today's date; only the CLI asks it.
    "clock": frozenset({"domain"}),
    "cli": frozenset({"domain", "store", "services", "export", "clock"}),
    # Alembic's revisions and env.py (shipped as tracker.migrations).
    "migrations": frozenset({"store", "domain"}),
    "package": frozenset(),  # tracker/__init__.py
}

# Single modules a layer may reach across the rule above, each for a reason.
CROSSINGS: dict[tuple[str, str], str] = {
    ("services", "tracker.export.model"): (
        "the report model is the contract between the two: services fill it, renderers only read it"
    ),
    ("export", "tracker.store.temporaries"): (
        "files written beside their final name and renamed into place, shared with "
        "backups; it knows no database"
    ),
}

# Libraries that belong to one layer: the domain stays pure, export knows no
# database, and only the CLI speaks click.
LIBRARIES: dict[str, frozenset[str]] = {
    "sqlalchemy": frozenset({"store", "services", "migrations"}),
    "alembic": frozenset({"store", "migrations"}),
    "click": frozenset({"cli"}),
    "fpdf": frozenset({"export"}),
    "icalendar": frozenset({"export"}),
    "platformdirs": frozenset({"store"}),
}


def layer_of(module: str) -> str:
    parts = module.split(".")
    if parts == ["tracker"]:
        return "package"
    return parts[1]


def module_name(path: Path, root: Path, package: str) -> str:
    parts = [package, *path.relative_to(root).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(module: str, source: str, is_package: bool = False) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of everything ``module`` imports, wherever the import is."""
    # Relative imports start from the module's package (a package's __init__ is its own).
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                start = package[: len(package) - node.level + 1]
                base = ".".join([*start, *([base] if base else [])])
            # The name too: `from tracker.store import temporaries` imports a module.
            for alias in node.names:
                yield node.lineno, base if alias.name == "*" else f"{base}.{alias.name}"
        elif isinstance(node, ast.Call) and _calls_import_module(node) and node.args:
            name = _literal_prefix(node.args[0])
            if name:
                yield node.lineno, name


def _calls_import_module(node: ast.Call) -> bool:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in ("import_module", "__import__")


def _literal_prefix(argument: ast.expr) -> str:
    """'tracker.export.' of f"tracker.export.{name}": enough to know the layer."""
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return argument.value
    if isinstance(argument, ast.JoinedStr) and argument.values:
        first = argument.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value.rstrip(".")
    return ""


def crossings(module: str, source: str, is_package: bool = False) -> list[str]:
    """Every import of ``module`` that points the wrong way, as 'module:line -> name'."""
    layer = layer_of(module)
    found = []
    for line, name in imported_names(module, source, is_package):
        top = name.split(".")[0]
        if top == "tracker" and name != "tracker":
            target = layer_of(name)
            allowed = target == layer or target in MAY_IMPORT[layer]
            if not allowed and not any(
                layer == from_layer and (name == crossing or name.startswith(f"{crossing}."))
                for from_layer, crossing in CROSSINGS
            ):
                found.append(f"{module}:{line} -> {name}")
        elif top in LIBRARIES and layer not in LIBRARIES[top]:
            found.append(f"{module}:{line} -> {name}")
    return found


def all_modules() -> list[tuple[str, Path]]:
    found = {}
    for root, package in ((PACKAGE, "tracker"), (MIGRATIONS, "tracker.migrations")):
        for path in root.rglob("*.py"):
            found[path.resolve()] = module_name(path, root, package)
    return sorted((module, path) for path, module in found.items())


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def test_every_module_of_tracker_belongs_to_a_layer():
    assert {layer_of(module) for module, _ in all_modules()} <= set(MAY_IMPORT)


@pytest.mark.parametrize(
    ("module", "path"), [pytest.param(module, path, id=module) for module, path in all_modules()]
)
def test_a_module_imports_only_from_the_layers_below_it(module, path):
    assert crossings(module, path.read_text(encoding="utf-8"), is_package(path)) == []


def test_every_allowed_crossing_is_still_used():
    """A crossing nobody needs any more is taken off the list, so the rule tightens."""
    used = {
        (layer_of(module), crossing)
        for module, path in all_modules()
        for _, name in imported_names(module, path.read_text(encoding="utf-8"), is_package(path))
        for from_layer, crossing in CROSSINGS
        if layer_of(module) == from_layer and name.startswith(crossing)
    }
    assert used == set(CROSSINGS)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("tracker.domain.x", "def f():\n    from tracker.store.models import Patient\n"),
        ("tracker.domain.x", "import sqlalchemy\n"),
        ("tracker.domain.x", "from tracker import clock\n"),
        ("tracker.store.x", "from tracker.services.plan import get_plan\n"),
        ("tracker.services.x", "from tracker.export import renderer\n"),
        ("tracker.services.x", "from tracker.cli.formatting import table\n"),
        ("tracker.services.x", "import click\n"),
        ("tracker.export.x", "from ..services import report\n"),
        ("tracker.export.x", "from tracker.store.database import Database\n"),
        ("tracker.export.x", 'importlib.import_module(f"tracker.services.{name}")\n'),
        (
            "tracker.export.x",
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from tracker.services.report import Report\n",
        ),
    ],
)
def test_the_check_sees_an_import_across_a_boundary(module, source):
    assert crossings(module, source) != []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("tracker.cli.x", "from tracker.store.location import refuse_database_file\n"),
        ("tracker.export.x", "from tracker.domain import wording\n"),
        ("tracker.export.x", "from . import sections\n"),
        ("tracker.export.x", "from .model import Report\n"),
        ("tracker.services.x", "from tracker.export.model import Report\n"),
    ],
)
def test_the_check_lets_an_import_downwards_pass(module, source):
    assert crossings(module, source) == []


def test_a_relative_import_is_read_from_the_module_s_package():
    names = imported_names("tracker.export.x", "from ..store import temporaries\n")
    assert [name for _, name in names] == ["tracker.store.temporaries"]
    names = imported_names("tracker.export", "from .model import Report\n", is_package=True)
    assert [name for _, name in names] == ["tracker.export.model.Report"]
