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

# The course's own preprocessors (nnbook_grader/preprocessors/) are grader-only: nnbook_grader sits next
# to this file and is never installed for students; where it is absent (a student's copy of the course),
# nbgrader's defaults run and `nbgrader validate` works as before.
import os  # noqa: E402
import sys  # noqa: E402

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

# found next to this file, or next to the nnbook package this environment runs (a course folder with a copy
# of this file, graded from the project's environment)
_nnbook = __import__("importlib.util").util.find_spec("nnbook")
_homes = (os.path.realpath(__file__), _nnbook and os.path.dirname(os.path.realpath(_nnbook.origin)))
_homes = [os.path.dirname(h) for h in _homes if h]
for _home in _homes:
    if os.path.isdir(os.path.join(_home, "nnbook_grader")):
        sys.path.insert(0, _home)
        break
try:
    from nnbook_grader.preprocessors import RedactFeedback, RestoreCells, StderrToStdout, StudentMarkdown
except ImportError:
    RedactFeedback = RestoreCells = StderrToStdout = StudentMarkdown = None

# deleted or moved test cells go back in place from the release before OverwriteCells restores their
# locked source and hidden tests from the gradebook (the tampering is logged and, with tools/grade.py,
# shown in the summary and the feedback)
c.Autograde.sanitize_preprocessors = [
    p for p in (ClearOutput, DeduplicateIds, OverwriteKernelspec, RestoreCells, OverwriteCells, CheckCellMetadata) if p
]

# nbgrader 0.9's default list, with StderrToStdout right after execution: only a raised error costs
# points, warnings on stderr (TensorFlow prints some at import) stay in the feedback as stdout
c.Autograde.autograde_preprocessors = [
    p
    for p in (
        Execute,
        StderrToStdout,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
        CheckCellMetadata,
    )
    if p
]

# The release step (generate_assignment) first drops markdown cells tagged `model-answer` (worked
# derivations that answer an exercise: shown on the website after the exercise, never to students),
# then rewrites the website's MyST (citations, page links, directives) as Markdown that JupyterLab
# renders, without the links that only work on the website (nnbook_grader/preprocessors/student_markdown.py).
from nbconvert.preprocessors import TagRemovePreprocessor  # noqa: E402
from nbgrader.converters import GenerateAssignment  # noqa: E402

c.TagRemovePreprocessor.enabled = True
c.TagRemovePreprocessor.remove_cell_tags = {"model-answer"}
_release_default = GenerateAssignment.class_traits()["preprocessors"].default()
c.GenerateAssignment.preprocessors = [p for p in (TagRemovePreprocessor, StudentMarkdown, *_release_default) if p]
if StudentMarkdown:
    c.StudentMarkdown.enabled = True

# feedback never shows hidden-test source or model answers (RedactFeedback)
c.GenerateFeedback.preprocessors = [p for p in (GetGrades, RedactFeedback, CSSHTMLHeaderPreprocessor) if p]

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
c.Exchange.root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exchange")
if not os.path.isdir(c.Exchange.root):
    os.makedirs(c.Exchange.root)
    os.chmod(c.Exchange.root, 0o777)  # what nbgrader's release sets: every user may submit

# Deadlines (book/instructor-guide.md): a due date per chapter, which `make autograde` writes into the
# gradebook; nbgrader's timestamp.txt of each submission decides lateness, and nbgrader's
# LateSubmissionPlugin hook takes the penalty (nnbook_grader/deadlines.py): per_day of the score for every
# started day late after grace_hours, at most cap of it. The report and the grades CSV show lateness.
c.Deadlines.due = {}  # e.g. {"ch02-gradients": "2027-01-15 23:59:00 Europe/Berlin"}
try:
    from nnbook_grader.deadlines import LatePenalty

    c.AssignLatePenalties.plugin_class = LatePenalty
    c.LatePenalty.per_day = 0.1
    c.LatePenalty.grace_hours = 0
    c.LatePenalty.cap = 1.0
except ImportError:  # a student's copy of the course: no grading there
    pass
