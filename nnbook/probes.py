"""Probing a model as a black box, for test cells that judge architectures (chapter 10).

Whatever framework a student used (a `torch.nn.Module` or a Keras model), these helpers

* call it and turn any crash into a `GradingError` that names the call (`predict`, with
  `nnbook.checks.attempt`, the one guarded call of student code);
* measure which outputs depend on which inputs by changing one input position (`dependence`):
  a causal model's earlier outputs must not move, a bidirectional one's must;
* list the parameters that feed one output of a PyTorch model (`parameters_feeding`): two decoders
  that share one encoder share exactly the encoder's parameters;
* trace a Keras model at one input shape and fail when a feature map on the way is empty
  (`check_feature_maps`): a decision made on shapes, the same on every machine, where running the
  model on an empty map gives whatever the CPU's kernels leave in memory;
* check that inference is repeatable (`check_repeatable`): dropout left on at inference is random;
* put other weights into a model for a while (`scrambled_weights`): a property that must hold for
  every weight (a sigmoid keeps outputs in [0, 1]) then shows even where the model's own random
  initialisation happens to hide a wrong last activation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np

from .checks import attempt, fail
from .tensors import count_parameters, is_torch
from .tensors import to_numpy as _to_numpy


def to_numpy(value):
    """A tensor (torch, TensorFlow, Keras) or a tuple/list of them as float64 NumPy array(s)."""
    if isinstance(value, (tuple, list)):
        return tuple(to_numpy(v) for v in value)
    return _to_numpy(value)


def predict(model, *inputs, what: str = "calling the model", method: str | None = None):
    """Run `model` on NumPy `inputs` in inference mode (torch: eval + no_grad; Keras: training=False).

    `method` names another method of a torch module to call instead of ``forward`` (e.g. ``encode``).

    Integer inputs go in as int64 (torch) / int32 (Keras), real ones as float32. Returns NumPy
    float64 output(s); a crash becomes a GradingError naming `what`."""

    def convert(x, torch_side):
        x = np.asarray(x)
        if np.issubdtype(x.dtype, np.integer):
            return x.astype(np.int64 if torch_side else np.int32)
        return x.astype(np.float32)

    if is_torch(model):
        import torch

        def run():
            was_training = model.training
            model.eval()
            try:
                with torch.no_grad():
                    fn = getattr(model, method) if method else model
                    return fn(*[torch.as_tensor(convert(x, True)) for x in inputs])
            finally:
                model.train(was_training)
    else:

        def run():
            args = [convert(x, False) for x in inputs]
            if method:
                return getattr(model, method)(*args)
            return model(args[0] if len(args) == 1 else args, training=False)

    return to_numpy(attempt(run, what))


def check_feature_maps(model, shape: tuple[int, ...], what: str = "the model") -> None:
    """Fail unless every intermediate tensor of `model` on float32 inputs of `shape` has a size.

    A Keras model is traced (not run) at that shape, so the verdict rests on the static shapes of its
    graph: TensorFlow's shape inference rejects a 3 x 3 'valid' convolution of a 2 x 2 map, and an
    empty map (a 0 in any dimension) is reported by name. A PyTorch model is run (PyTorch raises on
    such layers itself)."""
    if is_torch(model):
        predict(model, np.zeros(shape, np.float32), what=what)
        return
    import tensorflow as tf

    traced = tf.function(lambda x: model(x, training=False))
    graph = attempt(lambda: traced.get_concrete_function(tf.TensorSpec(shape, tf.float32)).graph, what)
    empty = [
        f"{op.type} {t.shape.as_list()}"
        for op in graph.get_operations()
        for t in op.outputs
        if t.dtype.is_floating and t.shape.rank and 0 in t.shape.as_list()
    ]
    if empty:
        fail(
            f"{what}: on inputs of shape {shape} a feature map on the way is empty ({empty[0]}): "
            "'valid' padding or pooling shrinks the image to nothing at this size"
        )


def check_repeatable(run: Callable[[np.ndarray], np.ndarray], x: np.ndarray, what: str) -> None:
    """A model in evaluation mode must give the same output for the same input twice (`run` calls it)."""
    first, second = run(x), run(x)
    if not np.allclose(first, second, rtol=1e-5, atol=1e-6):
        fail(
            f"{what}: two calls on the same input in evaluation mode give different outputs (they differ by up "
            f"to {np.abs(first - second).max():.3g}): is a random layer such as dropout active at inference?"
        )


@contextmanager
def scrambled_weights(model, seed: int = 0, scale: float = 6.0) -> Iterator:
    """Within the block, every trainable floating-point weight of `model` (torch or Keras) is multiplied
    by `scale` and by a random sign per entry (drawn with `seed`); afterwards the weights are put back.

    Large weights of both signs push every pre-activation far from 0, both ways, so the last
    activation shows its range: a sigmoid stays in [0, 1] and reaches both ends, a tanh goes
    negative, a ReLU above 1. Only trainable weights change (moving statistics of a batch
    normalisation stay valid), through the framework's own variables, so any model works."""
    rng = np.random.default_rng(seed)
    if is_torch(model):
        import torch

        params = [p for p in model.parameters() if p.requires_grad and p.is_floating_point()]
        saved = [p.detach().clone() for p in params]
        try:
            with torch.no_grad():
                for p in params:
                    p.mul_(torch.as_tensor(scale * rng.choice([-1.0, 1.0], size=tuple(p.shape)), dtype=p.dtype))
            yield model
        finally:
            with torch.no_grad():
                for p, value in zip(params, saved):
                    p.copy_(value)
        return
    variables = [v for v in model.trainable_weights if np.issubdtype(np.asarray(v.numpy()).dtype, np.floating)]
    saved = [np.array(v.numpy()) for v in variables]
    try:
        for v, value in zip(variables, saved):
            v.assign((value * scale * rng.choice([-1.0, 1.0], size=value.shape)).astype(value.dtype))
        yield model
    finally:
        for v, value in zip(variables, saved):
            v.assign(value)


def dependence(
    f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, position: int, vocab_size: int, seed: int = 0
) -> np.ndarray:
    """How much each time step of ``f(x)`` moves when the tokens at `position` change.

    `x` holds integer tokens of shape (batch, time, ...); every sequence gets a different token at
    `position` (drawn with `seed`). `f` maps such an array to outputs of shape (batch, time, ...).
    Returns, for every time step t, ``max |f(x')[:, t] - f(x)[:, t]|`` (shape (time,))."""
    x = np.array(x, copy=True)
    if vocab_size < 2:
        raise ValueError("dependence needs at least two tokens to swap between")
    rng = np.random.default_rng(seed)
    changed = x.copy()
    shift = rng.integers(1, vocab_size, size=changed[:, position].shape)
    changed[:, position] = (changed[:, position] + shift) % vocab_size
    before, after = np.asarray(f(x)), np.asarray(f(changed))
    if before.shape != after.shape or before.ndim < 2:
        fail(f"dependence: outputs of shape {before.shape} and {after.shape} have no (batch, time, ...) layout")
    diff = np.abs(after - before)
    return diff.reshape(diff.shape[0], diff.shape[1], -1).max(axis=(0, 2))


def parameters_feeding(model, inputs, pick: Callable, seed: int = 0) -> set[str]:
    """Names of the parameters of a torch `model` that the output ``pick(model(*inputs))`` depends on
    (non-zero gradient of a random projection of that output)."""
    import torch

    def run():
        model.zero_grad(set_to_none=True)
        was_training = model.training
        model.eval()
        try:
            out = pick(model(*[torch.as_tensor(np.asarray(x)) for x in inputs]))
            gen = torch.Generator().manual_seed(seed)
            weights = torch.randn(out.shape, generator=gen, dtype=out.dtype)
            (out * weights).sum().backward()
        finally:
            model.train(was_training)
        names = {name for name, p in model.named_parameters() if p.grad is not None and bool(torch.any(p.grad != 0))}
        model.zero_grad(set_to_none=True)
        return names

    return attempt(run, "back-propagating from one output of the model")


__all__ = [
    "attempt",
    "check_feature_maps",
    "check_repeatable",
    "count_parameters",
    "dependence",
    "is_torch",
    "parameters_feeding",
    "predict",
    "scrambled_weights",
    "to_numpy",
]
