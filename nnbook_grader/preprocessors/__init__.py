"""nbgrader preprocessors of the course, one per file as nbgrader keeps its own (nbgrader_config.py
puts them in nbgrader's steps):

- `StudentMarkdown` (generate_assignment): the website's MyST prose rewritten as Markdown JupyterLab shows;
- `RestoreCells` (autograde, sanitize): deleted or moved graded cells back from the release;
- `StderrToStdout` (autograde, after execution): warnings on stderr cost no points;
- `RedactFeedback` (generate_feedback): no hidden-test source, no model answer in the feedback.
"""

from .redact_feedback import RedactFeedback
from .restore_cells import RestoreCells, restore_cells
from .stderr_to_stdout import StderrToStdout
from .student_markdown import StudentMarkdown

__all__ = ["RedactFeedback", "RestoreCells", "StderrToStdout", "StudentMarkdown", "restore_cells"]
