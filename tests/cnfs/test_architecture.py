"""The layers of docs/architecture.md, checked on the import graph: the import-linter contracts of
pyproject.toml hold, they would catch an application importing one above it, every module is covered by
them, and no import hides inside a function to dodge a cycle."""

import ast
import copy
import tomllib
from pathlib import Path

import grimp
import pytest
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract

RACINE = Path(__file__).resolve().parents[2]
CONFIGURATION = tomllib.loads((RACINE / "pyproject.toml").read_text())["tool"]["importlinter"]
SESSION = {key: value for key, value in CONFIGURATION.items() if key != "contracts"}
ROOTS = SESSION["root_packages"]
TYPES = {"layers": LayersContract, "forbidden": ForbiddenContract}


def _contract(options: dict):
    return TYPES[options["type"]](name=options["name"], session_options=SESSION, contract_options=options)


CONTRATS = {options["name"]: options for options in CONFIGURATION["contracts"]}
COUCHES = next(options for options in CONTRATS.values() if options["type"] == "layers")
PROJET = next(name for name in CONTRATS if name.startswith("Seul le projet"))


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*ROOTS, cache_dir=None)


@pytest.mark.parametrize("name", CONTRATS)
def test_the_contract_is_kept(graph, name):
    # A check removes the ignored imports from the graph it reads: each one gets its own copy.
    check = _contract(CONTRATS[name]).check(copy.deepcopy(graph), verbose=False)
    assert check.kept, check.metadata


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("structures.models", "conseillers.models"),  # the referential reading the conseillers
        ("accounts.services", "conseillers.services"),
        ("cra.services", "stats.tasks"),  # what the signal cra.signals.cras_changed replaced
        ("stats.selectors", "cnfs.exports.models"),
        ("cnfs.exports.services", "cnfs.pages.exports"),
        ("cnfs.socle.audit", "accounts.services"),
        ("stats.services", "cnfs.import_v1.runner"),  # the import sits above the statistics it rebuilds
        ("cnfs.import_v1.cras", "cnfs.exports.models"),  # beside the exports, neither knows the other
        ("cnfs.import_v1.runner", "cnfs.pages.coop.cra"),
    ],
)
def test_an_import_from_below_breaks_the_layers(graph, importer, imported):
    broken = copy.deepcopy(graph)
    broken.add_import(importer=importer, imported=imported)
    assert not _contract(COUCHES).check(broken, verbose=False).kept


def _couches() -> set[str]:
    return {module.strip() for layer in COUCHES["layers"] for module in layer.split("|")}


def test_every_module_is_in_a_layer_or_the_project(graph):
    """A new package of cnfs/ must be placed: in a layer, or among the project's modules nothing imports."""
    projet = set(CONTRATS[PROJET]["forbidden_modules"])
    couvert = _couches() | projet
    modules = {module for root in ROOTS for module in graph.find_children(root)} | (set(ROOTS) - {"cnfs"})
    orphelins = {
        module
        for module in modules
        if not any(module == c or module.startswith(f"{c}.") for c in couvert)
        and module not in ROOTS
        and not module.startswith(tuple(f"{root}." for root in ROOTS if root in couvert))
    }
    assert orphelins == set()


def _imports_in_functions(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) and function.name != "ready":
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and node.module:
                    yield node.lineno, node.module
                elif isinstance(node, ast.Import):
                    yield from ((node.lineno, alias.name) for alias in node.names)


def test_no_import_of_the_project_hides_in_a_function():
    """Only AppConfig.ready imports inside a function (Django's place for registrations)."""
    caches = [
        f"{path.relative_to(RACINE)}:{line} {module}"
        for root in ROOTS
        for path in (RACINE / root).rglob("*.py")
        if "migrations" not in path.parts
        for line, module in _imports_in_functions(path)
        if module.split(".")[0] in ROOTS
    ]
    assert caches == []
