"""Print a pip constraints file that pins the declared minimum versions.

CI's second leg installs the test environment with these constraints, so the
suite runs against the oldest releases ``pyproject.toml`` admits, as
scikit-learn's and imbalanced-learn's "min dependencies" jobs do. The floors
come from ``pyproject.toml`` alone (no second list to keep in step): every
runtime dependency, and the packages of the extras that skbalance imports
(``FLOORED`` below). Each must be written ``name>=version``; anything else
is an error naming the requirement, since a floor that cannot be pinned
cannot be tested.

Usage (Python 3.11+, for tomllib):
``python tools/floors.py [pyproject.toml] > constraints.txt``
"""

import re
import sys
from pathlib import Path

import tomllib

#: the extras' packages that skbalance itself imports (the test tools,
#: pytest, hypothesis, ruff and the like, are not part of the promise)
FLOORED = (
    "anthropic",
    "matplotlib",
    "orjson",
    "pandas",
    "pyspark",
)

_FLOOR = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*>=\s*([0-9][0-9A-Za-z.]*)$")


def floors(pyproject):
    """``{name: version}`` of the runtime dependencies and ``FLOORED``."""
    project = tomllib.loads(Path(pyproject).read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    pins = {}
    for requirement in requirements:
        name = re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower()
        if requirement not in project["dependencies"] and name not in FLOORED:
            continue
        match = _FLOOR.match(requirement.strip())
        if match is None:
            raise SystemExit(
                f"{pyproject}: {requirement!r} has no plain 'name>=version' floor "
                "to pin"
            )
        version = match.group(2)
        if pins.setdefault(name, version) != version:
            raise SystemExit(
                f"{pyproject}: {name} has two floors, {pins[name]} and {version}"
            )
    missing = sorted(set(FLOORED) - set(pins))
    if missing:
        raise SystemExit(f"{pyproject}: no floor declared for {', '.join(missing)}")
    return pins


def main(argv):
    pyproject = argv[1] if len(argv) > 1 else "pyproject.toml"
    for name, version in sorted(floors(pyproject).items()):
        print(f"{name}=={version}")


if __name__ == "__main__":
    main(sys.argv)
