"""nbgrader settings: solutions/ is the source, notebooks/ the release (DESIGN.md)."""

c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = "nnbook"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# only notebooks travel to students; helper code comes from the installed nnbook package
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "_build", ".jupyter_cache"]

# a submission that hangs or loops forever is cut off instead of stalling a batch of hundreds
c.Execute.timeout = 600
c.Execute.interrupt_on_timeout = True
# (a failing cell never stops the run: nbgrader's Execute fixes allow_errors=True, not configurable)

c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError('replace this line with your answer')"
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# only a raised error costs points: warnings on stderr (TensorFlow prints some at import) are kept
# in the feedback as stdout instead of zeroing the cell (nnbook/grading.py)
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    Execute,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)

from nnbook.grading import RedactFeedback, RestoreCells, StderrToStdout

# deleted or moved test cells go back in place from the release before OverwriteCells restores their
# locked source and hidden tests from the gradebook (the tampering is logged and, with tools/grade.py,
# shown in the summary and the feedback)
c.Autograde.sanitize_preprocessors = [
    ClearOutput,
    DeduplicateIds,
    OverwriteKernelspec,
    RestoreCells,
    OverwriteCells,
    CheckCellMetadata,
]

# nbgrader 0.9's default list, with StderrToStdout right after execution
c.Autograde.autograde_preprocessors = [
    Execute,
    StderrToStdout,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]

# The release step (generate_assignment) first drops markdown cells tagged `model-answer` (worked
# derivations that answer an exercise: shown on the website after the exercise, never to students),
# then rewrites the website's MyST (citations, page links, directives) as Markdown that JupyterLab
# renders, without the links that only work on the website (nnbook/release.py).
from nbconvert.preprocessors import TagRemovePreprocessor  # noqa: E402
from nbgrader.converters import GenerateAssignment  # noqa: E402

from nnbook.release import StudentMarkdown  # noqa: E402

c.TagRemovePreprocessor.enabled = True
c.TagRemovePreprocessor.remove_cell_tags = {"model-answer"}
c.StudentMarkdown.enabled = True
_release_default = GenerateAssignment.class_traits()["preprocessors"].default()
c.GenerateAssignment.preprocessors = [TagRemovePreprocessor, StudentMarkdown, *_release_default]

# feedback never shows hidden-test source or model answers (nnbook/grading.py: RedactFeedback)
c.GenerateFeedback.preprocessors = [GetGrades, RedactFeedback, CSSHTMLHeaderPreprocessor]

# the grading box (tools/grade.py; nnbook_grader/box.py): what one submission may use. The command line
# (--cell-timeout, --memory-mb, ...) overrides these; book/instructor-guide.md explains them.
c.Box.cell_timeout = 300  # s per cell (then interrupted)
c.Box.notebook_timeout = 900  # s per notebook (then the kernel is killed)
c.Box.memory_mb = 4096  # address space per process
c.Box.processes = 512  # processes and threads
c.Box.file_mb = 64  # largest file written
c.Box.output_kb = 512  # output kept per cell

# The exchange (release_assignment, fetch_assignment, submit, collect, release/fetch_feedback) lives in
# the course folder, so that the whole cycle works on one machine out of the box; it is ignored by git.
# On a shared JupyterHub, point it at a folder every user can reach (book/instructor-guide.md).
import os  # noqa: E402

c.Exchange.root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exchange")
if not os.path.isdir(c.Exchange.root):
    os.makedirs(c.Exchange.root)
    os.chmod(c.Exchange.root, 0o777)  # what nbgrader's release sets: every user may submit
