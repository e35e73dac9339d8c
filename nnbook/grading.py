"""Grader plumbing for nbgrader (configured in nbgrader_config.py).

nbgrader scores a test cell zero as soon as anything is written to stderr in it, and TensorFlow,
PyTorch and NumPy write warnings there that have nothing to do with the answer (TensorFlow even at
import). Only a raised error should cost points, so after execution the stderr text of each cell
is kept, but as a marked stdout stream: visible in the feedback, neutral for the score.
"""

from nbgrader.preprocessors import NbGraderPreprocessor


class StderrToStdout(NbGraderPreprocessor):
    """Turn stderr stream outputs into stdout outputs prefixed with '[stderr] '."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code":
            for output in cell.outputs:
                if output.output_type == "stream" and output.name == "stderr":
                    output.name = "stdout"
                    output.text = "".join(f"[stderr] {line}" for line in output.text.splitlines(keepends=True))
        return cell, resources


# ---------------------------------------------------------------------------------------------
# Tampered submissions: test cells deleted, moved or edited (autograde, before nbgrader's OverwriteCells)

import os  # noqa: E402

import nbformat  # noqa: E402

HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def _gid(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def restore_cells(nb, release):
    """Put the cells of `release` (the student version) back into `nb` in their order: a deleted graded
    cell comes back from the release (nbgrader's OverwriteCells then restores its hidden tests and
    locked source from the gradebook), a moved one goes back to its place, and the student's own cells
    stay after the release cell they followed. Cells are matched by grade_id, others by cell id.
    Returns (nb, notes): what was done."""

    def key(cell):
        gid = _gid(cell)
        return ("grade", gid) if gid else ("id", cell.get("id"))

    order = [key(c) for c in release.cells if _gid(c) or c.get("id")]
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
        flags = theirs.metadata.nbgrader
        locked = flags.get("locked") or (flags.get("grade") and not flags.get("solution"))
        if mine is not None and locked and _visible(mine.source) != _visible(theirs.source):
            notes.append(f"locked cell {k[1]} edited in the submission (restored from the source)")
    return nb, notes


def _visible(source: str) -> str:
    """A test cell's source as the release shows it (hidden-test blocks out), for comparing."""
    out, hidden = [], False
    for line in source.splitlines():
        if line.strip().startswith(HIDDEN_BEGIN):
            hidden = True
        elif line.strip().startswith(HIDDEN_END):
            hidden = False
        elif not hidden and line.strip():
            out.append(line.rstrip())
    return "\n".join(out)


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
        course = _course(self)
        return os.path.join(course.root, course.release_directory)


def _course(preprocessor):
    from nbgrader.coursedir import CourseDirectory

    return CourseDirectory(config=preprocessor.config)


# ---------------------------------------------------------------------------------------------
# Feedback without hidden tests or model answers (generate_feedback, after GetGrades)


def hide_hidden_tests(source: str) -> tuple[str, int]:
    """Replace every hidden-test block by one comment line; returns (source, number of blocks)."""
    out, hidden, blocks = [], False, 0
    for line in source.splitlines():
        if line.strip().startswith(HIDDEN_BEGIN):
            hidden, blocks = True, blocks + 1
            out.append(line[: len(line) - len(line.lstrip())] + "# (hidden tests: not shown)")
        elif line.strip().startswith(HIDDEN_END):
            hidden = False
        elif not hidden:
            out.append(line)
    return "\n".join(out), blocks


class RedactFeedback(NbGraderPreprocessor):
    """Feedback shows each test cell's name, points, score and failure message, never the source of a
    hidden test: hidden blocks are cut from the source, and the tracebacks of cells that had hidden
    tests shrink to their last line (a traceback quotes the failing source line). Manually graded
    answer cells never show the model answer (nbgrader's add_missing_cells could put it there)."""

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        course = _course(self)
        path = os.path.join(
            course.root, course.source_directory, info.get("assignment", ""), info.get("notebook", "") + ".ipynb"
        )
        models = {}
        if os.path.exists(path):
            for cell in nbformat.read(path, as_version=4).cells:
                flags = cell.get("metadata", {}).get("nbgrader", {})
                if flags.get("solution") and flags.get("grade"):  # manually graded answers
                    models[flags["grade_id"]] = _answer_part(cell.source)
        for cell in nb.cells:
            gid = _gid(cell)
            if HIDDEN_BEGIN in cell.source:
                cell.source, _ = hide_hidden_tests(cell.source)
                for out in cell.get("outputs", []):
                    if out.output_type == "error":
                        out.traceback = [f"{out.ename}: {out.evalue}"]
            model = models.get(gid, "")
            if model and model in cell.source:
                cell.source = "(the submitted answer contained the model answer, which feedback does not show)"
        return nb, resources


def _answer_part(model: str) -> str:
    """The text between the solution markers of a model answer (the part students never see)."""
    lines = model.splitlines()
    try:
        start = next(i for i, x in enumerate(lines) if "BEGIN SOLUTION" in x)
        end = next(i for i, x in enumerate(lines) if "END SOLUTION" in x)
    except StopIteration:
        return model.strip()
    return "\n".join(lines[start + 1 : end]).strip()
