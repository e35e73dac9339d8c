"""Full-mode measurements for the results page and the chapters' "full mode" plots: the exercise
sheets' exact settings (chapter 6: 10000 / 20000 iterations of batch 100; chapter 7: 60 epochs of
batch 50), one framework at a time, each run written to a small JSON file with its provenance
(machine, GPU, versions, date, wall time) under nnbook/results/ (read by nnbook.measured).

    python tools/full_runs.py ch06 --framework torch      # on a GPU: about a minute per model
    python tools/full_runs.py ch07 --framework keras      # Keras on the CPU: a background job
    python tools/full_runs.py ch05                         # a pool of CPU processes: minutes on 16 cores
    python tools/full_runs.py ch08                         # chapter 8's own framework: CPU, a few minutes
    python tools/full_runs.py ch09                         # executes the chapter notebook in full mode
    NNBOOK_MODE=quick python tools/full_runs.py ch05       # the quick mode's runs (ch05-quick-torch.json)
    NNBOOK_MODE=test python tools/full_runs.py ch06 --out /tmp/ch06.json   # checks the script in seconds

Every chapter is run the same way (its definition is in tools/chapter_runs.py): the settings of its
table for the run mode, then its runs one by one, each saved as soon as it is done. A run that is
interrupted resumes: the runs already in the JSON file are kept and skipped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import platform
import sys
from pathlib import Path

os.environ.setdefault("NNBOOK_MODE", "full")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from chapter_runs import CHAPTERS  # noqa: E402

import nnbook  # noqa: E402  (first: quiets TensorFlow, selects the Keras backend)

RESULTS = ROOT / "nnbook" / "results"


def provenance(framework: str) -> dict:
    import torch

    info = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mode": nnbook.mode(),
        "framework": framework,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
        "cpu": platform.processor() or platform.machine(),
        "cpu_cores": os.cpu_count(),
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }
    if framework == "keras":
        import keras
        import tensorflow as tf

        info.update(
            keras=keras.__version__,
            tensorflow=tf.__version__,
            gpu=(tf.config.list_physical_devices("GPU") or [None])[0] and info["gpu"],
        )
    return info


def save(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    tmp.replace(path)  # atomic: an interrupted run never leaves a broken file


def _one(job: tuple) -> tuple[str, dict]:
    """One run, in this process or a worker of the pool: (key, numbers)."""
    chapter, framework, settings, key = job
    return key, CHAPTERS[chapter].run(framework, settings, key)


def summary(run: dict) -> str:
    return ", ".join(f"{k} {v:.4g}" for k, v in run.items() if isinstance(v, float | int) and not isinstance(v, bool))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapter", choices=sorted(CHAPTERS))
    parser.add_argument("--framework", choices=["torch", "keras", "numpy"], help="default: the chapter's first")
    parser.add_argument("--out", type=Path, help="JSON file (default nnbook/results/<chapter>-<mode>-<framework>.json)")
    args = parser.parse_args()
    chapter, mode = CHAPTERS[args.chapter], nnbook.mode()
    framework = args.framework or chapter.frameworks[0]
    if framework not in chapter.frameworks:
        raise SystemExit(f"{args.chapter}: the full runs use {' or '.join(chapter.frameworks)}, not {framework}")
    if mode == "test" and args.out is None:
        raise SystemExit("test mode checks the script; give it an --out file outside nnbook/results/")
    out = args.out or RESULTS / f"{args.chapter}-{mode}-{framework}.json"
    settings = chapter.settings(mode)
    result = json.loads(out.read_text()) if out.exists() else {}
    result = result or {"provenance": provenance(framework), "settings": settings, "runs": {}}
    todo = [key for key in chapter.keys(settings) if key not in result["runs"]]
    print(f"{args.chapter} in {mode} mode, {framework} -> {out}: {len(result['runs'])} runs kept, {todo} to do")
    jobs = [(args.chapter, framework, settings, key) for key in todo]
    if chapter.processes and len(jobs) > 1:
        workers = max(1, min(len(jobs), (os.cpu_count() or 2) - 1))
        pool = multiprocessing.get_context("spawn").Pool(workers)
        done = pool.imap_unordered(_one, jobs)
    else:
        pool, done = None, map(_one, jobs)
    for key, run in done:
        result["runs"][key] = run
        save(out, result)
        print(f"{key}: {summary(run)}", flush=True)
    if pool is not None:
        pool.close()


if __name__ == "__main__":
    main()
