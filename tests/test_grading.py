"""The nbgrader configuration loads (nbgrader ignores a broken config file with only a log line)
and the grader's own preprocessor keeps warnings from costing points."""

import nbformat
from nbgrader.utils import determine_grade
from traitlets.config.loader import PyFileConfigLoader

from nnbook_grader.preprocessors import StderrToStdout
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


def test_nbgrader_config_boxes_and_redacts():
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    assert "RestoreCells" in [p.__name__ for p in config.Autograde.sanitize_preprocessors]
    assert "RedactFeedback" in [p.__name__ for p in config.GenerateFeedback.preprocessors]
    from nnbook_grader.box import Limits

    limits = Limits.from_config(config, cell_timeout=7)
    assert limits.cell_timeout == 7 and limits.memory_mb == config.Box.memory_mb


def test_hidden_test_blocks_and_their_tracebacks_are_cut(tmp_path):
    from nnbook_grader.cells import hide_hidden_tests
    from nnbook_grader.preprocessors import RedactFeedback

    source = "check(f(1))\n### BEGIN HIDDEN TESTS\nsecret_probe(f, 12345)\n### END HIDDEN TESTS\nprint('ok')"
    assert hide_hidden_tests(source) == ("check(f(1))\n# (hidden tests: not shown)\nprint('ok')", 1)
    cell = graded_cell(
        nbformat.v4.new_output(
            "error",
            ename="GradingError",
            evalue="f(x) differs",
            traceback=["----> 3 secret_probe(f, 12345)", "GradingError: f(x) differs"],
        )
    )
    cell.source = source
    nb = nbformat.v4.new_notebook(cells=[cell])
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.root = str(tmp_path)
    nb, _ = RedactFeedback(config=config).preprocess(nb, {"nbgrader": {"assignment": "a", "notebook": "n"}})
    text = nbformat.writes(nb)
    assert "secret_probe" not in text and "f(x) differs" in text


def test_box_command_isolates():
    from nnbook_grader.box import Limits, box_command

    args = box_command(["python"], Limits(), 60001, env={})
    for flag in ("--unshare-net", "--unshare-pid", "--die-with-parent", "--clearenv", "--reuid=60001"):
        assert flag in args
    assert str(ROOT / "solutions") not in " ".join(args) and "gradebook" not in " ".join(args)
    assert "--unshare-net" not in box_command(["python"], Limits(network=True), 60001, env={})
