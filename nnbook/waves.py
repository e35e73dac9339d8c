"""Circular waves for chapter 9: a 2-D wave simulator, the sheet's Figure 1, the given models
(a temporal convolution network and a deliberately too small DISTANA prediction kernel) and the
two trivial baselines.

The simulator integrates the wave equation

    u_tt = c^2 (u_xx + u_yy)

on an ``n x n`` grid (grid spacing 1) with the explicit leap-frog scheme

    u[t+1] = 2 u[t] - u[t-1] + C^2 * L(u[t]),      L = the 5-point Laplacian,

where ``C = c dt / dx`` is the Courant number. For this scheme in two dimensions a von Neumann
analysis gives ``sin^2(w dt / 2) = C^2 (sin^2(k_x / 2) + sin^2(k_y / 2)) <= 2 C^2``, so every Fourier
mode stays bounded exactly when ``C <= 1 / sqrt(2)``; we use ``C = 0.5`` (``COURANT``). The boundary
is Dirichlet: ``u = 0`` on a ring of ghost cells just outside the grid, so the wave is reflected with
its sign inverted, and nothing leaves the grid: the discrete energy of :func:`energy` is conserved
exactly (up to rounding). The initial condition is a Gaussian bump at rest at a random position.

Everything is deterministic given a seed and needs no network.
"""

from __future__ import annotations

import numpy as np

SIZE = 16  # grid size of the exercise sheet (16 x 16 pixels)
COURANT = 0.5  # C = c dt / dx, below the 2-D stability limit 1/sqrt(2)
SIGMA = 2.0  # width of the initial Gaussian bump, in pixels
AMPLITUDE = 2.5  # height of the initial bump: the field's standard deviation is then about 0.4
TRAIN_STEPS = 40  # steps per training / validation sequence
TEST_STEPS = 80  # steps per test sequence
TEACHER_STEPS = 15  # closed-loop test: 15 teacher-forced steps, then 65 closed-loop steps

# how much work each run mode does (NNBOOK_MODE): the chapter's notebook, benchmarks/bench_ch09.py and
# tools/full_runs.py read this one table. Sequences: training (TRAIN_STEPS steps), validation and test
# (TEST_STEPS steps, at least ten test sequences); epochs of the TCN and of each DISTANA; batches of
# sequences (a PK has few weights: small batches, many steps). Quick mode is for reading (about two minutes
# of one core); the notebook shows the shipped full-mode run beside it.
SETTINGS = {
    "test": dict(n_train=8, n_valid=2, n_test=10, epochs_tcn=2, epochs_pk=1, batch=16, pk_batch=4),
    "quick": dict(n_train=64, n_valid=8, n_test=20, epochs_tcn=20, epochs_pk=80, batch=16, pk_batch=4),
    "full": dict(n_train=256, n_valid=32, n_test=50, epochs_tcn=100, epochs_pk=150, batch=32, pk_batch=8),
}
NOISE = 0.04  # sd of the noise added to teacher-forced training inputs (a tenth of the field's spread)


def settings(mode: str | None = None) -> dict:
    """The chapter's budgets for `mode` (default: the current run mode, NNBOOK_MODE)."""
    from .runtime import mode as current

    return dict(SETTINGS[mode or current()])


# the 8 neighbours of a pixel as (row offset, column offset), in the order the chapter uses
OFFSETS = ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1))


def laplacian(u: np.ndarray) -> np.ndarray:
    """The 5-point Laplacian over the last two axes with u = 0 beyond the border (Dirichlet)."""
    p = np.pad(u, [(0, 0)] * (u.ndim - 2) + [(1, 1), (1, 1)])
    return p[..., :-2, 1:-1] + p[..., 2:, 1:-1] + p[..., 1:-1, :-2] + p[..., 1:-1, 2:] - 4 * u


def bump(size: int, centre, sigma: float = SIGMA, amplitude: float = AMPLITUDE) -> np.ndarray:
    """A Gaussian bump ``amplitude * exp(-|x - centre|^2 / (2 sigma^2))`` on a ``size x size`` grid."""
    rows, cols = np.mgrid[0:size, 0:size]
    r2 = (rows - centre[0]) ** 2 + (cols - centre[1]) ** 2
    return amplitude * np.exp(-r2 / (2 * sigma**2))


def simulate(u0: np.ndarray, steps: int, courant: float = COURANT) -> np.ndarray:
    """Leap-frog integration from ``u0`` at rest; returns the ``steps + 1`` frames ``u[0..steps]``.

    ``u0`` has shape ``(..., n, n)`` (a batch of initial fields is integrated at once). The first step
    uses zero initial velocity, ``u[1] = u[0] + C^2 / 2 * L(u[0])`` (the leap-frog step with the
    ghost value ``u[-1] = u[1]``).
    """
    if not 0 < courant <= 1 / np.sqrt(2):
        raise ValueError(f"simulate: Courant number {courant} is outside (0, 1/sqrt(2)]: the scheme is unstable")
    u0 = np.asarray(u0, dtype=np.float64)
    frames = np.empty((steps + 1,) + u0.shape)
    frames[0] = u0
    if steps >= 1:
        frames[1] = u0 + 0.5 * courant**2 * laplacian(u0)
    for t in range(1, steps):
        frames[t + 1] = 2 * frames[t] - frames[t - 1] + courant**2 * laplacian(frames[t])
    return np.moveaxis(frames, 0, -3)


def random_centres(n: int, size: int, seed: int, margin: float = 2.0) -> np.ndarray:
    """``n`` bump centres, uniform in ``[margin, size - 1 - margin]^2`` (continuous positions)."""
    rng = np.random.default_rng(seed)
    return rng.uniform(margin, size - 1 - margin, size=(n, 2))


def make_waves(
    n: int, steps: int, size: int = SIZE, seed: int = 0, courant: float = COURANT, sigma: float = SIGMA
) -> np.ndarray:
    """``n`` wave sequences of ``steps + 1`` frames each, float32, shape ``(n, steps + 1, size, size)``.

    A sequence of ``steps`` prediction steps needs ``steps + 1`` frames: the inputs are frames
    ``0..steps-1`` and the targets frames ``1..steps`` (see :func:`inputs_targets`).
    """
    centres = random_centres(n, size, seed)
    u0 = np.stack([bump(size, c, sigma) for c in centres]) if n else np.zeros((0, size, size))
    return simulate(u0, steps, courant).astype(np.float32)


def inputs_targets(frames):
    """Split ``(n, T + 1, H, W)`` frames into inputs ``frames[:, :-1]`` and targets ``frames[:, 1:]``."""
    return frames[:, :-1], frames[:, 1:]


def energy(frames: np.ndarray, courant: float = COURANT) -> np.ndarray:
    """The leap-frog scheme's conserved energy between consecutive frames, one value per step.

    ``E[t + 1/2] = 1/2 sum (u[t+1] - u[t])^2 + C^2 / 2 * sum over grid edges of
    (u[t+1]_i - u[t+1]_j)(u[t]_i - u[t]_j)``, the edges including those to the zero ghost cells.
    Frames along axis -3; returns an array with one entry fewer along that axis.
    """
    u = np.asarray(frames, dtype=np.float64)
    a, b = u[..., 1:, :, :], u[..., :-1, :, :]
    pad = [(0, 0)] * (u.ndim - 2) + [(1, 1), (1, 1)]
    pa, pb = np.pad(a, pad), np.pad(b, pad)
    potential = (np.diff(pa, axis=-1) * np.diff(pb, axis=-1)).sum(axis=(-2, -1)) + (
        np.diff(pa, axis=-2) * np.diff(pb, axis=-2)
    ).sum(axis=(-2, -1))
    kinetic = ((a - b) ** 2).sum(axis=(-2, -1))
    return 0.5 * kinetic + 0.5 * courant**2 * potential


# --------------------------------------------------------------------------- baselines
def zeros_baseline(inputs, n_teacher: int = TEACHER_STEPS):
    """Predict zeros at every step (teacher-forced steps included; only the closed loop is scored)."""
    return np.zeros_like(np.asarray(inputs))


def last_frame_baseline(inputs, n_teacher: int = TEACHER_STEPS):
    """During teacher forcing predict the current input; from then on repeat the last
    teacher-forced input frame ``inputs[:, n_teacher - 1]``."""
    x = np.asarray(inputs)
    out = x.copy()
    out[:, n_teacher:] = x[:, n_teacher - 1 : n_teacher]
    return out


# --------------------------------------------------------------------------- given models (PyTorch)
def build_tcn(size: int = SIZE, channels: int = 64, kernel_size: int = 3, dilations=(1, 2, 4, 8), bias: bool = True):
    """A temporal convolution network that predicts the next frame from the frames so far.

    Each frame is flattened to ``size * size`` input channels; causal, dilated 1-D convolutions over
    time (dilations growing by layer, tanh between them) and a final 1 x 1 convolution back to
    ``size * size`` channels. Its receptive field is ``1 + (kernel_size - 1) * sum(dilations)`` frames
    (31 for the defaults). Interface: ``model(x)`` maps ``(batch, T, H, W)`` to ``(batch, T, H, W)``,
    output ``t`` depending on inputs ``t - receptive_field + 1 .. t`` only; ``model.step(x, state)``
    does one closed-loop step on frames ``(batch, H, W)`` with ``state`` the window of past frames.
    """
    import torch
    from torch import nn

    class CausalConv1d(nn.Conv1d):
        def forward(self, x):
            left = (self.kernel_size[0] - 1) * self.dilation[0]
            return super().forward(nn.functional.pad(x, (left, 0)))

    class TCN(nn.Module):
        def __init__(self):
            super().__init__()
            self.size = size
            self.receptive_field = 1 + (kernel_size - 1) * sum(dilations)
            layers, width = [], size * size
            for d in dilations:
                layers += [CausalConv1d(width, channels, kernel_size, dilation=d, bias=bias), nn.Tanh()]
                width = channels
            layers.append(nn.Conv1d(width, size * size, 1, bias=bias))
            self.net = nn.Sequential(*layers)

        def forward(self, x):  # (B, T, H, W)
            b, t, h, w = x.shape
            y = self.net(x.reshape(b, t, h * w).transpose(1, 2))  # (B, H*W, T)
            return y.transpose(1, 2).reshape(b, t, h, w)

        def step(self, x, state=None):
            """One step: append frame x (B, H, W) to the window, predict the next frame."""
            window = x[:, None] if state is None else torch.cat([state, x[:, None]], 1)
            window = window[:, -self.receptive_field :]
            return self.forward(window)[:, -1], window

    return TCN()


def build_given_pk(lateral_size: int = 1, bias: bool = True):
    """The sheet's starting point, a prediction kernel that is too small for the wave: one linear
    layer from the PK's input ``[value, 8 * lateral_size lateral inputs]`` to its output
    ``[next value, lateral_size lateral outputs]``.

    PK interface (every PK of the chapter follows it): ``pk(inp, state) -> (out, state)`` with ``inp``
    of shape ``(N, 1 + 8 * lateral_size)`` for N PKs at once, ``out`` of shape ``(N, 1 + lateral_size)``
    (column 0 the predicted value, the rest the lateral output) and ``state`` what the PK carries from
    one step to the next (``None`` at the start; this PK returns ``None``).
    """
    from torch import nn

    class GivenPK(nn.Module):
        def __init__(self):
            super().__init__()
            self.lateral_size = lateral_size
            self.linear = nn.Linear(1 + 8 * lateral_size, 1 + lateral_size, bias=bias)

        def forward(self, inp, state=None):
            return self.linear(inp), None

    return GivenPK()


# --------------------------------------------------------------------------- figures
def plot_waves(frames: np.ndarray, pixel=None, every: int = 5, count: int = 8, title: str = "", vmax=None):
    """The sheet's Figure 1: a strip of frames of one sequence and the activity at one pixel over time.

    ``frames`` is ``(T, H, W)``; ``pixel`` (row, column) defaults to the grid's centre. Returns the figure.
    """
    import matplotlib.pyplot as plt

    frames = np.asarray(frames)
    t_total, h, w = frames.shape
    pixel = pixel or (h // 2, w // 2)
    vmax = vmax or float(np.abs(frames).max())
    count = min(count, (t_total - 1) // every + 1)
    fig = plt.figure(figsize=(1.45 * count, 3.9))
    grid = fig.add_gridspec(2, count, height_ratios=[1, 1.05], hspace=0.45)
    for k in range(count):
        ax = fig.add_subplot(grid[0, k])
        ax.imshow(frames[k * every], cmap="RdBu_r", vmin=-vmax, vmax=vmax)
        ax.plot(pixel[1], pixel[0], marker="x", color="k", ms=5)
        ax.set_title(f"t = {k * every}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    ax = fig.add_subplot(grid[1, :])
    ax.plot(np.arange(t_total), frames[:, pixel[0], pixel[1]], color="tab:blue")
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xlabel("time step")
    ax.set_ylabel(f"u at pixel {tuple(int(p) for p in pixel)}")
    ax.set_xlim(0, t_total - 1)
    if title:
        fig.suptitle(title)
    return fig


def plot_prediction(truth: np.ndarray, predictions: dict, steps, n_teacher: int = TEACHER_STEPS):
    """Rows of frames: the truth and each model's prediction (``(T, H, W)`` arrays of targets) at
    the given steps; closed-loop steps are marked. Returns the figure."""
    import matplotlib.pyplot as plt

    rows = {"truth": np.asarray(truth), **{k: np.asarray(v) for k, v in predictions.items()}}
    vmax = float(np.abs(rows["truth"]).max())
    fig, axes = plt.subplots(len(rows), len(steps), figsize=(1.35 * len(steps), 1.45 * len(rows)), squeeze=False)
    for i, (name, frames) in enumerate(rows.items()):
        for j, t in enumerate(steps):
            ax = axes[i, j]
            ax.imshow(frames[t], cmap="RdBu_r", vmin=-vmax, vmax=vmax)
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0:
                ax.set_title(f"t = {t + 1}" + (" (cl)" if t >= n_teacher else ""), fontsize=8)
            if j == 0:
                ax.set_ylabel(name.replace(", ", ",\n"), fontsize=8)  # long model names: one part per line
    fig.tight_layout()
    return fig
