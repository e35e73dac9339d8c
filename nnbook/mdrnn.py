"""The n-D multidirectional RNN of Graves, Fernandez and Schmidhuber (2007), chapter 3's oracle: its
forward pass in NumPy (a plain scan, no framework) and the weights of a torch model laid out as in
chapter 3, read into that layout. Its weight count is an exercise's answer and lives nowhere here."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from .checks import fail


def direction_signs(n_dims: int, index: int) -> tuple[int, ...]:
    """Scan direction number `index` (0 .. 2**n - 1): bit d set means axis d is scanned backwards."""
    if not 0 <= index < 2**n_dims:
        raise ValueError(f"direction index {index} out of range for {n_dims} dimensions")
    return tuple(-1 if index >> d & 1 else +1 for d in range(n_dims))


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _softmax(a, axis=-1):
    a = a - a.max(axis=axis, keepdims=True)
    e = np.exp(a)
    return e / e.sum(axis=axis, keepdims=True)


def mdrnn_forward_numpy(
    x: np.ndarray, w_in: Sequence[np.ndarray], w_rec: Sequence[Sequence[np.ndarray]], w_out: np.ndarray
) -> np.ndarray:
    """Class probabilities of a bias-free n-D multidirectional RNN with sigmoid hidden units.

    x: (batch, inputs, D1, ..., Dn). For every direction s the hidden activation at position p is
    ``h_s(p) = sigmoid(x(p) @ w_in[s] + sum_d h_s(p - sign_d e_d) @ w_rec[s][d])`` with h = 0 outside
    the volume; the output is ``softmax(concat_s h_s(p) @ w_out)``. Returns (batch, classes, D1..Dn).
    """
    x = np.asarray(x, dtype=np.float64)
    n_dims = x.ndim - 2
    dims = x.shape[2:]
    if len(w_in) != 2**n_dims:
        raise ValueError(f"{n_dims}-D input: one input matrix per scan direction is needed, got {len(w_in)}")
    xs = np.moveaxis(x, 1, -1)  # (B, D1..Dn, I)
    hidden = []
    for s in range(2**n_dims):
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


def mdrnn_weights_from_torch(model) -> tuple[list, list, np.ndarray]:
    """Read the weights of a torch MDRNN laid out as in chapter 3 into the NumPy layout.

    Expects ``model.w_in`` (one ``nn.Linear(inputs, hidden)`` per direction), ``model.w_rec``
    (per direction, one ``nn.Linear(hidden, hidden)`` per axis) and ``model.w_out`` (one ``nn.Linear``
    from the concatenated hidden states of all directions to the classes); returns ``(w_in, w_rec, w_out)`` for
    :func:`mdrnn_forward_numpy` (matrices that multiply row vectors from the right).
    """

    def mat(linear, what):
        weight = getattr(linear, "weight", None)
        if weight is None:
            fail(f"{what} should be an nn.Linear, found {type(linear).__name__}")
        if getattr(linear, "bias", None) is not None:
            fail(f"{what} has a bias, but the network has no biases (use bias=False)")
        return weight.detach().double().cpu().numpy().T

    try:
        w_in = [mat(layer, f"w_in[{s}]") for s, layer in enumerate(model.w_in)]
        w_rec = [
            [mat(layer, f"w_rec[{s}][{d}]") for d, layer in enumerate(per_dir)] for s, per_dir in enumerate(model.w_rec)
        ]
        w_out = mat(model.w_out, "w_out")
    except AttributeError as err:
        fail(f"the MDRNN must store its weights as w_in, w_rec and w_out ({err})", err)
    return w_in, w_rec, w_out
