"""Tampered submissions: test cells deleted, moved or edited (autograde's sanitize step, before
nbgrader's OverwriteCells restores locked sources and hidden tests from the gradebook)."""

import os

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

from .. import cells as nbcells
from ._course import course


def restore_cells(nb, release):
    """Put the cells of `release` (the student version) back into `nb` in their order: a deleted graded
    cell comes back from the release (nbgrader's OverwriteCells then restores its hidden tests and
    locked source from the gradebook), a moved one goes back to its place, and the student's own cells
    stay after the release cell they followed. Cells are matched by grade_id, others by cell id.
    Returns (nb, notes): what was done."""

    def key(cell):
        gid = nbcells.grade_id(cell)
        return ("grade", gid) if gid else ("id", cell.get("id"))

    order = [key(c) for c in release.cells if nbcells.grade_id(c) or c.get("id")]
    known = set(order)
    by_key = {key(c): c for c in release.cells}
    submitted, extra, current = {}, {None: []}, None
    for cell in nb.cells:
        k = key(cell)
        if k in known and k not in submitted:
            submitted[k] = cell
            current = k
            extra.setdefault(k, [])
        else:
            extra.setdefault(current, []).append(cell)
    graded = [k for k in order if k[0] == "grade"]
    notes = []
    missing = [k[1] for k in graded if k not in submitted]
    if missing:
        notes.append("restored from the release (deleted in the submission): " + ", ".join(missing))
    seen = [key(c) for c in nb.cells if key(c) in submitted and key(c)[0] == "grade"]
    if [k for k in graded if k in submitted] != list(dict.fromkeys(seen)):
        notes.append("graded cells put back in their order (moved in the submission)")
    cells = list(extra[None])
    for k in order:
        cell = submitted.get(k)
        if cell is None and k[0] == "grade":
            cell = nbformat.from_dict(by_key[k])
        if cell is not None:
            cells.append(cell)
        cells.extend(extra.get(k, []))
    nb.cells = cells
    for k in graded:
        mine, theirs = submitted.get(k), by_key[k]
        if mine is not None and nbcells.is_locked(theirs):
            if nbcells.visible_part(mine.source) != nbcells.visible_part(theirs.source):
                notes.append(f"locked cell {k[1]} edited in the submission (restored from the source)")
    return nb, notes


class RestoreCells(NbGraderPreprocessor):
    """nbgrader sanitize step: deleted or moved graded cells back in place (see `restore_cells`); the
    notes go to resources['nbgrader']['tampering']. nbgrader's own `add_missing_cells` would put the
    MODEL ANSWER of a deleted manually graded cell into the graded notebook; this uses the release."""

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        path = os.path.join(
            self.release_folder(resources), info.get("assignment", ""), info.get("notebook", "") + ".ipynb"
        )
        if os.path.exists(path):
            nb, notes = restore_cells(nb, nbformat.read(path, as_version=4))
            info["tampering"] = notes
            for note in notes:
                self.log.warning("%s/%s: %s", info.get("student"), info.get("notebook"), note)
        return nb, resources

    def release_folder(self, resources):
        folders = course(self)
        return os.path.join(folders.root, folders.release_directory)
