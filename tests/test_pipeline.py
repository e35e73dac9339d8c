"""The notebook pipeline, end to end, with real nbgrader on a temporary course folder:

* notebooks/ equals a fresh release of solutions/;
* autograding the solutions gives full marks and every cell runs without error (test mode);
* autograding the untouched student version gives zero autograded marks;
* autograding the solutions with every answer replaced by a plausible wrong one (tests/wrong_answers)
  makes every test cell lose points, and with a GradingError/AssertionError, not a crash elsewhere.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from notebooks import CHAPTERS, ROOT, is_answer, is_test, meta, read, solution_notebooks, wrong_answers

pytestmark = pytest.mark.slow
NBGRADER = str(Path(sys.executable).with_name("nbgrader"))
STUDENTS = ("solutions", "untouched", "wrong")


def nbgrader(course: Path, *args: str) -> None:
    env = dict(os.environ, NNBOOK_MODE="test")
    done = subprocess.run([NBGRADER, *args, "--log-level=WARN"], cwd=course, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


def submission_with_wrong_answers(source: Path, wrong: dict[str, str]) -> nbformat.NotebookNode:
    nb = read(source)
    for cell in nb.cells:
        if is_answer(cell) and meta(cell)["grade_id"] in wrong:
            cell.source = wrong[meta(cell)["grade_id"]]
    return nb


@pytest.fixture(scope="module", params=CHAPTERS)
def graded(request, tmp_path_factory):
    """Autograde three submissions of one chapter; return (chapter, course folder)."""
    chapter = request.param
    course = tmp_path_factory.mktemp(chapter)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / chapter, course / "solutions" / chapter)
    nbgrader(course, "generate_assignment", chapter, "--force")
    for path in solution_notebooks(chapter):
        for student in STUDENTS:
            (course / "submitted" / student / chapter).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, course / "submitted" / "solutions" / chapter / path.name)
        shutil.copy(course / "notebooks" / chapter / path.name, course / "submitted" / "untouched" / chapter / path.name)
        nbformat.write(submission_with_wrong_answers(path, wrong_answers(chapter)),
                       course / "submitted" / "wrong" / chapter / path.name)
    nbgrader(course, "autograde", chapter, "--force")
    return chapter, course


def grades(course: Path, chapter: str, student: str) -> dict[str, tuple[float, float]]:
    """grade_id -> (auto score, max score) for the autograded (code) test cells of a submission."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for path in solution_notebooks(chapter):
            nb = gb.find_submission_notebook(path.stem, chapter, student)
            for grade in nb.grades:
                if grade.cell_type == "code":
                    out[grade.name] = (grade.auto_score or 0.0, grade.max_score)
    return out


def errors(course: Path, chapter: str, student: str) -> dict[str, str]:
    """grade_id (or cell index) -> 'ename: evalue' for every cell that raised."""
    found = {}
    for path in solution_notebooks(chapter):
        nb = read(course / "autograded" / student / chapter / path.name)
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                if out.output_type == "error":
                    found[meta(cell).get("grade_id", f"{path.name} cell {i}")] = f"{out.ename}: {out.evalue[:300]}"
    return found


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_release_is_up_to_date(chapter, tmp_path):
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    shutil.copytree(ROOT / "solutions" / chapter, tmp_path / "solutions" / chapter)
    nbgrader(tmp_path, "generate_assignment", chapter, "--force")
    for path in solution_notebooks(chapter):
        fresh = (tmp_path / "notebooks" / chapter / path.name).read_text()
        committed = ROOT / "notebooks" / chapter / path.name
        assert committed.exists() and committed.read_text() == fresh, \
            f"notebooks/{chapter}/{path.name} differs from a fresh release: run `make release` and commit"


def test_solutions_get_full_marks_without_errors(graded):
    chapter, course = graded
    failed = errors(course, chapter, "solutions")
    assert not failed, f"{chapter}: the solution notebook raised in test mode: {failed}"
    lost = {k: v for k, v in grades(course, chapter, "solutions").items() if v[0] < v[1]}
    assert not lost, f"{chapter}: solutions lost points in {lost}"


def test_untouched_student_version_gets_zero(graded):
    chapter, course = graded
    scored = {k: v for k, v in grades(course, chapter, "untouched").items() if v[0] > 0}
    assert not scored, f"{chapter}: test cells that pass on the stubs (they cannot fail): {scored}"


def test_wrong_answers_lose_points_in_every_test_cell(graded):
    chapter, course = graded
    scores = grades(course, chapter, "wrong")
    assert scores, f"{chapter}: no autograded test cells found"
    passed = sorted(k for k, (score, top) in scores.items() if score >= top)
    assert not passed, f"{chapter}: test cells that accept the wrong answers in tests/wrong_answers: {passed}"
    why = errors(course, chapter, "wrong")
    not_graded = {k: v for k, v in why.items() if k in scores and not v.startswith(("GradingError", "AssertionError"))}
    assert not not_graded, (f"{chapter}: these test cells failed by crashing rather than by a check; make the wrong "
                            f"answers plausible (same names, same types) so the checks judge them: {not_graded}")
