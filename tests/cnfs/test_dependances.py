"""The locks (requirements/*.txt, written by pip-compile) install what pyproject.toml allows: every
dependency declared, within its bounds, each file pinned with its hashes, production without the development
tools, and the tests run on the development lock."""

import tomllib
from importlib.metadata import PackageNotFoundError, version

from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT = tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text())["project"]
PRODUCTION = [Requirement(line) for line in PROJECT["dependencies"]]
DEVELOPMENT = [Requirement(line) for line in PROJECT["optional-dependencies"]["dev"]]


def read_lock(name: str) -> list[tuple[Requirement, list[str]]]:
    """The requirement lines of a file written by pip-compile (continuations joined), with their options."""
    text = (settings.BASE_DIR / "requirements" / name).read_text().replace("\\\n", " ")
    entries = []
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            entries.append((Requirement(words[0]), words[1:]))
    return entries


def pinned(entries: list[tuple[Requirement, list[str]]]) -> dict[str, str]:
    """{canonical name: pinned version}."""
    return {
        canonicalize_name(requirement.name): spec.version
        for requirement, _ in entries
        for spec in requirement.specifier
    }


LOCKS = {name: read_lock(name) for name in ("prod.txt", "dev.txt")}
PROD = pinned(LOCKS["prod.txt"])
DEV = pinned(LOCKS["dev.txt"])


def test_every_dependency_has_an_upper_bound():
    for requirement in PRODUCTION + DEVELOPMENT:
        assert any(spec.operator in ("<", "<=", "==", "~=") for spec in requirement.specifier), requirement


def test_each_lock_pins_every_package_to_one_version_with_its_hashes():
    for name, entries in LOCKS.items():
        assert entries, name
        for requirement, options in entries:
            assert [spec.operator for spec in requirement.specifier] == ["=="], (name, requirement)
            assert requirement.url is None and requirement.marker is None, (name, requirement)
            hashes = [option for option in options if option.startswith("--hash=sha256:")]
            assert hashes and hashes == options, (name, requirement)


def test_the_locks_pin_the_declared_dependencies_within_their_bounds():
    for lock, requirements in ((PROD, PRODUCTION), (DEV, PRODUCTION + DEVELOPMENT)):
        for requirement in requirements:
            name = canonicalize_name(requirement.name)
            assert name in lock, requirement
            assert requirement.specifier.contains(lock[name], prereleases=True), (requirement, lock[name])


def test_production_has_no_development_tool():
    assert not {canonicalize_name(requirement.name) for requirement in DEVELOPMENT} & PROD.keys()


def test_development_pins_the_production_versions():
    assert {name: DEV.get(name) for name in PROD} == PROD


def installed(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def test_the_environment_is_the_development_lock():
    """The tests run on what `make install` installs (a virtualenv out of date: `make install` again)."""
    assert {name: installed(name) for name in DEV} == DEV


def test_the_template_libraries_are_declared():
    declared = {requirement.name for requirement in PRODUCTION}
    assert "widget_tweaks" in settings.INSTALLED_APPS and "django-widget-tweaks" in declared
