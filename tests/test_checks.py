import numpy as np
import pytest
import sympy as sp

from nnbook.checks import (GradingError, check_close, check_gradient, check_shape, check_sympy_equal,
                           check_true, numeric_gradient, relative_error)


def test_check_close_passes_and_reports_worst_entry():
    check_close([1.0, 2.0], np.array([1.0, 2.0 + 1e-12]))
    with pytest.raises(GradingError, match=r"1 of 3 entries differ.*index \(2,\): expected 3, found 4"):
        check_close([1, 2, 4], [1, 2, 3], "v")


def test_check_close_shapes_none_nan_and_tensors():
    import torch

    with pytest.raises(GradingError, match="expected shape"):
        check_close(np.zeros(3), np.zeros((3, 1)))
    with pytest.raises(GradingError, match="forget to `return`"):
        check_close(None, 1.0)
    with pytest.raises(GradingError, match="non-finite"):
        check_close([np.nan], [1.0])
    check_close(torch.ones(2, requires_grad=True) * 2, [2.0, 2.0])


def test_check_shape_and_true():
    check_shape(np.zeros((2, 3)), (2, 3))
    with pytest.raises(GradingError, match=r"expected shape \(3, 2\), found shape \(2, 3\)"):
        check_shape(np.zeros((2, 3)), (3, 2), "x")
    with pytest.raises(GradingError, match="custom"):
        check_true(False, "custom")


def test_sympy_equal_symbolic_and_numeric():
    x, y = sp.symbols("x y", positive=True)
    check_sympy_equal(sp.sin(x) ** 2 + sp.cos(x) ** 2, 1)
    check_sympy_equal(x * (1 + y), x + x * y)
    check_sympy_equal(sp.Matrix([x, 2 * x]), sp.Matrix([x, x + x]))


def test_sympy_equal_names_the_difference():
    x, y, z = sp.symbols("x y z")
    with pytest.raises(GradingError, match=r"found - expected = x") as err:
        check_sympy_equal(x + y + x, x + y, "e")
    with pytest.raises(GradingError, match="symbols only in your answer: \\['z'\\]"):
        check_sympy_equal(x + z, x + y)
    with pytest.raises(GradingError, match="missing from your answer"):
        check_sympy_equal(x, x + y)
    with pytest.raises(GradingError, match="found None"):
        check_sympy_equal(None, x)
    assert "expected: x + y" in str(err.value)


def test_gradient_check_accepts_right_and_rejects_wrong():
    f = lambda v: float(np.sum(v ** 3))
    x = np.array([[0.5, -1.0], [2.0, 0.1]])
    assert check_gradient(f, x, 3 * x ** 2) < 1e-6
    with pytest.raises(GradingError, match="relative error"):
        check_gradient(f, x, 2 * x)
    with pytest.raises(GradingError, match="shape"):
        check_gradient(f, x, np.zeros(4))


def test_numeric_gradient_and_relative_error():
    g = numeric_gradient(lambda v: float(v @ v), np.array([1.0, -2.0]))
    assert np.allclose(g, [2.0, -4.0], atol=1e-6)
    assert relative_error([0.0, 1.0], [0.0, 1.0]) == 0.0
    assert relative_error([1.0], [3.0]) == pytest.approx(2 / 3)


def test_call_answer_turns_stubs_and_crashes_into_grading_errors():
    from nnbook.checks import call_answer

    def stub():
        raise NotImplementedError

    with pytest.raises(GradingError, match="f is not implemented yet"):
        call_answer(stub, name="f")
    with pytest.raises(GradingError, match="found None"):
        call_answer(None, name="f")
    with pytest.raises(GradingError, match="ZeroDivisionError"):
        call_answer(lambda: 1 / 0, name="g")
    assert call_answer(lambda a, b=1: a + b, 2, b=3) == 5
