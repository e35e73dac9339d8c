"""The nbgrader configuration loads (nbgrader ignores a broken config file with only a log line)
and the grader's own preprocessor keeps warnings from costing points."""
import nbformat
from nbgrader.utils import determine_grade
from traitlets.config.loader import PyFileConfigLoader

from nnbook.grading import StderrToStdout
from notebooks import ROOT


def test_nbgrader_config_loads_with_our_folders():
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    assert config.CourseDirectory.source_directory == "solutions"
    assert config.CourseDirectory.release_directory == "notebooks"
    steps = [p.__name__ for p in config.Autograde.autograde_preprocessors]
    assert steps.index("StderrToStdout") == steps.index("Execute") + 1
    assert config.Execute.timeout > 0


def graded_cell(*outputs):
    cell = nbformat.v4.new_code_cell("check()", outputs=list(outputs))
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "points": 2, "grade_id": "x", "locked": True}
    return cell


def test_stderr_warnings_do_not_cost_points():
    warning = nbformat.v4.new_output("stream", name="stderr", text="UserWarning: something\n")
    cell = graded_cell(warning)
    assert determine_grade(cell, None)[0] == 0  # what nbgrader alone would do
    cell, _ = StderrToStdout().preprocess_cell(cell, {}, 0)
    assert determine_grade(cell, None)[0] == 2
    assert cell.outputs[0].name == "stdout" and cell.outputs[0].text == "[stderr] UserWarning: something\n"


def test_errors_still_cost_points():
    error = nbformat.v4.new_output("error", ename="GradingError", evalue="wrong", traceback=[])
    cell, _ = StderrToStdout().preprocess_cell(graded_cell(error), {}, 0)
    assert determine_grade(cell, None)[0] == 0


def test_every_execute_setting_is_one_nbgrader_reads():
    """A setting nbgrader does not recognise is ignored with a warning: it has no effect."""
    from nbgrader.preprocessors import Execute

    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    configurable = set(Execute.class_trait_names(config=True))
    assert set(config.Execute) <= configurable, f"not configurable: {set(config.Execute) - configurable}"
