"""Mutation scores of a chapter's tests: mutants of every model answer, judged in one warm kernel.

    python tools/mutants.py ch02-gradients [--max-mutants 40] [--seed 0] [--only GRADE_ID ...] [--json out.json]
    make mutants                       # every chapter (MUTANTS_OPTS="--max-mutants 10" to be quicker)

For each autograded answer cell of the chapter, the model answer, its right and wrong answers
(tests/right_answers, tests/wrong_answers: RIGHT, RESEED under each of its seeds, WRONG and the
single-cell WRONG_VARIANTS) and up to --max-mutants mutants of its solution region
(nnbook_grader.mutation) are run in place of the model answer, each followed by the exercise's visible
and hidden test cells (nnbook_grader.harness). Prints a Markdown table per exercise (mutants killed by
visible / hidden tests, survivors, score) and every survivor's diff. A survivor that computes the same
function as the model answer goes into the solution notebook's metadata,
nb.metadata["nnbook"]["equivalent_mutants"][grade_id] = [{"diff": ..., "why": ...}].
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import notebooks as cells  # noqa: E402  (tests/notebooks.py: the chapters' wrong and right answers)
from nnbook_grader import harness, mutation  # noqa: E402
from nnbook_grader.answers import chapter_dir  # noqa: E402


def candidates_for(chapter: str, max_mutants: int | None, seed: int, answers: bool = True):
    """The candidates(grade_id, model_source) the harness asks for at each answer cell."""
    right = (cells.right_answers(chapter) or {}) if answers else {}
    wrong = cells.wrong_answers(chapter) if answers else {}
    variants = cells.wrong_variants(chapter) if answers else []
    reseed = cells.reseeded_answers(chapter) if answers else {}

    def candidates(grade_id: str, source: str) -> list[harness.Candidate]:
        found = []
        if grade_id in right:
            found.append(harness.Candidate("right", "right answer", right[grade_id]))
        template, seeds = reseed.get(grade_id, ("", []))
        for seed_ in seeds:
            reseeded = template.replace("__SEED__", str(seed_))
            found.append(harness.Candidate("right", f"right answer, seed {seed_}", reseeded))
        if grade_id in wrong:
            found.append(harness.Candidate("wrong", "wrong answer", wrong[grade_id]))
        for i, variant in enumerate(variants, 1):
            if [k for k in variant if not k.startswith("_")] == [grade_id]:
                found.append(harness.Candidate("wrong", f"wrong variant {i}", variant[grade_id]))
        for i, m in enumerate(mutation.mutants(source, cap=max_mutants, seed=seed), 1):
            found.append(harness.Candidate("mutant", f"mutant {i}: {m.operator}", m.source, m.diff))
        return found

    return candidates


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    return f"{os.cpu_count()} CPU cores ({cpu}), Python {platform.python_version()}"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("chapter", nargs="+", help="chapter ids (or unique prefixes: ch02)")
    p.add_argument("--max-mutants", type=int, default=mutation.CAP, help="mutants per answer cell (default 40)")
    p.add_argument("--seed", type=int, default=0, help="the seed of the mutant sample (default 0)")
    p.add_argument("--only", action="append", help="only this answer cell's grade_id (repeatable)")
    p.add_argument("--no-answers", action="store_true", help="mutants only, not the right and wrong answers")
    p.add_argument("--timeout-floor", type=float, default=10.0, help="seconds a candidate has at least")
    p.add_argument("--json", help="write the scores and survivors to this file")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = p.parse_args(argv)

    log = None if args.quiet else (lambda message: print(message, file=sys.stderr, flush=True))
    report, failed = {"machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}, False
    report["chapters"] = {}
    for name in args.chapter:
        chapter = chapter_dir(name).name
        start = time.monotonic()
        try:
            exercises = harness.run_chapter(
                chapter,
                candidates_for(chapter, args.max_mutants, args.seed, not args.no_answers),
                grade_ids=args.only,
                log=log,
                timeout_floor=args.timeout_floor,
            )
        except RuntimeError as err:  # the solution notebook itself hangs or dies: nothing to score
            print(f"\n## {chapter}\n\nnot scored: {err}")
            report["chapters"][chapter], failed = {"error": str(err)}, True
            continue
        seconds = time.monotonic() - start
        allow = {}
        for path in cells.solution_notebooks(chapter):
            allow.update(mutation.allowlist(cells.read(path)))
        scores = [mutation.score(e, allow.get(e.grade_id)) for e in exercises]
        candidates = sum(s.candidates for s in scores)
        print(f"\n## {chapter}\n")
        print(
            f"{report['date']}, {report['machine']}: {seconds:.0f} s for {candidates} candidates "
            f"({seconds / max(candidates, 1):.2f} s per candidate, kernel start and set-up included)\n"
        )
        print(mutation.table(scores))
        failed |= any(not s.model or s.right[0] < s.right[1] or s.wrong[0] < s.wrong[1] for s in scores)
        report["chapters"][chapter] = {
            "seconds": seconds,
            "candidates": candidates,
            "setup_errors": {e.grade_id: e.setup_errors for e in exercises if e.setup_errors},
            "exercises": [asdict(s) | {"score": s.score, "hidden_score": s.hidden_score} for s in scores],
        }
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
