"""The model answers of a chapter as a module, made from the solution notebook's answer cells.

    from nnbook_grader import answers
    ch07 = answers.load("ch07-sequence-lstm", "ch07-models", "ch07-copy")
    model = ch07.TorchLSTMClassifier(200)

`load(chapter, *grade_ids)` reads solutions/<chapter>/*.ipynb, takes the answer cells with those
grade_ids (all answer cells when none are named), strips the nbgrader solution markers and executes
the cells, in notebook order, in a fresh module. Nothing is cached on disk, so the module can never
be stale: it is the notebook's answer, as it stands now.

An answer cell that is loaded must be self-contained: it imports what it uses (the set-up cell of
the notebook is not run). `load` checks this before executing anything and names the missing imports.
"""

from __future__ import annotations

import builtins
import linecache
import os
import re
import symtable
import sys
import types
from pathlib import Path

from . import cells as nbcells
from .cells import ROOT


class AnswerError(LookupError):
    """A chapter or an answer cell that does not exist, or an answer cell that cannot run alone."""


def solutions_dir() -> Path:
    """solutions/ of this checkout (or $NNBOOK_SOLUTIONS)."""
    return Path(os.environ.get("NNBOOK_SOLUTIONS", ROOT / "solutions"))


def chapter_dir(chapter: str) -> Path:
    """The folder of `chapter`: its full id (``ch07-sequence-lstm``) or a unique prefix (``ch07``)."""
    base = solutions_dir()
    exact = base / chapter
    if exact.is_dir():
        return exact
    found = sorted(p for p in base.glob(f"{chapter}*") if p.is_dir())
    if len(found) == 1:
        return found[0]
    known = sorted(p.name for p in base.glob("ch*") if p.is_dir())
    what = "is ambiguous" if found else "does not exist"
    raise AnswerError(f"chapter {chapter!r} {what} under {base}; chapters: {known}")


def answer_cells(chapter: str) -> list[tuple[str, str, str]]:
    """(notebook name, grade_id, source without solution markers) of every autograded answer cell,
    in notebook order (notebooks sorted by name)."""
    cells = []
    for path in sorted(chapter_dir(chapter).glob("*.ipynb")):
        for cell in nbcells.read(path).cells:
            if cell.cell_type == "code" and nbcells.is_answer(cell):
                source = nbcells.without_markers(cell.source, only_solution=True)
                cells.append((path.name, nbcells.grade_id(cell), source))
    return cells


def _bound_and_free(source: str, filename: str) -> tuple[set[str], set[str]]:
    """Names a cell binds at module level, and global names it reads without binding them."""
    top = symtable.symtable(source, filename, "exec")
    bound = {s.get_name() for s in top.get_symbols() if s.is_assigned() or s.is_imported()}
    bound |= {t.get_name() for t in top.get_children()}  # def / class statements
    free = {s.get_name() for s in top.get_symbols() if s.is_referenced() and s.get_name() not in bound}
    stack = list(top.get_children())
    while stack:
        table = stack.pop()
        stack.extend(table.get_children())
        for s in table.get_symbols():
            if s.is_global() and not s.is_declared_global():
                free.add(s.get_name())
            elif s.is_declared_global() and s.is_assigned():
                bound.add(s.get_name())
    return bound, free


def defined_names(source: str) -> set[str]:
    """Names an answer cell defines at module level (assignments, def and class), imports left out."""
    top = symtable.symtable(source, "<answer>", "exec")
    names = {s.get_name() for s in top.get_symbols() if s.is_assigned() and not s.is_imported()}
    return names | {t.get_name() for t in top.get_children() if t.get_type() in ("function", "class")}


def load(chapter: str, *grade_ids: str) -> types.ModuleType:
    """Execute the answer cells `grade_ids` of `chapter` (all of them if none are named) in a fresh
    module and return it. Raises `AnswerError` naming a grade_id that is not an answer cell of the
    chapter, or the names a cell uses without importing or defining them."""
    folder = chapter_dir(chapter)
    cells = answer_cells(folder.name)
    known = [grade_id for _, grade_id, _ in cells]
    missing = [g for g in grade_ids if g not in known]
    if missing:
        raise AnswerError(
            f"{folder.name} has no answer cell with grade_id {', '.join(map(repr, missing))}; "
            f"its answer cells are {known}"
        )
    chosen = [c for c in cells if not grade_ids or c[1] in grade_ids]
    filenames = {grade_id: f"<{folder.name}/{nb}: answer {grade_id}>" for nb, grade_id, _ in chosen}
    bound_all, free_all = set(dir(builtins)) | {"__name__", "__file__", "__doc__"}, {}
    for _, grade_id, source in chosen:
        try:
            bound, free = _bound_and_free(source, filenames[grade_id])
        except SyntaxError as err:
            raise AnswerError(f"{folder.name} answer {grade_id} is not valid Python: {err}") from err
        bound_all |= bound
        free_all[grade_id] = free
    unresolved = {g: sorted(f - bound_all) for g, f in free_all.items() if f - bound_all}
    if unresolved:
        detail = "; ".join(f"{g} uses {', '.join(names)}" for g, names in unresolved.items())
        raise AnswerError(
            f"{folder.name}: answer cells must import what they use (the notebook's set-up cell is not run): {detail}"
        )

    name = "nnbook_grader.answers." + re.sub(r"\W", "_", folder.name)
    module = types.ModuleType(
        name,
        f"Model answers {', '.join(g for _, g, _ in chosen)} of {folder.name}, "
        f"executed from the solution notebook's answer cells.",
    )
    module.__file__ = str(folder)
    module.grade_ids = tuple(g for _, g, _ in chosen)
    previous = sys.modules.get(name)
    sys.modules[name] = module  # classes and dataclasses look their module up while being defined
    try:
        for _, grade_id, source in chosen:
            filename = filenames[grade_id]
            linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
            exec(compile(source, filename, "exec"), module.__dict__)  # noqa: S102 - the book's own answers
    except Exception:
        if previous is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = previous
        raise
    return module
