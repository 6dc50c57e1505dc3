"""The lock installs what pyproject.toml allows: every dependency declared, within its bounds."""

import tomllib
from importlib.metadata import version

from django.conf import settings
from packaging.requirements import Requirement

PROJECT = tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text())["project"]
REQUIREMENTS = [
    Requirement(line) for line in PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"]
]


def test_every_dependency_has_an_upper_bound_and_is_installed_within_its_bounds():
    for requirement in REQUIREMENTS:
        assert any(spec.operator in ("<", "<=", "==", "~=") for spec in requirement.specifier), requirement
        assert requirement.specifier.contains(version(requirement.name), prereleases=True), requirement


def test_the_template_libraries_are_declared():
    declared = {requirement.name for requirement in REQUIREMENTS}
    assert "widget_tweaks" in settings.INSTALLED_APPS and "django-widget-tweaks" in declared
