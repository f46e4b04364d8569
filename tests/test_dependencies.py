"""Reproducible builds (issue 13, item 9): every dependency has an upper bound, and
constraints.txt (which CI installs from) pins each one inside its range."""

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def _requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = project["dependencies"] + [r for extra in project["optional-dependencies"].values()
                                        for r in extra]
    return [Requirement(r) for r in listed]


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_the_dependencies_that_matter_have_an_upper_bound():
    unbounded = [str(r) for r in _requirements()
                 if not any(s.operator in ("<", "<=", "~=", "==") for s in r.specifier)]
    tools = {"email-validator", "chinesecalendar", "pytest-xdist", "hypothesis", "fakeredis",
             "ruff"}  # their next major cannot break the app's behaviour unseen
    assert {Requirement(r).name for r in unbounded} <= tools, unbounded


def test_constraints_pin_every_dependency_inside_its_range():
    pins = _pins()
    for requirement in _requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"constraints.txt does not pin {name}"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{name}=={pins[name]} is outside {requirement.specifier}")


def test_ci_and_the_readme_install_from_the_constraints():
    assert "-c constraints.txt" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text().split("```")[1]
    assert readme.count("-c constraints.txt") == 2


def test_a_missing_part_fails_in_ci_and_skips_elsewhere(monkeypatch):
    import pytest

    from conftest import missing_part

    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must have it"):
        missing_part("PostgreSQL not reachable")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        missing_part("PostgreSQL not reachable")
