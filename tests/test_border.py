"""The border between the students' helper package and the grader-only package (book/authoring.md):
no notebook imports nnbook_grader, and the students' environment does not install it."""
import re
import tomllib

import pytest

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
        used = [i for i, cell in enumerate(read(path).cells)
                if cell.cell_type == "code" and GRADER_IMPORT.search(cell.source)]
        assert not used, (f"{path.relative_to(ROOT)} cells {used} use nnbook_grader; notebooks test with "
                          f"independent oracles (book/authoring.md, 'The answer key')")


def test_the_students_requirements_do_not_install_the_grader_package():
    text = (ROOT / "requirements-student.txt").read_text()
    lines = [line.split("#")[0].strip() for line in text.splitlines()]
    assert not [line for line in lines if "grader" in line.lower() and not line.lower().startswith("nbgrader")]
    assert not [line for line in lines if line.startswith(("-e", ".", "/")) or line.startswith("-r")], \
        "requirements-student.txt installs a local path or another requirements file"


def test_the_installed_project_is_nnbook_only():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["tool"]["setuptools"]["packages"] == ["nnbook"]


def test_make_lab_uses_the_students_environment():
    makefile = (ROOT / "Makefile").read_text()
    lab = re.search(r"^lab:(.*)\n((?:\t.*\n)+)", makefile, re.M)
    assert lab and "STUDENT" in lab.group(1) and "STUDENT_VENV" in lab.group(2), \
        "make lab must run JupyterLab from the students' environment (requirements-student.txt + nnbook)"
    student = re.search(r"^\$\(STUDENT_STAMP\):.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "requirements.txt" not in student.replace("requirements-student.txt", "")
    assert "nnbook_grader" not in student


def test_nnbook_contains_no_grader_import():
    users = [p.name for p in (ROOT / "nnbook").glob("*.py") if GRADER_IMPORT.search(p.read_text())]
    assert not users, f"nnbook modules import the grader package: {users}"
