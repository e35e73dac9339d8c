"""The optimisers of nnbook.autodiff: they read the gradients the backward pass left in `.grad`."""

from __future__ import annotations

import numpy as np

from ..optim import ADAM, adam_step


class SGD:
    """Plain gradient descent: p <- p - lr * grad."""

    def __init__(self, parameters, lr: float = 0.01):
        self.parameters = list(parameters)
        self.lr = lr

    def zero_grad(self) -> None:
        for p in self.parameters:
            p.grad = None

    def step(self) -> None:
        for p in self.parameters:
            if p.grad is not None:
                p.data -= (self.lr * p.grad).astype(p.dtype)


class Adam(SGD):
    """Adam (Kingma & Ba 2015) with bias correction (`nnbook.optim.adam_step`) and the sheets' defaults
    (`nnbook.optim.ADAM`, which are PyTorch's)."""

    def __init__(
        self,
        parameters,
        lr: float = ADAM["lr"],
        betas: tuple[float, float] = (ADAM["beta_1"], ADAM["beta_2"]),
        eps: float = ADAM["epsilon"],
    ):
        super().__init__(parameters, lr)
        self.betas, self.eps, self.t = betas, eps, 0
        self.m = [np.zeros_like(p.data) for p in self.parameters]
        self.v = [np.zeros_like(p.data) for p in self.parameters]

    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        for i, p in enumerate(self.parameters):
            if p.grad is None:
                continue
            self.m[i], self.v[i], update = adam_step(self.m[i], self.v[i], p.grad, self.t, self.lr, b1, b2, self.eps)
            p.data -= update.astype(p.dtype)
