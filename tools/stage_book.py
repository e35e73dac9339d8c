"""Stage the book's sources into a build folder, ready for `jupyter-book build <folder>`.

The chapter notebooks in solutions/ carry nbgrader's markers. On the website they would show as
stray comments and, in the manually graded markdown answers, as headings. The staged copies drop
the markers from code and put each model answer into a collapsed "Model answer" dropdown.

    python tools/stage_book.py _build/stage            # the book (solutions, executed when built)
    python tools/stage_book.py _build/stage --student  # the student edition (notebooks/, not executed)
"""
from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"^\s*(#+\s*)?(BEGIN|END) (SOLUTION|HIDDEN TESTS)\s*$")
COPIED = ("book", "assets", "notebooks", "_vendor")


def without_markers(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if not MARKER.match(line))


def model_answer_dropdown(source: str) -> str:
    """Question text, then the model answer (between the markers) in a collapsed admonition."""
    lines = source.splitlines()
    begin = next((i for i, l in enumerate(lines) if MARKER.match(l) and "BEGIN" in l), None)
    end = next((i for i, l in enumerate(lines) if MARKER.match(l) and "END" in l), None)
    if begin is None or end is None or end < begin:
        return without_markers(source)
    answer = "\n".join(lines[begin + 1:end]).strip()
    return "\n".join(lines[:begin] + ["", "````{admonition} Model answer and rubric", ":class: dropdown",
                                      "", answer, "````", ""] + lines[end + 1:]).strip()


def stage_notebook(src: Path, dst: Path) -> None:
    nb = nbformat.read(src, as_version=4)
    for cell in nb.cells:
        grading = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and grading.get("solution"):
            cell.source = model_answer_dropdown(cell.source)
        elif cell.cell_type == "code":
            cell.source = without_markers(cell.source)
    dst.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dst)


def stage(out: Path, student: bool = False) -> Path:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in COPIED:
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, out / name)
    toc = (ROOT / "_toc.yml").read_text()
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    if student:  # stubs raise NotImplementedError until a student fills them in: show, don't execute
        toc = toc.replace("solutions/", "notebooks/")
        config["title"] += " (student edition)"
        config["execute"]["execute_notebooks"] = "off"
    else:
        for src in sorted((ROOT / "solutions").glob("ch*/*.ipynb")):
            stage_notebook(src, out / src.relative_to(ROOT))
    (out / "_toc.yml").write_text(toc)
    (out / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--student", action="store_true")
    args = parser.parse_args()
    print(f"staged {'the student edition' if args.student else 'the book'} in {stage(args.out, args.student)}")
