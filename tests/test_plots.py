import matplotlib

matplotlib.use("Agg")
import pytest

from nnbook.plots import history_curves, plot_curves


def test_plot_curves_styles_and_labels():
    ax = plot_curves({"mlp train": ([1, 2], [0.5, 0.7]), "mlp test": ([1, 2], [0.4, 0.6])}, title="t", logy=True)
    lines = ax.get_lines()
    assert [l.get_label() for l in lines] == ["mlp train", "mlp test"]
    assert lines[1].get_linestyle() == "--" and ax.get_yscale() == "log"


def test_plot_curves_rejects_bad_input():
    with pytest.raises(ValueError, match="nothing to plot"):
        plot_curves({})
    with pytest.raises(ValueError, match="2 x values but 3 y values"):
        plot_curves({"a": ([1, 2], [1, 2, 3])})


def test_history_curves():
    assert history_curves({"train": [0.1, 0.2]}, every=100) == {"train": ([100, 200], [0.1, 0.2])}
