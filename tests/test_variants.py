"""Wrong variants and right answers judged one exercise at a time in the exercise harness
(nnbook_grader/harness.py: one warm test-mode kernel per chapter notebook), each under several seeds and
PyTorch thread counts, so that no verdict depends on luck or on the machine (issue 26: a variant that was
caught on one CPU and accepted on another):

* every single-cell wrong variant of tests/wrong_answers (tests/notebooks.py, harness_variants) loses the
  test cells it aims at, with a check's failure (GradingError/AssertionError), under every setting;
* every right answer of tests/right_answers (and each RESEED answer under each of its seeds) passes every
  test cell of its exercise under every setting;
* the model answer passes its test cells again after the other candidates ran (the harness restores it).

The variants that span several answer cells or aim at another exercise's tests are graded as whole
submissions by tests/test_pipeline.py.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from nnbook_grader import harness
from notebooks import (
    CHAPTERS,
    answer_tests,
    harness_variants,
    reseeded_answers,
    right_answers,
    variant_targets,
)

pytestmark = pytest.mark.slow
SETTINGS = ((0, 1), (1, 2), (2, 1))  # (seed, PyTorch CPU threads) each candidate runs under
TIMEOUT = 300  # s per candidate, the box's cell limit: a verdict never depends on a busy machine's speed
CHECKS = ("GradingError", "AssertionError")  # how a test cell reports a wrong answer


def candidates_for(chapter: str):
    variants = harness_variants(chapter)
    right = right_answers(chapter) or {}
    reseed = reseeded_answers(chapter)

    def candidates(grade_id: str, source: str) -> list[harness.Candidate]:
        found = []
        for i, variant in variants.items():
            if grade_id in variant:
                for seed, threads in SETTINGS:
                    name = f"wrong variant {i}, seed {seed}, {threads} thread(s)"
                    found.append(harness.Candidate("wrong", name, variant[grade_id], seed=seed, threads=threads))
        if grade_id in right:
            for seed, threads in SETTINGS:
                name = f"right answer, seed {seed}, {threads} thread(s)"
                found.append(harness.Candidate("right", name, right[grade_id], seed=seed, threads=threads))
        template, seeds = reseed.get(grade_id, ("", []))
        for seed in seeds:
            name = f"right answer drawing from seed {seed}"
            found.append(harness.Candidate("right", name, template.replace("__SEED__", str(seed))))
        return found

    return candidates


def judged_cells(chapter: str) -> set[str]:
    cells = {k for v in harness_variants(chapter).values() for k in v if not k.startswith("_")}
    return cells | set(right_answers(chapter) or {}) | set(reseeded_answers(chapter))


@pytest.fixture(scope="session")
def judged(request):
    """chapter -> the harness's exercises (verdicts) for every chapter this session tests, two at a time."""
    wanted = sorted({item.callspec.params["chapter"] for item in request.session.items if _here(item)}) or CHAPTERS

    def judge(chapter):
        exercises = harness.run_chapter(
            chapter, candidates_for(chapter), grade_ids=judged_cells(chapter), timeout_floor=TIMEOUT
        )
        return chapter, exercises

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(judge, wanted))


def _here(item) -> bool:
    return item.module.__name__ == __name__ and hasattr(item, "callspec") and "chapter" in item.callspec.params


def verdicts(exercises, kind: str):
    for exercise in exercises:
        for verdict in exercise.verdicts:
            if verdict.candidate.kind == kind:
                yield exercise, verdict


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_wrong_variants_are_caught_where_they_aim_under_every_setting(chapter, judged):
    follows = answer_tests(chapter)
    aims = {i: variant_targets(v, follows) for i, v in harness_variants(chapter).items()}
    problems = []
    for _, verdict in verdicts(judged[chapter], "wrong"):
        if verdict.stopped:
            continue  # a hang or a dead kernel is caught
        aimed = aims[int(re.search(r"variant (\d+),", verdict.candidate.name).group(1))]
        outcomes = {t: verdict.tests[t] for t in aimed if t in verdict.tests}
        passed = [t for t, o in outcomes.items() if o.status == "ok"]
        crashed = {t: o.error for t, o in outcomes.items() if o.status == "error" and not o.error.startswith(CHECKS)}
        if passed or crashed or len(outcomes) < len(aimed):
            problems.append(f"{verdict.candidate.name}: accepted by {passed}; crashed instead of a check {crashed}")
    assert not problems, f"{chapter}: " + "; ".join(problems)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_right_answers_pass_under_every_seed_and_thread_count(chapter, judged):
    problems = [
        f"{exercise.grade_id}, {verdict.candidate.name}: {verdict.answer.error or ''} "
        f"{ {t: o.error for t, o in verdict.tests.items() if o.status != 'ok'} }"
        for exercise, verdict in verdicts(judged[chapter], "right")
        if verdict.caught
    ]
    assert not problems, f"{chapter}: correct answers rejected: " + "; ".join(problems)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_model_answer_passes_before_and_after_the_others(chapter, judged):
    problems = [
        f"{exercise.grade_id}: {v.candidate.name} {v.failed()}"
        for exercise in judged[chapter]
        for v in (exercise.verdicts[0], exercise.model_after_restore)
        if v is not None and v.caught
    ]
    assert not problems, f"{chapter}: the model answer fails in the harness: " + "; ".join(problems)
