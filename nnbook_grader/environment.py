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


# ---------------------------------------------------------------------------------------------
# What graded a submission: recorded with every graded submission (.grading/state.json, the autograded
# notebook's metadata and its feedback), so that a re-grade years later can say what graded it.

PACKAGES = ("numpy", "torch", "tensorflow", "keras", "sympy", "nbgrader")


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def source_hash(paths) -> str:
    """sha256 over the chapter's source notebooks (names and bytes, in name order)."""
    h = hashlib.sha256()
    for path in sorted(Path(p) for p in paths):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def fingerprint(mode: str, limits: dict, sources) -> dict:
    """The environment a submission was graded in: versions (read from the installed packages' metadata,
    nothing imported), the run mode, the box limits and the hash of the chapter's source notebooks."""
    import platform
    import sys

    return {
        "python": platform.python_version(),
        **{name: _version(name) for name in PACKAGES},
        "platform": f"{platform.system()} {platform.release()} {platform.machine()}",
        "mode": mode,
        "limits": {k: v for k, v in limits.items() if k != "env"},
        "source_sha256": source_hash(sources),
        "executable": sys.executable,
    }


def describe_fingerprint(fp: dict) -> str:
    """One Markdown paragraph for the feedback: what graded this notebook."""
    versions = ", ".join(f"{k} {fp[k]}" for k in ("python", *PACKAGES) if k in fp)
    limits = fp.get("limits", {})
    box = "boxed" if limits.get("boxed", True) else "not boxed"
    shown = ("cell_timeout", "notebook_timeout", "memory_mb", "processes", "threads")
    return (
        f"**Graded with** {versions}; run mode `{fp.get('mode')}`; {box} "
        f"({', '.join(f'{k} {limits[k]}' for k in shown if k in limits)}); "
        f"chapter source sha256 `{fp.get('source_sha256', '')[:16]}`; on {fp.get('platform', '')}."
    )
