"""The environment that graded notebooks run in: what a student's environment offers, no more.

nbgrader and the kernels it starts inherit the environment of the process that calls nbgrader. In a
development checkout PYTHONPATH often holds the repository root, which would make `nnbook_grader`
(the model answers) importable by a submission. `student_environment` returns an environment whose
PYTHONPATH drops every entry that holds `nnbook_grader` or `solutions/` and instead starts with a
folder that holds nothing but a link to this checkout's `nnbook`: the submissions see the helper
package and nothing of the answer key (tests/test_border.py checks it; tests/test_pipeline.py
grades a submission that tries).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _grader_free_path() -> Path:
    digest = hashlib.sha1(str(ROOT).encode()).hexdigest()[:10]
    folder = Path(tempfile.gettempdir()) / f"nnbook-student-path-{os.getuid()}-{digest}"
    link = folder / "nnbook"
    if not (link.is_symlink() and link.resolve() == (ROOT / "nnbook").resolve()):
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f"nnbook.{os.getpid()}.tmp"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(ROOT / "nnbook", target_is_directory=True)
        tmp.replace(link)  # atomic: parallel test processes may race here
    return folder


def student_environment(base: dict | None = None, **extra: str) -> dict[str, str]:
    """A copy of `base` (default os.environ) for running nbgrader on submissions: PYTHONPATH gives
    `nnbook` and nothing that holds the answer key. `extra` variables are set on top."""
    env = dict(os.environ if base is None else base)
    keep = []
    for entry in filter(None, env.get("PYTHONPATH", "").split(os.pathsep)):
        folder = Path(entry or ".").resolve()
        if not ((folder / "nnbook_grader").exists() or (folder / "solutions").exists()):
            keep.append(entry)
    env["PYTHONPATH"] = os.pathsep.join([str(_grader_free_path()), *keep])
    env.update(extra)
    return env
