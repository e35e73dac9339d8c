"""Grade the course: every submission under submitted/<student>/<chapter>/, each in its own box.

    python tools/grade.py autograde [--workers N] [--scheduler tcp://host:8786] [--force] [--student S ...]
                                    [--chapter C ...] [--db-url URL] [--cell-timeout S] [--notebook-timeout S]
                                    [--memory-mb MB] [--processes N] [--output-kb KB] [--no-box] [--allow-network]
    python tools/grade.py feedback      # feedback/<student>/<chapter>/*.html, hidden tests not shown
    python tools/grade.py grades        # grades.csv (lateness beside each score)
    python tools/grade.py grades --format canvas|moodle --mapping roster.csv   # an LMS gradebook's import file
    python tools/grade.py report [--threshold 0.8]   # reports/index.html: the course report

nnbook_grader/autograde.py says how it works; book/instructor-guide.md what an instructor needs.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nnbook.runtime import GRADING_MODE  # noqa: E402
from nnbook_grader import autograde as grading  # noqa: E402
from nnbook_grader.box import BoxUnavailable  # noqa: E402
from nnbook_grader.lms import MappingError  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("verb", choices=["autograde", "feedback", "grades", "report"])
    p.add_argument("--root", default=str(ROOT), help="the course folder (default: this project)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parallel workers (default: cores)")
    p.add_argument("--scheduler", help="address of a Dask distributed scheduler, e.g. tcp://host:8786")
    p.add_argument("--force", action="store_true", help="grade again what has not changed")
    p.add_argument("--student", action="append", help="only this student (repeatable)")
    p.add_argument("--chapter", action="append", help="only this chapter (repeatable)")
    p.add_argument("--db-url", help="gradebook URL, e.g. postgresql://user@host/nnbook (default: sqlite gradebook.db)")
    for name in ("cell-timeout", "notebook-timeout", "memory-mb", "processes", "output-kb", "file-mb", "threads"):
        p.add_argument(f"--{name}", type=int, help="override c.Box." + name.replace("-", "_"))
    p.add_argument("--no-box", action="store_true", help="run kernels unboxed (trusted submissions only)")
    p.add_argument("--allow-network", action="store_true", help="boxes without a network namespace (fallback)")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--format", default="csv", choices=["csv", "canvas", "moodle"], help="grades: the file's layout")
    p.add_argument("--mapping", help="grades --format canvas|moodle: the roster CSV (nnbook_grader/lms.py)")
    p.add_argument("--output", help="grades: the file to write (default grades.csv, grades-canvas.csv, ...)")
    p.add_argument("--threshold", type=float, help="report: similarity from which answer pairs are listed (0..1)")
    a = p.parse_args(argv)
    limits = {
        k: getattr(a, k)
        for k in ("cell_timeout", "notebook_timeout", "memory_mb", "processes", "output_kb", "file_mb", "threads")
    }
    if a.no_box:
        limits["boxed"] = False
    if a.allow_network:
        limits["network"] = True
    os.environ.setdefault("NNBOOK_MODE", GRADING_MODE)
    warnings.filterwarnings("ignore", module="nbgrader")  # SQLAlchemy warnings from nbgrader's gradebook
    try:
        if a.verb == "autograde":
            entries = grading.autograde(
                a.root,
                a.student,
                a.chapter,
                a.workers,
                a.scheduler,
                a.force,
                a.db_url,
                limits,
                progress=not a.no_progress,
            )
            return 0 if entries is not None else 1
        if a.verb == "feedback":
            files = grading.feedback(a.root, a.db_url, a.chapter)
            print(f"{len(files)} feedback files under {Path(a.root) / 'feedback'}")
        elif a.verb == "report":
            from nnbook_grader import report, similarity

            page = report.report(a.root, a.db_url, threshold=a.threshold or similarity.THRESHOLD)
            print(f"wrote {page} (open it in a browser; no server needed)")
        else:
            out = a.output or ("grades.csv" if a.format == "csv" else f"grades-{a.format}.csv")
            print(f"wrote {grading.grades_csv(a.root, a.db_url, out, a.format, a.mapping)}")
    except BoxUnavailable as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except MappingError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
