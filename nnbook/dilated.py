"""Stacks of dilated 1-D convolutions (chapter 3): the receptive field by formula, the input steps an
output step depends on (by offsets, and measured with autodiff in PyTorch or TensorFlow), a check of a
causal field, and the figure of a dilated causal stack."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .checks import fail


def conv_stack_receptive_field(kernel_size: int, dilations: Sequence[int]) -> int:
    """Receptive field of stacked stride-1 convolutions: ``1 + sum_l (k - 1) d_l`` (by recursion)."""
    field = 1
    for d in dilations:
        field += (kernel_size - 1) * d
    return field


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


def conv_stack_offsets(kernel_size: int, dilations: Sequence[int]) -> list[int]:
    """How far back the inputs that reach one output lie: all sums ``sum_l j_l d_l``, 0 <= j_l < k.

    The receptive field is ``max + 1``; with badly chosen dilations (k=2, d=(1, 3)) some steps inside
    it are never reached, which is why tests compare the whole set, not only the span.
    """
    offsets = {0}
    for d in dilations:
        offsets = {o + j * d for o in offsets for j in range(kernel_size)}
    return sorted(offsets)


def check_causal_field(
    found_steps: np.ndarray, t: int, kernel_size: int, dilations: Sequence[int], name: str = "model"
) -> None:
    """Require output step t to depend on exactly the inputs ``t - offset`` of :func:`conv_stack_offsets`."""
    found_steps = np.asarray(found_steps)
    expected = np.array(sorted(t - o for o in conv_stack_offsets(kernel_size, dilations)))
    if found_steps.size and found_steps.max() > t:
        fail(
            f"{name}: output step {t} depends on future input steps "
            f"{found_steps[found_steps > t].tolist()}; the convolutions must be causal"
        )
    if found_steps.shape != expected.shape or np.any(found_steps != expected):
        # the expected steps are not printed: their number is the receptive field, an exercise's answer
        fail(
            f"{name}: output step {t} depends on {found_steps.size} input steps {found_steps.tolist()}, which are "
            f"not the steps that causal convolutions with kernel size {kernel_size} and dilations "
            f"{tuple(dilations)} see: check the dilation of each layer and the causal padding"
        )


def plot_dilated_receptive_field(
    kernel_size: int = 3, dilations: Sequence[int] = (1, 2, 4), length: int | None = None, ax=None
):
    """Draw a causal dilated convolution stack and highlight what the last output step sees."""
    import matplotlib.pyplot as plt

    field = conv_stack_receptive_field(kernel_size, dilations)
    length = length or field + 3
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
    ax.set_title(f"causal dilated convolutions, k={kernel_size}, d={tuple(dilations)}: receptive field {field}")
    ax.set_xlim(-0.7, length - 0.3)
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.set_ylim(-0.5, n_layers + 0.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax
