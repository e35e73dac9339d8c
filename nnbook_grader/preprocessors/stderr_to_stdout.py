"""nbgrader scores a test cell zero as soon as anything is written to stderr in it, and TensorFlow,
PyTorch and NumPy write warnings there that have nothing to do with the answer (TensorFlow even at
import). Only a raised error should cost points, so after execution the stderr text of each cell
is kept, but as a marked stdout stream: visible in the feedback, neutral for the score."""

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
