"""Stage the book's sources into a build folder, ready for `jupyter-book build <folder>`.

The chapter notebooks in solutions/ carry nbgrader's markers. On the website they would show as
stray comments and, in the manually graded markdown answers, as headings. The staged copies drop
the markers from code and put each model answer into a collapsed "Model answer" dropdown. Model
answers in code sit behind a toggle labelled as the model answer; each visible test cell sits behind
a toggle labelled with what it checks (its exercise, its points, and its first comment line when that
says what the test compares against); markdown cells tagged `model-answer` (worked derivations that
answer an exercise, removed from the student version by the release step) become a collapsed
"Model answer" dropdown.

    python tools/stage_book.py _build/stage            # the book (solutions, executed when built)
    python tools/stage_book.py _build/stage --student  # the student edition (notebooks/, not executed)
    python tools/stage_book.py _build/stage --execute-into .   # and execute the chapters, one per core
    python tools/stage_book.py _build/stage --student --hub https://hub.example.edu \\
        --student-repository https://github.com/example/course   # launch buttons other than _config.yml's
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from nnbook_grader import cells as nbcells  # noqa: E402  (the one reader of nbgrader's cell structure)
from nnbook_grader.cells import MARKER, without_markers  # noqa: E402

COPIED = ("book", "assets", "notebooks", "_vendor")


def model_answer_dropdown(source: str) -> str:
    """Question text, then the model answer (between the markers) in a collapsed admonition."""
    lines = source.splitlines()
    begin = next((i for i, l in enumerate(lines) if MARKER.match(l) and "BEGIN" in l), None)
    end = next((i for i, l in enumerate(lines) if MARKER.match(l) and "END" in l), None)
    if begin is None or end is None or end < begin:
        return without_markers(source)
    answer = "\n".join(lines[begin + 1 : end]).strip()
    return "\n".join(
        lines[:begin]
        + ["", "````{admonition} Model answer and rubric", ":class: dropdown", "", answer, "````", ""]
        + lines[end + 1 :]
    ).strip()


def plain(markdown: str) -> str:
    """A heading as plain text for a toggle's label (the label is not parsed: no math, no markup)."""
    text = re.sub(r"\\(?:mathrm|text|mathbf|operatorname)\{([^}]*)\}", r"\1", markdown)
    text = re.sub(r"\\([A-Za-z]+)", r"\1", text)
    text = re.sub(r"[$`*{}]", "", text)
    return re.sub(r"\s+", " ", text.lstrip("#")).strip()


def test_label(heading: str | None, source: str, points: float | None) -> str:
    """What a visible test checks: its exercise, its points, and its opening comment if it has one."""
    label = "Test"
    if heading:
        label += " of " + re.sub(r"\s*\(\d+(\.\d+)? points?\)", "", plain(heading))
    if points:
        label += f" ({points:g} point{'s' if points != 1 else ''})"
    first = source.lstrip().splitlines()[0] if source.strip() else ""
    if first.startswith("#"):
        label += " \N{EM DASH} " + first.lstrip("# ").rstrip(",;:")
    return label


def heading_anchors(markdown: str) -> str:
    """Each section heading (## and below, not in a code block) preceded by an anchor with the id JupyterLab
    gives it, so that a read-up link under a failed test (`nnbook.checks.read_up`) finds it on the website."""
    from nnbook.checks import heading_id

    lines, fence = [], None
    for line in markdown.splitlines():
        opening = re.match(r"^\s*(`{3,}|~{3,})", line)
        if opening and fence is None:
            fence = opening.group(1)
        elif opening and opening.group(1).startswith(fence):
            fence = None
        heading = re.match(r"^#{2,6} (.+)$", line) if fence is None else None
        if heading:
            lines += [f'<a id="{html.escape(heading_id(heading.group(1)), quote=True)}"></a>', ""]
        lines.append(line)
    return "\n".join(lines)


def label_toggle(cell, show: str, hide: str) -> None:
    tags = cell.metadata.setdefault("tags", [])
    if "hide-input" not in tags and "remove-cell" not in tags and "remove-input" not in tags:
        tags.append("hide-input")
    cell.metadata["mystnb"] = {**cell.metadata.get("mystnb", {}), "code_prompt_show": show, "code_prompt_hide": hide}


def stage_notebook(src: Path, dst: Path, student: bool = False) -> None:
    nb = nbformat.read(src, as_version=4)
    heading = None
    for cell in nb.cells:
        grading = nbcells.meta(cell)
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "markdown" and not grading:
            headings = re.findall(r"^#{1,4} .+$", cell.source, re.M)
            heading = headings[-1] if headings else heading
            cell.source = heading_anchors(cell.source)
            if "model-answer" in tags:
                cell.source = "\n".join(
                    ["````{admonition} Model answer", ":class: dropdown", "", cell.source.strip(), "````"]
                )
        elif cell.cell_type == "markdown" and grading.get("solution"):
            cell.source = model_answer_dropdown(cell.source)
        elif cell.cell_type == "code":
            cell.source = without_markers(cell.source)
            if grading.get("solution") and not student:
                label_toggle(cell, "Show the model answer", "Hide the model answer")
            elif grading.get("grade") and "remove-cell" not in tags:
                label_toggle(cell, test_label(heading, cell.source, grading.get("points")), "Hide the test")
    dst.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dst)


def exercise_points(notebooks) -> dict[str, float]:
    """Points per exercise, keyed by the grade_id of its answer cell: the test cells that follow an
    autograded answer (visible and hidden), or a manually graded answer's own points."""
    points: dict[str, float] = {}
    for path in notebooks:
        current = None
        for cell in nbformat.read(path, as_version=4).cells:
            grading = nbcells.meta(cell)
            if nbcells.is_answer(cell) or nbcells.is_manual(cell):
                current = None if nbcells.is_manual(cell) else nbcells.grade_id(cell)
                points[nbcells.grade_id(cell)] = grading.get("points", 0) if nbcells.is_manual(cell) else 0
            elif grading.get("grade") and current:
                points[current] += grading.get("points", 0)
    return points


def points_substitutions(notebooks) -> dict[str, str]:
    """`{{ points_ch02_grad_u_sym }}` on a page (book/sheets.md) reads that exercise's points in the book."""
    values = exercise_points(notebooks)
    return {"points_" + grade_id.replace("-", "_"): f"{value:g}" for grade_id, value in values.items()}


def launch_on_hub(config: dict, hub: str | None = None, repository: str | None = None) -> dict:
    """The student edition's launch button: `course_hub` in _config.yml (or `hub`, `repository`) becomes
    Jupyter Book's `launch_buttons.jupyterhub_url` and the `repository` nbgitpuller clones, so that the
    button opens notebooks/<chapter>/<chapter>.ipynb of the published student repository on the hub.
    Without a hub or a repository: no button (and no repository links)."""
    settings = config.pop("course_hub", None) or {}
    hub = (hub or settings.get("jupyterhub_url") or "").strip().rstrip("/")
    repository = (repository or settings.get("student_repository") or "").strip().rstrip("/")
    config.setdefault("launch_buttons", {}).pop("jupyterhub_url", None)
    if hub and repository:
        config["launch_buttons"]["jupyterhub_url"] = hub
        config["repository"] = {"url": repository, "path_to_book": "", "branch": settings.get("branch") or "main"}
    return config


def stage(out: Path, student: bool = False, hub: str | None = None, repository: str | None = None) -> Path:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in COPIED:
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, out / name)
    toc = (ROOT / "_toc.yml").read_text()
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    if student:  # stubs raise NotImplementedError until a student fills them in: show, don't execute
        launch_on_hub(config, hub, repository)
        toc = toc.replace("solutions/", "notebooks/")
        config["title"] += " (student edition)"
        config["execute"]["execute_notebooks"] = "off"
        for src in sorted((ROOT / "notebooks").glob("ch*/*.ipynb")):
            stage_notebook(src, out / src.relative_to(ROOT), student=True)
        for page in (out / "book").glob("*.md"):  # pages link the chapters: the student versions here
            page.write_text(page.read_text().replace("../solutions/", "../notebooks/"))
    else:  # the solutions are never launched on the hub
        config.pop("course_hub", None)
        for src in sorted((ROOT / "solutions").glob("ch*/*.ipynb")):
            stage_notebook(src, out / src.relative_to(ROOT))
    parse = config.setdefault("parse", {})
    parse["myst_substitutions"] = {
        **parse.get("myst_substitutions", {}),
        **points_substitutions(sorted((ROOT / "solutions").glob("ch*/*.ipynb"))),
    }
    (out / "_toc.yml").write_text(toc)
    (out / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    return out


def execute_in_parallel(stage_dir: Path, output: Path) -> None:
    """Execute the staged chapters into the cache of `jupyter-book build --path-output <output>`, one
    process per core: the build executes one notebook at a time and then finds these in its cache.
    Chapters cached with the same code are skipped; a chapter that fails here is left to the build,
    which runs it again and reports the error."""
    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    config = yaml.safe_load((stage_dir / "_config.yml").read_text())["execute"]
    cache = get_cache(output / "_build" / ".jupyter_cache")
    for notebook in sorted(stage_dir.glob("solutions/*/*.ipynb")):
        cache.add_nb_to_project(str(notebook))
    result = load_executor("local-parallel", cache).run_and_cache(timeout=config["timeout"])
    print(f"executed {len(result.succeeded)} chapters in parallel; failed: {result.excepted + result.errored}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--student", action="store_true")
    parser.add_argument(
        "--execute-into",
        type=Path,
        metavar="OUTPUT",
        help="also execute the chapters, one per core, into the cache of `jupyter-book build --path-output OUTPUT`",
    )
    parser.add_argument("--hub", help="the JupyterHub of the launch buttons (default: course_hub in _config.yml)")
    parser.add_argument("--student-repository", help="the repository of the student notebooks (default: as --hub)")
    args = parser.parse_args()
    staged = stage(args.out, args.student, args.hub, args.student_repository)
    print(f"staged {'the student edition' if args.student else 'the book'} in {staged}")
    if args.execute_into and not args.student:
        execute_in_parallel(args.out, args.execute_into)
