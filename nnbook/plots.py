"""Plotting helpers shared by the chapters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def plot_curves(
    curves: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    title: str = "",
    xlabel: str = "iteration",
    ylabel: str = "accuracy",
    ax=None,
    logy: bool = False,
):
    """Plot named curves, each given as ``(x, y)``; names ending in 'test' are drawn dashed.

    Returns the matplotlib Axes so that a notebook can add to it.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    if not curves:
        raise ValueError("plot_curves: nothing to plot (no curves given)")
    for name, (x, y) in curves.items():
        if len(x) != len(y):
            raise ValueError(f"plot_curves: curve {name!r} has {len(x)} x values but {len(y)} y values")
        ax.plot(x, y, label=name, linestyle="--" if name.lower().endswith("test") else "-")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return ax


def history_curves(history: Mapping[str, Sequence[float]], every: int = 1, prefix: str = ""):
    """Turn ``{"train": [...], "test": [...]}`` logged every `every` steps into plot_curves input."""
    return {f"{prefix}{name}": ([every * (i + 1) for i in range(len(v))], list(v)) for name, v in history.items()}


def show(alt: str, fig=None) -> None:
    """Show `fig` (the current figure by default) with `alt`, a sentence that says what it shows, as its
    alternative text for screen readers (on the website and in JupyterLab); use it in place of plt.show()."""
    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    if not alt or not alt.strip():
        raise ValueError("show: give the figure an alt text that says what it shows")
    fig = fig or plt.gcf()
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    display(Image(buffer.getvalue(), metadata={"alt": alt.strip()}))
