"""Run mode, seeding, device choice and progress bars: the one home for how a notebook runs.

`NNBOOK_MODE` picks how much work a notebook does:

* ``test``  -- CI and autograding: tiny data, a few steps, every cell in seconds;
* ``quick`` -- the default, for readers and the book build: minutes on a laptop CPU;
* ``full``  -- the exercise sheets' exact settings (GPU recommended).
"""

from __future__ import annotations

import os
import random

MODES = ("test", "quick", "full")
DEFAULT_MODE = "quick"  # readers, students and the book build
GRADING_MODE = "test"  # autograding: the mode a submission's kernel runs in unless NNBOOK_MODE says otherwise


def mode() -> str:
    """The run mode from ``NNBOOK_MODE`` (default ``quick``); a typo is an error, not a silent default."""
    value = os.environ.get("NNBOOK_MODE", DEFAULT_MODE).strip().lower() or DEFAULT_MODE
    if value not in MODES:
        raise ValueError(
            f"NNBOOK_MODE={value!r} is not a run mode; use one of {', '.join(MODES)} "
            f"(for example: export NNBOOK_MODE=quick)"
        )
    return value


def by_mode(test, quick, full):
    """Return the value that belongs to the current mode, e.g. ``steps = by_mode(20, 2000, 20000)``."""
    return {"test": test, "quick": quick, "full": full}[mode()]


def seed_everything(seed: int = 0) -> None:
    """Seed Python, NumPy and, where they are imported, PyTorch and TensorFlow/Keras."""
    import sys

    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)
    if "keras" in sys.modules:
        sys.modules["keras"].utils.set_random_seed(seed)
    elif "tensorflow" in sys.modules:
        sys.modules["tensorflow"].random.set_seed(seed)


def torch_device():
    """CUDA when a GPU is present, else the CPU."""
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def progress(iterable=None, **kwargs):
    """A tqdm progress bar that works in notebooks and terminals; silent in test mode to keep logs short."""
    from tqdm.auto import tqdm

    kwargs.setdefault("disable", mode() == "test")
    kwargs.setdefault("mininterval", 0.5)
    return tqdm(iterable, **kwargs)


def banner(chapter: str = "") -> str:
    """Print (and return) the mode and library versions a notebook ran with."""
    import platform
    import sys

    import numpy as np

    parts = [f"mode={mode()}", f"python={platform.python_version()}", f"numpy={np.__version__}"]
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        parts.append(f"torch={torch.__version__} ({'cuda' if torch.cuda.is_available() else 'cpu'})")
    if "keras" in sys.modules:
        parts.append(f"keras={sys.modules['keras'].__version__}")
    if "tensorflow" in sys.modules:
        parts.append(f"tensorflow={sys.modules['tensorflow'].__version__}")
    line = (f"{chapter}: " if chapter else "") + ", ".join(parts)
    print(line)
    return line
