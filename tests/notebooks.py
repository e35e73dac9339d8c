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


def _answers_module(kind: str, chapter: str):
    path = ROOT / "tests" / kind / (chapter.replace("-", "_") + ".py")
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"{kind}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def wrong_answers(chapter: str) -> dict[str, str]:
    """The chapter's plausible wrong answers: tests/wrong_answers/<chNN_name>.py, WRONG = {grade_id: source}."""
    module = _answers_module("wrong_answers", chapter)
    return module.WRONG if module else {}


def wrong_variants(chapter: str) -> list[dict[str, str]]:
    """Extra wrong submissions: WRONG_VARIANTS = [{grade_id: source, ...}, ...] in the same file.

    Each variant is graded as a submission of its own (the other answers stay the model answers); the
    test cells that follow a replaced answer cell (up to the next answer cell) must lose points. A
    variant may name the test cells that must lose points itself with the key "_lose" (a list of
    grade_ids), e.g. only the hidden test for an answer hard-coded for the visible case."""
    module = _answers_module("wrong_answers", chapter)
    return list(getattr(module, "WRONG_VARIANTS", [])) if module else []


def right_answers(chapter: str) -> dict[str, str] | None:
    """Correct answers written differently from the model answer: tests/right_answers/<chNN_name>.py,
    RIGHT = {grade_id: source}; None if the chapter has no such file."""
    module = _answers_module("right_answers", chapter)
    return module.RIGHT if module else None


def reseeded_answers(chapter: str) -> dict[str, tuple[str, list[int]]]:
    """Grading-sensitive answers to re-run under several seeds: RESEED = {grade_id: (source, seeds)} in
    tests/right_answers/<chNN_name>.py, where the token __SEED__ in `source` (a correct answer that
    draws its randomness, e.g. its shuffle order, from that seed) is replaced by each seed in turn."""
    module = _answers_module("right_answers", chapter)
    return dict(getattr(module, "RESEED", {})) if module else {}


def answer_ids(chapter: str) -> set[str]:
    return {meta(c)["grade_id"] for p in solution_notebooks(chapter) for c in read(p).cells if is_answer(c)}


def answer_tests(chapter: str) -> dict[str, list[str]]:
    """answer grade_id -> the grade_ids of the test cells that follow it, up to the next answer cell."""
    out: dict[str, list[str]] = {}
    for path in solution_notebooks(chapter):
        current = None
        for cell in read(path).cells:
            if is_answer(cell):
                current = meta(cell)["grade_id"]
                out[current] = []
            elif is_test(cell) and current is not None:
                out[current].append(meta(cell)["grade_id"])
    return out
