"""Write chapter notebooks as plain text and turn them into nbgrader source notebooks (and back).

The .ipynb files in solutions/ are the master copies; this tool only makes them pleasant to write
and review. A script is a sequence of cells, each opened by a header line:

    # %% [markdown]                      prose (every line starts with '# ' or is '#')
    # %%                                 ordinary code
    # %% [answer] ch02-grad-u            autograded answer: code with ### BEGIN/END SOLUTION
    # %% [test] ch02-grad-u-test 4       visible test cell worth 4 points
    # %% [hidden] ch02-grad-u-hidden 2   hidden test cell (### BEGIN/END HIDDEN TESTS), removed from the book
    # %% [manual] ch02-remedies 3        manually graded markdown answer (model answer and rubric
                                         between ### BEGIN SOLUTION and ### END SOLUTION)

Extra tags for Jupyter Book go after the header: `# %% tags=hide-output,remove-input`.

    python tools/nbsrc.py to-nb chapter.py solutions/ch02-gradients/ch02-gradients.ipynb
    python tools/nbsrc.py to-py solutions/ch02-gradients/ch02-gradients.ipynb > chapter.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from nnbook_grader import cells as nbcells  # noqa: E402  (the one reader of nbgrader's cell structure)

HEADER = re.compile(r"^# %%(?: \[(\w+)\])?((?: [^\s=]+)*)((?: tags=\S+)?)\s*$")
KINDS = ("markdown", "code", "answer", "test", "hidden", "manual")
BOOK_TAGS = {"answer": ["hide-input"], "hidden": ["remove-cell"]}


def nbgrader_meta(kind: str, grade_id: str, points: float | None) -> dict:
    meta = {"schema_version": 3, "grade_id": grade_id, "task": False}
    if kind == "answer":
        meta.update(solution=True, grade=False, locked=False)
    elif kind in ("test", "hidden"):
        meta.update(solution=False, grade=True, locked=True, points=points)
    elif kind == "manual":
        meta.update(solution=True, grade=True, locked=False, points=points)
    return meta


def to_notebook(text: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    cells: list[tuple[str, list[str], list[str]]] = []
    for line in text.splitlines():
        match = HEADER.match(line)
        if match:
            kind = match.group(1) or "code"
            if kind not in KINDS:
                raise ValueError(f"unknown cell kind [{kind}] in {line!r}; use one of {KINDS}")
            args = match.group(2).split()
            tags = match.group(3).strip()[len("tags=") :].split(",") if match.group(3) else []
            cells.append((kind, args + ["\0tags"] + tags, []))
        elif cells:
            cells[-1][2].append(line)
        elif line.strip():
            raise ValueError(f"text before the first '# %%' header: {line!r}")
    for kind, args, lines in cells:
        split = args.index("\0tags")
        args, tags = args[:split], args[split + 1 :]
        while lines and not lines[-1].strip():
            lines.pop()
        if kind in ("markdown", "manual"):
            source = "\n".join(l[2:] if l.startswith("# ") else l.lstrip("#") for l in lines)
            cell = nbformat.v4.new_markdown_cell(source)
        else:
            cell = nbformat.v4.new_code_cell("\n".join(lines))
        if kind in ("answer", "test", "hidden", "manual"):
            if not args:
                raise ValueError(f"a [{kind}] cell needs a grade_id")
            points = float(args[1]) if len(args) > 1 else None
            if kind != "answer" and points is None:
                raise ValueError(f"[{kind}] {args[0]} needs points")
            cell.metadata["nbgrader"] = nbgrader_meta(kind, args[0], points)
        all_tags = BOOK_TAGS.get(kind, []) + tags
        if all_tags:
            cell.metadata["tags"] = all_tags
        # stable ids (grade_id, or position) keep regenerated notebooks' diffs small
        cell.id = nbcells.grade_id(cell) or f"cell-{len(nb.cells)}"
        nb.cells.append(cell)
    return nb


def to_script(nb: nbformat.NotebookNode) -> str:
    out = []
    for cell in nb.cells:
        meta, kind = nbcells.meta(cell), nbcells.kind(cell)
        header = "# %%" + ("" if kind == "code" else f" [{kind}]")
        if meta.get("grade_id"):
            header += f" {meta['grade_id']}"
        if meta.get("points") is not None and meta.get("grade"):
            header += f" {meta['points']:g}"
        tags = [t for t in cell.metadata.get("tags", []) if t not in BOOK_TAGS.get(kind, [])]
        if tags:
            header += " tags=" + ",".join(tags)
        if cell.cell_type == "markdown":
            body = "\n".join(("# " + l) if l else "#" for l in cell.source.split("\n"))
        else:
            body = cell.source
        out.append(header + "\n" + body + "\n")
    return "\n".join(out)


def main(argv: list[str]) -> None:
    if len(argv) >= 2 and argv[0] == "to-nb":
        nb = to_notebook(open(argv[1], encoding="utf-8").read())
        nbformat.validate(nb)
        target = argv[2] if len(argv) > 2 else argv[1].rsplit(".", 1)[0] + ".ipynb"
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
        print(f"wrote {target} ({len(nb.cells)} cells)")
    elif len(argv) == 2 and argv[0] == "to-py":
        sys.stdout.write(to_script(nbformat.read(argv[1], as_version=4)))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
