import re

import matplotlib

matplotlib.use("Agg")
import pytest

from nnbook.plots import OKABE_ITO, figure_bundle, history_curves, plot_curves, show


def test_plot_curves_styles_and_labels():
    ax = plot_curves({"mlp train": ([1, 2], [0.5, 0.7]), "mlp test": ([1, 2], [0.4, 0.6])}, title="t", logy=True)
    lines = ax.get_lines()
    assert [l.get_label() for l in lines] == ["mlp train", "mlp test"]
    assert lines[1].get_linestyle() == "--" and ax.get_yscale() == "log"
    # one model, one colour and marker; the split shows in the line style, not in colour alone
    assert lines[0].get_color() == lines[1].get_color() == OKABE_ITO[0]
    assert lines[0].get_marker() == lines[1].get_marker() and lines[0].get_linestyle() == "-"


def test_default_cycle_is_okabe_ito_with_a_style_per_colour():
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    lines = [ax.plot([0, 1], [i, i])[0] for i in range(4)]
    assert [l.get_color() for l in lines] == OKABE_ITO[:4]
    assert len({str(l.get_linestyle()) for l in lines}) == 4, "lines differ in colour only"
    plt.close("all")


def test_show_gives_the_figure_its_alt_text(monkeypatch):
    import base64

    import matplotlib.pyplot as plt

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda data, **kw: shown.append((data, kw)))
    plt.plot([0, 1], [1, 0])
    show('Loss falls from 1 to 0 "quickly" <fast>')
    ((data, kw),) = shown
    assert 'alt="Loss falls from 1 to 0 &quot;quickly&quot; &lt;fast&gt;"' in data["text/html"]
    png = re.search(r'src="data:image/png;base64,([^"]+)"', data["text/html"]).group(1)
    assert base64.b64decode(png).startswith(b"\x89PNG") and "image/png" not in data, "the PNG once, in the <img>"
    assert kw["raw"] and data["text/plain"] == '<figure: Loss falls from 1 to 0 "quickly" <fast>>'
    assert not plt.get_fignums(), "the figure is shown twice (once more by the inline backend)"
    with pytest.raises(ValueError, match="alt text"):
        show("  ")


def test_figure_bundle_puts_html_first():
    data, _ = figure_bundle("a line", b"\x89PNG")
    assert list(data)[0] == "text/html" and data["text/html"].startswith('<img src="data:image/png;base64,')


def test_plot_curves_rejects_bad_input():
    with pytest.raises(ValueError, match="nothing to plot"):
        plot_curves({})
    with pytest.raises(ValueError, match="2 x values but 3 y values"):
        plot_curves({"a": ([1, 2], [1, 2, 3])})


def test_history_curves():
    assert history_curves({"train": [0.1, 0.2]}, every=100) == {"train": ([100, 200], [0.1, 0.2])}
