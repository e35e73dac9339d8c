"""Grading that a submission cannot disarm (issue 22): tamper submissions on two chapters, graded by the
instructors' path (nnbook_grader.autograde, boxed), each scoring no more than the untouched student
version on the cells it tampers with, and flagged `review` with its reason; honest submissions (every
solution, every right answer) are never flagged.

A tamper submission is the student version whose stubs return an object instead of raising, with a
tampering cell in front of the first answer: the five attacks below, one submission each.
"""

import io
import re
import shutil

import nbformat
import pytest

from nnbook_grader.tamper import Finding, scan
from notebooks import CHAPTERS, ROOT, is_answer, meta, read, right_answers, solution_notebooks

CHAPTERS_TAMPERED = ("ch02-gradients", "ch04-numpy-rnn")
STUB_CHAPTER = "ch04-numpy-rnn"  # (test_sandbox.py grades chapter 2's solutions and sees them unflagged)
LIMITS = {"cell_timeout": 60, "notebook_timeout": 300}

ANYTHING = '''
class _Anything:
    """Equal to everything, an array of anything, a number of anything."""
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __bool__(self): return True
    def __float__(self): return 0.0
    def __array__(self, dtype=None, copy=None):
        import numpy
        return numpy.zeros(())
    def __getattr__(self, name): return self
    def __call__(self, *args, **kwargs): return self
    def __iter__(self): return iter(())
'''

ATTACKS = {
    # the checks do nothing, call_answer hands back the object that equals everything
    "checks": ANYTHING
    + """
import nnbook, nnbook.checks, nnbook.probes
_nothing = lambda *args, **kwargs: None
for _module in (nnbook, nnbook.checks, nnbook.probes):
    for _name in ("check_close", "check_true", "check_shape", "check_sympy_equal", "check_gradient"):
        setattr(_module, _name, _nothing)
    setattr(_module, "call_answer", lambda *args, **kwargs: _Anything())
check_close = check_true = check_shape = check_sympy_equal = check_gradient = _nothing
call_answer = lambda *args, **kwargs: _Anything()
""",
    # NumPy's and PyTorch's comparisons always agree
    "numeric": """
import numpy as np, torch
np.allclose = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.shape(a), bool)
np.array_equal = lambda *args, **kwargs: True
np.all = lambda *args, **kwargs: True
np.any = lambda *args, **kwargs: False
torch.allclose = lambda *args, **kwargs: True
""",
    # only the object: its comparisons and conversions are all the student changed
    "always-equal": ANYTHING,
    # builtins the checks compute with (not those the kernel itself needs to answer: that only hangs it)
    "builtins": """
import builtins
builtins.abs = lambda x: 0
builtins.sum = lambda *args, **kwargs: 0
builtins.round = lambda *args, **kwargs: 0
""",
    # a helper the test cells use, defined in the test namespace from an answer cell
    "namespace": ANYTHING
    + """
globals().update({name: (lambda *args, **kwargs: _Anything()) for name in
                  ("check_close", "check_true", "check_shape", "check_sympy_equal", "call_answer", "attempt",
                   "as_number", "as_array", "as_sympy", "evaluate_sympy")})
""",
}
RETURNS_ANYTHING = {"checks", "always-equal", "namespace"}


def tampered(chapter: str, attack: str) -> nbformat.NotebookNode:
    """The student version, stubs returning the object (or None), the attack in front of the first answer."""
    nb = read(ROOT / "notebooks" / chapter / f"{chapter}.ipynb")
    first = True
    for cell in nb.cells:
        if not is_answer(cell) or cell.cell_type != "code":
            continue
        lines = []
        for line in cell.source.splitlines():
            if "raise NotImplementedError" in line:
                indent = line[: len(line) - len(line.lstrip())]
                value = "_Anything()" if attack in RETURNS_ANYTHING else "None"
                line = f"{indent}return {value}" if indent else f"_answer = {value}"
            lines.append(line)
        cell.source = (ATTACKS[attack] + "\n" if first else "") + "\n".join(lines)
        first = False
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from nnbook_grader import autograde as grading

    course = tmp_path_factory.mktemp("tamper-course")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    for chapter in CHAPTERS_TAMPERED:
        shutil.copytree(ROOT / "solutions" / chapter, course / "solutions" / chapter)
        shutil.copytree(ROOT / "notebooks" / chapter, course / "notebooks" / chapter)
        subs = {attack: tampered(chapter, attack) for attack in ATTACKS}
        if chapter == STUB_CHAPTER:  # the untouched student version: the guard must not flag it
            subs["stub"] = read(ROOT / "notebooks" / chapter / f"{chapter}.ipynb")
        for student, nb in subs.items():
            folder = course / "submitted" / student / chapter
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{chapter}.ipynb")
    out = io.StringIO()
    entries = grading.autograde(course, workers=2, limits=LIMITS, progress=False, out=out)
    return course, entries, out.getvalue()


def cell_scores(course, student, chapter):
    from nnbook_grader.autograde import scores

    return {k[2]: v or 0 for k, v in scores(course).items() if k[0] == student and k[1] == chapter}


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS_TAMPERED)
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_tampering_scores_no_more_than_the_stub_and_is_flagged(graded, chapter, attack):
    course, entries, printed = graded
    # the untouched student version scores 0 in every test cell (test_pipeline.py proves it per chapter)
    gained = {k: v for k, v in cell_scores(course, attack, chapter).items() if v > 0}
    assert not gained, f"{attack} on {chapter} scores more than the untouched stub in {gained}"
    entry = entries[f"{attack}/{chapter}"]
    assert entry["status"] == "review" and entry["flags"], entry
    assert re.search(rf"^{attack}\s+{chapter}\s+[\d.]+\s+[\d.]+\s+review\s+.*cell \d+", printed, re.MULTILINE), printed


@pytest.mark.slow
def test_the_untouched_student_version_is_not_flagged(graded):
    course, entries, _ = graded
    assert entries[f"stub/{STUB_CHAPTER}"]["status"] != "review", entries[f"stub/{STUB_CHAPTER}"]
    assert not any(cell_scores(course, "stub", STUB_CHAPTER).values())


@pytest.mark.slow
def test_flags_reach_the_grades_csv_and_the_autograded_notebook(graded):
    from nnbook_grader import autograde as grading

    course, _, _ = graded
    text = grading.grades_csv(course).read_text()
    assert re.search(r"^checks,ch04-numpy-rnn,[\d.]+,[\d.]+,review,.*tampering", text, re.MULTILINE), text
    notes = read(course / "autograded" / "checks" / "ch04-numpy-rnn" / "ch04-numpy-rnn.ipynb").cells[0].source
    assert "Grading notes" in notes and "tampering?" in notes
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        comments = [
            c.auto_comment or ""
            for c in gb.find_submission_notebook("ch04-numpy-rnn", "ch04-numpy-rnn", "checks").comments
        ]
    assert any("Flagged for review" in c for c in comments), comments


# ------------------------------------------------------------------------------ the static scan


def test_scan_finds_each_attack():
    for attack in ATTACKS:
        found = scan(tampered("ch04-numpy-rnn", attack))
        assert found, f"the scan misses the {attack!r} attack"
        assert all(isinstance(f, Finding) and f.cell > 0 for f in found)


@pytest.mark.parametrize(
    "source",
    [
        "import numpy as np\nnp.allclose = lambda *a, **k: True",
        "import nnbook.checks as c\nc.check_close = print",
        "import sys\nsys.modules['numpy'] = None",
        "import sys\nsys.modules.pop('nnbook')",
        "import torch\nsetattr(torch, 'allclose', lambda *a: True)",
        "import builtins\nbuiltins.len = lambda x: 0",
        "__builtins__['len'] = None",
        "import gc\ngc.get_objects()",
        "import ctypes",
        "import inspect\ninspect.currentframe().f_back.f_globals['x'] = 1",
        "globals()['check_true'] = print",
        "check_close = lambda *a, **k: None",
        "def call_answer(*a, **k):\n    return 0",
        "from nnbook.checks import check_true as check_close",
        "class A:\n    def __eq__(self, other):\n        return True",
        "class A:\n    __eq__ = lambda self, other: True",
        "exec('import numpy; numpy.allclose = None')",
        "f = lambda: 0\nf.__code__ = (lambda: 1).__code__",
    ],
)
def test_scan_flags_each_kind_of_tampering(source):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    assert scan(nb), f"not flagged: {source!r}"


def test_scan_leaves_ordinary_code_alone():
    source = (
        "import numpy as np\nimport torch\nx = np.stack([np.zeros(3)])\ntorch.manual_seed(0)\n"
        "class Layer(torch.nn.Module):\n    def __eq__(self, other):\n        return self is other\n"
        "model = Layer()\nmodel.weight = torch.nn.Parameter(torch.zeros(2))\nos = None\n%matplotlib inline\n"
        "torch.backends.cudnn.deterministic = True\n"
    )
    assert scan(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])) == []


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_honest_submission_is_flagged(chapter):
    """Every solution and every right answer of every chapter: zero findings."""
    for path in solution_notebooks(chapter):
        assert scan(read(path)) == [], f"{path.name}: the solution is flagged"
        right = right_answers(chapter) or {}
        nb = read(path)
        for cell in nb.cells:
            if is_answer(cell) and meta(cell)["grade_id"] in right:
                cell.source = right[meta(cell)["grade_id"]]
        assert scan(nb) == [], f"{chapter}: a right answer is flagged: {scan(nb)}"
