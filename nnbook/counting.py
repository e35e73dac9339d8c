"""Counting weights (chapter 3): reference shapes, a NumPy multidirectional RNN, receptive fields.

Everything here is an *oracle* for the chapter's tests, written independently of the models the
students build:

* :func:`mdrnn_weight_shapes` -- the weight matrices of an n-D multidirectional RNN in the
  formulation of Graves, Fernandez and Schmidhuber (2007): ``2**n`` hidden layers (one per
  direction), each with one input matrix and ``n`` recurrent matrices, all feeding one output layer;
* :func:`mdrnn_forward_numpy` -- that network's forward pass in NumPy (a plain scan, no framework);
* :func:`conv_stack_receptive_field` and :func:`dependence_torch` / :func:`dependence_keras` --
  the receptive field of a stack of dilated 1-D convolutions, by formula and measured by autodiff;
* :func:`count_torch` / :func:`count_keras` -- parameter counts of built models;
* :func:`plot_dilated_receptive_field` -- the figure of a dilated causal convolution stack.
"""
from __future__ import annotations

import itertools
from typing import Callable, Sequence

import numpy as np

from .checks import GradingError, as_sympy


# --------------------------------------------------------------------------- counting built models
def count_torch(model) -> int:
    """Number of trainable numbers of a torch module (shared tensors counted once)."""
    return int(sum(p.numel() for p in model.parameters()))


def count_keras(model) -> int:
    """Number of parameters of a built Keras model (``model.count_params()``)."""
    return int(model.count_params())


def evaluate(expr, values: dict, name: str = "expression") -> float:
    """Substitute numbers into a student's sympy expression; a `GradingError` if that leaves symbols.

    Lets a test compare a formula with an oracle's number at several points, with a clear message
    when the formula is missing or uses symbols other than the ones the task defines.
    """
    value = as_sympy(expr, name).subs(values)
    if getattr(value, "free_symbols", None):
        raise GradingError(f"{name}: uses symbols {sorted(map(str, value.free_symbols))} that are not among "
                           f"{sorted(map(str, values))}; use the symbols defined in the notebook")
    try:
        return float(value)
    except TypeError as err:
        raise GradingError(f"{name}: does not evaluate to a number at {values}: {value}") from err


# --------------------------------------------------------------------------- multidirectional RNN
def direction_signs(n_dims: int, index: int) -> tuple[int, ...]:
    """Scan direction number `index` (0 .. 2**n - 1): bit d set means axis d is scanned backwards."""
    if not 0 <= index < 2 ** n_dims:
        raise ValueError(f"direction index {index} out of range for {n_dims} dimensions")
    return tuple(-1 if index >> d & 1 else +1 for d in range(n_dims))


def mdrnn_weight_shapes(n_dims: int, input_size: int, hidden_size: int, num_classes: int,
                        bias: bool = False) -> dict[str, tuple[int, ...]]:
    """Name -> shape of every weight array of an n-D multidirectional RNN (Graves et al. 2007).

    ``in[s]`` (input_size, hidden), ``rec[s][d]`` (hidden, hidden) for direction s and axis d,
    ``out`` (2**n * hidden, classes); with ``bias=True`` also one bias vector per layer.
    """
    if n_dims < 1:
        raise ValueError("an MDRNN needs at least one dimension")
    shapes: dict[str, tuple[int, ...]] = {}
    for s in range(2 ** n_dims):
        shapes[f"in[{s}]"] = (input_size, hidden_size)
        for d in range(n_dims):
            shapes[f"rec[{s}][{d}]"] = (hidden_size, hidden_size)
        if bias:
            shapes[f"bias[{s}]"] = (hidden_size,)
    shapes["out"] = (2 ** n_dims * hidden_size, num_classes)
    if bias:
        shapes["bias_out"] = (num_classes,)
    return shapes


def mdrnn_count(n_dims: int, input_size: int, hidden_size: int, num_classes: int,
                bias: bool = False) -> int:
    """Total number of weights of :func:`mdrnn_weight_shapes` (computed by counting, not a formula)."""
    return int(sum(np.prod(shape) for shape in
                   mdrnn_weight_shapes(n_dims, input_size, hidden_size, num_classes, bias).values()))


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _softmax(a, axis=-1):
    a = a - a.max(axis=axis, keepdims=True)
    e = np.exp(a)
    return e / e.sum(axis=axis, keepdims=True)


def mdrnn_forward_numpy(x: np.ndarray, w_in: Sequence[np.ndarray], w_rec: Sequence[Sequence[np.ndarray]],
                        w_out: np.ndarray) -> np.ndarray:
    """Class probabilities of a bias-free n-D multidirectional RNN with sigmoid hidden units.

    x: (batch, inputs, D1, ..., Dn). For every direction s the hidden activation at position p is
    ``h_s(p) = sigmoid(x(p) @ w_in[s] + sum_d h_s(p - sign_d e_d) @ w_rec[s][d])`` with h = 0 outside
    the volume; the output is ``softmax(concat_s h_s(p) @ w_out)``. Returns (batch, classes, D1..Dn).
    """
    x = np.asarray(x, dtype=np.float64)
    n_dims = x.ndim - 2
    dims = x.shape[2:]
    if len(w_in) != 2 ** n_dims:
        raise ValueError(f"{n_dims}-D input needs {2 ** n_dims} direction layers, got {len(w_in)}")
    xs = np.moveaxis(x, 1, -1)  # (B, D1..Dn, I)
    hidden = []
    for s in range(2 ** n_dims):
        signs = direction_signs(n_dims, s)
        hsize = w_in[s].shape[1]
        h = np.zeros(xs.shape[:-1] + (hsize,))
        # visit positions so that every predecessor p - sign_d e_d comes first
        order = [range(n) if sg > 0 else range(n - 1, -1, -1) for n, sg in zip(dims, signs)]
        for p in itertools.product(*order):
            a = xs[(slice(None),) + p] @ w_in[s]
            for d in range(n_dims):
                q = list(p)
                q[d] -= signs[d]
                if 0 <= q[d] < dims[d]:
                    a = a + h[(slice(None),) + tuple(q)] @ w_rec[s][d]
            h[(slice(None),) + p] = _sigmoid(a)
        hidden.append(h)
    y = _softmax(np.concatenate(hidden, axis=-1) @ w_out)
    return np.moveaxis(y, -1, 1)


# --------------------------------------------------------------------------- dilated convolutions
def conv_stack_receptive_field(kernel_size: int, dilations: Sequence[int]) -> int:
    """Receptive field of stacked stride-1 convolutions: ``1 + sum_l (k - 1) d_l`` (by recursion)."""
    field = 1
    for d in dilations:
        field += (kernel_size - 1) * d
    return field


def _support(grad: np.ndarray, tol: float = 0.0) -> np.ndarray:
    return np.flatnonzero(np.abs(grad) > tol)


def dependence_torch(model, n_in: int, length: int, t: int, samples: int = 8, seed: int = 0,
                     channels_first: bool = True) -> np.ndarray:
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
        raise GradingError(f"the output must keep the sequence length {length} (causal padding), "
                           f"found output shape {tuple(y.shape)}")
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
            raise GradingError(f"the output must keep the sequence length {length} (causal padding), "
                               f"found output shape {tuple(y.shape)}")
        target = tf.reduce_sum(y[:, t, :])
    g = tape.gradient(target, x)
    if g is None:
        raise GradingError("the output does not depend on the input at all")
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


def check_causal_field(found_steps: np.ndarray, t: int, kernel_size: int, dilations: Sequence[int],
                       name: str = "model") -> None:
    """Require output step t to depend on exactly the inputs ``t - offset`` of :func:`conv_stack_offsets`."""
    found_steps = np.asarray(found_steps)
    expected = np.array(sorted(t - o for o in conv_stack_offsets(kernel_size, dilations)))
    if found_steps.size and found_steps.max() > t:
        raise GradingError(f"{name}: output step {t} depends on future input steps "
                           f"{found_steps[found_steps > t].tolist()}; the convolutions must be causal")
    if found_steps.shape != expected.shape or np.any(found_steps != expected):
        # the expected steps are not printed: their number is the receptive field, an exercise's answer
        raise GradingError(
            f"{name}: output step {t} depends on {found_steps.size} input steps {found_steps.tolist()}, which are "
            f"not the steps that causal convolutions with kernel size {kernel_size} and dilations "
            f"{tuple(dilations)} see: check the dilation of each layer and the causal padding")


# --------------------------------------------------------------------------- figure
def plot_dilated_receptive_field(kernel_size: int = 3, dilations: Sequence[int] = (1, 2, 4),
                                 length: int | None = None, ax=None):
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
    ax.set_title(f"causal dilated convolutions, k={kernel_size}, d={tuple(dilations)}: "
                 f"receptive field {field}")
    ax.set_xlim(-0.7, length - 0.3)
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.set_ylim(-0.5, n_layers + 0.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


def mdrnn_weights_from_torch(model) -> tuple[list, list, np.ndarray]:
    """Read the weights of a torch MDRNN laid out as in chapter 3 into the NumPy layout.

    Expects ``model.w_in`` (one ``nn.Linear(inputs, hidden)`` per direction), ``model.w_rec``
    (per direction, one ``nn.Linear(hidden, hidden)`` per axis) and ``model.w_out``
    (``nn.Linear(2**n * hidden, classes)``); returns ``(w_in, w_rec, w_out)`` for
    :func:`mdrnn_forward_numpy` (matrices that multiply row vectors from the right).
    """
    def mat(linear, what):
        weight = getattr(linear, "weight", None)
        if weight is None:
            raise GradingError(f"{what} should be an nn.Linear, found {type(linear).__name__}")
        if getattr(linear, "bias", None) is not None:
            raise GradingError(f"{what} has a bias, but the network has no biases (use bias=False)")
        return weight.detach().double().cpu().numpy().T

    try:
        w_in = [mat(layer, f"w_in[{s}]") for s, layer in enumerate(model.w_in)]
        w_rec = [[mat(layer, f"w_rec[{s}][{d}]") for d, layer in enumerate(per_dir)]
                 for s, per_dir in enumerate(model.w_rec)]
        w_out = mat(model.w_out, "w_out")
    except AttributeError as err:
        raise GradingError(f"the MDRNN must store its weights as w_in, w_rec and w_out ({err})") from err
    return w_in, w_rec, w_out
