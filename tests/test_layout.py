"""The package's import boundaries, read from the source (every import
statement, at module level or in a function, and every optional import by
name): no cycle, no module importing a package that contains it, the command
line imported by nothing else, pyspark and anthropic each behind its one
subsystem."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "skbalance"


def _module_name(path):
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name):
    """Whether ``skbalance.x.y`` is a module or package of the source tree."""
    path = ROOT.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _imports(path):
    """``(skbalance modules, third-party top-level names)`` imported by a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    ours, theirs = set(), set()

    def add(name):
        if name == "skbalance" or name.startswith("skbalance."):
            ours.add(name)
        else:
            theirs.add(name.split(".")[0])

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module:
            # ``from pkg import mod`` runs pkg/__init__ first: an edge to the
            # package as well as to the module
            add(node.module)
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if _is_module(full):
                    add(full)
        elif (  # import_optional("anthropic", ...), pyspark_module("pyspark.sql")
            isinstance(node, ast.Call)
            and getattr(node.func, "id", None) in ("import_optional", "pyspark_module")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            add(node.args[0].value)
        elif isinstance(node, ast.FunctionDef) and node.name == "pyspark_module":
            add("pyspark")  # its default argument names pyspark
    return ours, theirs


GRAPH = {}
THIRD_PARTY = {}
for _path in sorted(ROOT.rglob("*.py")):
    _name = _module_name(_path)
    GRAPH[_name], THIRD_PARTY[_name] = _imports(_path)


def _inside(name, package):
    return name == package or name.startswith(package + ".")


def test_no_import_cycle():
    """A depth-first search over every import edge finds no way back."""
    state, stack = {}, []

    def visit(name):
        state[name] = "open"
        stack.append(name)
        for target in sorted(GRAPH.get(name, ())):
            if target == "skbalance":
                continue  # the root imports nothing eagerly (PEP 562 names)
            if state.get(target) == "open":
                cycle = stack[stack.index(target) :] + [target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[name] = "done"

    for name in sorted(GRAPH):
        if name not in state:
            visit(name)


def test_no_module_imports_a_package_that_contains_it():
    upward = [
        (name, target)
        for name, targets in GRAPH.items()
        for target in targets
        if target != "skbalance"  # the lazy public names
        and target != name
        and _inside(name, target)
    ]
    assert upward == []


def test_nothing_outside_the_command_line_imports_it():
    outside = [
        (name, target)
        for name, targets in GRAPH.items()
        for target in targets
        if _inside(target, "skbalance._cli")
        and not _inside(name, "skbalance._cli")
        and name != "skbalance.__main__"  # python -m skbalance: the command line
    ]
    assert outside == []


@pytest.mark.parametrize(
    "package, allowed",
    [
        (
            "pyspark",
            ["skbalance._cli._spark", "skbalance._spark_plan", "skbalance.spark"],
        ),
        ("anthropic", ["skbalance._llm"]),
    ],
)
def test_optional_dependencies_stay_behind_their_subsystem(package, allowed):
    importers = sorted(name for name, names in THIRD_PARTY.items() if package in names)
    assert importers, f"nothing imports {package}: the test reads the wrong tree"
    assert [
        name for name in importers if not any(_inside(name, a) for a in allowed)
    ] == []


def test_from_package_import_module_is_an_edge_to_the_package_too(tmp_path):
    """``from skbalance._cli import _main`` inside ``skbalance._cli`` runs the
    package first: the cycle the reader must see."""
    path = tmp_path / "mod.py"
    path.write_text("from skbalance._cli import _main\n", encoding="utf-8")
    ours, _ = _imports(path)
    assert ours == {"skbalance._cli", "skbalance._cli._main"}
