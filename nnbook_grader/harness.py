"""The exercise harness: many answers to one exercise judged in one warm kernel, as nbgrader would.

    from nnbook_grader import harness
    results = harness.run_chapter("ch02-gradients", candidates, grade_ids=["ch02-clip"])

For each notebook of a chapter one kernel is started in test mode (``NNBOOK_MODE=test``) with the
students' environment (`nnbook` importable, `nnbook_grader` not: `environment.student_environment`),
in a temporary copy of the chapter folder. The solution notebook runs cell by cell. At each chosen
autograded answer cell the harness

1. keeps the names the kernel holds (a snapshot of the notebook's globals);
2. runs the model answer and the cells up to the last test cell of that answer (its visible and hidden
   test cells and any given cell between them): the straight run, as nbgrader grades the solutions;
3. for every other candidate (a right answer, a wrong answer, a mutant): puts the names back, reseeds
   (`nnbook.seed_everything`), runs the candidate in place of the model answer, then the same cells;
4. puts the names back, reseeds and re-runs the model answer's cells before the notebook goes on.

A test cell scores when it raises nothing (nbgrader's rule). A candidate that runs past its time limit
is interrupted, one that kills the kernel (or cannot be interrupted) ends in a restarted kernel that
replays the notebook up to the answer cell; both are verdicts ("timeout", "died"), and count as caught.
"""

from __future__ import annotations

import os
import queue
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from nnbook_grader import cells
from nnbook_grader.answers import chapter_dir
from nnbook_grader.box import Limits
from nnbook_grader.environment import student_environment

ROOT = Path(__file__).resolve().parent.parent
SEED = 0
START_TIMEOUT = 120.0  # seconds for a kernel to start
MODEL_TIMEOUT = 600.0  # seconds for one cell of the straight run
GRACE = 10.0  # seconds an interrupted cell has to answer before the kernel is restarted


@dataclass
class Candidate:
    kind: str  # "model", "right", "wrong", "mutant"
    name: str  # what it is, e.g. "mutant 3 (binop + -> -)"
    source: str
    diff: str = ""  # a mutant's changed lines
    seed: int | None = None  # the seed it runs under (default: the harness's)
    threads: int | None = None  # PyTorch's CPU threads while it runs (default: as the kernel has them)


@dataclass
class Outcome:
    status: str  # "ok", "error", "timeout", "died"
    error: str = ""  # 'ename: evalue' of an error
    seconds: float = 0.0


@dataclass
class Verdict:
    candidate: Candidate
    answer: Outcome  # how the candidate's own cell ran
    tests: dict[str, Outcome]  # test grade_id -> how that test cell ran ("skipped" when a hang stopped the rest)
    seconds: float

    def failed(self, grade_ids: Iterable[str] | None = None) -> list[str]:
        """The test cells (of `grade_ids`, default all) that did not score."""
        wanted = self.tests if grade_ids is None else grade_ids
        return [g for g in wanted if g in self.tests and self.tests[g].status != "ok"]

    @property
    def caught(self) -> bool:
        return bool(self.failed()) or self.answer.status in ("timeout", "died")

    @property
    def stopped(self) -> bool:
        """The candidate hung or killed the kernel."""
        return any(o.status in ("timeout", "died") for o in [self.answer, *self.tests.values()])


@dataclass
class Exercise:
    chapter: str
    notebook: str
    grade_id: str
    tests: list[str]  # the grade_ids of its test cells, in order
    hidden: list[str]  # those that hold hidden tests
    verdicts: list[Verdict] = field(default_factory=list)
    model_after_restore: Verdict | None = None  # the model answer re-run after the other candidates
    setup_errors: list[str] = field(default_factory=list)  # given cells before it that raised

    @property
    def visible(self) -> list[str]:
        return [t for t in self.tests if t not in self.hidden]


class Kernel:
    """One IPython kernel driven through jupyter_client: run code with a time limit, see it die."""

    def __init__(self, cwd: Path, env: dict[str, str], kernel_name: str = "python3"):
        self.cwd, self.env, self.kernel_name = cwd, env, kernel_name
        self.manager = self.client = None
        self.restarts = 0  # how often a hang or a crash made it start afresh

    def start(self) -> None:
        from jupyter_client import KernelManager

        self.manager = KernelManager(kernel_name=self.kernel_name)
        self.manager.start_kernel(cwd=str(self.cwd), env=self.env)
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=START_TIMEOUT)

    def stop(self) -> None:
        if self.client is not None:
            self.client.stop_channels()
        if self.manager is not None and self.manager.has_kernel:
            self.manager.shutdown_kernel(now=True)
        self.manager = self.client = None

    def restart(self) -> None:
        self.stop()
        self.start()
        self.restarts += 1

    def address_space_mb(self) -> float:
        """The kernel process's virtual memory (what the box's RLIMIT_AS limits), 0 if unknown."""
        process = getattr(getattr(self.manager, "provisioner", None), "process", None)
        try:
            pages = int(Path(f"/proc/{process.pid}/statm").read_text().split()[0])
        except (AttributeError, OSError, ValueError):
            return 0.0
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20

    def _drain(self) -> None:
        try:
            while True:
                self.client.get_iopub_msg(timeout=0)
        except queue.Empty:
            pass

    def run(self, code: str, timeout: float, silent: bool = False) -> Outcome:
        """Execute `code`; 'ok', 'error' (with 'ename: evalue'), 'timeout' (interrupted; the kernel is
        restarted when the interrupt does not answer within GRACE) or 'died' (the kernel is restarted:
        what the notebook had run is gone, see `restarts`)."""
        start = time.monotonic()
        msg_id = self.client.execute(code, silent=silent, store_history=not silent, stop_on_error=False)
        deadline, interrupted = start + timeout, False
        while True:
            self._drain()  # outputs are not judged: drop them
            try:
                reply = self.client.get_shell_msg(timeout=0.2)
            except queue.Empty:
                now = time.monotonic()
                if not self.manager.is_alive():
                    self.restart()
                    return Outcome("died", "the kernel died", now - start)
                if now > deadline and not interrupted:
                    self.manager.interrupt_kernel()
                    interrupted, deadline = True, now + GRACE
                elif now > deadline:
                    self.restart()
                    return Outcome("timeout", f"no answer after {timeout:.0f} s, not interruptible", now - start)
                continue
            if reply.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            seconds = time.monotonic() - start
            content = reply["content"]
            if interrupted:
                return Outcome("timeout", f"interrupted after {timeout:.0f} s", seconds)
            if content.get("status") == "ok":
                return Outcome("ok", "", seconds)
            return Outcome("error", f"{content.get('ename', '')}: {content.get('evalue', '')}"[:500], seconds)


# kernel-side helpers, run silently: nothing they do binds a name in the notebook's namespace
_SETUP = (
    "__import__('sys')._nnbook_harness = {{}}\n"
    "exec('import resource as r\\nhard = r.getrlimit(r.RLIMIT_AS)[1]\\n'\n"
    "     'r.setrlimit(r.RLIMIT_AS, ({memory} if hard == r.RLIM_INFINITY else min({memory}, hard), hard))', {{}})"
)
_SNAPSHOT = "__import__('sys')._nnbook_harness[{key!r}] = dict(globals())"
_RESTORE = (
    "[globals().pop(_k) for _k in [_k for _k in globals() if _k not in __import__('sys')._nnbook_harness[{key!r}]]]\n"
    "globals().update(__import__('sys')._nnbook_harness[{key!r}])\n"
    "__import__('nnbook').seed_everything({seed})"
)
# PyTorch's thread count for one candidate (None: back to what the kernel had): a result that depends on
# how a reduction is split over threads shows up as a verdict that changes with it
_THREADS = """import sys
h = sys._nnbook_harness
if "torch" in sys.modules:
    t = sys.modules["torch"]
    h.setdefault("threads", t.get_num_threads())
    t.set_num_threads({threads} or h["threads"])
"""


def _blocks(nb) -> dict[int, tuple[str, list[int]]]:
    """answer cell index -> (grade_id, indices of the cells after it up to its last test cell)."""
    out, code = {}, [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    for position, index in enumerate(code):
        cell = nb.cells[index]
        if not cells.is_answer(cell):
            continue
        following, last = [], None
        for j in code[position + 1 :]:
            if cells.is_answer(nb.cells[j]):
                break
            following.append(j)
            if cells.is_test(nb.cells[j]):
                last = len(following)
        if last is not None:
            out[index] = (cells.grade_id(cell), following[:last])
    return out


class Harness:
    """Judge candidate answers of the exercises of one chapter notebook in one warm kernel."""

    def __init__(
        self,
        notebook: Path,
        timeout_floor: float = 10.0,
        timeout_factor: float = 5.0,
        seed: int = SEED,
        memory_mb: int = Limits.memory_mb,
        log: Callable[[str], None] | None = None,
    ):
        self.notebook, self.chapter = notebook, notebook.parent.name
        self.nb = cells.read(notebook)
        self.timeout_floor, self.timeout_factor, self.seed = timeout_floor, timeout_factor, seed
        # the box's address-space limit: a mutant that asks for too much memory gets a MemoryError instead of
        # the machine's OOM killer
        self.memory_mb, self.setup = memory_mb, _SETUP.format(memory=memory_mb << 20)
        self.log = log or (lambda message: None)
        self.workdir = Path(tempfile.mkdtemp(prefix=f"nnbook-harness-{self.chapter}-"))
        shutil.copytree(notebook.parent, self.workdir, dirs_exist_ok=True)
        self.kernel = Kernel(self.workdir, student_environment(NNBOOK_MODE="test"))
        self.done: list[int] = []  # indices of the cells run so far in the straight run (for a replay)

    def __enter__(self):
        self.kernel.start()
        self._helper(self.setup)
        return self

    def __exit__(self, *exc):
        self.kernel.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _helper(self, code: str) -> None:
        outcome = self.kernel.run(code, GRACE * 3, silent=True)
        if outcome.status != "ok":
            raise RuntimeError(f"the harness could not run its own step in the kernel: {outcome}")

    def _straight(self, index: int) -> Outcome:
        outcome = self.kernel.run(self.nb.cells[index].source, MODEL_TIMEOUT)
        if outcome.status in ("timeout", "died"):
            raise RuntimeError(f"{self.notebook.name} cell {index} of the solution {outcome.status}: {outcome.error}")
        self.done.append(index)
        return outcome

    def _replay(self) -> None:
        """After a restart: the notebook up to the current answer cell again, then its snapshot."""
        self.log(f"  kernel restarted: replaying {len(self.done)} cells")
        self._helper(self.setup)
        done, self.done = self.done, []
        for index in done:
            self._straight(index)
        self._helper(_SNAPSHOT.format(key="before"))

    def exercises(self) -> dict[int, tuple[str, list[int]]]:
        return _blocks(self.nb)

    def run(
        self, candidates: Callable[[str, str], list[Candidate]], grade_ids: Iterable[str] | None = None
    ) -> list[Exercise]:
        """Go through the notebook; at each answer cell in `grade_ids` (default all) judge the model
        answer and `candidates(grade_id, model_source)`. Stops after the last chosen answer cell."""
        blocks = self.exercises()
        chosen = {i for i, (g, _) in blocks.items() if grade_ids is None or g in set(grade_ids)}
        results, setup_errors = [], []
        last = max(chosen, default=-1)
        index = 0
        while index <= last:
            cell = self.nb.cells[index]
            if cell.cell_type != "code" or (index not in chosen):
                if cell.cell_type == "code":
                    outcome = self._straight(index)
                    if outcome.status == "error":
                        setup_errors.append(f"cell {index}: {outcome.error}")
                index += 1
                continue
            grade_id, block = blocks[index]
            exercise = self._exercise(index, grade_id, block, candidates(grade_id, cell.source))
            exercise.setup_errors, setup_errors = setup_errors, []
            results.append(exercise)
            index = block[-1] + 1
        return results

    def _exercise(self, index: int, grade_id: str, block: list[int], others: list[Candidate]) -> Exercise:
        tests = [cells.grade_id(self.nb.cells[i]) for i in block if cells.is_test(self.nb.cells[i])]
        hidden = [cells.grade_id(self.nb.cells[i]) for i in block if cells.has_hidden_tests(self.nb.cells[i])]
        exercise = Exercise(self.chapter, self.notebook.name, grade_id, tests, hidden)
        self._helper(_SNAPSHOT.format(key="before"))
        model = Candidate("model", "model answer", self.nb.cells[index].source)
        start = time.monotonic()
        verdict = self._judge(model, block, timeout=None)
        exercise.verdicts.append(verdict)
        limit = max(self.timeout_floor, self.timeout_factor * (time.monotonic() - start))
        self.log(f"{grade_id}: model answer {_line(verdict)}; {len(others)} more candidates, {limit:.0f} s each")
        base = self.kernel.address_space_mb()
        for candidate in others:
            if self._grown(base):  # candidates that build large models leave memory behind: start afresh
                self.kernel.restart()
                self._replay()
                base = self.kernel.address_space_mb()
            self._restore(candidate)
            verdict = self._judge(candidate, block, timeout=limit)
            if candidate.threads:
                self._helper(f"exec({_THREADS.format(threads=None)!r}, {{}})")
            exercise.verdicts.append(verdict)
            self.log(f"  {candidate.name}: {_line(verdict)}")
        if others:
            self._restore()
            exercise.model_after_restore = self._judge(model, block, timeout=None)
        self.done.extend([index, *block])
        return exercise

    def _grown(self, base: float) -> bool:
        """The kernel has used more than half the address space that was left at the exercise's start."""
        return base > 0 and self.kernel.address_space_mb() > base + (self.memory_mb - base) / 2

    def _restore(self, candidate: Candidate | None = None) -> None:
        seed = self.seed if candidate is None or candidate.seed is None else candidate.seed
        self._helper(_RESTORE.format(key="before", seed=seed))
        if candidate is not None and candidate.threads:
            self._helper(f"exec({_THREADS.format(threads=candidate.threads)!r}, {{}})")

    def _judge(self, candidate: Candidate, block: list[int], timeout: float | None) -> Verdict:
        """Run `candidate` in place of the answer cell, then the block's cells; a test cell's verdict
        is how it ran. A hang or a dead kernel ends the candidate: the rest is 'skipped'."""
        start, restarts = time.monotonic(), self.kernel.restarts
        deadline = None if timeout is None else start + timeout

        def left() -> float:
            return MODEL_TIMEOUT if deadline is None else max(0.1, deadline - time.monotonic())

        answer = self.kernel.run(candidate.source, left())
        tests: dict[str, Outcome] = {}
        stopped = answer.status in ("timeout", "died")
        for i in block:
            cell = self.nb.cells[i]
            is_test = cells.is_test(cell)
            if stopped:
                if is_test:
                    tests[cells.grade_id(cell)] = Outcome("skipped", f"after the candidate {answer.status}")
                continue
            outcome = self.kernel.run(cell.source, left())
            if is_test:
                tests[cells.grade_id(cell)] = outcome
            if outcome.status in ("timeout", "died"):
                stopped, answer = True, answer if answer.status != "ok" else Outcome(outcome.status, outcome.error)
        verdict = Verdict(candidate, answer, tests, time.monotonic() - start)
        if stopped:
            if candidate.kind == "model":
                raise RuntimeError(f"{self.chapter}: the model answer {answer.status}: {answer.error}")
            if self.kernel.restarts != restarts:
                self._replay()
        return verdict


def _line(verdict: Verdict) -> str:
    failed = verdict.failed()
    what = "caught by " + ", ".join(failed) if failed else ("caught: " + verdict.answer.status)
    if not verdict.caught:
        what = "passes every test cell"
    return f"{what} ({verdict.seconds:.1f} s)"


def run_chapter(
    chapter: str,
    candidates: Callable[[str, str], list[Candidate]],
    grade_ids: Iterable[str] | None = None,
    log: Callable[[str], None] | None = None,
    **options,
) -> list[Exercise]:
    """Every notebook of `chapter` in a kernel of its own; see `Harness.run`."""
    results = []
    for path in cells.solution_notebooks(chapter_dir(chapter).name):
        with Harness(path, log=log, **options) as harness:
            results += harness.run(candidates, grade_ids)
    return results
