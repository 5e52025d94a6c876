"""The docs say what the code does: README examples run, every public name and
command line option is documented, and CI runs the README's own test command."""

import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

import skbalance
from skbalance._cli._parser import build_parser as _build_parser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
PUBLIC = [name for name in skbalance.__all__ if name != "__version__"]


def test_all_is_sorted_and_complete():
    assert skbalance.__all__ == sorted(skbalance.__all__)
    for name in skbalance.__all__:
        assert hasattr(skbalance, name)


DOCUMENTED = [
    name
    for name in PUBLIC
    if inspect.isclass(getattr(skbalance, name))
    or inspect.isfunction(getattr(skbalance, name))
]


@pytest.mark.parametrize("name", DOCUMENTED)
def test_public_name_has_a_numpydoc_docstring_with_examples(name):
    doc = inspect.getdoc(getattr(skbalance, name))
    assert doc, f"{name} has no docstring"
    for section in ("Parameters", "Examples"):
        assert re.search(rf"^{section}\n-+$", doc, re.M), f"{name}: no {section}"
    assert ">>> " in doc


# numpydoc's validation, with scikit-learn's exceptions (sklearn/tests/
# test_docstrings.py): RT02 (a Returns line may name the value), GL01/GL02
# (blank-line placement); ES01/SA01/EX01 only for the top-level docstring, not
# for every method.
IGNORED_EVERYWHERE = {"RT02", "GL01", "GL02"}
TOP_LEVEL_ONLY = {"ES01", "SA01", "EX01"}
# Findings accepted for now, each with its reason: (object, check code).
KNOWN_FINDINGS = set()


def _own_methods(cls):
    """Public methods and properties that skbalance defines (not inherited)."""
    for klass in cls.__mro__:
        if not klass.__module__.startswith("skbalance"):
            continue
        for attr, value in vars(klass).items():
            if attr.startswith("_"):
                continue
            if inspect.isfunction(value) or isinstance(
                value, (classmethod, staticmethod, property)
            ):
                yield attr


def _validation_targets():
    for name in DOCUMENTED:
        yield f"skbalance.{name}"
        obj = getattr(skbalance, name)
        if inspect.isclass(obj):
            for attr in sorted(set(_own_methods(obj))):
                yield f"skbalance.{name}.{attr}"


@pytest.mark.parametrize("target", list(_validation_targets()))
def test_numpydoc_validation(target):
    from numpydoc.validate import validate

    is_method = target.count(".") == 2
    found = [
        (code, message)
        for code, message in validate(target)["errors"]
        if code not in IGNORED_EVERYWHERE
        and not (is_method and code in TOP_LEVEL_ONLY)
        and (target, code) not in KNOWN_FINDINGS
    ]
    assert not found, f"{target}: {found}"


def test_known_findings_are_still_found():
    # an entry that no longer fails must leave KNOWN_FINDINGS
    from numpydoc.validate import validate

    for target, code in sorted(KNOWN_FINDINGS):
        codes = [c for c, _ in validate(target)["errors"]]
        assert code in codes, f"{target} passes {code} now: drop it from the list"


def test_every_public_name_is_validated_or_explained():
    # the only public name that is neither a class nor a function: a scorer
    # instance, described in prose on the API page and in the user guide
    assert set(PUBLIC) - set(DOCUMENTED) == {"macro_weighted_f1_gap_scorer"}


@pytest.mark.parametrize("name", PUBLIC)
def test_public_name_is_in_the_api_reference(name):
    api = (ROOT / "docs" / "api.rst").read_text()
    assert re.search(rf"^\s+{name}$", api, re.M), f"{name} missing from docs/api.rst"


@pytest.mark.parametrize("name", PUBLIC)
def test_public_name_is_in_the_changelog(name):
    assert name in (ROOT / "docs" / "changes.rst").read_text()


def _cli_options():
    parser = _build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    yield None, "--version"
    for command, subparser in sub.choices.items():
        yield command, None
        for action in subparser._actions:
            for opt in action.option_strings:
                if opt not in ("-h", "--help"):
                    yield command, opt
            if not action.option_strings:
                yield command, action.metavar or action.dest.upper()


@pytest.mark.parametrize(("command", "option"), list(_cli_options()))
def test_every_command_and_option_is_documented(command, option):
    cli = (ROOT / "docs" / "cli.rst").read_text()
    if option is None:
        assert f"skbalance {command}\n---" in cli, f"no section for {command}"
    else:
        assert f"``{option}" in cli, f"{option} of {command} is undocumented"


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_test_one():
    markers = re.findall(r"<!-- (\w+)-command -->\n```bash\n(.+)\n```", README)
    assert [m[0] for m in markers] == ["demo", "test"]
    demo, test = (m[1] for m in markers)
    assert "pip install ." in demo and demo.endswith("skbalance demo")
    assert "'.[test]'" in test and test.endswith("python -m pytest")
    ci = (ROOT / ".ci" / "run").read_text()
    assert "<!-- test-command -->" in ci


def _python_blocks():
    return re.findall(r"```python\n(.*?)```", README, re.S)


@pytest.mark.parametrize("index", range(len(_python_blocks())))
def test_readme_python_examples_run(index, capsys):
    code = _python_blocks()[index]
    exec(compile(code, f"README.md block {index}", "exec"), {})
    out = capsys.readouterr().out
    for expected in re.findall(r"^# (\[.*\])$", code, re.M):
        assert expected in out


def test_readme_example_grid_search_has_no_failed_candidate():
    # the README's first example, asserting what it prints loosely
    code = _python_blocks()[0]
    scope = {}
    exec(compile(code, "README.md block 0", "exec"), scope)
    grid = scope["grid"]
    assert grid.cv_results_["mean_test_score"].min() > 0


def test_python_dash_m_help_lists_the_commands():
    result = subprocess.run(
        [sys.executable, "-m", "skbalance", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "demo" in result.stdout and "balance" in result.stdout


# The gallery scripts run in the docs build of .ci/run (sphinx-gallery aborts on
# an error, and docs/conf.py fails the build when a script drew no figure); they
# are not run a second time here.
GALLERY = {
    "plot_imbalance_report.py": "the imbalance report, single- and multi-label",
    "plot_triple_split.py": "a triple split's per-part distributions",
    "plot_domain_floors.py": "floors before/after per domain",
    "plot_mixtures.py": "mixture shares before/after by temperature and UniMax",
    "plot_class_weights.py": "class weights by strategy",
    "plot_grid_search.py": "a GridSearchCV over target ratios and floors",
    "plot_llm_offline.py": "LLM augmentation with the offline generator",
    "plot_compare_real_data.py": "a sampler comparison on a real data set",
}


def test_gallery_has_one_script_per_step_each_with_a_title_and_a_figure():
    scripts = sorted(p.name for p in (ROOT / "docs" / "examples").glob("plot_*.py"))
    assert scripts == sorted(GALLERY)
    for name in scripts:
        code = (ROOT / "docs" / "examples" / name).read_text()
        title = re.match(r'"""\n(.+)\n(=+)\n', code)
        assert title and len(title[2]) == len(title[1]), f"{name}: no RST title"
        assert code.rstrip().endswith("plt.show()"), f"{name} does not end in a figure"


def test_llm_example_says_it_shows_plumbing_not_quality():
    code = (ROOT / "docs" / "examples" / "plot_llm_offline.py").read_text()
    assert 'generator="offline"' in code and "plumbing, not quality" in code


def test_docs_build_fails_when_a_gallery_script_draws_no_figure(tmp_path):
    import runpy
    from types import SimpleNamespace

    conf = runpy.run_path(str(ROOT / "docs" / "conf.py"))
    check = conf["_check_gallery_figures"]
    (tmp_path / "examples").mkdir()
    (tmp_path / "auto_examples" / "images").mkdir(parents=True)
    for name in ("plot_a.py", "plot_b.py"):
        (tmp_path / "examples" / name).write_text('"""T\n=\n"""\n')
    (tmp_path / "auto_examples" / "images" / "sphx_glr_plot_a_001.png").write_bytes(b"")
    app = SimpleNamespace(srcdir=str(tmp_path))
    with pytest.raises(RuntimeError, match=r"drew no figure: \['plot_b.py'\]"):
        check(app, None)
    check(app, ValueError("an earlier error is reported as it is"))
