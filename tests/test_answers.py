"""nnbook_grader.answers: answer cells of a solution notebook executed as a module."""

import sys

import nbformat
import pytest

from nnbook_grader import answers
from notebooks import CHAPTERS

SETUP = "import numpy as np\nimport nnbook"
FIRST = """import numpy as np


def double(x):
    ### BEGIN SOLUTION
    return 2 * np.asarray(x)
    ### END SOLUTION
"""
SECOND = """def quadruple(x):
    ### BEGIN SOLUTION
    return double(double(x))
    ### END SOLUTION


class Counter:
    start = 0

    def up(self):
        return self.start + 1
"""
NEEDS_SETUP = """def mean(x):
    ### BEGIN SOLUTION
    return np.mean(x)
    ### END SOLUTION
"""


def cell(source, kind, grade_id=None):
    c = nbformat.v4.new_code_cell(source)
    if kind == "answer":
        c.metadata["nbgrader"] = {
            "grade_id": grade_id,
            "solution": True,
            "grade": False,
            "locked": False,
            "schema_version": 3,
            "task": False,
        }
    elif kind == "test":
        c.metadata["nbgrader"] = {
            "grade_id": grade_id,
            "solution": False,
            "grade": True,
            "locked": True,
            "points": 1,
            "schema_version": 3,
            "task": False,
        }
    return c


@pytest.fixture
def solutions(tmp_path, monkeypatch):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        cell(SETUP, "code"),
        cell(FIRST, "answer", "ch99-double"),
        cell("raise RuntimeError('test cells are never run')", "test", "ch99-double-test"),
        cell(SECOND, "answer", "ch99-quadruple"),
        cell(NEEDS_SETUP, "answer", "ch99-mean"),
    ]
    (tmp_path / "ch99-demo").mkdir()
    nbformat.write(nb, tmp_path / "ch99-demo" / "ch99-demo.ipynb")
    (tmp_path / "ch98-other").mkdir()
    monkeypatch.setenv("NNBOOK_SOLUTIONS", str(tmp_path))
    return tmp_path


def test_loads_the_named_answer_cells_without_markers(solutions):
    module = answers.load("ch99-demo", "ch99-double", "ch99-quadruple")
    assert module.quadruple([1, 2]).tolist() == [4, 8]
    assert module.Counter().up() == 1
    assert module.grade_ids == ("ch99-double", "ch99-quadruple")
    assert module.__name__ == "nnbook_grader.answers.ch99_demo"


def test_each_load_is_a_fresh_module_and_a_prefix_names_the_chapter(solutions):
    first = answers.load("ch99", "ch99-double")
    first.double = None
    assert answers.load("ch99", "ch99-double").double(3) == 6


def test_a_missing_grade_id_is_named_with_the_known_ones(solutions):
    with pytest.raises(answers.AnswerError, match=r"'ch99-nope'.*ch99-double"):
        answers.load("ch99-demo", "ch99-double", "ch99-nope")


def test_an_unknown_or_ambiguous_chapter_is_named(solutions):
    with pytest.raises(answers.AnswerError, match="'ch42' does not exist"):
        answers.load("ch42", "ch42-x")
    with pytest.raises(answers.AnswerError, match="ambiguous"):
        answers.load("ch9", "ch99-double")


def test_a_cell_that_relies_on_the_set_up_cell_is_refused_before_running(solutions):
    with pytest.raises(answers.AnswerError, match=r"ch99-mean uses np"):
        answers.load("ch99-demo", "ch99-mean")
    # a name that another loaded cell defines is fine, one that no loaded cell defines is not
    with pytest.raises(answers.AnswerError, match=r"ch99-quadruple uses double"):
        answers.load("ch99-demo", "ch99-quadruple")


def test_tracebacks_name_the_answer_cell(solutions):
    module = answers.load("ch99-demo", "ch99-double")
    with pytest.raises(TypeError) as info:
        module.double(object())
    assert "answer ch99-double" in str(info.getrepr())
    assert sys.modules[module.__name__] is module


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_lists_its_answer_cells(chapter):
    assert answers.answer_cells(chapter), f"{chapter}: no autograded answer cells found"
