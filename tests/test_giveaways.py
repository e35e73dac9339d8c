"""A student version never contains the answer to one of its graded exercises (DESIGN.md, "ask before
telling"): not the model answer's code, not a worked derivation (those are markdown cells tagged
`model-answer`, dropped by the release step and shown on the website after the exercise), and not the
answer's fingerprints anywhere: prose, learning goals, given cells, visible tests, summary.

Each exercise declares its fingerprints in its solution notebook's metadata, ``nnbook.fingerprints``:
``{grade_id: [strings]}``: the reference expression as it reads in TeX or code, key numbers, the names
of oracle helpers that compute the answer. The release step drops that metadata. The check compares
after removing spacing commands, braces and blanks, so `k\\,u_i^{k-1}` and `k u_i^{k-1}` are the same."""

import re

import pytest

from notebooks import CHAPTERS, ROOT, is_answer, meta, read, solution_notebooks


def fingerprints(chapter: str) -> dict[str, list[str]]:
    """{grade_id: [fingerprints]} from the solution notebooks' metadata (``nnbook.fingerprints``)."""
    found = {}
    for path in solution_notebooks(chapter):
        found.update(read(path).metadata.get("nnbook", {}).get("fingerprints", {}))
    return found


def squeeze(tex: str) -> str:
    """TeX without what does not change its meaning: spacing commands, sizing, braces, blanks."""
    tex = re.sub(r"\\[,;:! ]|\\(?:left|right|big|Big|bigg|Bigg)\b", "", tex)
    return re.sub(r"[\s{}]", "", tex)


def student_text(chapter: str) -> str:
    paths = sorted((ROOT / "notebooks" / chapter).glob("*.ipynb"))
    assert paths, f"no student version of {chapter}: run `make release`"
    return "\n".join(cell.source for path in paths for cell in read(path).cells)


def solution_region(source: str) -> list[str]:
    lines, inside = [], False
    for line in source.splitlines():
        if "BEGIN SOLUTION" in line:
            inside = True
        elif "END SOLUTION" in line:
            inside = False
        elif inside:
            lines.append(line.strip().lstrip("#").strip())
    return lines


def test_squeeze_ignores_spacing_and_braces():
    assert squeeze(r"k\,u_i^{k-1}") == squeeze(r"k u_i^{k-1}") == "ku_i^k-1"
    assert squeeze(r"\Big(\sum_{c=1}^{D} x\Big)") == squeeze(r"(\sum_{c=1}^D x)")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_worked_derivation_in_the_student_version(chapter):
    text = student_text(chapter)
    for path in solution_notebooks(chapter):
        for cell in read(path).cells:
            if "model-answer" in cell.metadata.get("tags", []):
                assert cell.cell_type == "markdown", f"{path.name}: only markdown cells are tagged model-answer"
                first = next(line for line in cell.source.splitlines() if line.strip())
                assert first not in text, f"{chapter}: model-answer cell {cell.get('id')!r} in the student version"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_model_answer_in_the_student_version(chapter):
    """No model answer (its solution region, 60 characters or more without blanks) appears whole in notebooks/."""
    text = re.sub(r"[\s#]", "", student_text(chapter))
    leaks = []
    for path in solution_notebooks(chapter):
        for cell in read(path).cells:
            if is_answer(cell) or (meta(cell).get("solution") and cell.cell_type == "markdown"):
                answer = re.sub(r"[\s#]", "", "".join(solution_region(cell.source)))
                if len(answer) >= 60 and answer in text:
                    leaks.append(meta(cell)["grade_id"])
    assert not leaks, f"{chapter}: model answers in the student version: {leaks}"


def giveaways(text: str, prints: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(grade_id, fingerprint) for every fingerprint that `text` contains (spacing and braces ignored)."""
    squeezed = squeeze(text)
    return [(grade_id, tex) for grade_id, forms in prints.items() for tex in forms if squeeze(tex) in squeezed]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_fingerprint_of_an_answer_in_the_student_version(chapter):
    found = giveaways(student_text(chapter), fingerprints(chapter))
    assert not found, f"{chapter}: the student version states graded answers: {found}"


def test_the_guard_finds_a_planted_giveaway():
    prints = {"ch02-grad-u-sym": [r"k\,u_i^{k-1}"], "ch03-mdrnn-count": ["9088"]}
    assert giveaways("The gradient is $k u_i^{ k-1 }$.", prints) == [("ch02-grad-u-sym", r"k\,u_i^{k-1}")]
    assert giveaways("print(9088)", prints) == [("ch03-mdrnn-count", "9088")]
    assert giveaways("nothing to see", prints) == []
    chapter = "ch02-gradients"
    planted = student_text(chapter) + "\n# an aside: dE/du = g_i k u_i^{k-1} h_i\n"
    assert giveaways(planted, fingerprints(chapter)), "a planted reference expression went unnoticed"


def test_fingerprints_name_real_exercises_and_stay_out_of_the_release():
    ids = {meta(c)["grade_id"] for ch in CHAPTERS for p in solution_notebooks(ch) for c in read(p).cells if meta(c)}
    unknown = sorted({g for ch in CHAPTERS for g in fingerprints(ch)} - ids)
    assert not unknown, f"fingerprints name exercises that no chapter has: {unknown}"
    for chapter in CHAPTERS:
        for path in sorted((ROOT / "notebooks" / chapter).glob("*.ipynb")):
            assert "nnbook" not in read(path).metadata, f"{path}: the fingerprints were released to students"
