"""Checks for test cells: each raises `GradingError` (an AssertionError) with a message that says
what was expected, what was found and where they differ, so that a student knows what to fix.

Prefer oracles over stored numbers: compare against sympy, finite differences or a framework layer
with copied weights, so that every correct answer passes.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from typing import NoReturn

import numpy as np

from .tensors import to_numpy

# the section of the chapter that teaches what the running test cell checks (set by `read_up`)
_SECTION: str | None = None


def read_up(section: str) -> None:
    """Declare, as the first line of a test cell, the heading of this chapter's section that teaches what
    the cell checks: every failure of the cell then ends with where to read up, and in a notebook a link
    to that heading follows the traceback."""
    global _SECTION
    _SECTION = section
    _link_failures_to_sections()


def heading_id(section: str) -> str:
    """The id JupyterLab and nbconvert give the heading `section` (its text, spaces as hyphens): the
    anchor of the read-up link; the website's staged chapters carry the same id (tools/stage_book.py)."""
    # Markdown emphasis and code marks leave no text behind; math ($...$) stays as written
    parts = re.split(r"(\$[^$]*\$)", section.strip())
    text = "".join(p if p.startswith("$") else re.sub(r"[*`]|(?<!\w)_|_(?!\w)", "", p) for p in parts)
    return re.sub(r"\s+", "-", text)


class GradingError(AssertionError):
    """A test-cell failure: the answer is wrong (as opposed to a crash in the student's code)."""

    def __init__(self, message: str = "", *args):
        self.section = _SECTION
        if _SECTION and message:
            message = f"{message}\n  read up: {_SECTION}"
        super().__init__(message, *args)


def _read_up_link(section: str) -> dict:
    """The read-up link as a display bundle: HTML (JupyterLab, nbconvert's feedback, the website) and text."""
    from html import escape

    href = escape("#" + heading_id(section), quote=True)
    html = f'<p class="nnbook-read-up">Read up: <a href="{href}" target="_self">{escape(section)}</a></p>'
    return {"text/html": html, "text/plain": f"read up: {section}"}


def _show_with_link(shell, etype, value, tb, tb_offset=None):
    """IPython's handler of a GradingError: the usual traceback, then a link to the section to read up
    (a traceback's text is not clickable)."""
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    if getattr(value, "section", None):
        from IPython.display import display

        display(_read_up_link(value.section), raw=True)


def _forget_section(*_):
    global _SECTION
    _SECTION = None


def _link_failures_to_sections() -> None:
    """In IPython (a notebook kernel), show a GradingError with its link, and start every cell with no
    section (a test cell declares its own); elsewhere, nothing: the message still ends with the section."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or getattr(shell, "_nnbook_read_up", False):
        return
    shell.set_custom_exc((GradingError,), _show_with_link)
    shell.events.register("pre_run_cell", _forget_section)
    shell._nnbook_read_up = True


def fail(message: str, cause: BaseException | None = None) -> NoReturn:
    """Raise the `GradingError` with `message` (chained to `cause`): the one way nnbook reports a
    wrong answer, so that every failure reads the same and is scored the same."""
    raise GradingError(message) from cause


# what a class must not redefine for its objects to be taken as answers: comparisons and the conversions
# NumPy, PyTorch and sympy call (an object that "equals everything" disarms a test that compares it)
_IMPOSTOR_HOOKS = (
    "__eq__",
    "__ne__",
    "__bool__",
    "__lt__",
    "__le__",
    "__gt__",
    "__ge__",
    "__float__",
    "__index__",
    "__array__",
    "__array_ufunc__",
    "__array_function__",
    "__torch_function__",
    "_sympy_",
)


def _notebook_class(value) -> str | None:
    """The name of the class of `value` that the notebook defined (module ``__main__``) and that redefines
    a comparison or a conversion, or None for the types of Python and the libraries."""
    for klass in type(value).__mro__:
        if getattr(klass, "__module__", "") == "__main__" and any(h in vars(klass) for h in _IMPOSTOR_HOOKS):
            return klass.__name__
    return None


def refuse_impostor(value, name: str = "value", depth: int = 2) -> None:
    """A `GradingError` when `value` (or an item of a tuple, list or dict it returns) is an object of a
    class defined in the notebook that redefines comparisons or conversions: answers are numbers,
    arrays, tensors, sympy expressions or plain containers of them, and the tests compare those."""
    klass = _notebook_class(value)
    if klass is not None:
        fail(
            f"{name}: found an object of the class {klass!r} defined in the notebook, which redefines how it "
            "compares or converts; return a number, an array, a tensor or a sympy expression"
        )
    if depth and isinstance(value, (tuple, list)):
        for item in value[:1000]:
            refuse_impostor(item, name, depth - 1)
    elif depth and isinstance(value, dict):
        for item in list(value.values())[:1000]:
            refuse_impostor(item, name, depth - 1)


def as_array(value, name: str = "value") -> np.ndarray:
    """An answer as a float64 NumPy array (tensors, arrays, lists, numbers); a `GradingError` that says
    what was found for None or anything that is not numbers (or an object that only claims to be)."""
    if value is None:
        fail(f"{name}: found None; did the function forget to `return` its result?")
    refuse_impostor(value, name)
    try:
        return to_numpy(value)
    except (TypeError, ValueError) as err:
        fail(f"{name}: expected numbers, found {type(value).__name__}: {value!r:.200}", err)


def call_answer(fn, *args, name: str | None = None, **kwargs):
    """Call a student's function or class: the one guarded call of student code. A stub
    (NotImplementedError), a missing definition or a crash becomes a `GradingError` that names the
    call, so that a test cell reports a lost point instead of crashing."""
    name = name or getattr(fn, "__name__", "your answer")
    if fn is None:
        fail(f"{name}: found None; define it in the answer cell above")
    if not callable(fn):
        fail(f"{name}: expected a function or class, found {type(fn).__name__}")
    try:
        result = fn(*args, **kwargs)
    except NotImplementedError:
        fail(f"{name} is not implemented yet (it raises NotImplementedError)")
    except GradingError:
        raise
    except Exception as err:  # any crash inside the answer is a wrong answer, reported as such
        fail(f"{name} failed with {type(err).__name__}: {str(err)[:600]}{framework_hint(err)}", err)
    refuse_impostor(result, f"the result of {name}")
    return result


def attempt(fn: Callable[[], object], what: str):
    """``fn()`` guarded like `call_answer`, for a step that is more than one call of the student's code
    (`what` says what was being done: "calling the model")."""
    return call_answer(fn, name=what)


_SHAPE_ERRORS = (
    "size mismatch",
    "shapes cannot be multiplied",
    "negative dimension",
    "incompatible with the layer",
    "expected input",
    "must match the size",
    "dimensions must be equal",
    "shape mismatch",
    "calculated padded input size",
    "kernel size can't be greater",
    "output size is too small",
    "cannot reshape",
    "is incompatible with",
    "matrix size-incompatible",
    "shapes (",
    "mismatch in its core dimension",
)


def framework_hint(err: BaseException) -> str:
    """A hint for the common framework errors a wrong answer causes (shape mismatches), to append to
    a message; '' for other errors."""
    text = str(err).lower()
    if any(pattern in text for pattern in _SHAPE_ERRORS):
        return (
            "\n  hint: a shape mismatch inside the model or function: check the sizes each layer expects, and "
            "the padding, strides and pooling for this input size (the test uses other sizes than the example)"
        )
    return ""


def check_true(condition: bool, message: str) -> None:
    """Fail with `message` unless `condition` holds (the test-cell replacement for a bare assert)."""
    refuse_impostor(condition, "the condition", depth=0)
    if not condition:
        raise GradingError(message)


def check_shape(found, expected_shape: Iterable[int], name: str = "value") -> None:
    shape = tuple(np.shape(found.detach() if hasattr(found, "detach") else found))
    expected_shape = tuple(expected_shape)
    if shape != expected_shape:
        raise GradingError(f"{name}: expected shape {expected_shape}, found shape {shape}")


def check_close(
    found, expected, name: str = "value", rtol: float = 1e-6, atol: float = 1e-8, reveal: bool = True
) -> None:
    """Numeric closeness, elementwise ``|found - expected| <= atol + rtol * |expected|``.

    The message gives the shapes, how many entries differ, and the worst entry with its index. With
    ``reveal=False`` (a visible test whose expected value is the answer itself, e.g. a count) it
    gives only what was found.
    """
    f = as_array(found, name)
    e = as_array(expected, name)
    if f.shape != e.shape:
        raise GradingError(f"{name}: expected shape {e.shape}, found shape {f.shape}")
    if not np.all(np.isfinite(f)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(f))[0])
        raise GradingError(f"{name}: found a non-finite value {f[bad] if bad else f} at index {bad}")
    err = np.abs(f - e)
    bad = err > atol + rtol * np.abs(e)
    if np.any(bad) and not reveal:
        raise GradingError(
            f"{name}: {int(bad.sum())} of {bad.size} entries are not the expected value; "
            f"found {np.array2string(f, precision=6, threshold=12)}"
        )
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
    refuse_impostor(value, name)
    try:
        expr = sp.sympify(value)
    except (sp.SympifyError, TypeError) as err:
        raise GradingError(f"{name}: expected a sympy expression, found {type(value).__name__}") from err
    foreign = next(
        (type(n).__name__ for n in sp.preorder_traversal(expr) if not type(n).__module__.startswith("sympy")), None
    )
    if foreign is not None:
        raise GradingError(f"{name}: the expression contains an object of the class {foreign!r}, which is not sympy's")
    return expr


def evaluate_sympy(expr, values: dict, name: str = "expression") -> float:
    """Substitute numbers into a student's sympy expression; a `GradingError` if that leaves symbols.

    Lets a test compare a formula with an oracle's number at several points, with a clear message
    when the formula is missing or uses symbols other than the ones the task defines.
    """
    value = as_sympy(value=expr, name=name).subs(values)
    if getattr(value, "free_symbols", None):
        fail(
            f"{name}: uses symbols {sorted(map(str, value.free_symbols))} that are not among "
            f"{sorted(map(str, values))}; use the symbols defined in the notebook"
        )
    try:
        return float(value)
    except TypeError as err:
        fail(f"{name}: does not evaluate to a number at {values}: {value}", err)


def _unify_symbols(found, expected):
    """Replace the symbols of `found` by the symbols of `expected` that have the same name (a symbol
    built with other assumptions, e.g. ``Symbol('x')`` for ``Symbol('x', real=True)``, is the same
    variable to a reader). Returns the new `found` and the names whose assumptions differ."""
    by_name = {str(s): s for s in expected.free_symbols}
    swap = {s: by_name[str(s)] for s in found.free_symbols if str(s) in by_name and by_name[str(s)] != s}
    return (found.xreplace(swap) if swap else found), sorted(map(str, swap))


def _sample_point(symbols, rng: random.Random, positive: bool) -> dict:
    """A random point with irrational-looking coordinates (no grid on which a wrong term can vanish)."""
    import sympy as sp

    return {s: sp.Float(rng.uniform(0.35, 2.65) * (1 if positive or rng.random() < 0.5 else -1), 30) for s in symbols}


def _agree_numerically(found, expected, points: int, seed: int, positive: bool) -> bool:

    rng = random.Random(seed)
    symbols = sorted(found.free_symbols | expected.free_symbols, key=str)
    for _ in range(points):
        subs = _sample_point(symbols, rng, positive)
        try:
            a, b = complex(found.evalf(30, subs=subs)), complex(expected.evalf(30, subs=subs))
        except (TypeError, ValueError):
            return False
        if not (np.isfinite(a) and np.isfinite(b)) or abs(a - b) > 1e-12 * max(1.0, abs(b)):
            return False
    return True


def check_sympy_equal(
    found,
    expected,
    name: str = "expression",
    points: int = 12,
    seed: int = 0,
    positive: bool = True,
    reveal: bool = False,
) -> None:
    """Symbolic equality: ``simplify(found - expected) == 0``, backed by evaluation at random points.

    Symbols are matched by name, so an answer built with other assumptions (``real=True`` or not)
    is compared as the same variable. On failure the message names what differs (symbols that occur
    in only one of the two, a constant factor, the value at a sample point) but does not print the
    expected expression unless `reveal` is set (a visible test must not hand out the answer).
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
                check_sympy_equal(found[i, j], expected[i, j], f"{name}[{i}, {j}]", points, seed, positive, reveal)
        return
    if not isinstance(found, sp.Expr):
        raise GradingError(f"{name}: expected one sympy expression, found {type(found).__name__}: {found!s:.120}")
    found, reassumed = _unify_symbols(found, expected)
    diff = found - expected
    if sp.simplify(diff) == 0:
        return
    # simplify can miss identities: agreement at many random points counts as equal
    if _agree_numerically(found, expected, points, seed, positive):
        return
    only_found = sorted(map(str, found.free_symbols - expected.free_symbols))
    only_expected = sorted(map(str, expected.free_symbols - found.free_symbols))
    msg = f"{name}: not equal to the expected expression.\n  found:    {found}"
    if reveal:
        msg += f"\n  expected: {expected}"
    if only_found:
        msg += f"\n  symbols in your answer that the expected expression does not use: {only_found}"
    if only_expected:
        msg += f"\n  symbols the expected expression uses that your answer lacks: {only_expected}"
    if reassumed:
        msg += (
            f"\n  (your symbols {reassumed} were built with other assumptions than the notebook's; they "
            "are compared as the same variables, so that is not the problem)"
        )
    if not only_found and not only_expected:
        ratio = sp.simplify(found / expected) if expected != 0 else None
        if ratio is not None and ratio != 0 and not ratio.free_symbols:
            msg += "\n  your answer is a constant multiple of the expected one: check the constant factors"
        else:
            point = _sample_point(sorted(expected.free_symbols, key=str), random.Random(seed + 1), positive)
            try:
                a, b = complex(found.evalf(8, subs=point)), complex(expected.evalf(8, subs=point))
                shown = ", ".join(f"{k}={float(v):.3g}" for k, v in point.items())
                fmt = lambda z: f"{z.real:.6g}" if abs(z.imag) < 1e-12 else f"{z:.6g}"
                msg += f"\n  at {shown or 'any point'}: expected value {fmt(b)}, found {fmt(a)}"
            except (TypeError, ValueError):
                pass
    raise GradingError(msg)


# --------------------------------------------------------------------------- accepting allowed types
def as_number(value, name: str = "value") -> float:
    """A scalar answer as a float: accepts int, float, NumPy scalars, one-element arrays, tensors and
    sympy numbers (``sp.oo`` becomes ``inf``). A `GradingError` for anything else."""
    if value is None:
        raise GradingError(f"{name}: found None; did the function forget to `return` its result?")
    refuse_impostor(value, name)
    if hasattr(value, "is_number") and getattr(value, "is_number", False):  # sympy
        try:
            return float(value)
        except (TypeError, ValueError) as err:
            raise GradingError(f"{name}: expected a real number, found {value}") from err
    arr = as_array(value, name)
    if arr.size != 1:
        raise GradingError(f"{name}: expected one number, found {arr.size} (shape {arr.shape})")
    return float(arr.reshape(()))


def as_count(value, name: str = "count") -> int:
    """A count as an int: accepts int, NumPy integers, integral floats (``3.0``), sympy integers and
    one-element arrays. A `GradingError` for fractions, symbols or anything else."""
    try:
        number = as_number(value, name)
    except GradingError as err:
        raise GradingError(f"{name}: expected a whole number; {err}") from None
    if not np.isfinite(number) or number != round(number):
        raise GradingError(f"{name}: expected a whole number, found {value!r:.80}")
    return int(round(number))


def as_list(value, name: str = "value", length: int | None = None) -> list:
    """A sequence answer (tuple, list, NumPy array, tensor) as a list, optionally of a given length."""
    if value is None:
        raise GradingError(f"{name}: found None; did the function forget to `return` its result?")
    refuse_impostor(value, name)
    if hasattr(value, "detach") or (hasattr(value, "numpy") and not isinstance(value, np.ndarray)):
        value = to_numpy(value, dtype=None)
    if isinstance(value, np.ndarray):
        value = list(value.reshape(-1)) if value.ndim <= 1 else list(value)
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
        raise GradingError(f"{name}: expected a sequence (tuple, list or array), found {type(value).__name__}")
    value = list(value)
    if length is not None and len(value) != length:
        raise GradingError(f"{name}: expected {length} entries, found {len(value)}")
    return value


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


def check_gradient(
    f: Callable[[np.ndarray], float], x, analytic, name: str = "gradient", eps: float = 1e-6, tol: float = 1e-6
) -> float:
    """Compare an analytic gradient with central differences; returns the relative error."""
    analytic = as_array(analytic, name)
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
