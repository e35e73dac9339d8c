"""The exercise sheets' optimiser settings, one home for every chapter (no chapter module imports another).

Adam as in Kingma and Ba (2015) and the exercise sheets: learning rate 1e-3, betas 0.9 / 0.999, epsilon
1e-8 (PyTorch's default epsilon; Keras' default is 1e-7, so Keras needs it set).
"""

from __future__ import annotations

ADAM = dict(lr=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-8)


def adam_settings() -> dict:
    """A copy of :data:`ADAM` (``lr``, ``beta_1``, ``beta_2``, ``epsilon``)."""
    return dict(ADAM)


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
