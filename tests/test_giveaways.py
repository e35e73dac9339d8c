"""A student version never contains the answer to one of its graded exercises (DESIGN.md): not the model
answer's code, not a worked derivation (those are markdown cells tagged `model-answer`, dropped by the
release step and shown on the website after the exercise), and not the reference expression written
out in prose, learning goals or summary.

REFERENCE_TEX lists, per graded exercise, how its reference expression reads in TeX. The check compares
after removing spacing commands, braces and blanks, so `k\\,u_i^{k-1}` and `k u_i^{k-1}` are the same. A
chapter whose exercises grade an expression adds its entries here."""

import re

import pytest

from notebooks import CHAPTERS, ROOT, is_answer, meta, read, solution_notebooks

REFERENCE_TEX = {
    "ch02-grad-u-sym": [r"k\,u_i^{k-1}", r"g_i k u_i^{k-1} h_i"],
    "ch02-lstm-step1": [r"f_\varphi (1 - f_\varphi)", r"\sigma(x)(1 - \sigma(x))"],
    "ch02-lstm-step3": [r"\sum_{c=1}^{D} \zeta_c^t s_c^{t-1}", r"\sum_c \zeta_c^t s_c^{t-1}"],
    "ch02-lstm-step4": [
        r"f_\varphi'(\mathrm{net}_\varphi^t)\sum_c \zeta_c^t s_c^{t-1}",
        r"f_\varphi'(\mathrm{net}_\varphi^t) \sum_{c=1}^{D} \zeta_c^t \, s_c^{t-1}",
    ],
    "ch03-mdrnn-count": ["9088", r"2^n H (I + nH + K)"],
    "ch03-tcn-count": ["255,000", "255,350", r"1 + (k-1) \sum_{\ell=1}^{L} d_\ell"],
    "ch06-truncsd": [r"\sigma\sqrt{1 - 2k\varphi(k)/(2\Phi(k) - 1)}"],
    "ch07-prior": ["293739273930679041778453489"],
}


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


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_reference_expression_in_the_student_version(chapter):
    text = squeeze(student_text(chapter))
    found = [
        (grade_id, tex)
        for grade_id, forms in REFERENCE_TEX.items()
        if grade_id.startswith(chapter[:4] + "-")
        for tex in forms
        if squeeze(tex) in text
    ]
    assert not found, f"{chapter}: the student version states graded answers: {found}"


def test_reference_tex_names_real_exercises():
    ids = {meta(c)["grade_id"] for ch in CHAPTERS for p in solution_notebooks(ch) for c in read(p).cells if meta(c)}
    unknown = sorted(set(REFERENCE_TEX) - ids)
    assert not unknown, f"REFERENCE_TEX lists exercises that no chapter has: {unknown}"
