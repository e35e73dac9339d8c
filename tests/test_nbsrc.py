import sys

import pytest

from notebooks import CHAPTERS, ROOT, solution_notebooks

sys.path.insert(0, str(ROOT / "tools"))
import nbsrc  # noqa: E402

DRAFT = """# %% [markdown]
# # Title
#
# text

# %% [answer] chxx-a
def f():
    ### BEGIN SOLUTION
    return 1
    ### END SOLUTION

# %% [test] chxx-a-test 2
check(f())

# %% [hidden] chxx-a-hidden 1
### BEGIN HIDDEN TESTS
check(f())
### END HIDDEN TESTS

# %% [manual] chxx-why 3
# ### BEGIN SOLUTION
# model answer
# ### END SOLUTION

# %% tags=hide-output
print(1)
"""


def test_draft_to_notebook_metadata():
    nb = nbsrc.to_notebook(DRAFT)
    kinds = [(c.cell_type, c.metadata.get("nbgrader", {}).get("grade_id"), c.metadata.get("tags")) for c in nb.cells]
    assert kinds == [
        ("markdown", None, None),
        ("code", "chxx-a", ["hide-input"]),
        ("code", "chxx-a-test", None),
        ("code", "chxx-a-hidden", ["remove-cell"]),
        ("markdown", "chxx-why", None),
        ("code", None, ["hide-output"]),
    ]
    test = nb.cells[2].metadata["nbgrader"]
    assert test["grade"] and test["locked"] and test["points"] == 2 and not test["solution"]


def test_round_trip_is_lossless():
    assert nbsrc.to_script(nbsrc.to_notebook(DRAFT)) == DRAFT


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapters_round_trip(chapter):
    for path in solution_notebooks(chapter):
        nb = nbsrc.nbformat.read(path, as_version=4)
        again = nbsrc.to_notebook(nbsrc.to_script(nb))
        assert [c.source for c in again.cells] == [c.source for c in nb.cells]
        # the nbgrader metadata (grade_id, points, solution / grade / locked flags) and the book's tags too
        for i, (new, old) in enumerate(zip(again.cells, nb.cells, strict=True)):
            assert new.cell_type == old.cell_type, f"{path.name} cell {i}: cell type"
            assert new.metadata.get("nbgrader") == old.metadata.get("nbgrader"), (
                f"{path.name} cell {i}: nbgrader metadata {old.metadata.get('nbgrader')} does not survive the text form"
            )
            assert sorted(new.metadata.get("tags", [])) == sorted(old.metadata.get("tags", [])), (
                f"{path.name} cell {i}: tags"
            )


def test_errors_are_clear():
    with pytest.raises(ValueError, match="needs a grade_id"):
        nbsrc.to_notebook("# %% [answer]\nx = 1\n")
    with pytest.raises(ValueError, match="needs points"):
        nbsrc.to_notebook("# %% [test] chxx-t\nx = 1\n")
    with pytest.raises(ValueError, match="unknown cell kind"):
        nbsrc.to_notebook("# %% [anwser] chxx-t\nx = 1\n")


def test_stage_book_strips_markers_and_folds_model_answers():
    import stage_book

    assert stage_book.without_markers("a\n    ### BEGIN SOLUTION\nb\n### END SOLUTION") == "a\nb"
    folded = stage_book.model_answer_dropdown("Why?\n\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION")
    assert folded.startswith("Why?") and "{admonition} Model answer" in folded and ":class: dropdown" in folded
    assert "BEGIN" not in folded and "Because." in folded
