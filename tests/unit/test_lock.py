"""requirements.lock pins every package pyproject.toml asks for, at a version pyproject.toml accepts.

`make` installs the lock and then the app with --no-deps, so a dependency added to pyproject.toml
without `make lock` would be missing from a fresh clone; this test says so first.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def _pins() -> dict[str, tuple[Version, str]]:
    pins: dict[str, tuple[Version, str]] = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = PIN.match(line)
        if match:
            name, version, marker = match.groups()
            pins[canonicalize_name(name)] = (Version(version), marker or "")
    return pins


def _wanted() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"]]
    for extra in project.get("optional-dependencies", {}).values():
        wanted.extend(extra)
    return [Requirement(spec) for spec in wanted]


def test_every_dependency_is_pinned_at_a_version_pyproject_accepts() -> None:
    pins = _pins()
    assert len(pins) > 50  # the pattern reads the real file, not an empty match
    problems = []
    for req in _wanted():
        pinned = pins.get(canonicalize_name(req.name))
        if pinned is None:
            problems.append(f"{req.name} is not in requirements.lock")
        elif not req.specifier.contains(pinned[0], prereleases=True):
            problems.append(f"{req.name}=={pinned[0]} does not satisfy {req}")
    assert not problems, "run `make lock`: " + "; ".join(problems)


def test_the_lock_applies_to_this_platform_for_every_direct_dependency() -> None:
    pins = _pins()
    for req in _wanted():
        marker = pins[canonicalize_name(req.name)][1]
        assert not marker or Marker(marker).evaluate(), f"{req.name} is locked only for {marker}"
