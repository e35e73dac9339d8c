import re
import shutil

import numpy as np
import pytest
import sympy as sp
from test_lab import SHOTS, browser, dismiss_news, lab, local_only  # noqa: F401 (fixtures of the JupyterLab test)

from nnbook.checks import (
    GradingError,
    as_count,
    as_list,
    as_number,
    check_close,
    check_gradient,
    check_shape,
    check_sympy_equal,
    check_true,
    heading_id,
    numeric_gradient,
    relative_error,
)


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


def test_sympy_equal_names_the_difference_without_revealing_it():
    x, y, z = sp.symbols("x y z")
    with pytest.raises(GradingError, match=r"constant multiple") as err:
        check_sympy_equal(x + y + x + y, x + y, "e")
    assert "x + y" not in str(err.value).split("found:")[0] and "expected:" not in str(err.value)
    with pytest.raises(GradingError, match="expected expression does not use: \\['z'\\]"):
        check_sympy_equal(x + z, x + y)
    with pytest.raises(GradingError, match="lacks: \\['y'\\]"):
        check_sympy_equal(x, x + y)
    with pytest.raises(GradingError, match="found None"):
        check_sympy_equal(None, x)
    with pytest.raises(GradingError, match="expected value") as err:
        check_sympy_equal(x**2 + y, x + y, "e")
    assert "x**2 + y" in str(err.value) and "x + y" not in str(err.value)
    with pytest.raises(GradingError, match="expected: x \\+ y"):
        check_sympy_equal(x + y + x, x + y, reveal=True)


def test_sympy_equal_numeric_fallback_has_no_grid():
    # sin(10 pi x) vanishes at every multiple of 1/10: a grid of such points would accept it
    x = sp.Symbol("x", positive=True)
    with pytest.raises(GradingError):
        check_sympy_equal(x + sp.sin(10 * sp.pi * x), x)
    with pytest.raises(GradingError):
        check_sympy_equal(x + sp.sin(sp.pi * 20 * x) ** 2 / 1000, x)


def test_sympy_equal_matches_symbols_by_name_across_assumptions():
    s_real = sp.Symbol("s_prev_1", real=True)
    s_plain = sp.Symbol("s_prev_1")
    z = sp.Symbol("zeta_1", real=True)
    check_sympy_equal(s_plain * z, s_real * z)
    with pytest.raises(GradingError) as err:
        check_sympy_equal(2 * s_plain + z, s_real * z)
    text = str(err.value)
    assert "other assumptions" in text and "lacks" not in text and "does not use" not in text


def test_type_tolerant_converters():
    assert as_number(np.array([2.5])) == 2.5 and as_number(sp.Rational(1, 2)) == 0.5
    assert as_number(sp.oo) == float("inf") and as_number(torch_free_tensor()) == 3.0
    assert as_count(3.0) == 3 and as_count(np.int64(4)) == 4 and as_count(sp.Integer(5)) == 5
    with pytest.raises(GradingError, match="whole number"):
        as_count(2.5)
    with pytest.raises(GradingError, match="one number"):
        as_number(np.zeros(2))
    assert as_list((1, 2)) == [1, 2] and as_list(np.array([1, 2])) == [1, 2]
    with pytest.raises(GradingError, match="expected 2 entries"):
        as_list([1, 2, 3], "pair", length=2)
    with pytest.raises(GradingError, match="sequence"):
        as_list(3)


def torch_free_tensor():
    return np.float32(3.0)


def test_gradient_check_accepts_right_and_rejects_wrong():
    f = lambda v: float(np.sum(v**3))
    x = np.array([[0.5, -1.0], [2.0, 0.1]])
    assert check_gradient(f, x, 3 * x**2) < 1e-6
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


def test_check_close_can_keep_the_expected_value_to_itself():
    with pytest.raises(GradingError, match="found 9087") as err:
        check_close(9087, 9088, "weights", reveal=False)
    assert "9088" not in str(err.value)
    with pytest.raises(GradingError, match="expected 9088"):
        check_close(9087, 9088, "weights")


def test_shape_errors_become_a_hint():
    from nnbook.checks import call_answer

    def broken(x):
        return np.ones((2, 3)) @ np.ones((2, 3))

    with pytest.raises(GradingError, match="hint: a shape mismatch"):
        call_answer(broken, 1)
    with pytest.raises(GradingError) as err:
        call_answer(lambda: 1 / 0)
    assert "hint" not in str(err.value)


def test_objects_that_claim_to_be_answers_are_refused():
    """An object of a class the notebook defined that redefines comparisons or conversions is no answer."""
    import sympy as sp

    from nnbook import checks

    namespace = {"__name__": "__main__"}
    exec(
        "class Anything:\n    def __eq__(self, other): return True\n    def __array__(self, dtype=None, copy=None):\n"
        "        import numpy; return numpy.zeros(2)\n"
        "import sympy\nclass Zero(sympy.Symbol):\n    def __sub__(self, other): return sympy.Integer(0)\n"
        "class Plain:\n    pass\n",
        namespace,
    )
    anything = namespace["Anything"]()
    for convert in (checks.as_array, checks.as_number, checks.as_list, checks.as_sympy):
        with pytest.raises(checks.GradingError, match="class 'Anything' defined in the notebook"):
            convert(anything)
    with pytest.raises(checks.GradingError, match="class 'Anything'"):
        checks.call_answer(lambda: (1.0, anything), name="f")
    with pytest.raises(checks.GradingError, match="not sympy's"):
        checks.as_sympy(namespace["Zero"]("x") + 1)
    plain = namespace["Plain"]()
    assert checks.call_answer(lambda: plain) is plain  # a model or a layer the student wrote is fine
    assert checks.as_sympy(sp.Symbol("x") + 1) == sp.Symbol("x") + 1
    checks.check_close([1.0, 2.0], np.array([1.0, 2.0]))


def test_read_up_ends_the_message_and_resets_per_cell():
    from nnbook import checks

    checks.read_up("2. Clipping gradients by their global norm")
    with pytest.raises(GradingError) as err:
        check_true(False, "expected a norm of at most 5, found 7")
    assert str(err.value).endswith("read up: 2. Clipping gradients by their global norm")
    assert err.value.section == "2. Clipping gradients by their global norm"
    checks._forget_section()  # what a new cell does (IPython's pre_run_cell)
    with pytest.raises(GradingError) as err:
        check_true(False, "no section")
    assert "read up" not in str(err.value) and err.value.section is None


def test_heading_id_is_jupyterlabs():
    assert heading_id("4. DISTANA: one small network on every pixel") == "4.-DISTANA:-one-small-network-on-every-pixel"
    assert heading_id(" The `conv2d` *forward* _pass_ ") == "The-conv2d-forward-pass"
    assert heading_id("Gradient of $f$ by $u_i$, snake_case") == "Gradient-of-$f$-by-$u_i$,-snake_case"


def test_read_up_link_follows_the_traceback_in_a_kernel():
    """In a notebook kernel a failing test cell shows the traceback, then a link to the section's heading."""
    import nbclient
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("## 4. DISTANA: one small network"),
        nbformat.v4.new_code_cell(
            "from nnbook.checks import check_true, read_up\n"
            "read_up('4. DISTANA: one small network')\n"
            "check_true(False, 'expected 3 outputs, found 2')"
        ),
        nbformat.v4.new_code_cell("check_true(False, 'a cell without read_up')"),
    ]
    nbclient.NotebookClient(nb, allow_errors=True, timeout=120).execute()
    failed, link = nb.cells[1].outputs
    assert failed.output_type == "error" and failed.ename == "GradingError"
    assert failed.evalue.endswith("read up: 4. DISTANA: one small network")
    assert link.output_type == "display_data"
    assert 'href="#4.-DISTANA:-one-small-network"' in link.data["text/html"]
    assert [o.output_type for o in nb.cells[2].outputs] == ["error"], "a cell without read_up got a link"
    # nbgrader's feedback (nbconvert's classic template, which its feedback template extends) has the anchor
    from nbconvert import HTMLExporter

    html, _ = HTMLExporter(template_name="classic").from_notebook_node(nb)
    assert 'id="4.-DISTANA:-one-small-network"' in html and 'href="#4.-DISTANA:-one-small-network"' in html


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="no Chromium found (apt-get install chromium)")
def test_read_up_link_scrolls_to_the_heading_in_jupyterlab(lab, browser):  # noqa: F811 (test_lab's fixtures)
    """A student notebook in JupyterLab, a wrong answer, its visible test fails: the link under the
    traceback scrolls the notebook to the section's heading. Screenshots: _build/screenshots/read-up-*.png."""
    import nbformat

    url, token, course = lab
    path = course / "notebooks" / "ch02-gradients" / "ch02-gradients.ipynb"
    nb = nbformat.read(path, as_version=4)
    section = "1. A linear recurrence with a diagonal matrix"
    answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "ch02-grad-u-sym")
    test = nb.cells[nb.cells.index(answer) + 1]
    answer.source = "grad_u = k * u**k * h * g  # a plausible wrong answer"
    if "read_up(" not in test.source:  # until the chapter declares its sections
        test.source = f"from nnbook.checks import read_up\nread_up({section!r})\n{test.source}"
    section = re.search(r"read_up\((['\"])(.+?)\1\)", test.source).group(2)
    nbformat.write(nb, path)

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    local_only(page, url)
    page.goto(f"{url}/lab/tree/notebooks/ch02-gradients/ch02-gradients.ipynb?token={token}")
    page.wait_for_selector(".jp-MarkdownCell .jp-RenderedMarkdown", timeout=120_000)
    dismiss_news(page)
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    for index in code[: code.index(nb.cells.index(test)) + 1]:
        cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
        cell.scroll_into_view_if_needed()
        cell.click()
        page.keyboard.press("Control+Enter")
        prompt = cell.locator(".jp-InputPrompt")
        page.wait_for_function("p => /\\[\\d+\\]/.test(p.innerText)", arg=prompt.element_handle(), timeout=240_000)
    link = page.locator(".nnbook-read-up a").first
    link.wait_for(timeout=30_000)
    link.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / "read-up-link.png"))
    assert "GradingError" in page.inner_text(".jp-Notebook"), "the wrong answer did not fail with a GradingError"
    assert link.inner_text() == section
    link.click()
    page.wait_for_timeout(1500)
    heading = page.locator(f"[id='{heading_id(section)}'], [data-jupyter-id='{heading_id(section)}']").first
    box = heading.bounding_box()
    page.screenshot(path=str(SHOTS / "read-up-heading.png"))
    assert box is not None and 0 <= box["y"] < 900, f"the link did not scroll to the heading {section!r}: {box}"
    page.close()
