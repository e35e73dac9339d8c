"""The instructor's desk (issue 24): the course report, similarity flags, deadlines and late penalties, the
Canvas and Moodle exports and the environment fingerprint.

The unit tests at the top run in seconds. The course test grades a small synthetic course in boxes, as
`make autograde` does: 10 students x 2 chapters (ch02 and ch03, the cheapest in test mode) with perfect,
partial, empty and wrong hand-ins, a pair copied with names, comments and layout changed, identical pairs
and a late one; identical notebooks are executed once and recorded for each student by nbgrader. It checks
the report's figures against the gradebook (read here through nbgrader's API), the flagged pairs against
how the hand-ins were made, the late penalty, the export columns, the fingerprint in the feedback, and
opens the report in headless Chromium (screenshot: _build/screenshots/report.png).
"""

from __future__ import annotations

import ast
import csv
import importlib.util
import io
import json
import shutil
import statistics
import tokenize
from collections import defaultdict
from pathlib import Path

import nbformat
import pytest

from notebooks import ROOT, is_answer, meta, read, right_answers, wrong_answers

CHAPTERS = ["ch02-gradients", "ch03-counting-weights"]  # the cheapest in test mode: 11 and 13 CPU-s a run
DUE = {"ch02-gradients": "2026-11-20 12:00:00 UTC", "ch03-counting-weights": "2026-11-27 12:00:00 UTC"}
ON_TIME = "2026-11-19 09:30:00.000000 UTC"
LATE = "2026-11-22 13:00:00.000000 UTC"  # ch02: 2 days and 1 hour late, 3 started days: 30 % off
LIMITS = {"cell_timeout": 120, "notebook_timeout": 400}
OWN_TEXT = (
    "I think the reason is that the network has to remember where it is in the sequence, and a model "
    "without state sees the same input twice and must answer the same way both times, so it cannot work."
)


# ---------------------------------------------------------------------------------------------
# how the synthetic hand-ins are made


def disguise(source: str) -> str:
    """What a copier does: rename the locals and arguments of functions, add comments, change the layout."""
    tree = ast.parse(source)
    local = set()
    for f in ast.walk(tree):
        if isinstance(f, ast.FunctionDef):
            local |= {a.arg for a in f.args.args}
            local |= {n.id for n in ast.walk(f) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    for f in ast.walk(tree):  # names inside f-strings are one token here: a copier leaves them alone
        if isinstance(f, ast.JoinedStr):
            local -= {n.id for n in ast.walk(f) if isinstance(n, ast.Name)}
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)]
    out, depth = [], 0
    for i, tok in enumerate(tokens):
        text = tok.string
        depth += text in "([{" and tok.type == tokenize.OP
        depth -= text in ")]}" and tok.type == tokenize.OP
        keyword = (
            depth and i + 1 < len(tokens) and tokens[i + 1].string == "=" and not tok.line.lstrip().startswith("def")
        )
        if tok.type == tokenize.NAME and text in local and tokens[i - 1].string != "." and not keyword:
            text = f"my_{text}"
        if tok.type == tokenize.COMMENT:
            text = "# (my note)"
        out.append((tok.type, text))
        if tok.type == tokenize.NEWLINE:
            out += [(tokenize.COMMENT, "# checked"), (tokenize.NL, "\n")]
    return "# my own solution\n" + tokenize.untokenize(out)


def disguise_text(text: str) -> str:
    return text.upper().replace(", ", " ;\n").replace(".", " !")


def answer_cells(chapter: str) -> list:
    nb = read(ROOT / "solutions" / chapter / f"{chapter}.ipynb")
    return [c for c in nb.cells if is_answer(c) or (meta(c).get("solution") and meta(c).get("grade"))]


def origins(chapter: str) -> dict[str, dict[str, str]]:
    """{student: {grade_id: origin}}: where each answer comes from (model, right, wrong, stub, own)."""
    cells = answer_cells(chapter)
    code = [meta(c)["grade_id"] for c in cells if c.cell_type == "code"]
    text = [meta(c)["grade_id"] for c in cells if c.cell_type == "markdown"]
    half = set(code[: max(1, len(code) // 2)])
    plan = {
        "s01-perfect": dict.fromkeys(code + text, "model"),
        "s02-right": {**dict.fromkeys(code, "right"), **dict.fromkeys(text, "stub")},
        "s03-empty": dict.fromkeys(code + text, "stub"),
        "s04-empty": dict.fromkeys(code + text, "stub"),
        "s05-partial": {**{g: "model" if g in half else "stub" for g in code}, **dict.fromkeys(text, "stub")},
        "s06-wrong": {**dict.fromkeys(code, "wrong"), **dict.fromkeys(text, "stub")},
        "s07-copied": {**{g: ("right", "wrong")[i % 2] for i, g in enumerate(code)}, **dict.fromkeys(text, "own")},
    }
    plan["s08-copier"] = {g: o + "~" for g, o in plan["s07-copied"].items()}  # s07's, disguised
    plan["s09-late"] = dict(plan["s01-perfect"])
    plan["s10-partial"] = dict(plan["s05-partial"])
    return plan


def source_of(chapter: str, cell, origin: str) -> str:
    gid = meta(cell)["grade_id"]
    base = origin.rstrip("~")
    if base == "model":
        src = cell.source
    elif base == "right":
        src = right_answers(chapter)[gid]
    elif base == "wrong":
        src = wrong_answers(chapter)[gid]
    elif base == "own":
        src = f"{OWN_TEXT} ({gid})"
    else:
        release = read(ROOT / "notebooks" / chapter / f"{chapter}.ipynb")
        src = next(c.source for c in release.cells if meta(c).get("grade_id") == gid)
    if origin.endswith("~"):
        src = disguise(src) if cell.cell_type == "code" else disguise_text(src)
    return src


def make_course(folder: Path) -> Path:
    folder.mkdir(parents=True)
    config = (ROOT / "nbgrader_config.py").read_text()
    (folder / "nbgrader_config.py").write_text(config + f"\nc.Deadlines.due = {DUE!r}\n")
    for chapter in CHAPTERS:
        shutil.copytree(ROOT / "solutions" / chapter, folder / "solutions" / chapter)
        shutil.copytree(ROOT / "notebooks" / chapter, folder / "notebooks" / chapter)
        cells = {meta(c)["grade_id"]: c for c in answer_cells(chapter)}
        for student, plan in origins(chapter).items():
            nb = read(ROOT / "notebooks" / chapter / f"{chapter}.ipynb")
            for cell in nb.cells:
                gid = meta(cell).get("grade_id")
                if gid in plan:
                    cell.source = source_of(chapter, cells[gid], plan[gid])
            target = folder / "submitted" / student / chapter
            target.mkdir(parents=True)
            nbformat.write(nb, target / f"{chapter}.ipynb")
            late = student == "s09-late" and chapter == CHAPTERS[0]
            (target / "timestamp.txt").write_text(LATE if late else ON_TIME)
    return folder


# ---------------------------------------------------------------------------------------------
# unit tests (fast)


def big_enough(source: str, cell_type: str = "code", stub: str = "") -> bool:
    from nnbook_grader.similarity import MIN_FINGERPRINTS, cell_fingerprints

    given = cell_fingerprints(stub, cell_type) if stub else set()
    return len(cell_fingerprints(source, cell_type) - given) >= MIN_FINGERPRINTS


def test_a_disguised_copy_is_found_and_independent_answers_are_not():
    from nnbook_grader.similarity import THRESHOLD, similar_pairs

    for chapter in CHAPTERS:
        for cell in answer_cells(chapter):
            if cell.cell_type != "code":
                continue
            gid = meta(cell)["grade_id"]
            answers = {
                "model": cell.source,
                "copy": disguise(cell.source),
                "right": right_answers(chapter)[gid],
                "right-copy": disguise(right_answers(chapter)[gid]),
            }
            found = {(p["a"], p["b"]): p["score"] for p in similar_pairs(answers)}
            if big_enough(cell.source):
                assert found.get(("copy", "model")) == 1.0, f"{gid}: the disguised copy of the model answer: {found}"
            if big_enough(answers["right"]):
                assert found.get(("right", "right-copy")) == 1.0, f"{gid}: the disguised copy of the right answer"
            mine = ("model", "copy")
            cross = [pair for pair in found if (pair[0] in mine) != (pair[1] in mine)]
            assert not cross, f"{gid}: two independent answers flagged at threshold {THRESHOLD}: {found}"


def test_given_code_and_short_answers_do_not_count():
    from nnbook_grader.similarity import similar_pairs

    stub = "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError('replace this line with your answer')"
    assert similar_pairs({"a": stub, "b": stub}, stub=stub) == []  # both unchanged: nothing to compare
    assert similar_pairs({"a": "y = 2", "b": "y = 2"}) == []  # too short to tell
    text = "The forget gate decides what the cell keeps; without it the state can only grow, so it saturates."
    pairs = similar_pairs({"a": text, "b": text.upper(), "c": "YOUR ANSWER HERE"}, "markdown", "YOUR ANSWER HERE")
    assert [(p["a"], p["b"], p["score"]) for p in pairs] == [("a", "b", 1.0)]


def test_test_cell_flags():
    from nnbook_grader.report import MIN_SUBMISSIONS, flag_test

    n = MIN_SUBMISSIONS
    assert flag_test([False] * (n - 1), None) == []  # too few to say
    assert "broken" in flag_test([False] * n, None)[0]
    assert "tells nothing" in flag_test([True] * n, None)[0]
    agree = [True] * 5 + [False] * (n - 5)
    assert flag_test(agree, [1.0] * 5 + [0.0] * (n - 5)) == []
    assert "low discrimination" in flag_test(agree, [0.0] * 5 + [1.0] * (n - 5))[0]


def test_late_penalty_policy():
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    plugin_class = config.AssignLatePenalties.plugin_class
    assert plugin_class.__name__ == "LatePenalty" and isinstance(config.Deadlines.due, dict)
    plugin = plugin_class(config=Config({"LatePenalty": {"per_day": 0.1, "cap": 0.5, "grace_hours": 1}}))
    day = 86400
    assert plugin.late_submission_penalty("s", 10.0, 0) is None
    assert plugin.late_submission_penalty("s", 10.0, 3600) is None  # within the grace hour
    assert plugin.late_submission_penalty("s", 10.0, 3601) == pytest.approx(1.0)  # a started day
    assert plugin.late_submission_penalty("s", 10.0, 2 * day + 3601) == pytest.approx(3.0)
    assert plugin.late_submission_penalty("s", 10.0, 30 * day) == pytest.approx(5.0)  # the cap


def test_lms_exports_follow_the_documented_columns(tmp_path):
    from nnbook_grader import lms

    rows = [
        {"student": "ann", "chapter": "ch02", "score": 7.5, "max_score": 10.0},
        {"student": "bob", "chapter": "ch02", "score": 3.0, "max_score": 10.0},
        {"student": "ann", "chapter": "ch03", "score": 4.0, "max_score": 5.0},
    ]
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "student,Student,ID,SIS User ID,SIS Login ID,Section,First name,Last name,ID number,Email address\n"
        'ann,"Lee, Ann",101,S101,alee,A,Ann,Lee,9101,ann@uni.example\n'
        'bob,"Ray, Bob",102,S102,bray,A,Bob,Ray,9102,bob@uni.example\n'
        'cid,"Day, Cid",103,S103,cday,B,Cid,Day,9103,cid@uni.example\n'
    )
    canvas = list(csv.reader(open(lms.export(rows, "canvas", roster, tmp_path / "c.csv"))))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "ch02", "ch03"]
    assert canvas[1] == ["    Points Possible", "", "", "", "", "10", "5"]
    assert canvas[2] == ["Lee, Ann", "101", "S101", "alee", "A", "7.5", "4"]
    assert canvas[4][-2:] == ["0", "0"]  # on the roster, nothing handed in
    moodle = list(csv.reader(open(lms.export(rows, "moodle", roster, tmp_path / "m.csv"))))
    assert moodle[0] == ["First name", "Last name", "ID number", "Email address", "ch02", "ch03"]
    assert moodle[2] == ["Bob", "Ray", "9102", "bob@uni.example", "3", "0"]
    short = tmp_path / "short.csv"
    short.write_text("student,ID\nann,101\n")
    with pytest.raises(lms.MappingError, match="bob"):
        lms.export(rows, "canvas", short, tmp_path / "x.csv")
    with pytest.raises(lms.MappingError, match="identifies"):
        lms.export(rows, "moodle", short, tmp_path / "x.csv")


def test_environment_fingerprint():
    from nnbook_grader.environment import describe_fingerprint, fingerprint

    source = ROOT / "solutions" / CHAPTERS[0] / f"{CHAPTERS[0]}.ipynb"
    fp = fingerprint("test", {"memory_mb": 4096, "boxed": True, "env": {"SECRET": "x"}}, [source])
    for key in ("python", "numpy", "torch", "tensorflow", "nbgrader", "mode", "limits", "source_sha256"):
        assert fp[key], key
    assert "env" not in fp["limits"] and len(fp["source_sha256"]) == 64
    assert fp["torch"] != "not installed" and "torch " + fp["torch"] in describe_fingerprint(fp)


# ---------------------------------------------------------------------------------------------
# the synthetic course, graded


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from nnbook_grader import autograde as grading

    course = make_course(tmp_path_factory.mktemp("desk") / "course")
    plain_map = grading.Workers.map

    def once_each(self, jobs):  # identical notebooks run once; nbgrader still records every student
        groups, first = defaultdict(list), {}
        for job in jobs:
            key = (job[1], tuple(job[4] or ()))
            groups[key].append(job[0])
            first.setdefault(key, job)
        keys = {job[0]: key for key, job in first.items()}
        for tag, result in plain_map(self, list(first.values())):
            for same in groups[keys[tag]]:
                yield same, result

    grading.Workers.map = once_each
    try:
        out = io.StringIO()
        grading.autograde(course, workers=2, limits=LIMITS, progress=False, out=out)
    finally:
        grading.Workers.map = plain_map
    # the report as an instructor makes it: tools/grade.py report (make report)
    spec = importlib.util.spec_from_file_location("grade_tool", ROOT / "tools" / "grade.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.main(["report", "--root", str(course)]) == 0
    return course, json.loads((course / "reports" / "report.json").read_text()), out.getvalue()


def gradebook(course: Path):
    from nbgrader.api import Gradebook

    return Gradebook(f"sqlite:///{course / 'gradebook.db'}")


@pytest.mark.slow
def test_report_figures_equal_the_gradebook(graded):
    course, data, printed = graded
    assert [c["chapter"] for c in data["chapters"]] == CHAPTERS, printed
    with gradebook(course) as gb:
        for ch in data["chapters"]:
            subs = {s.student.id: s for s in gb.find_assignment(ch["chapter"]).submissions}
            assert ch["n"] == len(subs) == 10
            expected = {k: max(0.0, s.score - (s.late_submission_penalty or 0)) for k, s in subs.items()}
            assert ch["scores"] == pytest.approx(expected)
            assert ch["scores"]["s01-perfect"] > ch["scores"]["s05-partial"] > ch["scores"]["s03-empty"] == 0
            grades = defaultdict(dict)
            for student, s in subs.items():
                for nb in s.notebooks:
                    for g in nb.grades:
                        grades[g.name][student] = (g.auto_score or 0.0, g.max_score)
            for t in ch["tests"]:
                cells = grades[t["grade_id"]]
                assert t["pass_rate"] == pytest.approx(sum(a >= m for a, m in cells.values()) / 10, abs=1e-4)
                assert t["mean"] == pytest.approx(sum(a for a, _ in cells.values()) / 10, abs=1e-4)
                siblings = [u["grade_id"] for u in ch["tests"] if u["exercise"] == t["exercise"] and u is not t]
                passed = [float(cells[s][0] >= cells[s][1]) for s in sorted(subs)]
                rest = [sum(grades[u][s][0] for u in siblings) for s in sorted(subs)]
                varies = len(set(passed)) > 1 and len(set(rest)) > 1
                low = varies and statistics.correlation(passed, rest) < 0.2
                assert bool(t["flags"]) == (t["pass_rate"] in (0.0, 1.0) or low), (t, passed, rest)
                if t["pass_rate"] < 1.0:  # the empty hand-ins fail every test: a message is there
                    assert t["top_failure"] and t["top_failure_count"] >= 2, t
            for e in ch["exercises"]:
                totals = [sum(grades[t][s][0] for t in e["tests"]) for s in subs]
                assert e["mean"] == pytest.approx(sum(totals) / 10, abs=1e-4)
            assert [t["notebook"] for t in ch["timing"]] == [ch["chapter"]] and ch["timing"][0]["max"] > 0
    # the disguised copy behaves as its original: it earns the same points
    for ch in data["chapters"]:
        assert ch["scores"]["s08-copier"] == pytest.approx(ch["scores"]["s07-copied"]), ch["chapter"]


@pytest.mark.slow
def test_flagged_pairs_are_the_copies(graded):
    _, data, _ = graded
    for ch in data["chapters"]:
        plan = origins(ch["chapter"])
        cells = {meta(c)["grade_id"]: c for c in answer_cells(ch["chapter"])}
        flagged = {(p["cell"], p["a"], p["b"]) for p in ch["similar"]}
        required, allowed = set(), set()
        for gid in plan["s01-perfect"]:
            for a in sorted(plan):
                for b in sorted(plan):
                    if a >= b:
                        continue
                    x, y = plan[a][gid].rstrip("~"), plan[b][gid].rstrip("~")
                    if x == y != "stub":  # the same answer; too short to tell it is allowed, not required
                        cell = cells[gid]
                        stub = source_of(ch["chapter"], cell, "stub")
                        size = big_enough(source_of(ch["chapter"], cell, x), cell.cell_type, stub)
                        (required if size else allowed).add((gid, a, b))
                    elif {x, y} == {"model", "wrong"}:  # the wrong answers are edits of the model answer
                        allowed.add((gid, a, b))
        assert required <= flagged, f"{ch['chapter']}: copies not flagged: {sorted(required - flagged)}"
        assert flagged <= required | allowed, (
            f"{ch['chapter']}: flagged, not copied: {sorted(flagged - required - allowed)}"
        )
        assert ("s07-copied", "s08-copier") in {(a, b) for _, a, b in flagged}
    students = {s["student"]: s for s in data["students"]}
    assert any("similar to s08-copier" in f for f in students["s07-copied"]["flags"])


@pytest.mark.slow
def test_the_late_submission_loses_its_penalty(graded):
    course, data, _ = graded
    from nnbook_grader import autograde as grading

    rows = list(csv.DictReader(open(grading.grades_csv(course))))
    late = {(r["student"], r["chapter"]): r for r in rows}
    r = late[("s09-late", CHAPTERS[0])]
    assert float(r["hours_late"]) == pytest.approx(49.0) and r["due"].startswith("2026-11-20 12:00")
    assert float(r["late_penalty"]) == pytest.approx(0.3 * float(r["raw_score"]))
    assert float(r["score"]) == pytest.approx(0.7 * float(r["raw_score"])) and float(r["raw_score"]) > 0
    on_time = late[("s01-perfect", CHAPTERS[0])]
    assert float(on_time["raw_score"]) == float(r["raw_score"]) and float(on_time["late_penalty"]) == 0
    assert [k for k, v in late.items() if float(v["hours_late"]) > 0] == [("s09-late", CHAPTERS[0])]
    chapter = data["chapters"][0]
    assert chapter["late"] == ["s09-late"] and chapter["scores"]["s09-late"] == pytest.approx(float(r["score"]))
    assert any("49 h late" in f for f in {s["student"]: s for s in data["students"]}["s09-late"]["flags"])


@pytest.mark.slow
def test_canvas_and_moodle_exports_of_the_course(graded, tmp_path):
    course, data, _ = graded
    from nnbook_grader import autograde as grading

    roster = tmp_path / "roster.csv"
    students = sorted(origins(CHAPTERS[0]))
    roster.write_text(
        "student,Student,ID,SIS User ID,SIS Login ID,Section,First name,Last name,ID number,Email address\n"
        + "".join(
            f'{s},"{s}, Test",{100 + i},S{i},{s},A,Test,{s},{900 + i},{s}@uni.example\n' for i, s in enumerate(students)
        )
    )
    canvas = list(csv.reader(open(grading.grades_csv(course, path="canvas.csv", fmt="canvas", mapping=roster))))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *CHAPTERS]
    assert canvas[1][0].strip() == "Points Possible" and len(canvas) == 2 + len(students)
    moodle = list(csv.reader(open(grading.grades_csv(course, path="moodle.csv", fmt="moodle", mapping=roster))))
    assert moodle[0] == ["First name", "Last name", "ID number", "Email address", *CHAPTERS]
    for row in moodle[1:]:
        student = row[1]
        for chapter, value in zip(CHAPTERS, row[4:]):
            ch = next(c for c in data["chapters"] if c["chapter"] == chapter)
            assert float(value) == pytest.approx(ch["scores"][student], abs=0.01), (student, chapter)


@pytest.mark.slow
def test_the_environment_is_recorded_and_shown(graded):
    course, data, _ = graded
    from nbgrader.apps.api import NbGraderAPI

    from nnbook_grader.autograde import Course

    state = json.loads((course / ".grading" / "state.json").read_text())
    assert len(state) == 20 and all(e["environment"]["mode"] == "test" for e in state.values())
    assert {e["environment"]["limits"]["cell_timeout"] for e in state.values()} == {LIMITS["cell_timeout"]}
    assert data["environments"] and sum(e["n"] for e in data["environments"]) == 20
    c = Course(course)
    api = NbGraderAPI(coursedir=c.coursedir(), config=c.config)
    assert api.generate_feedback(CHAPTERS[0], "s01-perfect", force=True)["success"]
    page = (course / "feedback" / "s01-perfect" / CHAPTERS[0] / f"{CHAPTERS[0]}.html").read_text()
    fp = state[f"s01-perfect/{CHAPTERS[0]}"]["environment"]
    assert "Graded with" in page and f"torch {fp['torch']}" in page and fp["source_sha256"][:16] in page
    html = (course / "reports" / "index.html").read_text()
    assert fp["source_sha256"][:16] in html and f"torch {fp['torch']}" in html


@pytest.mark.slow
def test_the_report_in_a_browser(graded):
    from test_book import CHROMIUM

    if CHROMIUM is None:
        pytest.skip("no Chromium found (apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    course, data, _ = graded
    page_path = course / "reports" / "index.html"
    shots = ROOT / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    outside = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else outside.append(r) or r.abort()
        )
        page.goto(page_path.as_uri(), wait_until="load")
        images = page.eval_on_selector_all("img", "imgs => imgs.map(i => [i.naturalWidth, i.alt])")
        first = page.eval_on_selector("table.sortable tbody tr td", "td => td.textContent")
        page.click("table.sortable th:first-child")  # ascending (already), then descending
        page.click("table.sortable th:first-child")
        after = page.eval_on_selector("table.sortable tbody tr td", "td => td.textContent")
        page.screenshot(path=str(shots / "report.png"), full_page=False)
        browser.close()
    assert len(images) == 2 * len(CHAPTERS) and all(w > 100 and alt for w, alt in images), images
    assert first == "s01-perfect" and after == "s10-partial", (first, after)
    assert not outside, "the report asked the network for something"
