"""Grading benchmark: N synthetic submissions of chapter 2 (a mix of perfect, partial, empty and bad),
graded by plain `nbgrader autograde` (one by one, no box) and by the boxed grader (tools/grade.py)
with 1 and 2 workers; prints submissions per minute and the speed-up over plain nbgrader as a
markdown table, then the per-submission time split, and as its last line

    speed-up X.XX (N submissions, W workers, identical scores: yes|no)

    python benchmarks/bench_grading.py                     # 50 submissions, workers 1 and 2
    python benchmarks/bench_grading.py --submissions 8 --workers 2 4
    NNBOOK_MODE=test python benchmarks/bench_grading.py    # 1 submission, 1 worker: a smoke test
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from nnbook.runtime import by_mode  # noqa: E402
from nnbook_grader import autograde as grading  # noqa: E402

CHAPTER = "ch02-gradients"
NB = f"{CHAPTER}.ipynb"
BIN = Path(sys.executable).parent


def submissions(n: int) -> dict[str, nbformat.NotebookNode]:
    from notebooks import is_answer, meta, read, wrong_answers

    solution = read(ROOT / "solutions" / CHAPTER / NB)
    wrong = wrong_answers(CHAPTER)

    def partial(k):
        nb = read(ROOT / "solutions" / CHAPTER / NB)
        answers = [c for c in nb.cells if is_answer(c)]
        for cell in answers[k % 2 :: 2]:
            cell.source = wrong.get(meta(cell)["grade_id"], cell.source)
        return nb

    def bad(k):
        nb = read(ROOT / "solutions" / CHAPTER / NB)
        first = next(c for c in nb.cells if is_answer(c))
        first.source = ["import no_such_module_anywhere", "print('x' * (4 << 20))", "def broken(:\n    pass"][k % 3]
        return nb

    kinds = [lambda k: solution, partial, lambda k: read(ROOT / "notebooks" / CHAPTER / NB), bad]
    return {f"s{k:03d}": kinds[k % 4](k) for k in range(n)}


def course(folder: Path, subs: dict) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", folder)
    shutil.copytree(ROOT / "solutions" / CHAPTER, folder / "solutions" / CHAPTER)
    shutil.copytree(ROOT / "notebooks" / CHAPTER, folder / "notebooks" / CHAPTER)
    for student, nb in subs.items():
        (folder / "submitted" / student / CHAPTER).mkdir(parents=True)
        nbformat.write(nb, folder / "submitted" / student / CHAPTER / NB)
    env = dict(os.environ, NNBOOK_MODE="test")
    subprocess.run(
        [str(BIN / "nbgrader"), "generate_assignment", CHAPTER, "--force", "--log-level=ERROR"],
        cwd=folder,
        env=env,
        check=True,
        capture_output=True,
    )
    return folder


def plain(folder: Path) -> float:
    env = dict(os.environ, NNBOOK_MODE="test")
    start = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "nbgrader"), "autograde", CHAPTER, "--force", "--log-level=ERROR"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        print(f"(plain nbgrader reported errors: {done.stderr.strip()[-300:]})", file=sys.stderr)
    return time.perf_counter() - start


def boxed(folder: Path, workers: int) -> tuple[float, dict]:
    start = time.perf_counter()
    entries = grading.autograde(folder, workers=workers, force=True, progress=False, out=io.StringIO())
    return time.perf_counter() - start, entries


def where_time_goes() -> list[tuple[str, float]]:
    """One box, one kernel: seconds for the kernel to start and for each import the chapter makes."""
    from datetime import datetime

    from nnbook_grader.box import Limits, run_notebook

    cells = [
        "pass",
        "import numpy",
        "import sympy",
        "import nnbook",
        "import torch",
        "import tensorflow",
        "import keras",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    start = time.perf_counter()
    done = nbformat.reads(run_notebook(nbformat.writes(nb), Limits(), dict(os.environ))["notebook"], as_version=4)
    total = time.perf_counter() - start
    out = []
    for cell in done.cells:
        t = cell.metadata.get("execution", {})
        if "iopub.execute_input" in t and "shell.execute_reply" in t:
            a, b = (datetime.fromisoformat(t[k]) for k in ("iopub.execute_input", "shell.execute_reply"))
            out.append((cell.source, (b - a).total_seconds()))
    out.insert(0, ("kernel start in the box, and shutdown", total - sum(s for _, s in out)))
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--submissions", type=int, default=by_mode(1, 50, 50))
    p.add_argument("--workers", type=int, nargs="*", default=by_mode([1], [1, 2], [1, 2]))
    p.add_argument("--iters", type=int, help="ignored (the benchmark smoke test passes it)")
    p.add_argument("--warmup", type=int, help="ignored")
    a = p.parse_args()
    smoke = by_mode(True, False, False)
    os.environ["NNBOOK_MODE"] = "test"  # submissions are graded in test mode, whatever mode the benchmark runs in
    subs = submissions(a.submissions)
    n = len(subs)
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        base = Path(tmp)
        ref = course(base / "plain", subs)
        t_plain = plain(ref)
        ref_scores = grading.scores(ref)
        rows = [("plain nbgrader autograde (no box)", 1, t_plain)]
        same, split = {}, {}
        for w in a.workers:
            folder = course(base / f"w{w}", subs)
            seconds, entries = boxed(folder, w)
            rows.append((f"boxed grader ({'in process' if w == 1 else 'local Dask cluster'})", w, seconds))
            same[w] = grading.scores(folder) == ref_scores
            split[w] = sum(e.get("seconds", 0) for e in entries.values()) / max(1, len(entries))
    print("# Grading throughput: chapter 2, test mode\n")
    print(
        f"{n} submissions (perfect, partial, empty, bad in turn); {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPU cores; Python {platform.python_version()}\n"
    )
    print("| grader | workers | seconds | submissions per minute | speed-up | same scores as plain |")
    print("|---|---|---|---|---|---|")
    for name, w, seconds in rows:
        ok = "" if name.startswith("plain") else ("yes" if same[w] else "no")
        print(f"| {name} | {w} | {seconds:.1f} | {60 * n / seconds:.2f} | {t_plain / seconds:.2f} | {ok} |")
    print()
    for w, s in split.items():
        print(f"workers {w}: {s:.1f} s per notebook inside the box (kernel start, imports, cells)")
    if not smoke:  # one more kernel
        print("\n| one kernel in a box | seconds |\n|---|---|")
        for what, seconds in where_time_goes():
            print(f"| {what} | {seconds:.2f} |")
    print()
    w = max(a.workers)
    t = next(s for name, ww, s in rows if ww == w and not name.startswith("plain"))
    print(f"speed-up {t_plain / t:.2f} ({n} submissions, {w} workers, identical scores: {'yes' if same[w] else 'no'})")


if __name__ == "__main__":
    main()
