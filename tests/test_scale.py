"""Grading at course scale (issue 14), on chapter 2: a real Dask cluster (a scheduler and two worker
processes on loopback) grades three submissions into a PostgreSQL gradebook (SQLite where PostgreSQL
is not running: that test is then skipped, saying why); the scores equal plain one-by-one
`nbgrader autograde`, cell by cell; a second run grades only what changed.
"""

import io
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from notebooks import ROOT, is_answer, meta, read, wrong_answers

pytestmark = pytest.mark.slow
CHAPTER = "ch02-gradients"
NB = f"{CHAPTER}.ipynb"
PG_URL = os.environ.get("NNBOOK_PG_URL", "postgresql+psycopg2://nnbook:nnbook@127.0.0.1:5432/nnbook")
BIN = Path(sys.executable).parent
LIMITS = {"cell_timeout": 120, "notebook_timeout": 400}


def postgres() -> tuple[str | None, str]:
    """(a clean PostgreSQL URL, '') or (None, why not)."""
    try:
        import sqlalchemy

        engine = sqlalchemy.create_engine(PG_URL)
        with engine.begin() as db:
            db.execute(sqlalchemy.text("DROP SCHEMA IF EXISTS public CASCADE"))
            db.execute(sqlalchemy.text("CREATE SCHEMA public"))
        engine.dispose()
        return PG_URL, ""
    except Exception as e:  # noqa: BLE001 (any reason is the skip reason)
        return None, (
            f"PostgreSQL not reachable at {PG_URL} ({type(e).__name__}: {str(e).splitlines()[0][:200]}); "
            f"start it with `bash tools/start_postgres.sh` (as .ci/run does)"
        )


def make_course(folder: Path) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", folder)
    shutil.copytree(ROOT / "solutions" / CHAPTER, folder / "solutions" / CHAPTER)
    shutil.copytree(ROOT / "notebooks" / CHAPTER, folder / "notebooks" / CHAPTER)
    solution = read(ROOT / "solutions" / CHAPTER / NB)
    wrong = read(ROOT / "solutions" / CHAPTER / NB)
    for cell in wrong.cells:
        if is_answer(cell) and meta(cell)["grade_id"] in wrong_answers(CHAPTER):
            cell.source = wrong_answers(CHAPTER)[meta(cell)["grade_id"]]
    for student, nb in {"perfect": solution, "wrong": wrong, "empty": read(ROOT / "notebooks" / CHAPTER / NB)}.items():
        (folder / "submitted" / student / CHAPTER).mkdir(parents=True)
        nbformat.write(nb, folder / "submitted" / student / CHAPTER / NB)
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A Dask scheduler and two single-threaded worker processes on loopback."""
    port = free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    logs = tmp_path_factory.mktemp("dask")
    procs = [
        subprocess.Popen(
            [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            env=env,
            stdout=open(logs / "scheduler.log", "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
    ]
    address = f"tcp://127.0.0.1:{port}"
    for i in range(2):
        procs.append(
            subprocess.Popen(
                [
                    str(BIN / "dask"),
                    "worker",
                    address,
                    "--nthreads",
                    "1",
                    "--nworkers",
                    "1",
                    "--memory-limit",
                    "0",
                    "--no-dashboard",
                    "--name",
                    f"w{i}",
                ],
                env=env,
                stdout=open(logs / f"worker{i}.log", "w"),
                stderr=subprocess.STDOUT,
            )
        )  # noqa: SIM115
    from dask.distributed import Client

    client = Client(address, timeout=60)
    client.wait_for_workers(2, timeout=120)
    client.close()
    yield address
    for p in procs[::-1]:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()


@pytest.fixture(scope="module")
def runs(tmp_path_factory, cluster):
    """The same submissions graded by plain nbgrader (one by one, SQLite) and by the grader on the
    Dask cluster (into PostgreSQL when it runs)."""
    from nnbook_grader import autograde as grading

    base = tmp_path_factory.mktemp("scale")
    plain = make_course(base / "plain")
    env = dict(os.environ, NNBOOK_MODE="test")
    subprocess.run(
        [str(BIN / "nbgrader"), "generate_assignment", CHAPTER, "--force", "--log-level=WARN"],
        cwd=plain,
        env=env,
        check=True,
    )
    start = time.monotonic()
    done = subprocess.run(
        [str(BIN / "nbgrader"), "autograde", CHAPTER, "--force", "--log-level=WARN"],
        cwd=plain,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    plain_s = time.monotonic() - start
    url, why = postgres()
    course = make_course(base / "cluster")
    out = io.StringIO()
    start = time.monotonic()
    grading.autograde(course, scheduler=cluster, db_url=url, limits=LIMITS, progress=False, out=out)
    return {
        "plain": plain,
        "course": course,
        "url": url,
        "why": why,
        "printed": out.getvalue(),
        "seconds": (plain_s, time.monotonic() - start),
    }


def test_cluster_scores_equal_plain_nbgrader(runs):
    from nnbook_grader.autograde import scores

    plain = scores(runs["plain"])
    ours = scores(runs["course"], runs["url"])
    assert len(plain) >= 3 * 10 and plain == ours, {
        k: (plain.get(k), ours.get(k)) for k in set(plain) | set(ours) if plain.get(k) != ours.get(k)
    }
    assert "2 Dask workers at tcp://127.0.0.1" in runs["printed"]


def test_postgresql_gradebook(runs):
    if runs["url"] is None:
        pytest.skip(runs["why"])
    import sqlalchemy

    engine = sqlalchemy.create_engine(runs["url"])
    with engine.connect() as db:
        rows = db.execute(sqlalchemy.text("select count(*) from submitted_assignment")).scalar()
    engine.dispose()
    assert rows == 3
    assert not (runs["course"] / "gradebook.db").exists()


def test_rerun_grades_only_what_changed(runs, cluster):
    from nnbook_grader import autograde as grading

    course, url = runs["course"], runs["url"]
    out = io.StringIO()
    grading.autograde(course, scheduler=cluster, db_url=url, limits=LIMITS, progress=False, out=out)
    assert "3 submissions: 0 to grade, 3 unchanged" in out.getvalue(), out.getvalue()
    # the student hands in again (the wrong answers instead of nothing): only that one is graded
    shutil.copy(course / "submitted" / "wrong" / CHAPTER / NB, course / "submitted" / "empty" / CHAPTER / NB)
    out = io.StringIO()
    entries = grading.autograde(course, scheduler=cluster, db_url=url, limits=LIMITS, progress=False, out=out)
    assert "3 submissions: 1 to grade, 2 unchanged" in out.getvalue(), out.getvalue()
    assert entries[f"empty/{CHAPTER}"]["score"] == entries[f"wrong/{CHAPTER}"]["score"]
