import json
import math
import sys

import numpy as np
import pytest
from scipy import sparse

from skbalance import ImbalanceDisplay, imbalance_ratio, imbalance_report, severity

SEED = ["billing"] * 500 + ["technical"] * 300 + ["account"] * 150 + ["other"] * 50


@pytest.mark.parametrize(
    ("ratio", "name"),
    [
        (1, "balanced"),
        (1.01, "mild"),
        (2.99, "mild"),
        (3, "moderate"),
        (10, "moderate"),
        (10.01, "severe"),
        (1000, "severe"),
    ],
)
def test_severity_boundaries(ratio, name):
    assert severity(ratio) == name


def test_severity_below_one():
    with pytest.raises(ValueError, match=r"An imbalance ratio is at least 1; got 0\.5"):
        severity(0.5)


def test_imbalance_ratio():
    assert imbalance_ratio(SEED) == 10.0
    assert imbalance_ratio(np.array([3, 3, 3, 7])) == 3.0
    assert imbalance_ratio([True, False, False, False]) == 3.0


def test_report_counts_shares_and_text():
    report = imbalance_report(SEED)
    assert report.counts == {
        "billing": 500,
        "technical": 300,
        "account": 150,
        "other": 50,
    }
    assert report.shares["other"] == 0.05
    assert (report.imbalance_ratio, report.severity, report.n_samples) == (
        10.0,
        "moderate",
        1000,
    )
    assert str(report) == (
        "1000 samples, 4 classes\n"
        "  class          count   share\n"
        "  billing          500   50.0%\n"
        "  technical        300   30.0%\n"
        "  account          150   15.0%\n"
        "  other             50    5.0%\n"
        "imbalance ratio 10.0 (largest / smallest): moderate"
    )
    assert repr(report) == (
        "ImbalanceReport(n_samples=1000, n_classes=4, imbalance_ratio=10, "
        "severity='moderate')"
    )


def test_report_to_dict_is_json_safe_with_int_labels():
    data = imbalance_report(np.array([2, 2, 2, 5])).to_dict()
    assert json.loads(json.dumps(data)) == {
        "n_samples": 4,
        "counts": {"2": 3, "5": 1},
        "shares": {"2": 0.75, "5": 0.25},
        "imbalance_ratio": 3.0,
        "severity": "moderate",
    }


def test_report_by_group():
    y = ["billing"] * 6 + ["technical"] * 4
    locale = ["en-US"] * 5 + ["en-GB"] + ["en-US"] * 3 + ["en-GB"]
    report = imbalance_report(y, groups=locale)
    assert report.group_counts == {
        "en-US": {"billing": 5, "technical": 3},
        "en-GB": {"billing": 1, "technical": 1},
    }
    assert report.group_imbalance_ratio == 4.0
    assert str(report).endswith(
        "by group (group imbalance ratio 4.0):\n"
        "  group    billing  technical\n"
        "  en-US          5          3\n"
        "  en-GB          1          1"
    )
    assert report.to_dict()["group_counts"]["en-GB"] == {"billing": 1, "technical": 1}


def test_multilabel_measures_by_hand():
    # 5 samples x 4 labels; label 3 never positive, the last sample has none
    Y = np.array([[1, 1, 0, 0], [1, 0, 0, 0], [1, 0, 1, 0], [1, 1, 0, 0], [0, 0, 0, 0]])
    # counts 4, 2, 1 -> IRLbl 1, 2, 4
    mean_ir = 7 / 3
    cvir = math.sqrt(((1 - mean_ir) ** 2 + (2 - mean_ir) ** 2 + (4 - mean_ir) ** 2) / 2)
    cvir /= mean_ir
    # SCUMBLE per sample: 1 - geometric mean / arithmetic mean of its labels' IRLbl
    s01 = 1 - math.sqrt(1 * 2) / 1.5
    s02 = 1 - math.sqrt(1 * 4) / 2.5
    scumble = (s01 + 0 + s02 + s01 + 0) / 5
    for y in (Y, sparse.csr_matrix(Y)):
        report = imbalance_report(y)
        ml = report.multilabel
        assert ml["irlbl"] == {0: 1.0, 1: 2.0, 2: 4.0}
        assert ml["mean_ir"] == pytest.approx(mean_ir)
        assert ml["max_ir"] == 4.0
        assert ml["cvir"] == pytest.approx(cvir)
        assert ml["scumble"] == pytest.approx(scumble)
        assert ml["cardinality"] == pytest.approx(7 / 5)
        assert ml["density"] == pytest.approx(7 / 5 / 4)
        assert ml["empty_labels"] == [3]
        assert report.counts == {0: 4, 1: 2, 2: 1, 3: 0}
        assert report.imbalance_ratio == 4.0
    assert imbalance_ratio(Y) == 4.0
    text = str(imbalance_report(Y))
    assert "MeanIR 2.33, MaxIR 4.00, CVIR 0.655, SCUMBLE 0.063" in text
    json.dumps(imbalance_report(Y).to_dict())


def test_multilabel_from_label_lists():
    report = imbalance_report([["bug", "ui"], ["bug"], ["docs"], ["bug", "ui"]])
    assert report.counts == {"bug": 3, "ui": 2, "docs": 1}
    assert report.multilabel["irlbl"] == {"bug": 1.0, "docs": 3.0, "ui": 1.5}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"y": []}, r"y is empty; there is no distribution to report"),
        ({"y": ["a", None]}, r"y has missing values \(NaN or None\) at row 1"),
        (
            {"y": ["a", "b"], "groups": ["x"]},
            r"^y has 2 rows but groups has 1; they must have the same length\.$",
        ),
        ({"y": np.zeros((3, 2))}, r"no positive label at all"),
    ],
)
def test_report_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        imbalance_report(**kwargs)


# --- display --------------------------------------------------------------------

plt = pytest.importorskip("matplotlib.pyplot", reason="matplotlib is in the test extra")


@pytest.fixture(autouse=True)
def _agg_backend():
    import matplotlib

    matplotlib.use("Agg")
    yield
    plt.close("all")


def test_display_writes_a_png_with_bars_equal_to_counts(tmp_path):
    disp = ImbalanceDisplay.from_labels(SEED)
    heights = [int(b.get_height()) for b in disp.bars_["count"]]
    assert heights == [500, 300, 150, 50]
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == [
        "billing",
        "technical",
        "account",
        "other",
    ]
    assert disp.ax_.get_yscale() == "linear"  # IR 10 is moderate
    path = tmp_path / "imbalance.png"
    disp.figure_.savefig(path)
    assert path.stat().st_size > 5_000
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_display_before_after_and_log_scale_when_severe():
    y = ["a"] * 990 + ["b"] * 10
    disp = ImbalanceDisplay.from_labels(y, y_after=["a"] * 990 + ["b"] * 200)
    assert [int(b.get_height()) for b in disp.bars_["before"]] == [990, 10]
    assert [int(b.get_height()) for b in disp.bars_["after"]] == [990, 200]
    assert disp.ax_.get_yscale() == "log"
    assert [t.get_text() for t in disp.ax_.get_legend().get_texts()] == [
        "before",
        "after",
    ]


def test_display_per_split_on_given_axes():
    _, ax = plt.subplots()
    splits = {
        "train": ["a"] * 7 + ["b"] * 3,
        "val": ["a", "b"],
        "test": ["a", "a", "b"],
    }
    disp = ImbalanceDisplay.from_splits(splits, ax=ax, log=False)
    assert disp.ax_ is ax
    assert list(disp.bars_) == ["train", "val", "test"]
    assert [int(b.get_height()) for b in disp.bars_["test"]] == [2, 1]


def test_display_without_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install 'skbalance\[plot\]'"):
        ImbalanceDisplay.from_labels(["a", "b"])


def test_display_empty():
    with pytest.raises(ValueError, match="counts is empty"):
        ImbalanceDisplay({})


def test_group_table_fits_a_terminal():
    """58 classes in 3 domains (a real set printed 663 characters wide): the
    classes go down; with many of both, the columns that fit and a note."""
    y = [f"section{i:02d}" for i in range(58) for _ in range(i + 1)]
    domain = ["main", "contrib", "non-free"] * (len(y) // 3) + ["main"] * (len(y) % 3)
    lines = str(imbalance_report(y, groups=domain)).split("\n")
    table = lines[lines.index(next(x for x in lines if x.startswith("by group"))) + 1 :]
    assert table[0].split() == ["class", "main", "contrib", "non-free"]
    assert len(table) == 1 + 58 and max(map(len, lines)) <= 100
    assert table[1].split()[0] == "section57"  # largest class first
    groups = [f"g{i % 20}" for i in range(len(y))]
    lines = str(imbalance_report(y, groups=groups)).split("\n")
    assert max(map(len, lines)) <= 100
    assert lines[-1] == "  (12 more groups not shown; the JSON report has them all)"
    assert len(lines[-2].split()) == 1 + 20 - 12
