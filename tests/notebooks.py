"""What the pipeline tests know about chapters: where they are and how their cells are marked."""
from __future__ import annotations

import importlib.util
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


def wrong_answers(chapter: str) -> dict[str, str]:
    """The chapter's plausible wrong answers: tests/wrong_answers/<chNN_name>.py, WRONG = {grade_id: source}."""
    path = ROOT / "tests" / "wrong_answers" / (chapter.replace("-", "_") + ".py")
    if not path.exists():
        return {}
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.WRONG
