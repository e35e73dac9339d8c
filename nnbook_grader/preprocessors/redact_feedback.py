"""Feedback without hidden tests or model answers (generate_feedback, after GetGrades)."""

import os

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

from .. import cells as nbcells
from ._course import course


class RedactFeedback(NbGraderPreprocessor):
    """Feedback shows each test cell's name, points, score and failure message, never the source of a
    hidden test: hidden blocks are cut from the source, and the tracebacks of cells that had hidden
    tests shrink to their last line (a traceback quotes the failing source line). Manually graded
    answer cells never show the model answer (nbgrader's add_missing_cells could put it there)."""

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        folders = course(self)
        path = os.path.join(
            folders.root, folders.source_directory, info.get("assignment", ""), info.get("notebook", "") + ".ipynb"
        )
        models = {}
        if os.path.exists(path):
            for cell in nbformat.read(path, as_version=4).cells:
                if nbcells.is_manual(cell):
                    models[nbcells.grade_id(cell)] = nbcells.solution_part(cell.source)
        for cell in nb.cells:
            if nbcells.has_hidden_tests(cell):
                cell.source, _ = nbcells.hide_hidden_tests(cell.source)
                for out in cell.get("outputs", []):
                    if out.output_type == "error":
                        out.traceback = [f"{out.ename}: {out.evalue}"]
            model = models.get(nbcells.grade_id(cell), "")
            if model and model in cell.source:
                cell.source = "(the submitted answer contained the model answer, which feedback does not show)"
        return nb, resources
