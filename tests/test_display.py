"""ImbalanceDisplay's layout for few and many classes: the figure stays within
10 x 12 inches, no label is clipped, and small shares keep their digits."""

import matplotlib
import numpy as np
import pytest

from skbalance import ImbalanceDisplay

matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _labels(n_classes, ratio):
    counts = np.round(np.geomspace(ratio, 1, n_classes) * 10).astype(int)
    return [f"class_{i:03d}" for i in range(n_classes) for _ in range(counts[i])]


def _inside_figure(disp, artists):
    fig = disp.figure_
    fig.canvas.draw()
    box = fig.bbox
    for artist in artists:
        if not artist.get_text():
            continue
        ext = artist.get_window_extent()
        assert box.x0 - 1 <= ext.x0 and ext.x1 <= box.x1 + 1, artist.get_text()
        assert box.y0 - 1 <= ext.y0 and ext.y1 <= box.y1 + 1, artist.get_text()


def test_few_classes_vertical_bars_with_counts_and_small_shares():
    y = ["billing"] * 500 + ["technical"] * 300 + ["account"] * 150 + ["other"] * 5
    disp = ImbalanceDisplay.from_labels(y)
    width, height = disp.figure_.get_size_inches()
    assert width <= 10 and height <= 12
    assert [int(b.get_height()) for b in disp.bars_["count"]] == [500, 300, 150, 5]
    texts = [t.get_text() for t in disp.ax_.texts]
    # 5 of 955 is 0.52%, not "1%" or "0%"
    assert texts == ["500\n(52%)", "300\n(31%)", "150\n(16%)", "5\n(0.52%)"]
    _inside_figure(disp, disp.ax_.get_xticklabels() + disp.ax_.texts)


def test_25_classes_horizontal_bars_largest_on_top_and_nothing_clipped():
    y = _labels(25, 200)
    disp = ImbalanceDisplay.from_labels(y)
    width, height = disp.figure_.get_size_inches()
    assert width <= 10 and height <= 12
    widths = [int(b.get_width()) for b in disp.bars_["count"]]
    assert widths == sorted(widths, reverse=True) and widths[0] == 2000
    ticks = [t.get_text() for t in disp.ax_.get_yticklabels()]
    assert ticks[0] == "class_000" and ticks[-1] == "class_024"
    assert disp.ax_.yaxis_inverted()  # the largest class on top
    assert disp.ax_.get_xscale() == "log"  # ratio 200
    assert disp.ax_.texts[-1].get_text() == "10 (0.099%)"
    _inside_figure(disp, disp.ax_.get_yticklabels() + disp.ax_.texts)


def test_200_classes_by_rank_in_a_capped_figure():
    disp = ImbalanceDisplay.from_labels(_labels(200, 500))
    width, height = disp.figure_.get_size_inches()
    assert (width, height) == (10, 4)
    assert len(disp.bars_["count"]) == 200
    assert not disp.ax_.texts  # no annotation per bar
    assert "200 classes" in disp.ax_.get_xlabel()
    assert "class_000 ... class_199" in disp.ax_.get_xlabel()


def test_annotate_can_be_forced_off_and_layout_is_constrained():
    disp = ImbalanceDisplay.from_labels(["a"] * 3 + ["b"], y_after=["a", "b"] * 3)
    assert disp.figure_.get_layout_engine().__class__.__name__ == (
        "ConstrainedLayoutEngine"
    )
    quiet = ImbalanceDisplay({"count": {"a": 3, "b": 1}}).plot(annotate=False)
    assert not quiet.ax_.texts
