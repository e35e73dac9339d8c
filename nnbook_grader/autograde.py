"""Grade every submission of a course: kernels in boxes, many at a time, results through nbgrader.

For each submission ``submitted/<student>/<chapter>/``:

1. **stage** (grader): copy it to ``.grading/staged/`` (the original is never touched), repair what
   can be repaired and note it (a renamed notebook is used under its right name; a notebook that is
   not valid JSON or is missing is replaced by the untouched release, whose tests all fail);
2. **sanitize** (grader): nbgrader's own sanitize preprocessors (``Autograde.sanitize_preprocessors``
   of nbgrader_config.py: outputs cleared, deleted/moved test cells restored, locked cells and hidden
   tests overwritten from the gradebook);
3. **execute** (any worker: this process, a local Dask cluster, or a remote one at ``--scheduler``):
   ``nnbook_grader.box.run_notebook`` runs the kernel in a box; it only returns a notebook;
4. **record** (grader, the only writer of the gradebook): nbgrader's ``Autograde`` converter runs
   for the submission with its Execute step replaced by the executed notebook (``replay_step``); every
   other step (grades, late penalties, the autograded notebook) is nbgrader's.

A state file ``.grading/state.json`` remembers, per submission, the digest of what was graded and the
result; a run skips what has not changed (``--force`` grades all) and continues where a crash or
Ctrl-C stopped the last one.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from nnbook.runtime import GRADING_MODE

from .box import Limits, check_isolation, describe, limits_dict, run_notebook, thread_share
from .cells import meta
from .environment import describe_fingerprint, fingerprint
from .tamper import scan

STATE = ".grading"


@dataclass
class Submission:
    student: str
    chapter: str
    notebooks: dict = field(default_factory=dict)  # notebook name -> sanitized json
    notes: list = field(default_factory=list)  # what the grader noticed and did
    forced: dict = field(default_factory=dict)  # notebook name -> reason: not executed, all tests fail
    digest: str = ""
    results: dict = field(default_factory=dict)  # notebook name -> run_notebook result
    flags: list = field(default_factory=list)  # tampering found (nnbook_grader/tamper.py): status "review"
    trusted: dict = field(default_factory=dict)  # notebook name -> indices of the given cells, as released

    @property
    def key(self) -> str:
        return f"{self.student}/{self.chapter}"


# ---------------------------------------------------------------------------------------------
# the course: config, gradebook, state


class Course:
    def __init__(self, root: Path, db_url: str | None = None, limits: dict | None = None):
        from traitlets.config import Config
        from traitlets.config.loader import PyFileConfigLoader

        self.root = Path(root).resolve()
        bin_dir = os.path.dirname(sys.executable)  # nbgrader calls `alembic` from the environment's bin
        if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
            os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
        config = Config()
        if (self.root / "nbgrader_config.py").exists():
            config = PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()
        config.CourseDirectory.root = str(self.root)
        default = f"sqlite:///{self.root / 'gradebook.db'}"
        self.db_url = _driver(db_url or config.CourseDirectory.get("db_url") or default)
        config.CourseDirectory.db_url = self.db_url
        self.config = config
        self.limits = Limits.from_config(config, **(limits or {}))
        # due dates per chapter (nbgrader_config.py, c.Deadlines.due): written into the gradebook, where
        # nbgrader compares them with each submission's timestamp.txt (book/instructor-guide.md, Deadlines)
        self.due = dict(config.Deadlines.get("due", {}) if "Deadlines" in config else {})
        self.state_dir = self.root / STATE
        self.staged = self.state_dir / "staged"
        self.state_file = self.state_dir / "state.json"
        self.state = json.loads(self.state_file.read_text()) if self.state_file.exists() else {}

    def folder(self, name: str) -> Path:
        return self.root / self.config.CourseDirectory.get(f"{name}_directory", name)

    def save_state(self) -> None:
        self.state_dir.mkdir(exist_ok=True)
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state, indent=1, sort_keys=True))
        os.replace(tmp, self.state_file)  # atomic: a crash leaves the old or the new state

    def coursedir(self, **overrides):
        from nbgrader.coursedir import CourseDirectory

        coursedir = CourseDirectory(config=self.config)
        for key, value in overrides.items():
            setattr(coursedir, key, value)
        return coursedir

    def notebooks_of(self, chapter: str) -> list[str]:
        folder = self.folder("source") / chapter
        return sorted(p.stem for p in folder.glob("*.ipynb"))

    def release(self, chapters) -> None:
        """The gradebook must know each chapter (nbgrader generate_assignment; idempotent)."""
        from nbgrader.apps.api import NbGraderAPI

        api = NbGraderAPI(coursedir=self.coursedir(), config=self.config)
        api.log.setLevel(logging.ERROR)  # "removing existing assignment" and the like: routine here
        for chapter in chapters:
            result = api.generate_assignment(chapter, force=True)
            if not result["success"]:
                raise RuntimeError(
                    f"nbgrader generate_assignment {chapter} failed:\n{result.get('error', '')}"
                    f"\n{result.get('log', '')[-3000:]}"
                )
        self.set_due_dates(chapters)

    def set_due_dates(self, chapters) -> None:
        from nbgrader.api import Gradebook

        with Gradebook(self.db_url) as gb:
            for chapter in chapters:
                if self.due.get(chapter):
                    gb.update_or_create_assignment(chapter, duedate=self.due[chapter])


def _driver(url: str) -> str:
    """SQLAlchemy 2.1 reads postgresql:// as psycopg 3; the pinned driver is psycopg2."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    return url


def digest_folder(folder: Path, extra: bytes = b"") -> str:
    h = hashlib.sha256(extra)
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if path.is_file():
            h.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def find(course: Course, students=None, chapters=None) -> list[tuple[str, str]]:
    base = course.folder("submitted")
    found = []
    for folder in sorted(base.glob("*/*")) if base.is_dir() else []:
        wanted = (not students or folder.parent.name in students) and (not chapters or folder.name in chapters)
        if wanted and folder.is_dir() and (course.folder("source") / folder.name).is_dir():
            found.append((folder.parent.name, folder.name))
    return found


# ---------------------------------------------------------------------------------------------
# stage and sanitize (grader)


def stage(course: Course, student: str, chapter: str) -> Submission:
    sub = Submission(student, chapter)
    src = course.folder("submitted") / student / chapter
    dst = course.staged / student / chapter
    shutil.rmtree(dst, ignore_errors=True)
    dst.mkdir(parents=True)
    release = course.folder("release") / chapter
    expected = course.notebooks_of(chapter)
    present = {p.stem: p for p in src.glob("*.ipynb")} if src.is_dir() else {}
    for path in src.iterdir() if src.is_dir() else []:
        if path.is_file() and path.suffix != ".ipynb" and path.stat().st_size < 10 << 20:
            shutil.copy(path, dst / path.name)  # timestamp.txt and small files the student handed in
    unknown = [p for name, p in present.items() if name not in expected]
    for name in expected:
        path = present.get(name)
        if path is None and len(unknown) == 1 and len(expected) == 1:
            path = unknown.pop()
            sub.notes.append(f"notebook renamed to {path.name!r}: graded as {name}.ipynb")
        reason = None
        if path is None:
            reason = f"missing notebook: {name}.ipynb was not handed in"
        else:
            try:
                nb = nbformat.read(path, as_version=4)
                nbformat.validate(nb)
            except Exception as e:  # noqa: BLE001 (any reason a notebook cannot be read is recorded)
                reason = f"{path.name} is not a valid notebook ({type(e).__name__}: {str(e).splitlines()[0][:200]})"
        if reason:
            sub.notes.append(reason)
            sub.forced[name] = reason
            shutil.copy(release / f"{name}.ipynb", dst / f"{name}.ipynb")
        else:
            nbformat.write(nb, dst / f"{name}.ipynb")
    # what the grade depends on: the hand-in, the source notebooks and the grading configuration
    config = course.root / "nbgrader_config.py"
    extra = [(course.folder("source") / chapter / f"{n}.ipynb").read_bytes() for n in expected]
    extra.append(config.read_bytes() if config.exists() else b"")
    sub.digest = digest_folder(src, extra=b"".join(extra))
    return sub


def sanitize(course: Course, sub: Submission) -> None:
    """nbgrader's sanitize preprocessors, as its Autograde converter runs them."""
    from nbgrader.converters import Autograde

    pps = course.config.Autograde.get("sanitize_preprocessors") or Autograde.sanitize_preprocessors.default_value
    for name in course.notebooks_of(sub.chapter):
        nb = nbformat.read(course.staged / sub.student / sub.chapter / f"{name}.ipynb", as_version=4)
        resources = {
            "nbgrader": {"notebook": name, "assignment": sub.chapter, "student": sub.student, "db_url": course.db_url}
        }
        for pp in pps:
            nb, resources = pp(config=course.config).preprocess(nb, resources)
        sub.notes += [n for n in resources["nbgrader"].get("tampering", []) if n not in sub.notes]
        sub.notebooks[name] = nbformat.writes(nb)
        if name not in sub.forced:
            sub.flags += [f"{name}: {finding}" for finding in scan(nb)]
            sub.trusted[name] = given_cells(nb, course.folder("release") / sub.chapter / f"{name}.ipynb")


def given_cells(nb, release: Path) -> list[int]:
    """Indices of the code cells of `nb` that are given cells of the release, unchanged (the tamper guard
    keeps what they bind for the test cells; a cell the student added or edited is not among them)."""
    given = set()
    if release.exists():
        for cell in nbformat.read(release, as_version=4).cells:
            if cell.cell_type == "code" and not meta(cell).get("solution"):
                given.add(cell.source)
    return [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and not meta(cell).get("solution") and cell.source in given
    ]


# ---------------------------------------------------------------------------------------------
# record (grader): nbgrader's Autograde converter with the executed notebook in place of Execute


def replay_step(executed: dict[str, str], notes: list[str], environment: dict) -> type:
    """A preprocessor that stands in for nbgrader's Execute for one submission: it returns the notebook
    executed in the box (``executed``: notebook name -> JSON), with the grading notes atop and the
    environment fingerprint at the end."""
    from nbgrader.preprocessors import NbGraderPreprocessor

    class ReplayExecuted(NbGraderPreprocessor):
        def preprocess(self, nb, resources):
            done = nbformat.reads(executed[resources["nbgrader"]["notebook"]], as_version=4)
            if [c.source for c in done.cells] != [c.source for c in nb.cells]:
                raise RuntimeError("the executed notebook does not match the sanitized one")
            if notes:  # shown at the top of the autograded notebook and so in the feedback
                done.cells.insert(
                    0, nbformat.v4.new_markdown_cell("**Grading notes**\n\n" + "\n".join(f"* {n}" for n in notes))
                )
            if environment:  # what graded it, at the end of the autograded notebook and its feedback
                done.cells.append(nbformat.v4.new_markdown_cell(describe_fingerprint(environment)))
            return done, resources

    return ReplayExecuted


def record(course: Course, sub: Submission, notes: list[str], environment: dict | None = None) -> dict:
    from nbgrader.api import Gradebook
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute
    from nbgrader.utils import capture_log

    # a deep copy: Config.copy() shares the Autograde section, and this submission's step would stay in it
    config = copy.deepcopy(course.config)
    steps = config.Autograde.get("autograde_preprocessors") or Autograde.autograde_preprocessors.default_value
    replay = replay_step({name: result["notebook"] for name, result in sub.results.items()}, notes, environment or {})
    config.Autograde.autograde_preprocessors = [replay if s is Execute else s for s in steps]
    coursedir = course.coursedir(
        submitted_directory=str(course.staged.relative_to(course.root)),
        assignment_id=sub.chapter,
        student_id=sub.student,
    )
    app = Autograde(coursedir=coursedir, config=config)
    app.force, app.create_student = True, True
    out = capture_log(app)
    if not out["success"]:
        raise RuntimeError(f"nbgrader could not record {sub.key}: {out.get('error', '')[-2000:]}")
    with Gradebook(course.db_url) as gb:
        flag_in_formgrader(gb, sub, [n for n in notes if n.startswith("tampering?")])
        s = gb.find_submission(sub.chapter, sub.student)
        return {"score": s.score, "max_score": s.max_score}


def flag_in_formgrader(gb, sub: Submission, flags: list[str]) -> None:
    """Each notebook's tampering findings as the automatic comment of its first answer cell, where the
    Formgrader shows it beside the answer (nbgrader keeps comments for answer cells only)."""
    for name in sub.results:
        mine = [f for f in flags if f.startswith(f"tampering? {name}:")]
        cells = [c for c in nbformat.reads(sub.notebooks[name], as_version=4).cells if _answer_id(c)]
        if not mine or not cells:
            continue
        comment = gb.find_comment(_answer_id(cells[0]), name, sub.chapter, sub.student)
        comment.auto_comment = "Flagged for review (book/instructor-guide.md, Tampering):\n" + "\n".join(mine)
        gb.db.commit()


def _answer_id(cell) -> str | None:
    return meta(cell).get("grade_id") if meta(cell).get("solution") else None


# ---------------------------------------------------------------------------------------------
# the workers


def _env() -> dict:
    keep = ("NNBOOK_MODE", "MNIST_DIR", "TF_CPP_MIN_LOG_LEVEL")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.setdefault("NNBOOK_MODE", GRADING_MODE)
    return env


class Workers:
    """Run `run_notebook` tasks: in this process (1 worker), or on Dask (a local cluster of N worker
    processes, or the cluster at `scheduler`)."""

    def __init__(self, n: int = 1, scheduler: str | None = None):
        self.n, self.scheduler, self.client, self.cluster = n, scheduler, None, None
        if scheduler or n > 1:
            from dask.distributed import Client, LocalCluster

            if scheduler:
                self.client = Client(scheduler, timeout=30)
            else:
                self.cluster = LocalCluster(
                    n_workers=n,
                    threads_per_worker=1,
                    processes=True,
                    memory_limit=0,
                    dashboard_address=None,
                    silence_logs=40,
                )
                self.client = Client(self.cluster)
            self.client.run(_prepare_worker, str(Path(__file__).resolve().parent.parent))

    def describe(self) -> str:
        if self.client is None:
            return "1 worker (this process)"
        where = self.scheduler or "a local Dask cluster"
        return f"{len(self.client.scheduler_info()['workers'])} Dask workers at {where}"

    def map(self, jobs):
        """jobs: [(tag, nb_json, limits, env)]; yields (tag, result) as they finish."""
        if self.client is None:
            for tag, *args in jobs:
                yield tag, _run_safely(*args)
            return
        from dask.distributed import as_completed

        futures = {}
        for tag, *args in jobs:
            future = self.client.submit(_run_safely, *args, pure=False, key=f"grade-{'-'.join(tag)}-{time.time_ns()}")
            futures[future] = tag
        for future in as_completed(futures):
            try:
                result = future.result()
            except Exception as e:  # noqa: BLE001 (a worker lost: killed, machine down)
                result = {"notebook": None, "status": "worker lost", "reason": f"{type(e).__name__}: {e}", "seconds": 0}
            yield futures[future], result

    def close(self):
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _prepare_worker(root: str) -> None:
    if root not in sys.path:
        sys.path.insert(0, root)


def _run_safely(nb_json, limits, env, trusted=None):
    try:
        return run_notebook(nb_json, limits, env, trusted=trusted)
    except Exception as e:  # noqa: BLE001 (the box itself failed: recorded, never fatal)
        return {"notebook": None, "status": "box failed", "reason": f"{type(e).__name__}: {str(e)[:500]}", "seconds": 0}


def forced_result(nb_json: str, reason: str, ename: str) -> dict:
    from .box import mark_not_run

    nb = nbformat.reads(nb_json, as_version=4)
    mark_not_run(nb, 0, ename, reason)
    return {"notebook": nbformat.writes(nb), "status": "not run", "reason": reason, "seconds": 0}


# ---------------------------------------------------------------------------------------------
# the command


def autograde(
    root=".",
    students=None,
    chapters=None,
    workers: int = 1,
    scheduler: str | None = None,
    force: bool = False,
    db_url: str | None = None,
    limits: dict | None = None,
    progress: bool = True,
    out=sys.stdout,
) -> dict:
    """Grade what changed (everything with `force`); return {student/chapter: state entry}."""
    course = Course(Path(root), db_url, limits)
    if course.limits.threads == 0 and workers > 1 and not scheduler:
        # N kernels side by side: each gets its share of the cores instead of all of them
        course.limits.threads = thread_share(workers)
    todo = find(course, students, chapters)
    if not todo:
        raise SystemExit(
            f"nothing to grade: put submissions in {course.folder('submitted')}/<student>/<chapter>/"
            f"<notebook>.ipynb (nbgrader collect or zip_collect does this)"
        )
    print(f"isolation: {describe(course.limits)}", file=out)
    check_isolation(course.limits)
    course.release(sorted({c for _, c in todo}))
    subs = []
    for student, chapter in todo:
        sub = stage(course, student, chapter)
        old = course.state.get(sub.key, {})
        if (
            not force
            and old.get("digest") == sub.digest
            and old.get("status")
            and (course.folder("autograded") / student / chapter).is_dir()
        ):
            continue
        subs.append(sub)
    skipped = len(todo) - len(subs)
    pool = Workers(workers, scheduler) if subs else None
    print(
        f"{len(todo)} submissions: {len(subs)} to grade, {skipped} unchanged"
        + (f"; {pool.describe()}" if pool else ""),
        file=out,
        flush=True,
    )
    bar = _bar(len(subs), progress, out)
    failed = 0
    try:
        jobs, waiting = [], {}
        for sub in subs:
            sanitize(course, sub)
            waiting[sub.key] = set(sub.notebooks)
            for name, nb_json in sub.notebooks.items():
                if name in sub.forced:
                    sub.results[name] = forced_result(nb_json, sub.forced[name], "NotGraded")
                    waiting[sub.key].discard(name)
                else:
                    jobs.append(
                        ((sub.student, sub.chapter, name), nb_json, course.limits, _env(), sub.trusted.get(name))
                    )
        by_key = {s.key: s for s in subs}
        ready = [s for s in subs if not waiting[s.key]]
        for tag, result in pool.map(jobs) if pool else []:
            sub = by_key[f"{tag[0]}/{tag[1]}"]
            if result["notebook"] is None:
                result = {
                    **forced_result(sub.notebooks[tag[2]], result["reason"], "GraderError"),
                    "status": result["status"],
                }
            sub.results[tag[2]] = result
            waiting[sub.key].discard(tag[2])
            if not waiting[sub.key]:
                ready.append(sub)
            while ready:
                failed += _finish(course, ready.pop(), bar)
        while ready:
            failed += _finish(course, ready.pop(), bar)
    finally:
        if bar is not None:
            bar.close()
        if pool is not None:
            pool.close()
    entries = {k: v for k, v in course.state.items() if tuple(k.split("/")) in set(todo)}
    summary(entries, out)
    return entries


def _finish(course: Course, sub: Submission, bar) -> int:
    reasons = [
        f"{name}: {r['reason']}"
        for name, r in sub.results.items()
        if r["status"] != "ok" and r["reason"] and name not in sub.forced
    ]
    status = "ok" if not reasons and not sub.notes else ("boxed" if reasons else "noted")
    flags = sub.flags + [f"{name}: {f}" for name, r in sub.results.items() for f in r.get("findings", [])]
    if flags:
        status = "review"  # graded as usual; an instructor looks (book/instructor-guide.md)
    if sub.forced:
        status = "failed"
    tamper = [f"tampering? {f}" for f in flags]
    sources = [course.folder("source") / sub.chapter / f"{n}.ipynb" for n in course.notebooks_of(sub.chapter)]
    environment = fingerprint(_env()["NNBOOK_MODE"], limits_dict(course.limits), sources)
    try:
        scores = record(course, sub, sub.notes + tamper + reasons, environment)
    except Exception as e:  # noqa: BLE001 (recorded; the grader goes on with the others)
        scores, status = {"score": 0.0, "max_score": None}, "failed"
        reasons.append(f"recording failed: {e}")
    course.state[sub.key] = {
        "digest": sub.digest,
        "status": status,
        "notes": sub.notes,
        "reasons": reasons,
        "flags": tamper,
        "seconds": round(sum(r.get("seconds", 0) for r in sub.results.values()), 1),
        "notebook_seconds": {name: r.get("seconds", 0) for name, r in sub.results.items()},
        "graded_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "environment": environment,
        **scores,
    }
    course.save_state()
    bad = status == "failed"
    if bar is not None:
        bar.update(1)
        bar.failed += bad or status == "boxed"
        bar.set_postfix_str(f"failed or boxed {bar.failed}, left {bar.total - bar.n}")
    return int(bad)


def _bar(total, progress, out):
    if not progress or not total:
        return None
    from tqdm import tqdm

    bar = tqdm(total=total, desc="graded", unit="submission", file=out, dynamic_ncols=True)
    bar.failed = 0
    return bar


def summary(entries: dict, out=sys.stdout) -> None:
    """Each student's score per chapter, and the reason for every failed, boxed or repaired submission."""
    if not entries:
        return
    print(f"\n{'student':20} {'chapter':26} {'score':>7} {'max':>6}  status  reason", file=out)
    for key in sorted(entries):
        e = entries[key]
        student, chapter = key.split("/")
        why = "; ".join(e.get("flags", []) + e.get("notes", []) + e.get("reasons", []))
        top = "" if e.get("max_score") is None else f"{e['max_score']:6.1f}"
        print(f"{student:20} {chapter:26} {e.get('score') or 0:7.1f} {top:>6}  {e['status']:6}  {why[:300]}", file=out)


def scores(root=".", db_url: str | None = None) -> dict:
    """{(student, chapter, grade_id): auto score} from the gradebook (for comparisons and tests)."""
    from nbgrader.api import Gradebook

    course = Course(Path(root), db_url)
    out = {}
    with Gradebook(course.db_url) as gb:
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                for nb in submission.notebooks:
                    for grade in nb.grades:
                        out[(submission.student.id, assignment.name, grade.name)] = grade.auto_score
    return out


def feedback(root=".", db_url: str | None = None, chapters=None) -> list[Path]:
    """nbgrader generate_feedback for every autograded chapter (nbgrader_config.py adds RedactFeedback:
    no hidden-test source, no model answers); returns the HTML files written."""
    from nbgrader.apps.api import NbGraderAPI

    course = Course(Path(root), db_url)
    base = course.folder("autograded")
    found = sorted({p.name for p in base.glob("*/*") if p.is_dir()}) if base.is_dir() else []
    api = NbGraderAPI(coursedir=course.coursedir(), config=course.config)
    for chapter in found:
        if chapters and chapter not in chapters:
            continue
        result = api.generate_feedback(chapter, force=True)
        if not result["success"]:
            raise RuntimeError(f"generate_feedback {chapter} failed: {result.get('error', '')[-2000:]}")
    return sorted(course.folder("feedback").glob("*/*/*.html"))


def grades_csv(root=".", db_url: str | None = None, path="grades.csv", fmt: str = "csv", mapping=None) -> Path:
    """One row per student and chapter, with the grading status and the lateness beside the score (`score`
    after nbgrader's late penalty, as nbgrader's export; `raw_score` before it); or, with `fmt` "canvas" or
    "moodle", the import file of that gradebook, students named through the `mapping` file
    (nnbook_grader/lms.py)."""
    import csv

    from . import lms, records

    course = Course(Path(root), db_url)
    rows = records.submissions(course)
    target = course.root / path
    if fmt != "csv":
        return lms.export(rows, fmt, mapping, target)
    columns = ["student", "chapter", "score", "max_score", "status", "reason", *GRADES_EXTRA]
    with open(target, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns)
        w.writerows([row[c] for c in columns] for row in rows)
    return target


GRADES_EXTRA = ["raw_score", "late_penalty", "submitted", "due", "hours_late"]
