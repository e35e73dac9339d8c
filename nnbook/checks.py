"""Checks for test cells: each raises `GradingError` (an AssertionError) with a message that says
what was expected, what was found and where they differ, so that a student knows what to fix.

Prefer oracles over stored numbers: compare against sympy, finite differences or a framework layer
with copied weights, so that every correct answer passes.
"""
from __future__ import annotations

import random
from typing import Callable, Iterable

import numpy as np


class GradingError(AssertionError):
    """A test-cell failure: the answer is wrong (as opposed to a crash in the student's code)."""


def _as_array(value, name: str) -> np.ndarray:
    if value is None:
        raise GradingError(f"{name}: found None; did the function forget to `return` its result?")
    if hasattr(value, "detach"):  # torch tensor
        value = value.detach().cpu().numpy()
    elif hasattr(value, "numpy") and not isinstance(value, np.ndarray):  # tf tensor / keras variable
        value = value.numpy()
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError) as err:
        raise GradingError(f"{name}: expected numbers, found {type(value).__name__}: {value!r:.200}") from err


def call_answer(fn, *args, name: str | None = None, **kwargs):
    """Call a student's function or class. A stub (NotImplementedError), a missing definition or a
    crash becomes a `GradingError`, so that a test cell reports a lost point instead of crashing."""
    name = name or getattr(fn, "__name__", "your answer")
    if fn is None:
        raise GradingError(f"{name}: found None; define it in the answer cell above")
    if not callable(fn):
        raise GradingError(f"{name}: expected a function or class, found {type(fn).__name__}")
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise GradingError(f"{name} is not implemented yet (it raises NotImplementedError)") from None
    except GradingError:
        raise
    except Exception as err:  # any crash inside the answer is a wrong answer, reported as such
        raise GradingError(f"{name} raised {type(err).__name__}: {err}") from err


def check_true(condition: bool, message: str) -> None:
    """Fail with `message` unless `condition` holds (the test-cell replacement for a bare assert)."""
    if not condition:
        raise GradingError(message)


def check_shape(found, expected_shape: Iterable[int], name: str = "value") -> None:
    shape = tuple(np.shape(found.detach() if hasattr(found, "detach") else found))
    expected_shape = tuple(expected_shape)
    if shape != expected_shape:
        raise GradingError(f"{name}: expected shape {expected_shape}, found shape {shape}")


def check_close(found, expected, name: str = "value", rtol: float = 1e-6, atol: float = 1e-8) -> None:
    """Numeric closeness, elementwise ``|found - expected| <= atol + rtol * |expected|``.

    The message gives the shapes, how many entries differ, and the worst entry with its index.
    """
    f = _as_array(found, name)
    e = _as_array(expected, name)
    if f.shape != e.shape:
        raise GradingError(f"{name}: expected shape {e.shape}, found shape {f.shape}")
    if not np.all(np.isfinite(f)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(f))[0])
        raise GradingError(f"{name}: found a non-finite value {f[bad] if bad else f} at index {bad}")
    err = np.abs(f - e)
    bad = err > atol + rtol * np.abs(e)
    if np.any(bad):
        worst = np.unravel_index(np.argmax(np.where(bad, err, -1)), e.shape) if e.ndim else ()
        where = f" at index {tuple(int(i) for i in worst)}" if e.ndim else ""
        msg = (
            f"{name}: {int(bad.sum())} of {bad.size} entries differ (rtol={rtol}, atol={atol}); "
            f"worst{where}: expected {float(e[worst]):.8g}, found {float(f[worst]):.8g}"
        )
        if e.size <= 12:
            msg += f"\n  expected: {np.array2string(e, precision=6)}\n  found:    {np.array2string(f, precision=6)}"
        raise GradingError(msg)


def as_sympy(value, name: str = "expression"):
    """A student's answer as a sympy object, or a `GradingError` that says what was found instead."""
    import sympy as sp

    if value is None:
        raise GradingError(f"{name}: found None; did you assign the expression?")
    try:
        return sp.sympify(value)
    except (sp.SympifyError, TypeError) as err:
        raise GradingError(f"{name}: expected a sympy expression, found {type(value).__name__}") from err


def check_sympy_equal(found, expected, name: str = "expression", points: int = 8, seed: int = 0,
                      positive: bool = True) -> None:
    """Symbolic equality: ``simplify(found - expected) == 0``, backed by evaluation at random points.

    On failure the message shows both expressions and the terms of their difference. Symbols that
    occur in only one of them are named, since a misspelt symbol is the most common slip.
    """
    import sympy as sp

    found = as_sympy(found, name)
    expected = sp.sympify(expected)
    if isinstance(found, sp.MatrixBase) or isinstance(expected, sp.MatrixBase):
        found, expected = sp.Matrix(found), sp.Matrix(expected)
        if found.shape != expected.shape:
            raise GradingError(f"{name}: expected a {expected.shape} matrix, found {found.shape}")
        for i in range(found.rows):
            for j in range(found.cols):
                check_sympy_equal(found[i, j], expected[i, j], f"{name}[{i}, {j}]", points, seed, positive)
        return
    only_found = found.free_symbols - expected.free_symbols
    only_expected = expected.free_symbols - found.free_symbols
    diff = found - expected
    if sp.simplify(diff) == 0:
        return
    # simplify can miss identities; agree at random points before calling it different
    rng = random.Random(seed)
    symbols = sorted(found.free_symbols | expected.free_symbols, key=str)
    agree = 0
    for _ in range(points):
        subs = {s: sp.Rational(rng.randint(11, 29), 10) * (1 if positive or rng.random() < .5 else -1)
                for s in symbols}
        a, b = complex(found.evalf(subs=subs)), complex(expected.evalf(subs=subs))
        agree += abs(a - b) <= 1e-9 * max(1.0, abs(b))
    if agree == points:
        return
    msg = f"{name}: not equal to the expected expression.\n  expected: {expected}\n  found:    {found}"
    terms = sp.Add.make_args(sp.expand(diff))
    if len(terms) <= 6:
        msg += f"\n  found - expected = {sp.expand(diff)}"
    if only_found:
        msg += f"\n  symbols only in your answer: {sorted(map(str, only_found))}"
    if only_expected:
        msg += f"\n  symbols missing from your answer: {sorted(map(str, only_expected))}"
    raise GradingError(msg)


def numeric_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences ``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)`` in float64, entry by entry."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = float(f(x))
        x[i] = old - eps
        minus = float(f(x))
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def relative_error(a, b) -> float:
    """The largest elementwise ``|a - b| / max(|a|, |b|)`` (CS231n), with 0/0 taken as 0."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = np.maximum(np.abs(a), np.abs(b))
    rel = np.divide(np.abs(a - b), scale, out=np.zeros_like(scale), where=scale > 1e-12)
    return float(rel.max()) if rel.size else 0.0


def check_gradient(f: Callable[[np.ndarray], float], x, analytic, name: str = "gradient",
                   eps: float = 1e-6, tol: float = 1e-6) -> float:
    """Compare an analytic gradient with central differences; returns the relative error."""
    analytic = _as_array(analytic, name)
    x = np.asarray(x, dtype=np.float64)
    if analytic.shape != x.shape:
        raise GradingError(f"{name}: the gradient must have the shape of its input {x.shape}, found {analytic.shape}")
    numeric = numeric_gradient(f, x, eps)
    err = relative_error(analytic, numeric)
    if err > tol:
        worst = np.unravel_index(np.argmax(np.abs(analytic - numeric)), x.shape)
        raise GradingError(
            f"{name}: relative error {err:.2e} against central differences exceeds {tol:.0e}; "
            f"worst at index {tuple(int(i) for i in worst)}: numeric {numeric[worst]:.6g}, yours {analytic[worst]:.6g}"
        )
    return err
