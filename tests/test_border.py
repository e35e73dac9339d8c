"""The border between the students' helper package and the grader-only package (book/authoring.md):
no notebook imports nnbook_grader, and the students' environment does not install it."""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from nnbook_grader.environment import student_environment
from notebooks import CHAPTERS, ROOT, read, solution_notebooks

GRADER_IMPORT = re.compile(r"\bnnbook_grader\b")


def notebooks_of(chapter):
    for path in solution_notebooks(chapter):
        yield path
        yield ROOT / "notebooks" / chapter / path.name


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_notebook_uses_the_grader_package(chapter):
    for path in notebooks_of(chapter):
        if not path.exists():
            continue
        used = [
            i
            for i, cell in enumerate(read(path).cells)
            if cell.cell_type == "code" and GRADER_IMPORT.search(cell.source)
        ]
        assert not used, (
            f"{path.relative_to(ROOT)} cells {used} use nnbook_grader; notebooks test with "
            f"independent oracles (book/authoring.md, 'The answer key')"
        )


def test_the_students_requirements_do_not_install_the_grader_package():
    text = (ROOT / "requirements-student.txt").read_text()
    lines = [line.split("#")[0].strip() for line in text.splitlines()]
    assert not [line for line in lines if "grader" in line.lower() and not line.lower().startswith("nbgrader")]
    assert not [line for line in lines if line.startswith(("-e", ".", "/")) or line.startswith("-r")], (
        "requirements-student.txt installs a local path or another requirements file"
    )


def test_the_installed_project_is_nnbook_only():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = project["tool"]["setuptools"]["packages"]
    assert "nnbook" in packages and all(p == "nnbook" or p.startswith("nnbook.") for p in packages), packages


def test_make_lab_uses_the_students_environment():
    makefile = (ROOT / "Makefile").read_text()
    lab = re.search(r"^lab:(.*)\n((?:\t.*\n)+)", makefile, re.M)
    assert lab and "STUDENT" in lab.group(1) and "STUDENT_VENV" in lab.group(2), (
        "make lab must run JupyterLab from the students' environment (requirements-student.txt + nnbook)"
    )
    student = re.search(r"^\$\(STUDENT_STAMP\):.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "requirements.txt" not in student.replace("requirements-student.txt", "")
    assert "nnbook_grader" not in student


def test_the_import_contracts_hold():
    """pyproject.toml's import contracts (import-linter): nnbook holds no grading code (it never imports
    nnbook_grader, nbgrader or nbconvert) and no chapter module imports another. A string import of the
    grader, which import-linter does not see, is refused here."""
    done = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    dynamic = re.compile(r"import_module\(.nnbook_grader|__import__\(.nnbook_grader")
    users = [str(p.relative_to(ROOT)) for p in nnbook_modules() if dynamic.search(p.read_text())]
    assert not users, f"nnbook modules import the grader package: {users}"


# reading nbgrader's cell metadata or its markers: nnbook_grader/cells.py is the one home
CELL_READING = re.compile(
    r"""metadata(?:\.get\(\s*["']nbgrader["']|\[["']nbgrader["']\](?!\s*=[^=])|\.nbgrader\b)"""
    r"""|["'][^"'\n]*(?:BEGIN|END)\)? \(?(?:SOLUTION|HIDDEN TESTS)"""  # a marker in a string (docs may name them)
)


def test_one_reader_of_the_cells_structure():
    """Only nnbook_grader/cells.py reads grade ids, cell kinds and nbgrader's markers; the grader, the tools,
    the benchmarks and tests/notebooks.py ask it (the test files, which build and lint notebooks, may
    spell markers out)."""
    places = [p for folder in ("nnbook", "nnbook_grader", "tools", "benchmarks") for p in (ROOT / folder).rglob("*.py")]
    places.append(ROOT / "tests" / "notebooks.py")
    readers = sorted(
        str(p.relative_to(ROOT)) for p in places if p.name != "cells.py" and CELL_READING.search(p.read_text())
    )
    assert not readers, f"these read nbgrader's cell structure themselves; use nnbook_grader.cells: {readers}"


def test_graded_notebooks_see_nnbook_but_not_the_grader_package(tmp_path):
    """Even when the caller's PYTHONPATH holds the repository root (a development set-up), the kernels
    that nbgrader starts on submissions find this checkout's nnbook and no nnbook_grader."""
    env = student_environment(dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(tmp_path)])))
    code = (
        "import importlib.util, nnbook; "
        "print(importlib.util.find_spec('nnbook_grader') is None); print(nnbook.__file__)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    hidden, nnbook_file = done.stdout.split()[-2:]
    assert hidden == "True", "nnbook_grader is importable where submissions are graded"
    assert Path(nnbook_file).resolve().parent == (ROOT / "nnbook").resolve()
    assert str(tmp_path) in env["PYTHONPATH"].split(os.pathsep)


# ----------------------------------------------------------------------------- one home per concern
def nnbook_modules():
    return sorted((ROOT / "nnbook").rglob("*.py"))


def test_grading_errors_are_raised_through_checks_only():
    raising = [
        p.name for p in nnbook_modules() if p.stem != "checks" and re.search(r"raise\s+GradingError", p.read_text())
    ]
    assert not raising, f"raise GradingError only in nnbook.checks; elsewhere use checks.fail or a check: {raising}"


def test_one_guarded_call_and_one_array_conversion():
    from nnbook import checks, probes, tensors

    assert probes.attempt is checks.attempt
    assert probes.count_parameters is tensors.count_parameters
    sources = {p.stem: p.read_text() for p in nnbook_modules()}
    converting = sorted(
        name for name, text in sources.items() if "detach().cpu().numpy()" in text and name != "tensors"
    )
    assert not converting, f"tensor-to-NumPy conversions outside nnbook.tensors: {converting}"
