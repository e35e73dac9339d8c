"""Notebook lint: valid notebooks, complete and unique nbgrader metadata, every answer tested,
book tags set, and nothing of the solutions or hidden tests in the student versions."""

import re
from collections import Counter

import nbformat
import pytest

from notebooks import (
    CHAPTERS,
    ROOT,
    answer_ids,
    answer_tests,
    is_answer,
    is_test,
    meta,
    read,
    reseeded_answers,
    right_answers,
    solution_notebooks,
    wrong_answers,
    wrong_variants,
)

NEEDED = {"grade", "grade_id", "locked", "schema_version", "solution"}


def all_cells():
    for chapter in CHAPTERS:
        for path in solution_notebooks(chapter):
            for index, cell in enumerate(read(path).cells):
                yield chapter, path, index, cell


def test_there_are_chapters():
    assert CHAPTERS, "no chapter folders under solutions/"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_valid_and_clean(chapter):
    for path in solution_notebooks(chapter):
        nb = read(path)
        nbformat.validate(nb)
        with_outputs = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.outputs]
        assert not with_outputs, f"{path.name}: store solutions without outputs (cells {with_outputs})"
        assert nb.cells[0].source.startswith("# Chapter"), (
            f"{path.name}: the first cell is the '# Chapter N: ...' title"
        )
        assert "{download}" in nb.cells[0].source + nb.cells[1].source, f"{path.name}: link the student notebook"
        assert any("nnbook.banner(" in c.source for c in nb.cells), (
            f"{path.name}: print the run mode with nnbook.banner"
        )


def test_grade_ids_unique_and_metadata_complete():
    ids = Counter()
    for chapter, path, index, cell in all_cells():
        m = meta(cell)
        if not m:
            continue
        missing = NEEDED - set(m)
        assert not missing, f"{path.name} cell {index}: nbgrader metadata lacks {missing}"
        ids[m["grade_id"]] += 1
        assert m["grade_id"].startswith(chapter[:4] + "-"), (
            f"{path.name} cell {index}: grade_id {m['grade_id']!r} must start with {chapter[:4]}-"
        )
        if m["grade"]:
            assert m.get("points", 0) > 0, f"{path.name} cell {index}: graded cell without points"
    duplicated = [i for i, n in ids.items() if n > 1]
    assert not duplicated, f"grade_ids used more than once: {duplicated}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_answer_is_tested_and_tagged(chapter):
    for path in solution_notebooks(chapter):
        cells = read(path).cells
        for i, cell in enumerate(cells):
            if is_answer(cell):
                assert "### BEGIN SOLUTION" in cell.source, (
                    f"{path.name} cell {i}: answer cell without solution markers"
                )
                assert i + 1 < len(cells) and is_test(cells[i + 1]), (
                    f"{path.name}: answer {meta(cell)['grade_id']} must be followed by its test cell"
                )
                assert "hide-input" in cell.metadata.get("tags", []), (
                    f"{path.name} cell {i}: tag answer cells hide-input"
                )
            if is_test(cell):
                assert not re.search(r"^\s*assert\b", cell.source, re.M), (
                    f"{path.name} {meta(cell)['grade_id']}: use nnbook.checks (messages that help), not bare assert"
                )
                hidden = "BEGIN HIDDEN TESTS" in cell.source
                tagged = "remove-cell" in cell.metadata.get("tags", [])
                assert hidden == tagged, (
                    f"{path.name} {meta(cell)['grade_id']}: hidden-test cells, and only they, carry remove-cell"
                )


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_answer_has_a_wrong_version(chapter):
    wrong = wrong_answers(chapter)
    answers = {meta(c)["grade_id"] for p in solution_notebooks(chapter) for c in read(p).cells if is_answer(c)}
    assert answers <= set(wrong), f"tests/wrong_answers lacks wrong answers for {sorted(answers - set(wrong))}"
    assert set(wrong) <= answers, f"wrong answers for unknown cells {sorted(set(wrong) - answers)}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_right_answers_and_wrong_variants_name_real_cells(chapter):
    answers = answer_ids(chapter)
    tests = {t for ts in answer_tests(chapter).values() for t in ts}
    right = right_answers(chapter) or {}
    assert set(right) <= answers, f"tests/right_answers: answers for unknown cells {sorted(set(right) - answers)}"
    for i, variant in enumerate(wrong_variants(chapter), 1):
        cells = {k for k in variant if not k.startswith("_")}
        assert cells and cells <= answers, f"WRONG_VARIANTS[{i - 1}]: unknown answer cells {sorted(cells - answers)}"
        assert set(variant) - cells <= {"_lose"}, f"WRONG_VARIANTS[{i - 1}]: the only setting is '_lose'"
        lose = set(variant.get("_lose", []))
        assert lose <= tests, f"WRONG_VARIANTS[{i - 1}]: '_lose' names unknown test cells {sorted(lose - tests)}"
    for grade_id, (source, seeds) in reseeded_answers(chapter).items():
        assert grade_id in answers, f"RESEED: unknown answer cell {grade_id}"
        assert "__SEED__" in source and len(list(seeds)) >= 2, f"RESEED[{grade_id}]: use __SEED__ and several seeds"


def _region(source: str, begin: str, end: str) -> list[str]:
    lines, inside = [], False
    for line in source.splitlines():
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside and line.strip():
            lines.append(line.strip())
    return lines


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_student_version_hides_solutions_and_hidden_tests(chapter):
    for path in solution_notebooks(chapter):
        student_path = ROOT / "notebooks" / chapter / path.name
        assert student_path.exists(), f"{student_path} missing: run make release"
        student = {meta(c).get("grade_id"): c.source for c in read(student_path).cells if meta(c)}
        text = "\n".join(c.source for c in read(student_path).cells)
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
            assert marker not in text, f"{student_path.name}: {marker!r} left in the student version"
        for cell in read(path).cells:
            grade_id = meta(cell).get("grade_id")
            for begin, end in (("BEGIN SOLUTION", "END SOLUTION"), ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS")):
                secret = _region(cell.source, begin, end)
                kept = {l.strip() for l in student.get(grade_id, "").splitlines()}
                left = [line for line in secret if line in kept and line not in ("return", "pass")]
                assert not left, (
                    f"{student_path.name} {grade_id}: lines of the {begin.split()[1].lower()} region left: {left[:3]}"
                )


# chapters whose points are being moved to the hidden tests right now (issue 8); remove when done
HIDDEN_SHARE_PENDING: set[str] = set()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_hidden_tests_carry_at_least_half_of_each_exercise(chapter):
    """An answer tuned to the visible test must not keep most of the points (book/authoring.md)."""
    if chapter in HIDDEN_SHARE_PENDING:
        pytest.skip("points being moved to the hidden tests")
    points = {
        meta(c)["grade_id"]: (meta(c)["points"], "BEGIN HIDDEN TESTS" in c.source)
        for p in solution_notebooks(chapter)
        for c in read(p).cells
        if is_test(c)
    }
    short = {}
    for answer, tests in answer_tests(chapter).items():
        hidden = sum(points[t][0] for t in tests if points[t][1])
        total = sum(points[t][0] for t in tests)
        if 2 * hidden < total:
            short[answer] = f"{hidden} of {total} points hidden"
    assert not short, f"hidden tests must carry at least half of each exercise's points: {short}"


def read_up_section(source: str) -> str | None:
    """The section a test cell declares: its first statement after the imports is `read_up("<heading>")`."""
    import ast

    try:
        body = ast.parse(source).body
    except SyntaxError:
        return None
    first = next((s for s in body if not isinstance(s, ast.Import | ast.ImportFrom)), None)
    call = first.value if isinstance(first, ast.Expr) else None
    named = isinstance(call, ast.Call) and getattr(call.func, "id", getattr(call.func, "attr", None)) == "read_up"
    if named and len(call.args) == 1 and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_test_cell_says_where_to_read_up(chapter):
    """Every test cell starts (after its imports) with read_up("<heading>"), a heading of the same notebook:
    its failures end with a link to that section (nnbook.checks.read_up)."""
    wrong = []
    for path in solution_notebooks(chapter):
        cells = read(path).cells
        headings = {
            h.strip() for c in cells if c.cell_type == "markdown" for h in re.findall(r"^#{1,6} (.+)$", c.source, re.M)
        }
        for cell in filter(is_test, cells):
            section = read_up_section(cell.source)
            if section is None:
                wrong.append(f'{meta(cell)["grade_id"]}: no read_up("<heading>") as its first statement')
            elif section not in headings:
                wrong.append(f"{meta(cell)['grade_id']}: read_up({section!r}) is not a heading of {path.name}")
    assert not wrong, f"{chapter}: test cells that do not say where to read up: {wrong}"
