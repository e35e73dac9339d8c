"""The notebook pipeline, end to end, with real nbgrader on a temporary course folder:

* notebooks/ equals a fresh release of solutions/;
* autograding the solutions gives full marks and every cell runs without error (test mode);
* autograding the untouched student version gives zero autograded marks;
* autograding the solutions with every answer replaced by a plausible wrong one (tests/wrong_answers)
  makes every test cell lose points, and with a GradingError/AssertionError, not a crash elsewhere;
* each extra wrong variant (WRONG_VARIANTS in the same file) that spans several answer cells or aims at
  another exercise's tests loses points in the test cells it targets (the others are judged in the
  exercise harness under several seeds and thread counts: tests/test_variants.py);
* correct answers written differently from the model answer (tests/right_answers) get full marks, all
  in one submission (each of them alone, and the RESEED answers under each of their seeds, are judged in
  the exercise harness under several seeds and thread counts: tests/test_variants.py);
* a cheating submission, whose answers take the model answers from the grader package or twins from
  nnbook (tests/notebooks.py, cheating_answers), loses the points of every test cell: graded
  submissions see nnbook and nothing of the answer key (nnbook_grader.environment);
* the solutions are graded by the instructors' path, tools/grade.py (each kernel in its box, the tamper
  guard on), which must not flag them (nnbook_grader/tamper.py); the others by plain `nbgrader autograde`.

Every submission is graded in a course folder of its own (copied from its chapter's generated
course); the submissions of all chapters share one pool of PARALLEL processes, so the suite costs
about one notebook run per submission, spread over the cores.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from nnbook_grader.box import thread_environment, thread_share
from nnbook_grader.environment import student_environment
from notebooks import (
    CHAPTERS,
    ROOT,
    answer_tests,
    cheating_answers,
    harness_variants,
    is_answer,
    is_test,
    meta,
    read,
    right_answers,
    solution_notebooks,
    variant_targets,
    wrong_answers,
    wrong_variants,
)

pytestmark = pytest.mark.slow
NBGRADER = str(Path(sys.executable).with_name("nbgrader"))
# at most this many autograde runs of one chapter at a time (each is a kernel with torch/TensorFlow)
PARALLEL = int(os.environ.get("NNBOOK_PIPELINE_PARALLEL", "4"))
# the cores shared out among the PARALLEL kernels, as tools/grade.py does among its workers: more threads than
# cores made the pipeline 17 % slower on two cores (513 s against 427 s; each thread count is judged in
# tests/test_variants.py)
THREADS = thread_share(PARALLEL)
# graded by the instructors' boxed grader, whose tamper guard must not flag them
BOXED = ("solutions",)  # (the right answers re-run their tests under seeds with exec: a scan would flag that)


def nbgrader(course: Path, *args: str) -> None:
    finish(course, start(course, *args), args)


def start(course: Path, *args: str, boxed: bool = False) -> subprocess.Popen:
    # the kernels see nnbook, never nnbook_grader: what a student's environment offers
    env = student_environment(NNBOOK_MODE="test", **thread_environment(THREADS))
    command = [NBGRADER, *args, "--log-level=WARN"]
    if boxed:  # tools/grade.py puts nnbook_grader on its own path; its boxes see only nnbook
        command = [sys.executable, str(ROOT / "tools" / "grade.py"), *args, "--root", str(course), "--workers", "1"]
        command += ["--no-progress", "--threads", str(THREADS)]
    return subprocess.Popen(
        command,
        cwd=course,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(course: Path, process: subprocess.Popen, args) -> None:
    out, _ = process.communicate()
    assert process.returncode == 0, f"nbgrader {' '.join(args)} failed in {course}:\n{out[-5000:]}"


def submission_with_answers(source: Path, answers: dict[str, str], trim: bool = False) -> nbformat.NotebookNode:
    """The solution notebook with the answer cells named in `answers` replaced (keys starting with
    '_' are settings of a variant, not cells). With `trim`, the cells after the last test cell that
    nbgrader does not track are left out: they cannot change a grade (a wrong or cheating submission
    need not run the chapter's long training runs)."""
    nb = read(source)
    if trim:
        last = max((i for i, c in enumerate(nb.cells) if is_test(c)), default=len(nb.cells) - 1)
        nb.cells = nb.cells[: last + 1] + [c for c in nb.cells[last + 1 :] if meta(c)]
    for cell in nb.cells:
        if is_answer(cell) and meta(cell)["grade_id"] in answers:
            cell.source = answers[meta(cell)["grade_id"]]
    return nb


def new_course(folder: Path, chapter: str) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", folder)
    shutil.copytree(ROOT / "solutions" / chapter, folder / "solutions" / chapter)
    nbgrader(folder, "generate_assignment", chapter, "--force")
    return folder


def submissions(chapter: str) -> dict[str, dict[str, str] | None]:
    """student -> the answers that replace the model answers (None: the untouched student version)."""
    out = {"solutions": {}, "untouched": None, "wrong": wrong_answers(chapter), "cheat": cheating_answers(chapter)}
    right = right_answers(chapter)
    if right is not None:
        out["right"] = right
    for i, variant in whole_submission_variants(chapter).items():
        out[f"wrong-{i}"] = variant
    return out


def whole_submission_variants(chapter: str) -> dict[int, dict[str, str]]:
    in_harness = harness_variants(chapter)
    return {i: v for i, v in enumerate(wrong_variants(chapter), 1) if i not in in_harness}


@pytest.fixture(scope="session")
def released(tmp_path_factory):
    """chapter -> a course folder with the chapter generated from solutions/, made once per session and
    shared by the release check and the graded submissions."""
    courses = {}

    def get(chapter: str) -> Path:
        if chapter not in courses:
            courses[chapter] = new_course(tmp_path_factory.mktemp(f"{chapter}-release") / "course", chapter)
        return courses[chapter]

    return get


def prepare(chapter: str, release: Path, base: Path) -> dict[str, Path]:
    """One course folder per submission of a chapter, copied from its generated course: {student: folder}."""
    courses = {}
    for student, answers in submissions(chapter).items():
        course = courses[student] = base / student
        shutil.copytree(release, course)
        folder = course / "submitted" / student / chapter
        folder.mkdir(parents=True)
        for path in solution_notebooks(chapter):
            if answers is None:
                shutil.copy(release / "notebooks" / chapter / path.name, folder / path.name)
            else:
                trim = student not in ("solutions", "right")  # those two must run every cell
                nbformat.write(submission_with_answers(path, answers, trim), folder / path.name)
    return courses


def selected_chapters(session) -> list[str]:
    """The chapters whose pipeline tests this session runs (all of them when it cannot tell)."""
    found = set()
    for item in getattr(session, "items", []):
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "graded" in callspec.params:
            found.add(callspec.params["graded"])
    return sorted(found) or list(CHAPTERS)


@pytest.fixture(scope="session")
def all_graded(request, tmp_path_factory, released):
    """Autograde the submissions of every chapter this session tests in one pool of PARALLEL processes,
    the full runs (solutions, right answers) first and each free slot refilled at once, so that no core
    waits for the last submission of one chapter before the next chapter starts.
    Returns {chapter: ({student: course folder}, failure message or None)}."""
    chapters = selected_chapters(request.session)
    out, jobs = {}, []
    for chapter in chapters:
        courses = prepare(chapter, released(chapter), tmp_path_factory.mktemp(chapter))
        out[chapter] = (courses, None)
        jobs += [(student not in ("solutions", "right"), chapter, student) for student in courses]
    jobs.sort()
    running = {}
    while jobs or running:
        while jobs and len(running) < PARALLEL:
            _, chapter, student = jobs.pop(0)
            course = out[chapter][0][student]
            if student in BOXED:
                running[chapter, student] = start(course, "autograde", "--chapter", chapter, "--force", boxed=True)
            else:
                running[chapter, student] = start(course, "autograde", chapter, "--force")
        done = [key for key, process in running.items() if process.poll() is not None]
        if not done:
            time.sleep(0.5)
        for chapter, student in done:
            process = running.pop((chapter, student))
            log, _ = process.communicate()
            if process.returncode and out[chapter][1] is None:
                out[chapter] = (out[chapter][0], f"nbgrader autograde {chapter} {student} failed:\n{log[-5000:]}")
    return out


@pytest.fixture(scope="module", params=CHAPTERS)
def graded(request, all_graded):
    """(chapter, {student: course folder}) with every submission of the chapter autograded."""
    courses, failure = all_graded[request.param]
    if failure:
        pytest.fail(failure)
    return request.param, courses


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
def test_release_is_up_to_date(chapter, released):
    for path in solution_notebooks(chapter):
        fresh = (released(chapter) / "notebooks" / chapter / path.name).read_text()
        committed = ROOT / "notebooks" / chapter / path.name
        assert committed.exists() and committed.read_text() == fresh, (
            f"notebooks/{chapter}/{path.name} differs from a fresh release: run `make release` and commit"
        )


def test_solutions_get_full_marks_without_errors(graded):
    chapter, courses = graded
    failed = errors(courses, chapter, "solutions")
    assert not failed, f"{chapter}: the solution notebook raised in test mode: {failed}"
    lost = {k: v for k, v in grades(courses, chapter, "solutions").items() if v[0] < v[1]}
    assert not lost, f"{chapter}: solutions lost points in {lost}"


def test_honest_submissions_are_not_flagged(graded):
    """The boxed grader's status for the solutions and the right answers: never `review` (no tampering
    found by the scan or the guard in the kernel), never cut short by the box."""
    chapter, courses = graded
    for student in BOXED:
        entry = json.loads((courses[student] / ".grading" / "state.json").read_text())[f"{student}/{chapter}"]
        assert entry["status"] == "ok" and not entry.get("flags"), f"{chapter} {student}: {entry}"


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
    assert not not_graded, (
        f"{chapter}: these test cells failed by crashing rather than by a check; make the wrong "
        f"answers plausible (same names, same types) so the checks judge them: {not_graded}"
    )


def test_right_answers_get_full_marks(graded):
    chapter, courses = graded
    if "right" not in courses:
        pytest.fail(
            f"{chapter}: add tests/right_answers/{chapter.replace('-', '_')}.py with "
            "RIGHT = {grade_id: source}: correct answers written differently from the model answer"
        )
    failed = errors(courses, chapter, "right")
    assert not failed, f"{chapter}: the right answers in tests/right_answers raised: {failed}"
    lost = {k: v for k, v in grades(courses, chapter, "right").items() if v[0] < v[1]}
    assert not lost, f"{chapter}: test cells that reject the correct answers in tests/right_answers: {lost}"


def test_wrong_variants_lose_points_where_they_aim(graded):
    chapter, courses = graded
    follows = answer_tests(chapter)
    problems = []
    for i, variant in whole_submission_variants(chapter).items():
        student = f"wrong-{i}"
        cells = [k for k in variant if not k.startswith("_")]
        targets = variant_targets(variant, follows)
        scores = grades(courses, chapter, student)
        passed = sorted(t for t in targets if t in scores and scores[t][0] >= scores[t][1])
        unknown = sorted(t for t in targets if t not in scores)
        why = errors(courses, chapter, student)
        crashed = {t: why[t] for t in targets if t in why and not why[t].startswith(("GradingError", "AssertionError"))}
        if passed or unknown or crashed:
            problems.append(
                f"variant {i} ({', '.join(cells)}): accepted by {passed}; unknown cells {unknown}; "
                f"crashed instead of a check {crashed}"
            )
    assert not problems, f"{chapter}: wrong variants in tests/wrong_answers: " + "; ".join(problems)


def test_cheating_submission_loses_every_point(graded):
    chapter, courses = graded
    scores = grades(courses, chapter, "cheat")
    passed = sorted(k for k, (score, top) in scores.items() if score > 0)
    assert not passed, (
        f"{chapter}: test cells that gave points to answers taken from nnbook_grader or from a "
        f"model-answer twin in nnbook (the answer key must stay out of students' reach): {passed}"
    )
