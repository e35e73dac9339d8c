"""The course exchange on one machine, through nbgrader's command line, for one chapter and two students:
the instructor releases; alice and bob fetch; alice answers with the model answers, bob hands in the
untouched notebook; both submit; the instructor collects, autogrades, writes and releases feedback; alice
fetches her feedback. The exchange is the course folder's `exchange/` (nbgrader_config.py)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from notebooks import ROOT, is_answer, meta, read, solution_notebooks

pytestmark = pytest.mark.slow
NBGRADER = str(Path(sys.executable).with_name("nbgrader"))
CHAPTER = "ch02-gradients"  # a small chapter: one notebook, about half a minute in test mode


def nbgrader(cwd: Path, *args: str, user: str | None = None) -> str:
    """Run nbgrader; `user` names the student (on a JupyterHub nbgrader takes the login name; one machine
    has one login, so the student is named with --student, as nbgrader allows)."""
    env = dict(os.environ, NNBOOK_MODE="test", PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    if user:
        args = (*args, f"--student={user}")
    done = subprocess.run([NBGRADER, *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed in {cwd}:\n{(done.stdout + done.stderr)[-4000:]}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    base = tmp_path_factory.mktemp("exchange")
    course = base / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / CHAPTER, course / "solutions" / CHAPTER)
    exchange = course / "exchange"
    assert exchange.is_dir() or not exchange.exists()
    nbgrader(course, "generate_assignment", CHAPTER, "--force")
    assert exchange.is_dir(), "nbgrader_config.py does not create the course's exchange folder"
    nbgrader(course, "release_assignment", CHAPTER)

    student_args = ["--course", "nnbook", f"--Exchange.root={exchange}"]
    model = {meta(c)["grade_id"]: c.source for p in solution_notebooks(CHAPTER) for c in read(p).cells if is_answer(c)}
    for student in ("alice", "bob"):
        home = base / student
        home.mkdir()
        nbgrader(home, "fetch_assignment", CHAPTER, *student_args)
        fetched = sorted((home / CHAPTER).glob("*.ipynb"))
        assert [p.name for p in fetched] == [p.name for p in solution_notebooks(CHAPTER)]
        if student == "alice":
            for path in fetched:
                nb = read(path)
                for cell in nb.cells:
                    if is_answer(cell):
                        cell.source = model[meta(cell)["grade_id"]]
                nbformat.write(nb, path)
        nbgrader(home, "submit", CHAPTER, *student_args, user=student)

    nbgrader(course, "collect", CHAPTER)
    for student in ("alice", "bob"):
        assert (course / "submitted" / student / CHAPTER / f"{CHAPTER}.ipynb").exists(), f"{student} not collected"
    nbgrader(course, "autograde", CHAPTER, "--force")
    nbgrader(course, "generate_feedback", CHAPTER, "--force")
    nbgrader(course, "release_feedback", CHAPTER)
    nbgrader(base / "alice", "fetch_feedback", CHAPTER, *student_args, user="alice")
    nbgrader(course, "export", "--to", str(course / "grades.csv"))
    return base, course


def autograded(course: Path, student: str) -> tuple[float, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(CHAPTER, CHAPTER, student)
        code = [g for g in nb.grades if g.cell_type == "code"]
        return sum(g.auto_score or 0 for g in code), sum(g.max_score for g in code)


def test_model_answers_get_full_marks(cycle):
    score, most = autograded(cycle[1], "alice")
    assert most > 0 and score == most, f"alice handed in the model answers and got {score} of {most}"


def test_untouched_notebook_gets_zero(cycle):
    score, most = autograded(cycle[1], "bob")
    assert score == 0 and most > 0, f"bob handed in the untouched notebook and got {score} of {most}"


def test_feedback_reaches_the_student_and_grades_are_exported(cycle):
    base, course = cycle
    pages = list((base / "alice" / CHAPTER / "feedback").rglob(f"{CHAPTER}.html"))
    assert pages, "alice's feedback was not fetched"
    csv = (course / "grades.csv").read_text()
    assert "alice" in csv and "bob" in csv, "grades.csv lacks a student"
