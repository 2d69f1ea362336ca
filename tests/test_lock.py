"""Locked installs: requirements.lock pins every dependency of pyproject.toml (extras included),
and `make run` / `make test` install from it."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pins() -> dict[str, str]:
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    found = (re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", line.strip()) for line in lines)
    return {m.group(1).lower().replace("_", "-"): m.group(2) for m in found if m}


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = [
        *project["dependencies"],
        *(r for extra in project["optional-dependencies"].values() for r in extra),
    ]
    return {re.match(r"[A-Za-z0-9_.-]+", r).group(0).lower().replace("_", "-") for r in requirements}


def test_every_dependency_is_pinned_in_the_lock_file():
    missing = declared() - set(pins())
    assert not missing, f"run `make lock` (dependencies without a pin: {sorted(missing)})"


def test_installs_take_their_versions_from_the_lock_file():
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet -c $(LOCK) -e '.[test]'" in makefile
    assert re.search(r"^\$\(STAMP\): pyproject.toml \$\(LOCK\)", makefile, re.M)
    assert re.search(r"^lock:", makefile, re.M) and re.search(r"^audit:", makefile, re.M)
