"""The exercise sheets' optimiser settings, one home for every chapter (no chapter module imports another).

Adam as in Kingma and Ba (2015) and the exercise sheets: learning rate 1e-3, betas 0.9 / 0.999, epsilon
1e-8 (PyTorch's default epsilon; Keras' default is 1e-7, so Keras needs it set). `adam_step` is the
one NumPy implementation of its update, used by both NumPy frameworks (``framework.Adam`` of chapter 4
and ``autodiff.Adam`` of chapter 8), which take their defaults from :data:`ADAM`.
"""

from __future__ import annotations

import numpy as np

ADAM = dict(lr=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-8)


def adam_settings() -> dict:
    """A copy of :data:`ADAM` (``lr``, ``beta_1``, ``beta_2``, ``epsilon``)."""
    return dict(ADAM)


def adam_step(
    m,
    v,
    grad,
    t: int,
    lr: float = ADAM["lr"],
    beta_1: float = ADAM["beta_1"],
    beta_2: float = ADAM["beta_2"],
    epsilon: float = ADAM["epsilon"],
):
    """Adam's step `t` (counted from 1) on NumPy arrays, with bias correction (Kingma and Ba 2015).

    `m` and `v` are the first and second moments before the step (0.0 at the start); returns the new
    moments and the update to SUBTRACT from the weights: ``lr * m_hat / (sqrt(v_hat) + epsilon)``.
    """
    m = beta_1 * m + (1 - beta_1) * grad
    v = beta_2 * v + (1 - beta_2) * grad * grad
    m_hat = m / (1 - beta_1**t)
    v_hat = v / (1 - beta_2**t)
    return m, v, lr * m_hat / (np.sqrt(v_hat) + epsilon)


def torch_adam(params, lr: float | None = None):
    """``torch.optim.Adam`` with the sheets' settings (learning rate `lr` if given)."""
    import torch

    return torch.optim.Adam(
        params, lr=ADAM["lr"] if lr is None else lr, betas=(ADAM["beta_1"], ADAM["beta_2"]), eps=ADAM["epsilon"]
    )


def keras_adam(lr: float | None = None):
    """``keras.optimizers.Adam`` with the sheets' settings (learning rate `lr` if given)."""
    import keras

    return keras.optimizers.Adam(
        learning_rate=ADAM["lr"] if lr is None else lr,
        beta_1=ADAM["beta_1"],
        beta_2=ADAM["beta_2"],
        epsilon=ADAM["epsilon"],
    )
