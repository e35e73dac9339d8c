"""Stacks of dilated 1-D convolutions (chapter 3): the input steps an output step depends on, measured
with autodiff in PyTorch or TensorFlow, the check that a model's steps are a reference stack's, and
the figure of a dilated causal stack. The receptive field's formula is an exercise's answer and lives
nowhere here: tests measure it on framework layers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .checks import fail


def _support(grad: np.ndarray, tol: float = 0.0) -> np.ndarray:
    return np.flatnonzero(np.abs(grad) > tol)


def dependence_torch(
    model, n_in: int, length: int, t: int, samples: int = 8, seed: int = 0, channels_first: bool = True
) -> np.ndarray:
    """Time steps of the input that output step `t` depends on, measured with torch autograd.

    The gradient of the sum over channels of output step t is taken for `samples` random inputs;
    a time step counts when its gradient is nonzero for any of them (so that a dead ReLU on one
    input cannot hide a connection). Input layout (batch, channels, time) unless channels_first=False.
    """
    import torch

    gen = torch.Generator().manual_seed(seed)
    shape = (samples, n_in, length) if channels_first else (samples, length, n_in)
    x = torch.randn(shape, generator=gen, dtype=torch.float32, requires_grad=True)
    y = model(x)
    time_axis = 2 if channels_first else 1
    if y.shape[time_axis] != length:
        fail(f"the output must keep the sequence length {length} (causal padding), found output shape {tuple(y.shape)}")
    y.select(time_axis, t).sum().backward()
    g = x.grad.abs().sum(dim=(0, 1) if channels_first else (0, 2))
    return _support(g.detach().numpy())


def dependence_keras(model, n_in: int, length: int, t: int, samples: int = 8, seed: int = 0) -> np.ndarray:
    """Like :func:`dependence_torch` for a Keras model on the TensorFlow backend, layout (batch, time, channels)."""
    import tensorflow as tf

    x = tf.Variable(np.random.default_rng(seed).standard_normal((samples, length, n_in)).astype("float32"))
    with tf.GradientTape() as tape:
        y = model(x)
        if y.shape[1] != length:
            fail(
                f"the output must keep the sequence length {length} (causal padding), "
                f"found output shape {tuple(y.shape)}"
            )
        target = tf.reduce_sum(y[:, t, :])
    g = tape.gradient(target, x)
    if g is None:
        fail("the output does not depend on the input at all")
    return _support(np.abs(g.numpy()).sum(axis=(0, 2)))


def check_causal_dependence(found_steps: np.ndarray, expected_steps: np.ndarray, t: int, name: str = "model") -> None:
    """Require output step t to depend on exactly the input steps that a reference stack's output step t
    depends on (both measured, e.g. with :func:`dependence_torch`); never on a later step."""
    found, expected = np.asarray(found_steps), np.asarray(expected_steps)
    if found.size and found.max() > t:
        fail(
            f"{name}: output step {t} depends on future input steps {found[found > t].tolist()}; "
            "the convolutions must be causal"
        )
    if found.shape != expected.shape or np.any(found != expected):
        # the expected steps are not printed: their number is the receptive field, an exercise's answer
        fail(
            f"{name}: output step {t} depends on {found.size} input steps {found.tolist()}, which are not the "
            "steps that causal convolutions with this kernel size and these dilations see: check the dilation "
            "of each layer and the causal padding"
        )


def plot_dilated_receptive_field(kernel_size: int, dilations: Sequence[int], length: int, ax=None):
    """Draw a causal dilated convolution stack over `length` steps and highlight what the last output sees."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.2))
    n_layers = len(dilations)
    # active[l] = time steps of layer l (0 = input) on a path to the last output
    active = [set() for _ in range(n_layers + 1)]
    active[n_layers] = {length - 1}
    for layer in range(n_layers, 0, -1):
        d = dilations[layer - 1]
        for t in active[layer]:
            for j in range(kernel_size):
                if t - j * d >= 0:
                    active[layer - 1].add(t - j * d)
                    ax.plot([t - j * d, t], [layer - 1, layer], color="tab:red", lw=1.4, zorder=1)
    for layer in range(n_layers + 1):
        xs = np.arange(length)
        on = np.array([t in active[layer] for t in xs])
        ax.scatter(xs[~on], [layer] * int((~on).sum()), s=40, facecolor="white", edgecolor="gray", zorder=2)
        ax.scatter(xs[on], [layer] * int(on.sum()), s=50, color="tab:red", zorder=3)
    ax.set_yticks(range(n_layers + 1))
    ax.set_yticklabels(["input"] + [f"layer {i + 1} (d={d})" for i, d in enumerate(dilations)])
    ax.set_xlabel("time step")
    seen = sorted(active[0])
    ax.set_title(f"k={kernel_size}, d={tuple(dilations)}: {len(seen)} input steps over a span of {length - seen[0]}")
    ax.set_xlim(-0.7, length - 0.3)
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.set_ylim(-0.5, n_layers + 0.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax
