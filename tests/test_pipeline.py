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
    finish(course, start(course, *args), args)


def start(course: Path, *args: str) -> subprocess.Popen:
    env = dict(os.environ, NNBOOK_MODE="test")
    return subprocess.Popen([NBGRADER, *args, "--log-level=WARN"], cwd=course, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(course: Path, process: subprocess.Popen, args) -> None:
    out, _ = process.communicate()
    assert process.returncode == 0, f"nbgrader {' '.join(args)} failed in {course}:\n{out[-5000:]}"


def submission_with_wrong_answers(source: Path, wrong: dict[str, str]) -> nbformat.NotebookNode:
    nb = read(source)
    for cell in nb.cells:
        if is_answer(cell) and meta(cell)["grade_id"] in wrong:
            cell.source = wrong[meta(cell)["grade_id"]]
    return nb


def new_course(folder: Path, chapter: str) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", folder)
    shutil.copytree(ROOT / "solutions" / chapter, folder / "solutions" / chapter)
    nbgrader(folder, "generate_assignment", chapter, "--force")
    return folder


@pytest.fixture(scope="module", params=CHAPTERS)
def graded(request, tmp_path_factory):
    """Autograde three submissions of one chapter, each in a course folder of its own so that the
    three run side by side; return (chapter, {student: course folder})."""
    chapter = request.param
    base = tmp_path_factory.mktemp(chapter)
    courses = {student: new_course(base / student, chapter) for student in STUDENTS}
    for path in solution_notebooks(chapter):
        folders = {student: courses[student] / "submitted" / student / chapter for student in STUDENTS}
        for folder in folders.values():
            folder.mkdir(parents=True)
        shutil.copy(path, folders["solutions"] / path.name)
        shutil.copy(courses["untouched"] / "notebooks" / chapter / path.name, folders["untouched"] / path.name)
        nbformat.write(submission_with_wrong_answers(path, wrong_answers(chapter)), folders["wrong"] / path.name)
    running = {student: start(course, "autograde", chapter, "--force") for student, course in courses.items()}
    for student, process in running.items():
        finish(courses[student], process, ("autograde", chapter, student))
    return chapter, courses


def grades(courses: dict, chapter: str, student: str) -> dict[str, tuple[float, float]]:
    """grade_id -> (auto score, max score) for the autograded (code) test cells of a submission."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{courses[student] / 'gradebook.db'}") as gb:
        for path in solution_notebooks(chapter):
            nb = gb.find_submission_notebook(path.stem, chapter, student)
            for grade in nb.grades:
                if grade.cell_type == "code":
                    out[grade.name] = (grade.auto_score or 0.0, grade.max_score)
    return out


def errors(courses: dict, chapter: str, student: str) -> dict[str, str]:
    """grade_id (or cell index) -> 'ename: evalue' for every cell that raised."""
    found = {}
    for path in solution_notebooks(chapter):
        nb = read(courses[student] / "autograded" / student / chapter / path.name)
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
    chapter, courses = graded
    failed = errors(courses, chapter, "solutions")
    assert not failed, f"{chapter}: the solution notebook raised in test mode: {failed}"
    lost = {k: v for k, v in grades(courses, chapter, "solutions").items() if v[0] < v[1]}
    assert not lost, f"{chapter}: solutions lost points in {lost}"


def test_untouched_student_version_gets_zero(graded):
    chapter, courses = graded
    scored = {k: v for k, v in grades(courses, chapter, "untouched").items() if v[0] > 0}
    assert not scored, f"{chapter}: test cells that pass on the stubs (they cannot fail): {scored}"


def test_wrong_answers_lose_points_in_every_test_cell(graded):
    chapter, courses = graded
    scores = grades(courses, chapter, "wrong")
    assert scores, f"{chapter}: no autograded test cells found"
    passed = sorted(k for k, (score, top) in scores.items() if score >= top)
    assert not passed, f"{chapter}: test cells that accept the wrong answers in tests/wrong_answers: {passed}"
    why = errors(courses, chapter, "wrong")
    not_graded = {k: v for k, v in why.items() if k in scores and not v.startswith(("GradingError", "AssertionError"))}
    assert not not_graded, (f"{chapter}: these test cells failed by crashing rather than by a check; make the wrong "
                            f"answers plausible (same names, same types) so the checks judge them: {not_graded}")
