"""Grading an instructor can trust (issue 13), on chapter 2 (the fastest chapter): an honest submission
and a wrong one beside a set of bad submissions, all graded in one run of the grader (tools/grade.py's
nnbook_grader.autograde) with two workers side by side and short limits. For each bad submission: a
recorded score and reason, every other submission graded normally, no file outside the grader's own
output changed, the grader never crashing; the feedback shows no hidden-test source and no model answer.
"""

import hashlib
import html
import io
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from nnbook_grader.cells import HIDDEN_BEGIN, HIDDEN_END
from nnbook_grader.preprocessors import restore_cells
from notebooks import ROOT, is_answer, is_test, meta, read, wrong_answers

pytestmark = pytest.mark.slow
CHAPTER = "ch02-gradients"
NB = f"{CHAPTER}.ipynb"
# cell_timeout: the "loop" submission spins for this long; ch02's slowest cell needs a few seconds
LIMITS = {"cell_timeout": 60, "notebook_timeout": 400, "memory_mb": 4096, "processes": 256, "output_kb": 64}


def solution() -> nbformat.NotebookNode:
    return read(ROOT / "solutions" / CHAPTER / NB)


def first_answer(nb) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if is_answer(c))


def with_cell_first(source: str) -> nbformat.NotebookNode:
    """The solutions, with a cell of the student's own at the top."""
    nb = solution()
    nb.cells.insert(0, nbformat.v4.new_code_cell(source))
    return nb


def in_first_answer(source: str) -> nbformat.NotebookNode:
    """The solutions, with `source` run at the start of the first answer cell."""
    nb = solution()
    cell = first_answer(nb)
    cell.source = source + "\n" + cell.source
    return nb


def wrong() -> nbformat.NotebookNode:
    nb = solution()
    for cell in nb.cells:
        if is_answer(cell) and meta(cell)["grade_id"] in wrong_answers(CHAPTER):
            cell.source = wrong_answers(CHAPTER)[meta(cell)["grade_id"]]
    return nb


def tampered() -> nbformat.NotebookNode:
    nb = solution()
    tests = [i for i, c in enumerate(nb.cells) if is_test(c)]
    nb.cells[tests[1]].source = "pass  # no test here"
    moved = nb.cells.pop(tests[2])
    nb.cells.insert(0, moved)
    del nb.cells[tests[0] + 1]
    return nb


ATTACK = r"""
import glob, os, shutil, socket, sqlite3
course = COURSE
found = {}
for path in [course + "/solutions/ch02-gradients/ch02-gradients.ipynb", course + "/gradebook.db",
             "/work/main/solutions", "/root/.bash_history",
             course + "/submitted/honest/ch02-gradients/ch02-gradients.ipynb"]:
    try:
        found[path] = open(path, "rb").read(100)
    except OSError as e:
        found[path] = type(e).__name__
try:
    sqlite3.connect(course + "/gradebook.db").execute("update grade set auto_score = 1000")
    found["gradebook write"] = "done"
except Exception as e:
    found["gradebook write"] = type(e).__name__
found["notebooks in sight"] = [p for top in ("/home", "/tmp", "/work", "/opt", "/root")
                               for p in glob.glob(top + "/**/*.ipynb", recursive=True)][:5]
for target in [course, "/work", os.path.expanduser("~/..")]:
    shutil.rmtree(target, ignore_errors=True)
try:
    socket.create_connection(("1.1.1.1", 80), timeout=3)
    found["network"] = "connected"
except OSError as e:
    found["network"] = type(e).__name__
try:
    socket.create_connection(("127.0.0.1", 8786), timeout=3)
    found["scheduler"] = "connected"
except OSError as e:
    found["scheduler"] = type(e).__name__
print(found)
"""

BAD = {
    # student: (notebook or raw bytes or None, file name)
    "loop": lambda: in_first_answer("while True:\n    pass"),
    "memory": lambda: in_first_answer(
        "def hog():\n    held = []\n    while True:\n        held.append(bytearray(200 << 20))\nhog()"
    ),
    "forks": lambda: in_first_answer(
        "import os, time\nfor _ in range(100000):\n    if os.fork() == 0:\n        time.sleep(600)\n        os._exit(0)"
    ),
    "sysexit": lambda: in_first_answer("import sys\nsys.exit()"),
    "osexit": lambda: in_first_answer("import os\nos._exit(1)"),
    "segfault": lambda: in_first_answer("import ctypes\nctypes.string_at(0)"),
    "output": lambda: in_first_answer("print('x' * (50 << 20))"),
    "invalid": lambda: b'{"cells": [ this is not json',
    "missing": lambda: None,
    "renamed": lambda: (solution(), "my work (1).ipynb"),
    "tampered": tampered,
    "attacker": lambda: None,  # written with the course path below
}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(course: Path) -> dict:
    skip = ("autograded", "feedback", ".grading", "gradebook.db", "notebooks")
    return {
        str(p.relative_to(course)): sha(p)
        for p in course.rglob("*")
        if p.is_file() and not str(p.relative_to(course)).startswith(skip)
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from nnbook_grader import autograde as grading

    course = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / CHAPTER, course / "solutions" / CHAPTER)
    shutil.copytree(ROOT / "notebooks" / CHAPTER, course / "notebooks" / CHAPTER)
    subs = {"honest": solution(), "wrong": wrong(), **{k: f() for k, f in BAD.items()}}
    subs["attacker"] = with_cell_first(ATTACK.replace("COURSE", repr(str(course))))
    for student, nb in subs.items():
        folder = course / "submitted" / student / CHAPTER
        folder.mkdir(parents=True)
        name = NB
        if isinstance(nb, tuple):
            nb, name = nb
        if isinstance(nb, bytes):
            (folder / name).write_bytes(nb)
        elif nb is not None:
            nbformat.write(nb, folder / name)
    before = snapshot(course)
    out = io.StringIO()
    entries = grading.autograde(course, workers=2, limits=LIMITS, progress=True, out=out)
    return course, entries, before, out.getvalue()


def cell_scores(course, student):
    from nnbook_grader.autograde import scores

    return {k[2]: v for k, v in scores(course).items() if k[0] == student}


def autograded(course, student) -> nbformat.NotebookNode:
    return read(course / "autograded" / student / CHAPTER / NB)


def outputs_of(nb) -> str:
    return json.dumps([c.get("outputs", []) for c in nb.cells])


def test_every_submission_has_a_recorded_result(graded):
    _, entries, _, printed = graded
    assert set(entries) == {f"{s}/{CHAPTER}" for s in ["honest", "wrong", *BAD]}
    for key, entry in entries.items():
        assert entry["status"] and entry["score"] is not None, (key, entry)
    for student in ["honest", "wrong", *BAD]:
        row = rf"^{student}\s+{CHAPTER}\s+[\d.]+\s+[\d.]+"
        assert re.search(row, printed, re.MULTILINE), f"{student} not in the summary"


def test_honest_and_wrong_graded_normally(graded):
    course, entries, _, _ = graded
    honest = cell_scores(course, "honest")
    code = {k for k in honest if k in grade_tests()}
    assert all(honest[k] == max_points()[k] for k in code), honest
    assert entries[f"honest/{CHAPTER}"]["status"] == "ok"
    lost = [k for k in code if (cell_scores(course, "wrong")[k] or 0) < max_points()[k]]
    assert sorted(lost) == sorted(code)


def test_bad_submissions_are_boxed_with_a_reason(graded):
    course, entries, _, _ = graded
    e = {k.split("/")[0]: v for k, v in entries.items()}
    first_test = grade_tests()[0]
    for student in ("loop", "memory", "forks", "sysexit", "osexit", "segfault"):
        assert (cell_scores(course, student)[first_test] or 0) == 0, student
    assert "CellTimeoutError" in outputs_of(autograded(course, "loop"))
    assert "MemoryError" in outputs_of(autograded(course, "memory"))
    assert "BlockingIOError" in outputs_of(autograded(course, "forks")) or e["forks"]["status"] != "ok"
    for student in ("osexit", "segfault"):
        assert "kernel died" in " ".join(e[student]["reasons"]), e[student]
    # os._exit only cuts the run short; ctypes is also a way to tamper (nnbook_grader/tamper.py): flagged
    assert e["osexit"]["status"] == "boxed", e["osexit"]
    assert e["segfault"]["status"] == "review" and "imports `ctypes`" in " ".join(e["segfault"]["flags"])
    assert "SystemExit" in outputs_of(autograded(course, "sysexit"))
    for student, why in (("loop", "ran longer than"), ("memory", "ran out of memory"), ("sysexit", "sys.exit()")):
        assert e[student]["status"] == "boxed" and why in " ".join(e[student]["reasons"]), e[student]
    # the loop, the hog and sys.exit only cost their own exercise: later ones still score
    for student in ("loop", "memory", "sysexit"):
        assert cell_scores(course, student)[grade_tests()[-1]] == max_points()[grade_tests()[-1]], student
    size = (course / "autograded" / "output" / CHAPTER / NB).stat().st_size
    assert size < 2 << 20 and e["output"]["status"] == "boxed", (size, e["output"])
    assert "output cut" in outputs_of(autograded(course, "output"))


def test_broken_missing_and_renamed_notebooks(graded):
    _, entries, _, _ = graded
    e = {k.split("/")[0]: v for k, v in entries.items()}
    assert e["invalid"]["status"] == "failed" and "not a valid notebook" in e["invalid"]["notes"][0]
    assert e["missing"]["status"] == "failed" and "missing notebook" in e["missing"]["notes"][0]
    assert e["invalid"]["score"] == 0 and e["missing"]["score"] == 0
    assert "renamed" in e["renamed"]["notes"][0]
    assert e["renamed"]["score"] == e["honest"]["score"]


def test_tampered_test_cells_restored_and_recorded(graded):
    course, entries, _, _ = graded
    notes = " ".join(entries[f"tampered/{CHAPTER}"]["notes"])
    assert "deleted" in notes and "moved" in notes and "edited" in notes, notes
    assert cell_scores(course, "tampered") == cell_scores(course, "honest")
    assert "Grading notes" in autograded(course, "tampered").cells[0].source


def test_attacker_sees_nothing_and_changes_nothing(graded):
    course, _, before, _ = graded
    printed = outputs_of(autograded(course, "attacker"))
    assert "FileNotFoundError" in printed and "'network': 'OSError'" in printed, printed[:3000]
    assert "'scheduler': 'ConnectionRefusedError'" in printed or "'scheduler': 'OSError'" in printed
    assert "gradebook write': 'done" not in printed and "BEGIN HIDDEN" not in printed
    assert cell_scores(course, "attacker") == cell_scores(course, "honest")
    assert snapshot(course) == before, "files outside the grader's output changed"


def test_regrading_skips_unchanged_and_resumes(graded):
    course, entries, _, _ = graded
    from nnbook_grader import autograde as grading

    out = io.StringIO()
    again = grading.autograde(course, workers=1, limits=LIMITS, progress=False, out=out)
    assert f"{len(entries)} submissions: 0 to grade" in out.getvalue()
    assert {k: v["score"] for k, v in again.items()} == {k: v["score"] for k, v in entries.items()}


def test_interrupted_run_continues_where_it_stopped(graded):
    """A run killed before recording a submission (its state entry missing): the next run grades it,
    and only it."""
    course, entries, _, _ = graded
    from nnbook_grader import autograde as grading

    state_file = course / ".grading" / "state.json"
    state = json.loads(state_file.read_text())
    del state[f"invalid/{CHAPTER}"]
    state_file.write_text(json.dumps(state))
    out = io.StringIO()
    again = grading.autograde(course, workers=1, limits=LIMITS, progress=False, out=out)
    assert f"{len(entries)} submissions: 1 to grade" in out.getvalue()
    assert again[f"invalid/{CHAPTER}"]["status"] == "failed"


def test_feedback_shows_no_hidden_tests_or_model_answers(graded):
    course, _, _, _ = graded
    from nnbook_grader import autograde as grading

    files = grading.feedback(course)
    assert len(files) >= 10
    release = (ROOT / "notebooks" / CHAPTER / NB).read_text()
    hidden, models = [], []
    for cell in solution().cells:
        inside = False
        for line in cell.source.splitlines():
            if HIDDEN_BEGIN in line:
                inside = True
            elif HIDDEN_END in line:
                inside = False
            elif inside and len(line.strip()) > 10 and json.dumps(line.strip())[1:-1] not in release:
                hidden.append(line.strip())
        if meta(cell).get("solution") and meta(cell).get("grade") and cell.cell_type == "markdown":
            models += [x.strip() for x in cell.source.splitlines() if len(x.strip()) > 30]
    assert hidden, "chapter 2 has hidden tests"
    for path in files:
        text = html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))
        leaked = [x for x in hidden + models if x in text]
        assert not leaked, f"{path}: shows hidden tests or model answers: {leaked[:3]}"
    wrong_page = course / "feedback" / "wrong" / CHAPTER / NB.replace(".ipynb", ".html")
    text = html.unescape(re.sub(r"<[^>]+>", "", wrong_page.read_text()))
    assert "hidden tests: not shown" in text and "GradingError" in text


def test_restore_cells_puts_deleted_and_moved_cells_back():
    release = read(ROOT / "notebooks" / CHAPTER / NB)
    nb, notes = restore_cells(tampered(), release)
    ids = [meta(c).get("grade_id") for c in nb.cells if meta(c).get("grade_id")]
    assert ids == [meta(c)["grade_id"] for c in release.cells if meta(c).get("grade_id")]
    assert len(notes) == 3
    assert restore_cells(solution(), release)[1] == []


def grade_tests():
    return [meta(c)["grade_id"] for c in solution().cells if is_test(c)]


def max_points():
    return {meta(c)["grade_id"]: meta(c)["points"] for c in solution().cells if is_test(c)}
