"""The engine of nnbook.autodiff: `Tensor` (an array that remembers how it was computed), the backward
pass over the graph, `no_grad`, and the differentiable operations (a forward on arrays plus a gradient
rule each)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence

import numpy as np

_GRAD_ENABLED = True


def _array(data) -> np.ndarray:
    """Floating arrays keep their dtype (float32 trains faster); everything else becomes float64."""
    arr = np.asarray(data)
    return arr if np.issubdtype(arr.dtype, np.floating) else arr.astype(np.float64)


class Tensor:
    """An array that remembers how it was computed.

    `parents` are the input tensors of the operation that made it, and `backward(grad)` returns one
    gradient (an array of the parent's shape, or None) per parent, given the gradient `grad` of the
    loss with respect to this tensor. A tensor requires a gradient when it is a leaf created with
    ``requires_grad=True`` or when one of its parents requires one.
    """

    def __init__(
        self,
        data,
        requires_grad: bool = False,
        parents: Sequence[Tensor] = (),
        backward: Callable[[np.ndarray], Sequence[np.ndarray | None]] | None = None,
        op: str = "",
    ):
        self.data = _array(data)
        track = _GRAD_ENABLED and any(p.requires_grad for p in parents)
        self.parents = tuple(parents) if track else ()
        self._backward = backward if track else None
        self.requires_grad = bool(requires_grad) or track
        self.op = op
        self.grad: np.ndarray | None = None

    # --- what it looks like -------------------------------------------------------------------
    shape = property(lambda self: self.data.shape)
    ndim = property(lambda self: self.data.ndim)
    dtype = property(lambda self: self.data.dtype)

    def __repr__(self) -> str:
        made = f", op={self.op!r}" if self.op else ""
        return f"Tensor(shape={self.shape}, dtype={self.dtype}, requires_grad={self.requires_grad}{made})"

    def numpy(self) -> np.ndarray:
        return self.data

    def item(self) -> float:
        return float(self.data)

    # --- operators, so that formulas read like NumPy ------------------------------------------
    def __add__(self, other):
        return add(self, other)

    __radd__ = __add__

    def __mul__(self, other):
        return mul(self, other)

    __rmul__ = __mul__

    def __neg__(self):
        return mul(self, -1.0)

    def __sub__(self, other):
        return add(self, mul(other, -1.0) if isinstance(other, Tensor) else -np.asarray(other))

    def __rsub__(self, other):
        return add(other, mul(self, -1.0))

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

    def reshape(self, *shape):
        return reshape(self, shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape)

    def relu(self):
        return relu(self)

    def mean(self):
        return mean(self)

    def sum(self):
        return sum(self)

    # --- reverse mode ---------------------------------------------------------------------------
    def backward(self, grad=None) -> None:
        """Add d(self)/d(leaf) to the `.grad` of every leaf that requires a gradient.

        Without `grad`, self must be a scalar (a loss) and the seed gradient is 1.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require a gradient: no parameter "
                "(or tensor with requires_grad=True) was used to compute it"
            )
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(f"backward() without a gradient needs a scalar, this tensor has shape {self.shape}")
            grad = np.ones_like(self.data)
        grads = {id(self): np.asarray(grad, dtype=self.dtype).reshape(self.shape)}
        for node in reversed(_topological_order(self)):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if not node.parents:  # a leaf: keep (accumulate) its gradient
                node.grad = g.copy() if node.grad is None else node.grad + g
                continue
            parent_grads = node._backward(g)
            if len(parent_grads) != len(node.parents):
                raise RuntimeError(
                    f"the backward of {node.op or 'an operation'} returned {len(parent_grads)} "
                    f"gradients for {len(node.parents)} inputs"
                )
            for parent, pg in zip(node.parents, parent_grads, strict=True):
                if pg is None or not parent.requires_grad:
                    continue
                pg = np.asarray(pg, dtype=parent.dtype)
                if pg.shape != parent.shape:
                    raise RuntimeError(
                        f"the backward of {node.op or 'an operation'} returned a gradient of shape "
                        f"{pg.shape} for an input of shape {parent.shape}"
                    )
                grads[id(parent)] = grads[id(parent)] + pg if id(parent) in grads else pg


def _topological_order(root: Tensor) -> list[Tensor]:
    """Every tensor that `root` depends on and that requires a gradient, parents before children
    (an iterative depth-first search, so that deep graphs do not hit Python's recursion limit)."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, finished = stack.pop()
        if finished:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((p, False) for p in node.parents if p.requires_grad and id(p) not in seen)
    return order


class Parameter(Tensor):
    """A leaf tensor that a `Module` owns and an optimiser updates."""

    def __init__(self, data):
        super().__init__(data, requires_grad=True)


def tensor(value, requires_grad: bool = False) -> Tensor:
    """`value` itself if it is a Tensor, else a new (constant, unless requires_grad) Tensor."""
    return value if isinstance(value, Tensor) else Tensor(value, requires_grad=requires_grad)


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block no graph is recorded (for evaluation: faster, less memory)."""
    global _GRAD_ENABLED
    before, _GRAD_ENABLED = _GRAD_ENABLED, False
    try:
        yield
    finally:
        _GRAD_ENABLED = before


# --- operations: a forward on arrays plus a gradient rule ------------------------------------------
def _unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum `grad` over the axes that broadcasting added or stretched, back to `shape`."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def _pair(a, b) -> tuple[Tensor, Tensor]:
    """Two tensors; a plain number takes the other operand's dtype (float32 stays float32)."""
    if isinstance(a, Tensor) and not isinstance(b, Tensor) and np.ndim(b) == 0:
        b = np.asarray(b, dtype=a.dtype)
    if isinstance(b, Tensor) and not isinstance(a, Tensor) and np.ndim(a) == 0:
        a = np.asarray(a, dtype=b.dtype)
    return tensor(a), tensor(b)


def add(a, b) -> Tensor:
    """a + b with NumPy broadcasting (e.g. a bias of shape (O, 1, 1) added to (B, O, H, W))."""
    a, b = _pair(a, b)
    return Tensor(
        a.data + b.data,
        parents=(a, b),
        op="add",
        backward=lambda g: (_unbroadcast(g, a.shape), _unbroadcast(g, b.shape)),
    )


def mul(a, b) -> Tensor:
    """Elementwise a * b with broadcasting."""
    a, b = _pair(a, b)
    return Tensor(
        a.data * b.data,
        parents=(a, b),
        op="mul",
        backward=lambda g: (_unbroadcast(g * b.data, a.shape), _unbroadcast(g * a.data, b.shape)),
    )


def matmul(a, b) -> Tensor:
    """Matrix product of two 2-D tensors: (n, k) @ (k, m) -> (n, m)."""
    a, b = tensor(a), tensor(b)
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"matmul takes two matrices, found shapes {a.shape} and {b.shape}")
    return Tensor(a.data @ b.data, parents=(a, b), op="matmul", backward=lambda g: (g @ b.data.T, a.data.T @ g))


def reshape(x, shape) -> Tensor:
    x = tensor(x)
    return Tensor(x.data.reshape(shape), parents=(x,), op="reshape", backward=lambda g: (g.reshape(x.shape),))


def flatten(x) -> Tensor:
    """(B, ...) -> (B, everything else), in C order like torch.flatten(x, 1)."""
    x = tensor(x)
    return reshape(x, (x.shape[0], -1))


def relu(x) -> Tensor:
    x = tensor(x)
    mask = x.data > 0
    return Tensor(x.data * mask, parents=(x,), backward=lambda g: (g * mask,), op="relu")


def maxpool2x2(x) -> Tensor:
    """2 x 2 max-pooling with stride 2 over the last two axes of (B, C, H, W); an odd last row or
    column is dropped (as in PyTorch). The gradient goes to the first maximum of each window."""
    x = tensor(x)
    B, C, H, W = x.shape
    h, w = H // 2, W // 2
    windows = (
        x.data[:, :, : 2 * h, : 2 * w].reshape(B, C, h, 2, w, 2).transpose(0, 1, 2, 4, 3, 5).reshape(B, C, h, w, 4)
    )
    winner = windows.argmax(axis=-1)
    out = np.take_along_axis(windows, winner[..., None], axis=-1)[..., 0]

    def backward(g):
        grad_windows = np.zeros(windows.shape, dtype=g.dtype)
        np.put_along_axis(grad_windows, winner[..., None], g[..., None], axis=-1)
        grad = np.zeros(x.shape, dtype=g.dtype)
        grad_windows = grad_windows.reshape(B, C, h, w, 2, 2).transpose(0, 1, 2, 4, 3, 5)
        grad[:, :, : 2 * h, : 2 * w] = grad_windows.reshape(B, C, 2 * h, 2 * w)
        return (grad,)

    return Tensor(out, parents=(x,), backward=backward, op="maxpool2x2")


def cross_entropy(logits, labels) -> Tensor:
    """Mean over the batch of -log softmax(logits)[label]: logits (B, K), integer labels (B,).
    The log-softmax is computed stably, as z - max(z) - log(sum(exp(z - max(z))))."""
    logits = tensor(logits)
    labels = np.asarray(labels.data if isinstance(labels, Tensor) else labels).astype(np.int64).reshape(-1)
    if logits.ndim != 2 or len(labels) != logits.shape[0]:
        raise ValueError(f"cross_entropy needs logits (B, K) and labels (B,), found {logits.shape} and {labels.shape}")
    shifted = logits.data - logits.data.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(labels))
    loss = -log_p[rows, labels].mean()

    def backward(g):
        grad = np.exp(log_p)  # softmax: d loss / d logits = (p - onehot) / B
        grad[rows, labels] -= 1
        return (grad * (g / len(labels)),)

    return Tensor(loss, parents=(logits,), backward=backward, op="cross_entropy")


def mean(x) -> Tensor:
    """The mean of all entries (a scalar)."""
    x = tensor(x)
    return Tensor(
        x.data.mean(), parents=(x,), op="mean", backward=lambda g: (np.full(x.shape, g / x.data.size, dtype=x.dtype),)
    )


def sum(x) -> Tensor:  # noqa: A001  (the framework's sum, as torch.sum)
    """The sum of all entries (a scalar)."""
    x = tensor(x)
    return Tensor(x.data.sum(), parents=(x,), op="sum", backward=lambda g: (np.full(x.shape, g, dtype=x.dtype),))
