"""The chapters' cells as nbgrader marks them: the one reader of that metadata (grade ids, answer cells,
test cells), for the grader (box, tamper scan, harness) and the tests (tests/notebooks.py)."""

from __future__ import annotations

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted(p.name for p in (ROOT / "solutions").glob("ch*") if p.is_dir())


def solution_notebooks(chapter: str) -> list[Path]:
    return sorted((ROOT / "solutions" / chapter).glob("*.ipynb"))


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def is_answer(cell) -> bool:
    return meta(cell).get("solution", False) and not meta(cell).get("grade", False)


def is_test(cell) -> bool:
    return cell.cell_type == "code" and meta(cell).get("grade", False) and not meta(cell).get("solution", False)
