"""The tests of the tests, measured: mutants of the model answers (nnbook_grader.mutation) judged in one
warm kernel per chapter (nnbook_grader.harness); `make mutants` prints the scores (tools/mutants.py)."""

import time

import nbformat
import pytest

from nnbook_grader import harness, mutation
from notebooks import answer_tests, is_answer, meta, read, solution_notebooks, wrong_answers

SOURCE = """import numpy as np


def layer(x, w, b, t):
    \"\"\"given\"\"\"
    ### BEGIN SOLUTION
    total = 0
    for i in range(len(x)):
        total += x[i]
    y = np.tanh(x @ w.T + b)
    z = np.sum(y, axis=0)
    if t > 0:
        z = z[1:t]
    return np.dot(z, w), total
    ### END SOLUTION


given = layer(1, 2, 3, 4) if False else None
"""


def test_mutants_change_only_the_solution_region():
    found = mutation.mutants(SOURCE, cap=None)
    kinds = {m.operator.split()[0] for m in found}
    for kind in ("statement", "binop", "augassign", "compare", "constant", "index", "slice", "axis", "transpose"):
        assert kind in kinds, f"no {kind} mutant among {sorted(kinds)}"
    for kind in ("activation tanh -> sigmoid", "reduction sum -> mean", "bias dropped", "arguments 1 and 2 swapped"):
        assert any(m.operator == kind for m in found), f"no '{kind}' mutant"
    assert len({m.source for m in found}) == len(found), "mutants are deduplicated"
    for m in found:
        assert "given = layer" in m.source and '"""given"""' in m.source, f"{m.operator} changed a given line"
        assert "def layer(x, w, b, t)" in m.source
        compile(m.source, "<mutant>", "exec")
    assert "-        total += x[i]\n+        total = x[i]" in {m.diff for m in found}


def test_mutants_are_capped_with_a_fixed_seed():
    first, again = mutation.mutants(SOURCE, cap=8, seed=3), mutation.mutants(SOURCE, cap=8, seed=3)
    assert len(first) == 8 and first == again
    assert len({m.operator.split()[0] for m in first}) >= 6, "a capped sample takes the kinds in turn"


def test_model_answers_have_mutants_only_in_their_regions():
    for path in solution_notebooks("ch02-gradients"):
        for cell in read(path).cells:
            if is_answer(cell):
                found = mutation.mutants(cell.source, cap=5)
                assert found, f"{meta(cell)['grade_id']}: no mutants"
                if meta(cell)["grade_id"] == "ch02-limits":
                    assert all("limits_U1 = gradient_limits(U1)" in m.source for m in found)


def _tiny_chapter(folder):
    """A notebook with one exercise (numpy only): an answer, a visible and a hidden test cell."""

    def cell(source, **nbgrader):
        new = nbformat.v4.new_code_cell(source)
        if nbgrader:
            new.metadata["nbgrader"] = {"schema_version": 3, "locked": False, "points": 0, **nbgrader}
        return new

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        cell("import numpy as np\nnp.random.seed(0)"),
        cell("def inc(x):\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION", solution=True, grade=False,
             grade_id="t-inc"),
        cell("assert inc(1) == 2, 'inc(1)'", solution=False, grade=True, grade_id="t-inc-test", points=1),
        cell("### BEGIN HIDDEN TESTS\nassert inc(-5) == -4, 'inc(-5)'\n### END HIDDEN TESTS", solution=False,
             grade=True, grade_id="t-inc-hidden", points=1),
        cell("after = inc(41)"),  # not run: the harness stops after the last exercise
    ]  # fmt: skip
    (folder / "ch99-tiny").mkdir()
    path = folder / "ch99-tiny" / "ch99-tiny.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_harness_judges_wrong_hanging_and_crashing_answers(tmp_path):
    candidates = [
        harness.Candidate("right", "right", "def inc(x):\n    return 1 + x"),
        harness.Candidate("wrong", "visible only", "def inc(x):\n    return 2"),
        harness.Candidate("wrong", "not defined", "pass"),  # the model's inc must not linger
        harness.Candidate("mutant", "hangs", "def inc(x):\n    while True:\n        pass"),
        harness.Candidate("mutant", "dies", "import os\nos._exit(1)"),
        harness.Candidate("mutant", "memory hog", "def inc(x):\n    return np.ones(2**31)[0] + x"),  # 16 GB
        harness.Candidate("right", "right after a restart", "inc = lambda x: x + 1"),
    ]
    with harness.Harness(_tiny_chapter(tmp_path), timeout_floor=3) as h:
        (exercise,) = h.run(lambda grade_id, source: candidates)
        after = h.kernel.run("assert inc(41) == 42", 10)
    assert exercise.tests == ["t-inc-test", "t-inc-hidden"] and exercise.hidden == ["t-inc-hidden"]
    verdicts = {v.candidate.name: v for v in exercise.verdicts}
    assert not verdicts["model answer"].caught and not verdicts["right"].caught
    assert verdicts["visible only"].failed() == ["t-inc-hidden"]
    assert verdicts["not defined"].failed() == ["t-inc-test", "t-inc-hidden"]
    assert verdicts["hangs"].caught and verdicts["hangs"].stopped
    assert verdicts["dies"].caught and verdicts["dies"].answer.status == "died"
    assert "MemoryError" in verdicts["memory hog"].tests["t-inc-test"].error, "the kernel's memory is limited"
    assert not verdicts["right after a restart"].caught, verdicts["right after a restart"]
    assert not exercise.model_after_restore.caught
    assert after.status == "ok", f"the notebook went on with the model answer: {after}"


@pytest.mark.slow
def test_harness_smoke_on_chapter_2():
    """One exercise of chapter 2: the model answer passes, the wrong answer and a mutant are caught."""
    chapter, grade_id = "ch02-gradients", "ch02-clip"
    wrong = wrong_answers(chapter)[grade_id]

    def candidates(gid, source):
        found = [harness.Candidate("wrong", "wrong answer", wrong)]
        for i, m in enumerate(mutation.mutants(source, cap=5), 1):
            found.append(harness.Candidate("mutant", f"mutant {i}", m.source, m.diff))
        return found

    start = time.monotonic()
    (exercise,) = harness.run_chapter(chapter, candidates, grade_ids=[grade_id])
    seconds = time.monotonic() - start
    assert exercise.tests == answer_tests(chapter)[grade_id]
    model, wrong_verdict, *mutants = exercise.verdicts
    assert model.candidate.kind == "model" and not model.failed(), f"the model answer fails: {model.tests}"
    assert wrong_verdict.failed(), "the wrong answer passes every test cell"
    assert len(mutants) == 5 and any(v.caught for v in mutants), "no mutant is caught"
    assert not exercise.model_after_restore.failed(), "the model answer fails after the candidates"
    assert seconds < 120, f"the smoke run took {seconds:.0f} s"
