"""nnbook: the helper package of the course book on recurrent and convolutional networks.

What students may use; never a model answer to an exercise (those live once, in the solution
notebooks, and reach benchmarks and tests through the grader-only package `nnbook_grader`).

One home per concern, shared by every chapter: `runtime` (mode, seeds, device, progress), `checks` (what
test cells use: the checks, the one guarded call of student code, GradingError), `tensors` (tensors
to NumPy, parameter counts), `optim` (the sheets' optimiser settings), `mnist` (the data loader),
`plots` (training curves), `bench` (benchmark scripts), `grading` (nbgrader plumbing), `probes`
(black-box probes of a model). Chapter code lives in its own module and imports only the shared ones:
`maze` (ch01), `mdrnn` and `dilated` (ch03), `framework` (ch04),
`seqtasks` (ch05), `mnist_models` (ch06), `series` (ch07), `autodiff` (ch08, the small framework the
chapter extends), `waves` (ch09), `textdata` (ch10).
"""

import os as _os

# quiet TensorFlow's C++ start-up logs and pick Keras' backend before either is imported
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
_os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from . import checks, mnist, plots, runtime  # noqa: E402
from .checks import (  # noqa: E402
    GradingError,
    attempt,
    call_answer,
    check_close,
    check_gradient,
    check_shape,
    check_sympy_equal,
    check_true,
    numeric_gradient,
    relative_error,
)
from .runtime import banner, by_mode, mode, progress, seed_everything, torch_device  # noqa: E402

__all__ = [
    "GradingError",
    "attempt",
    "call_answer",
    "check_close",
    "check_gradient",
    "check_shape",
    "check_sympy_equal",
    "check_true",
    "numeric_gradient",
    "relative_error",
    "banner",
    "by_mode",
    "mode",
    "progress",
    "seed_everything",
    "torch_device",
    "checks",
    "mnist",
    "plots",
    "runtime",
]
