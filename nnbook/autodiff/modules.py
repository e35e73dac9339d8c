"""The layers of nnbook.autodiff: `Module` (a container of parameters) and the layers built on it."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .engine import Parameter, add, flatten, matmul, maxpool2x2, relu


class Module:
    """A container of parameters: every `Parameter` and every `Module` stored as an attribute (also
    inside lists, tuples and dicts) is found by `parameters()`. Subclasses define `forward`."""

    def forward(self, *args):
        raise NotImplementedError(f"{type(self).__name__} has no forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        seen: set[int] = set()
        for name, p in _walk(self, prefix):
            if id(p) not in seen:
                seen.add(id(p))
                yield name, p

    def parameters(self) -> list[Parameter]:
        return [p for _, p in self.named_parameters()]

    def modules(self) -> Iterator[Module]:
        """This module and every module inside it."""
        yield self
        for value in vars(self).values():
            for item in _items(value):
                if isinstance(item, Module):
                    yield from item.modules()

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None


def _items(value):
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, dict):
        return list(value.values())
    return [value]


def _walk(module: Module, prefix: str):
    for name, value in vars(module).items():
        if isinstance(value, dict):
            values = value.items()
        elif isinstance(value, (list, tuple)):
            values = enumerate(value)
        else:
            values = [(None, value)]
        for key, item in values:
            full = f"{prefix}{name}" + (f".{key}" if key is not None else "")
            if isinstance(item, Parameter):
                yield full, item
            elif isinstance(item, Module):
                yield from _walk(item, full + ".")


def default_rng(rng=None) -> np.random.Generator:
    """`rng` if given, else a generator seeded from NumPy's global state (so np.random.seed and
    nnbook.seed_everything make layer initialisation reproducible)."""
    return rng if rng is not None else np.random.default_rng(np.random.randint(2**31))


class Linear(Module):
    """y = x @ weight + bias, weight (in_features, out_features); PyTorch's initialisation:
    uniform in +-1/sqrt(in_features) for weight and bias."""

    def __init__(self, in_features: int, out_features: int, rng=None, dtype=np.float32):
        rng = default_rng(rng)
        bound = 1 / np.sqrt(in_features)
        self.weight = Parameter(rng.uniform(-bound, bound, (in_features, out_features)).astype(dtype))
        self.bias = Parameter(rng.uniform(-bound, bound, out_features).astype(dtype))

    def forward(self, x):
        return add(matmul(x, self.weight), self.bias)


class Sequential(Module):
    """Applies its modules (or plain functions of one tensor) in order."""

    def __init__(self, *layers):
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


class ReLU(Module):
    def forward(self, x):
        return relu(x)


class MaxPool2x2(Module):
    def forward(self, x):
        return maxpool2x2(x)


class Flatten(Module):
    def forward(self, x):
        return flatten(x)
