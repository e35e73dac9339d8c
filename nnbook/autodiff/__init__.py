"""A small reverse-mode automatic differentiation framework on NumPy arrays (chapter 8's given code).

The whole idea in four lines:

* a `Tensor` holds an array (`data`), the tensors it was computed from (`parents`) and a
  `backward` function that turns the gradient of the loss with respect to this tensor into the
  gradients with respect to each parent (the operation's vector-Jacobian product);
* every differentiable operation is a forward computation on arrays plus such a gradient rule;
* `loss.backward()` visits the graph in reverse topological order, so that every tensor has
  received the gradients from all its uses before it passes them on;
* leaves that require gradients (the `Parameter`s of a `Module`) keep theirs in `.grad`, where an
  optimiser (`SGD`, `Adam`) reads them.

Defining a new operation needs nothing but this pattern (this is `relu` below)::

    def relu(x):
        x = tensor(x)
        mask = x.data > 0
        return Tensor(x.data * mask, parents=(x,), backward=lambda g: (g * mask,), op="relu")

Conventions follow PyTorch where that is possible: images are batch x channels x height x width,
`cross_entropy` takes logits and integer labels and averages over the batch, `Adam` has PyTorch's
defaults, and gradients accumulate in `.grad` until `zero_grad()`. One difference: `Linear` stores
its weight as (in_features, out_features) and computes ``x @ weight + bias``.

The package has three parts: `engine` (the tensor, the backward pass, the operations), `modules` (the
layers) and `optimizers`; everything is used through this one name, ``from nnbook import autodiff as ad``.
"""

from .engine import (
    Parameter,
    Tensor,
    add,
    cross_entropy,
    flatten,
    matmul,
    maxpool2x2,
    mean,
    mul,
    no_grad,
    relu,
    reshape,
    sum,  # noqa: A004  (the framework's sum, as torch.sum)
    tensor,
)
from .modules import Flatten, Linear, MaxPool2x2, Module, ReLU, Sequential, default_rng
from .optimizers import SGD, Adam

__all__ = [
    "Tensor",
    "Parameter",
    "tensor",
    "no_grad",
    "add",
    "mul",
    "matmul",
    "reshape",
    "flatten",
    "relu",
    "maxpool2x2",
    "cross_entropy",
    "mean",
    "sum",
    "Module",
    "Linear",
    "Sequential",
    "ReLU",
    "MaxPool2x2",
    "Flatten",
    "SGD",
    "Adam",
    "default_rng",
    "SETTINGS",
    "settings",
]

# chapter 8's budgets per run mode (NNBOOK_MODE), one table read by its notebook and tools/full_runs.py:
# training steps of the CNN, batch, MNIST images used (None: all), batch of the speed measurement
SETTINGS = {
    "test": dict(steps=15, batch=64, limit_train=2000, limit_test=500, time_batch=4),
    "quick": dict(steps=1000, batch=64, limit_train=None, limit_test=None, time_batch=64),
    "full": dict(steps=5000, batch=64, limit_train=None, limit_test=None, time_batch=64),
}


def settings(mode: str | None = None) -> dict:
    """Chapter 8's budgets for `mode` (default: the current run mode)."""
    from ..runtime import mode as current

    return dict(SETTINGS[mode or current()])
