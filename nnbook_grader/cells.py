"""The chapters' cells as nbgrader marks them: the one reader of that structure (grade ids, answer, test
and manually graded cells, the solution and hidden-test markers), for the grader (box, tamper scan,
harness, preprocessors), the tools (nbsrc, stage_book), the benchmarks and the tests (tests/notebooks.py).
tests/test_border.py fails when another module reads nbgrader's cell metadata or markers itself."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted(p.name for p in (ROOT / "solutions").glob("ch*") if p.is_dir())

SOLUTION_BEGIN, SOLUTION_END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
# a marker line as nbgrader reads it (the number of #'s does not matter to nbgrader)
MARKER = re.compile(r"^\s*(#+\s*)?(BEGIN|END) (SOLUTION|HIDDEN TESTS)\s*$")
SOLUTION_MARKER = re.compile(r"^\s*(#+\s*)?(BEGIN|END) SOLUTION\s*$")


def solution_notebooks(chapter: str) -> list[Path]:
    return sorted((ROOT / "solutions" / chapter).glob("*.ipynb"))


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_id(cell) -> str | None:
    return meta(cell).get("grade_id")


def is_answer(cell) -> bool:
    """An autograded answer cell (solution, not graded itself)."""
    return meta(cell).get("solution", False) and not meta(cell).get("grade", False)


def is_manual(cell) -> bool:
    """A manually graded answer (solution and graded: the instructor scores it)."""
    return meta(cell).get("solution", False) and meta(cell).get("grade", False)


def is_test(cell) -> bool:
    return cell.cell_type == "code" and meta(cell).get("grade", False) and not meta(cell).get("solution", False)


def has_hidden_tests(cell) -> bool:
    return HIDDEN_BEGIN in cell.get("source", "")


def is_locked(cell) -> bool:
    """A cell students cannot change (nbgrader restores it): locked, or a test cell."""
    flags = meta(cell)
    return bool(flags.get("locked") or (flags.get("grade") and not flags.get("solution")))


def kind(cell) -> str:
    """'manual', 'answer', 'hidden' (a test cell with hidden tests), 'test', 'markdown' or 'code'."""
    if is_manual(cell):
        return "manual"
    if is_answer(cell):
        return "answer"
    if meta(cell).get("grade"):
        return "hidden" if has_hidden_tests(cell) else "test"
    return "markdown" if cell.cell_type == "markdown" else "code"


def without_markers(source: str, only_solution: bool = False) -> str:
    """The source without nbgrader's marker lines (solution markers only, if asked)."""
    marker = SOLUTION_MARKER if only_solution else MARKER
    return "\n".join(line for line in source.splitlines() if not marker.match(line))


def solution_part(source: str) -> str:
    """The text between the solution markers (the part students never see); all of it without markers."""
    lines = source.splitlines()
    begin = next((i for i, x in enumerate(lines) if SOLUTION_MARKER.match(x) and "BEGIN" in x), None)
    end = next((i for i, x in enumerate(lines) if SOLUTION_MARKER.match(x) and "END" in x), None)
    if begin is None or end is None:
        return source.strip()
    return "\n".join(lines[begin + 1 : end]).strip()


def hide_hidden_tests(source: str, note: str = "# (hidden tests: not shown)") -> tuple[str, int]:
    """Replace every hidden-test block by one `note` line (indented like the block); returns (source,
    number of blocks)."""
    out, hidden, blocks = [], False, 0
    for line in source.splitlines():
        if line.strip().startswith(HIDDEN_BEGIN):
            hidden, blocks = True, blocks + 1
            out.append(line[: len(line) - len(line.lstrip())] + note)
        elif line.strip().startswith(HIDDEN_END):
            hidden = False
        elif not hidden:
            out.append(line)
    return "\n".join(out), blocks


def visible_part(source: str) -> str:
    """A test cell's source as the release shows it (hidden-test blocks and blank lines out), to compare."""
    out, hidden = [], False
    for line in source.splitlines():
        if line.strip().startswith(HIDDEN_BEGIN):
            hidden = True
        elif line.strip().startswith(HIDDEN_END):
            hidden = False
        elif not hidden and line.strip():
            out.append(line.rstrip())
    return "\n".join(out)
