"""The lock files pin, with hashes, every dependency pyproject.toml declares: a dependency
added without running scripts/lock fails here, not on a fresh machine."""

from __future__ import annotations

import re
import tomllib

import pytest

from kitgen.settings import PROJECT_ROOT


def declared(*extras: str) -> set[str]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for extra in extras:
        wanted += project["optional-dependencies"][extra]
    return {normalise(re.split(r"[\s<>=!~;\[]", spec, maxsplit=1)[0]) for spec in wanted}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(lock: str) -> dict[str, bool]:
    """Package → whether its pin carries at least one sha256 hash."""
    text = (PROJECT_ROOT / "requirements" / lock).read_text()
    found: dict[str, bool] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = re.match(r"([A-Za-z0-9_.-]+)==\S+", block)
        if match:
            found[normalise(match[1])] = "--hash=sha256:" in block
    return found


@pytest.mark.parametrize(
    ("lock", "extras"), [("dev.lock", ("service", "test")), ("service.lock", ("service",))]
)
def test_every_declared_dependency_is_pinned_with_hashes(lock: str, extras: tuple) -> None:
    pins = pinned(lock)
    missing = sorted(declared(*extras) - set(pins))
    assert not missing, f"not in requirements/{lock}: {missing}; run scripts/lock"
    assert all(pins.values()), [name for name, hashed in pins.items() if not hashed]
