"""nnbook: the helper package of the course book on recurrent and convolutional networks.

One home per concern: `runtime` (mode, seeds, device, progress), `checks` (what test cells use),
`mnist` (the data loader), `plots` (training curves), `grading` (nbgrader plumbing). Chapter code lives in its own module:
`maze` (ch01), `counting` (ch03), `seqtasks` (ch05), `mnist_models` (ch06), `series` (ch07), `autodiff` (ch08,
the small framework the chapter extends), `textdata` and `probes` (ch10).
"""
import os as _os

# quiet TensorFlow's C++ start-up logs and pick Keras' backend before either is imported
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
_os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from . import checks, mnist, plots, runtime
from .checks import (GradingError, call_answer, check_close, check_gradient, check_shape, check_sympy_equal,
                     check_true, numeric_gradient, relative_error)
from .runtime import banner, by_mode, mode, progress, seed_everything, torch_device

__all__ = [
    "GradingError", "call_answer", "check_close", "check_gradient", "check_shape", "check_sympy_equal", "check_true",
    "numeric_gradient", "relative_error", "banner", "by_mode", "mode", "progress", "seed_everything",
    "torch_device",
]
