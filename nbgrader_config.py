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
from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties,
    CheckCellMetadata,
    Execute,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)

from nnbook.grading import StderrToStdout  # noqa: E402

# nbgrader 0.9's default list, with StderrToStdout right after execution
c.Autograde.autograde_preprocessors = [Execute, StderrToStdout, IgnorePattern, ClearMetadataPreprocessor,
                                       LimitOutput, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]

# The release step (generate_assignment) also drops markdown cells tagged `model-answer`: worked
# derivations that answer an exercise, shown on the website after the exercise, never to students.
from nbconvert.preprocessors import TagRemovePreprocessor  # noqa: E402
from nbgrader.converters import GenerateAssignment  # noqa: E402

c.TagRemovePreprocessor.enabled = True
c.TagRemovePreprocessor.remove_cell_tags = {"model-answer"}
_release_default = GenerateAssignment.class_traits()["preprocessors"].default()
c.GenerateAssignment.preprocessors = [TagRemovePreprocessor, *_release_default]
