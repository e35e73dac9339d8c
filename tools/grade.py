"""Autograde or write feedback for every chapter that has submissions under submitted/<student>/<chapter>/.

    python tools/grade.py autograde      # nbgrader autograde, chapter by chapter, then a score table
    python tools/grade.py feedback       # nbgrader generate_feedback for every autograded chapter

Submissions run in test mode (NNBOOK_MODE=test), so that each notebook takes seconds, and under
nbgrader's per-cell timeout (nbgrader_config.py), so that a hanging submission cannot stall a batch.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def chapters_in(folder: str) -> list[str]:
    base = ROOT / folder
    if not base.is_dir():
        return []
    return sorted({p.name for p in base.glob("*/ch*") if p.is_dir()})


def run(args: list[str]) -> None:
    env = dict(os.environ, NNBOOK_MODE="test")
    print("$", " ".join(args), flush=True)
    subprocess.run(args, cwd=ROOT, env=env, check=True)


def report() -> None:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{ROOT / 'gradebook.db'}") as gb:
        rows = [(s.student.id, s.assignment.name, s.score, s.max_score)
                for a in gb.assignments for s in a.submissions]
    if rows:
        print(f"\n{'student':20} {'chapter':28} {'score':>7} {'max':>7}")
        for student, chapter, score, max_score in sorted(rows):
            print(f"{student:20} {chapter:28} {score:7.1f} {max_score:7.1f}")


def main(verb: str) -> None:
    nbgrader = str(Path(sys.executable).with_name("nbgrader"))
    folder = {"autograde": "submitted", "feedback": "autograded"}.get(verb)
    if folder is None:
        sys.exit(__doc__)
    chapters = chapters_in(folder)
    if not chapters:
        sys.exit(f"nothing to {verb}: put submissions in {ROOT / folder}/<student>/<chapter>/<notebook>.ipynb "
                 f"(nbgrader collect or zip_collect does this)")
    for chapter in chapters:
        if verb == "autograde":
            # the gradebook must know the chapter; generating it again is cheap and idempotent
            run([nbgrader, "generate_assignment", chapter, "--force", "--log-level=WARN"])
            run([nbgrader, "autograde", chapter, "--force"])
        else:
            run([nbgrader, "generate_feedback", chapter, "--force"])
    if verb == "autograde":
        report()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
