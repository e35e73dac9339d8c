"""Run one notebook with its kernel in a box (bubblewrap), and nothing else of the course in sight.

The notebook client (nbclient, as in nbgrader's Execute) runs in the grader's worker, outside the
box; only the kernel runs inside, so student code can neither see nor touch the client that records
its outputs. The kernel talks to the client through Unix sockets (ZeroMQ ``ipc``) in a folder that
both see, so the box needs no network at all.

Inside the box (bubblewrap, https://github.com/containers/bubblewrap):

* a fresh root with read-only binds of ``/usr`` (and its ``/lib``, ``/bin`` links), ``/etc``, the
  Python interpreter and the virtual environment, the helper package ``nnbook`` and the data folder;
* ``/home/student`` and ``/tmp``: small private tmpfs folders (size-limited), the notebook's working
  folder and its home; nothing else is writable, and nothing of the course (``solutions/``, the
  gradebook, ``source`` files, other students' submissions) is mounted at all;
* new PID, IPC, UTS, cgroup and network namespaces (only a loopback interface: no network);
* an unprivileged user (uid 60000 + a slot number, no capabilities, no new privileges), with
  rlimits: address space (memory), processes, file size, no core dumps;
* the client cuts each cell at ``cell_timeout`` seconds (interrupt, as nbgrader does), the whole
  notebook at ``notebook_timeout`` seconds (kernel killed, the cells left marked as not run), and
  keeps at most ``output_kb`` of output per cell.

``check_isolation()`` proves in a throw-away box that the user, the namespaces and the limits took
effect; the grader runs it before grading and stops with a clear message when they did not.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from nnbook.runtime import GRADING_MODE

from .cells import grade_id, is_test, meta

ROOT = Path(__file__).resolve().parent.parent
BOX_HOME = "/home/student"
FIRST_UID = 60000
SLOTS = 256
SLOT_DIR = Path(tempfile.gettempdir()) / "nnbook-box-slots"
# what sets a kernel's thread count (Limits.threads): OpenMP, MKL, OpenBLAS, TensorFlow
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
)


def thread_share(kernels: int) -> int:
    """Threads per kernel when `kernels` run side by side: each its share of the cores, at least one."""
    return max(1, (os.cpu_count() or 1) // kernels)


def thread_environment(threads: int) -> dict[str, str]:
    """The variables that give a kernel `threads` threads (OpenMP, MKL, OpenBLAS, TensorFlow)."""
    return dict.fromkeys(THREAD_VARIABLES, str(threads))


class BoxUnavailable(RuntimeError):
    """The sandbox cannot run here (no bubblewrap, or namespaces forbidden)."""


@dataclass
class Limits:
    """What one submission may use. Change them in nbgrader_config.py (``c.Box.<name> = ...``) or
    on the grading command line (``--cell-timeout`` ...)."""

    cell_timeout: int = 300  # s per cell (interrupted, as nbgrader's Execute.timeout)
    notebook_timeout: int = 900  # s per notebook, kernel start included (then killed)
    startup_timeout: int = 120  # s for the kernel to start
    memory_mb: int = 4096  # address space per process in the box (RLIMIT_AS)
    processes: int = 512  # processes and threads of the box user (RLIMIT_NPROC)
    file_mb: int = 64  # largest file the notebook may write (RLIMIT_FSIZE)
    tmp_mb: int = 256  # size of /tmp and of /home/student (each a tmpfs)
    output_kb: int = 512  # output kept per cell; the rest is replaced by a note
    network: bool = False  # True only where network namespaces are forbidden (fallback)
    boxed: bool = True  # False: no box at all (trusted submissions only; see guide)
    threads: int = 0  # OMP/MKL/TF threads per kernel; 0: leave the libraries' default
    guard: bool = True  # run the tamper guard around the test cells (nnbook_grader/tamper.py)
    env: dict = field(default_factory=dict)  # extra environment for the kernel (NNBOOK_MODE ...)

    @classmethod
    def from_config(cls, config=None, **overrides) -> Limits:
        values = {}
        if config is not None and "Box" in config:
            values.update({k: v for k, v in config.Box.items() if k in cls.__dataclass_fields__})
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


# ---------------------------------------------------------------------------------------------
# the bubblewrap command line


def _interpreter_paths() -> list[str]:
    """Folders that hold the interpreter and the installed packages (bound read-only)."""
    paths = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix)}
    return sorted(paths)


def _python() -> str:
    """The interpreter of this environment, by a path that exists inside the box too."""
    venv = os.path.realpath(sys.prefix)
    candidate = os.path.join(venv, "bin", "python")
    return candidate if os.path.exists(candidate) else os.path.realpath(sys.executable)


def _mnist_dir(env: dict) -> str | None:
    """The folder that holds MNIST in nnbook.mnist's own search order ($MNIST_DIR, the shared folder,
    the cache), or None."""
    from nnbook.mnist import find_dir

    found = find_dir(env.get("MNIST_DIR"))
    return str(found) if found else None


def _data_paths(env: dict) -> list[str]:
    value = _mnist_dir(env)
    return [os.path.realpath(value)] if value and os.path.isdir(value) else []


def _parents(path: str) -> list[str]:
    parts = Path(path).parts[1:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


def box_environment(limits: Limits, env: dict) -> dict:
    out = {
        "HOME": BOX_HOME,
        "USER": "student",
        "LOGNAME": "student",
        "PATH": f"{os.path.dirname(_python())}:/usr/bin:/bin",
        "TMPDIR": "/tmp",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": "/opt/nnbook",
        "LANG": "C.UTF-8",
        "TF_CPP_MIN_LOG_LEVEL": env.get("TF_CPP_MIN_LOG_LEVEL", "1"),
        "NBGRADER_EXECUTION": "autograde",
        "NNBOOK_MODE": env.get("NNBOOK_MODE", GRADING_MODE),
    }
    if _mnist_dir(env):
        out["MNIST_DIR"] = os.path.realpath(_mnist_dir(env))
    if limits.threads:
        out.update(thread_environment(limits.threads))
    out.update({k: str(v) for k, v in limits.env.items()})
    return out


def box_command(
    command: list[str],
    limits: Limits,
    uid: int,
    shared: list[str] = (),
    env: dict | None = None,
    files: dict[str, str] | None = None,
) -> list[str]:
    """bwrap + setpriv + prlimit around `command`. `shared`: host folders bound read-write at the same
    path (the kernel's socket folder); `files`: {name in /home/student: host file} bound read-only."""
    env = dict(os.environ if env is None else env)
    if not limits.boxed:
        return _limit_command(limits) + command
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise BoxUnavailable(
            "bubblewrap (bwrap) is not installed: `apt-get install bubblewrap`, or grade with "
            "--no-box for trusted submissions only (see the instructor guide)"
        )
    args = [
        bwrap,
        "--die-with-parent",
        "--new-session",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--clearenv",
    ]
    if not limits.network:
        args.append("--unshare-net")
    args += ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc", "--proc", "/proc", "--dev", "/dev"]
    for name in ("bin", "lib", "lib64", "lib32", "sbin"):
        target = Path("/") / name
        if target.is_symlink():
            args += ["--symlink", os.readlink(target), str(target)]
        elif target.is_dir():
            args += ["--ro-bind", str(target), str(target)]
    args += ["--perms", "1777", "--size", str(limits.tmp_mb << 20), "--tmpfs", "/tmp"]
    args += [
        "--perms",
        "0755",
        "--dir",
        "/home",
        "--perms",
        "1777",
        "--size",
        str(limits.tmp_mb << 20),
        "--tmpfs",
        BOX_HOME,
    ]
    made = {"/home", "/tmp", "/usr", "/etc"}
    readonly = _interpreter_paths() + _data_paths(env)
    for path in readonly + list(shared):
        for parent in _parents(path):
            if parent not in made:
                args += ["--perms", "0755", "--dir", parent]
                made.add(parent)
    for path in readonly:
        args += ["--ro-bind", path, path]
    args += ["--perms", "0755", "--dir", "/opt/nnbook", "--ro-bind", str(ROOT / "nnbook"), "/opt/nnbook/nnbook"]
    for path in shared:
        args += ["--bind", path, path]
    for name, host in (files or {}).items():
        args += ["--ro-bind", host, f"{BOX_HOME}/{name}"]
    for key, value in box_environment(limits, env).items():
        args += ["--setenv", key, value]
    args += ["--chdir", BOX_HOME, "--"]
    setpriv = [
        "/usr/bin/setpriv",
        f"--reuid={uid}",
        f"--regid={uid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
    ]
    return args + setpriv + _limit_command(limits) + command


def _limit_command(limits: Limits) -> list[str]:
    mem = limits.memory_mb << 20
    return [
        "/usr/bin/prlimit",
        f"--as={mem}",
        f"--nproc={limits.processes}",
        f"--fsize={limits.file_mb << 20}",
        "--core=0",
        "--",
    ]


class Slot:
    """A box user id that no other box on this machine uses at the same time (RLIMIT_NPROC counts per
    user, so a fork bomb in one box cannot starve another)."""

    def __enter__(self) -> int:
        SLOT_DIR.mkdir(parents=True, exist_ok=True)
        for i in range(SLOTS):
            handle = open(SLOT_DIR / f"{i}.lock", "w")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                continue
            self.handle, self.uid = handle, FIRST_UID + i
            return self.uid
        raise RuntimeError(f"all {SLOTS} box slots are busy")

    def __exit__(self, *exc):
        _kill_user(self.uid)
        self.handle.close()


def _kill_user(uid: int) -> None:
    """Anything left running as a box user (a process that escaped the PID namespace cannot exist,
    but be thorough): kill it."""
    try:
        import psutil
    except ImportError:
        return
    for proc in psutil.process_iter(["uids"]):
        try:
            if proc.info["uids"] and proc.info["uids"].real == uid:
                proc.kill()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass


# ---------------------------------------------------------------------------------------------
# the isolation check

PROBE = r"""
import json, os, resource, socket
out = {"uid": os.getuid(), "euid": os.geteuid(), "interfaces": [n for _, n in socket.if_nameindex()]}
try:
    socket.create_connection(("192.0.2.1", 9), timeout=3).close(); out["network"] = "connected"
except OSError as e:
    out["network"] = f"{type(e).__name__}: {e}"
out["nproc"] = resource.getrlimit(resource.RLIMIT_NPROC)[0]
out["as"] = resource.getrlimit(resource.RLIMIT_AS)[0]
# the folder itself may exist as the parent of a bound virtualenv (COURSE/.venv); its contents may not
out["course_visible"] = any(os.path.exists(os.path.join(COURSE, p))
                            for p in ("solutions", "nbgrader_config.py", "submitted", "gradebook.db"))
out["root_home"] = sorted(os.listdir("/root")) if os.path.isdir("/root") else []
out["cap_eff"] = [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0]
try:
    import nnbook; out["nnbook"] = nnbook.__file__
except Exception as e:
    out["nnbook"] = repr(e)
print("PROBE" + json.dumps(out))
"""


def check_isolation(limits: Limits) -> dict:
    """Start a box like a kernel's and check from inside that the limits took effect. Returns what it
    found; raises BoxUnavailable with the reason when the box is weaker than promised."""
    if not limits.boxed:
        return {"boxed": False}
    with Slot() as uid:
        code = PROBE.replace("COURSE", repr(str(ROOT)))
        try:
            done = subprocess.run(
                box_command([_python(), "-c", code], limits, uid),
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        except FileNotFoundError as e:
            raise BoxUnavailable(f"cannot start the box: {e}") from e
    line = [x for x in done.stdout.splitlines() if x.startswith("PROBE")]
    if done.returncode or not line:
        hint = ""
        if "namespace" in done.stderr.lower() or "operation not permitted" in done.stderr.lower():
            hint = (
                " This machine forbids some Linux namespaces (a container without user or network namespaces?)."
                " Run the grader on the host or a VM, or, knowing that submissions then reach the network,"
                " grade with --allow-network (see the instructor guide)."
            )
        raise BoxUnavailable(f"the grading box did not start: {done.stderr.strip()[-800:]}{hint}")
    found = json.loads(line[-1][5:])
    problems = []
    if found["uid"] != uid or found["euid"] == 0:
        problems.append(f"runs as uid {found['uid']}, expected the unprivileged {uid}")
    if int(found["cap_eff"], 16):
        problems.append(f"has capabilities {found['cap_eff']}")
    if not limits.network and (found["network"] == "connected" or set(found["interfaces"]) - {"lo"}):
        problems.append(f"reaches the network (interfaces {found['interfaces']}, connect: {found['network']})")
    if found["nproc"] != limits.processes or found["as"] != limits.memory_mb << 20:
        problems.append(f"limits not in force (processes {found['nproc']}, address space {found['as']})")
    if found["course_visible"]:
        problems.append(f"sees the course folder {ROOT}")
    if not found["nnbook"].startswith("/opt/nnbook"):
        problems.append(f"imports nnbook from {found['nnbook']}")
    if problems:
        raise BoxUnavailable("the grading box is weaker than required: " + "; ".join(problems))
    return found


def describe(limits: Limits) -> str:
    if not limits.boxed:
        return "NO BOX: submissions run as the grader's user, with rlimits only (trusted submissions only)"
    net = "network reachable (--allow-network)" if limits.network else "no network"
    return (
        f"bubblewrap box, unprivileged uid, {net}; cell {limits.cell_timeout} s, notebook "
        f"{limits.notebook_timeout} s, memory {limits.memory_mb} MB, {limits.processes} processes, "
        f"files {limits.file_mb} MB, output {limits.output_kb} KB per cell"
    )


# ---------------------------------------------------------------------------------------------
# the kernel manager and the notebook client


def _kernel_classes():
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient
    from nbformat import NotebookNode

    class BoxKernelManager(AsyncKernelManager):
        """An ipykernel started inside a box, reached through Unix sockets in a shared folder."""

        def __init__(self, limits: Limits, uid: int, conn_dir: str, env: dict, files: dict, **kw):
            super().__init__(transport="ipc", ip=os.path.join(conn_dir, "k"), **kw)
            self.box = (limits, uid, conn_dir, env, files)
            self.connection_file = os.path.join(conn_dir, "kernel.json")
            self._kernel_spec = KernelSpec(
                argv=[_python(), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                display_name="Python 3 (box)",
                language="python",
                interrupt_mode="message",
            )

        def write_connection_file(self, **kw):
            super().write_connection_file(**kw)
            if self.box[0].boxed:
                os.chown(self.connection_file, self.box[1], self.box[1])

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            kw["stdout"] = subprocess.DEVNULL  # the kernel's own chatter; its errors go to kernel.log
            kw["stderr"] = open(os.path.join(os.path.dirname(self.box[2]), "kernel.log"), "ab")  # noqa: ASYNC230, SIM115
            return await super()._async_launch_kernel(kernel_cmd, **kw)

        def format_kernel_cmd(self, extra_arguments=None):
            limits, uid, conn_dir, env, files = self.box
            cmd = super().format_kernel_cmd(extra_arguments)
            return box_command(cmd, limits, uid, shared=[conn_dir], env=env, files=files)

    class BoxClient(NotebookClient):
        """nbclient as nbgrader's Execute configures it, plus a cap on each cell's output."""

        def __init__(self, nb, limits: Limits, **kw):
            super().__init__(
                nb,
                timeout=limits.cell_timeout,
                interrupt_on_timeout=True,
                allow_errors=True,
                raise_on_iopub_timeout=True,
                iopub_timeout=10,
                record_timing=True,
                shutdown_kernel="immediate",
                startup_timeout=limits.startup_timeout,
                error_on_timeout={
                    "ename": "CellTimeoutError",
                    "evalue": "",
                    "traceback": [
                        (f"CellTimeoutError: the cell ran longer than {limits.cell_timeout} s and was interrupted")
                    ],
                },
                extra_arguments=["--HistoryManager.hist_file=:memory:"],
                **kw,
            )
            self.cap = limits.output_kb * 1024
            self.sizes: dict[int, int] = {}
            self.truncated: set[int] = set()

        def output(self, outs, msg, display_id, cell_index):
            size = len(json.dumps(msg.get("content", {}).get("data") or msg.get("content", {}).get("text") or ""))
            if msg["msg_type"] in ("stream", "display_data", "execute_result", "update_display_data"):
                used = self.sizes.get(cell_index, 0) + size
                self.sizes[cell_index] = used
                if used > self.cap:
                    if cell_index not in self.truncated:
                        self.truncated.add(cell_index)
                        outs.append(
                            NotebookNode(
                                output_type="stream",
                                name="stdout",
                                text=f"\n[output cut: more than {self.cap // 1024} KB in this cell]\n",
                            )
                        )
                    return None
            return super().output(outs, msg, display_id, cell_index)

        def on_cell_executed(self, **kwargs):
            # as nbgrader's Execute: an error reply with no error output (showtraceback disabled) still counts
            cell, reply = kwargs["cell"], kwargs["execute_reply"]
            content = reply["content"]
            if content["status"] == "error" and not any(
                o.output_type == "error" and o.ename == content["ename"] for o in cell.outputs
            ):
                cell.outputs.append(
                    NotebookNode(
                        output_type="error",
                        ename=content["ename"],
                        evalue=content["evalue"],
                        traceback=content["traceback"] or ["ERROR: An error occurred while showtraceback was disabled"],
                    )
                )

    return BoxKernelManager, BoxClient


def error_output(ename: str, evalue: str):
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def limits_hit(nb, limits: Limits) -> list[str]:
    """'cell N: what happened' for each cell whose error says that it ran into a limit of the box (or
    left by sys.exit), for the summary table."""
    why = {
        "CellTimeoutError": f"ran longer than {limits.cell_timeout} s and was interrupted",
        "MemoryError": f"ran out of memory (limit {limits.memory_mb} MB)",
        "SystemExit": "called sys.exit()",
        "BlockingIOError": f"could not start more processes (limit {limits.processes})",
    }
    out = []
    for i, cell in enumerate(nb.cells):
        for name in dict.fromkeys(o.get("ename") for o in cell.get("outputs", []) if o.output_type == "error"):
            if name in why:
                out.append(f"cell {i + 1} {why[name]}")
    return out


def mark_not_run(nb, start: int, ename: str, evalue: str) -> None:
    """Cells from `start` on did not run: code cells get an error output (graded cells score zero)."""
    for cell in nb.cells[start:]:
        if cell.cell_type == "code":
            cell.outputs = [error_output(ename, evalue)]


class _GuardedRun:
    """The tamper guard's cells around a notebook's cells (nnbook_grader/tamper.py): they run in the
    kernel, their outputs stay here and never enter the notebook."""

    def __init__(self, client, limits: Limits, trusted):
        from .tamper import Guard

        self.client, self.guard, self.trusted, self.on = client, Guard(), trusted, limits.guard

    async def _run(self, code: str, kind: str, where: str) -> None:
        if not self.on or not code:
            return
        from nbclient.exceptions import CellTimeoutError

        # nbclient routes a cell's outputs by its index in the notebook: the guard cell stands at the end
        # while it runs, and leaves with its outputs
        cells = self.client.nb.cells
        cell = nbformat.v4.new_code_cell(code)
        cells.append(cell)
        try:
            await self.client.async_execute_cell(cell, len(cells) - 1, store_history=False)
        except CellTimeoutError:
            cell.outputs.append(error_output("CellTimeoutError", "the guard cell timed out"))
        finally:
            cells.remove(cell)
        if kind:
            self.guard.read(cell.outputs, kind, where)

    async def start(self):
        await self._run(self.guard.start(), "start", "before the first cell")

    async def before(self, index: int, cell):
        if is_test(cell):
            where = f"before cell {index + 1} ({grade_id(cell) or ''})"
            await self._run(self.guard.before_test(cell.source), "test", where)

    async def after(self, index: int, cell):
        given = self.trusted is None or index in self.trusted
        if cell.cell_type == "code" and (is_test(cell) or (given and not meta(cell).get("solution"))):
            code = self.guard.remember(cell.source, test=is_test(cell))
            if code:
                await self._run(code, "", "")

    async def end(self):
        await self._run(self.guard.end(), "end", "after the last cell")


async def _execute(
    nb, limits: Limits, uid: int, workdir: str, env: dict, files: dict, trusted=None
) -> tuple[str, str, list[str]]:
    from nbclient.exceptions import CellTimeoutError

    BoxKernelManager, BoxClient = _kernel_classes()
    conn = os.path.join(workdir, "conn")
    os.mkdir(conn, 0o700)
    os.chown(conn, uid, uid) if limits.boxed else None
    km = BoxKernelManager(limits, uid, conn, env, files)
    client = BoxClient(nb, limits, km=km, resources={"metadata": {"path": workdir}})
    guard = _GuardedRun(client, limits, trusted)
    deadline = time.monotonic() + limits.notebook_timeout
    status, reason = "ok", ""
    try:
        async with asyncio.timeout(max(1, deadline - time.monotonic())):
            async with client.async_setup_kernel():
                info = await client.async_wait_for_reply(client.kc.kernel_info())
                if info is not None:
                    nb.metadata["language_info"] = info["content"]["language_info"]
                await guard.start()
                for index, cell in enumerate(nb.cells):
                    try:
                        await guard.before(index, cell)
                        await client.async_execute_cell(cell, index)
                        await guard.after(index, cell)
                    except CellTimeoutError:  # interrupted, and no output after that: the kernel goes on
                        if not any(o.output_type == "error" for o in cell.outputs):
                            cell.outputs.append(
                                error_output(
                                    "CellTimeoutError",
                                    f"the cell ran longer than {limits.cell_timeout} s and was interrupted",
                                )
                            )
                    except Exception as e:  # noqa: BLE001 (DeadKernelError, a broken channel: the kernel is gone)
                        reason = (
                            f"the kernel died in cell {index + 1} ({type(e).__name__}); the cells after it did not run"
                        )
                        cell.outputs.append(error_output("KernelDied", reason))
                        mark_not_run(nb, index + 1, "NotRun", reason)
                        status = "kernel died"
                        break
                else:
                    await guard.end()
    except TimeoutError:
        done = next(
            (
                i
                for i, c in enumerate(nb.cells)
                if c.cell_type == "code" and c.get("execution_count") is None and not c.outputs
            ),
            len(nb.cells),
        )
        reason = (
            f"the notebook ran longer than {limits.notebook_timeout} s and was stopped in cell {done + 1}; "
            f"the cells from there on did not run"
        )
        mark_not_run(nb, done, "NotebookTimeout", reason)
        status = "timeout"
    except Exception as e:  # noqa: BLE001 (the kernel never started)
        log = Path(workdir, "kernel.log")
        tail = log.read_text(errors="replace")[-500:] if log.exists() else ""
        reason = f"the kernel did not start: {type(e).__name__}: {str(e)[:300]} {tail}"
        mark_not_run(nb, 0, "KernelNotStarted", reason)
        status = "kernel did not start"
    finally:
        with contextlib.suppress(Exception):  # already dead or never started
            if km.has_kernel:
                await km.shutdown_kernel(now=True)
        atexit.unregister(client._cleanup_kernel)
    hits = limits_hit(nb, limits)
    if hits:
        status = "limit" if status == "ok" else status
        reason = "; ".join(([reason] if reason else []) + hits)
    if client.truncated and status == "ok":
        status, reason = "output cut", f"output of {len(client.truncated)} cell(s) cut at {limits.output_kb} KB"
    return status, reason, guard.guard.findings


def run_notebook(
    nb_json: str,
    limits: Limits,
    env: dict | None = None,
    files: dict[str, bytes] | None = None,
    trusted: list[int] | None = None,
) -> dict:
    """Execute a (sanitized) notebook in a box; a pure function of its arguments, so that it can run in
    any worker (a local process, a Dask worker on another machine). `trusted`: the indices of the given
    cells (as released), whose bindings the guard keeps for the test cells (None: every cell that is not
    an answer). Returns {"notebook": json, "status", "reason", "seconds", "findings"} (findings: what the
    tamper guard saw); never raises for anything the notebook does."""
    start = time.monotonic()
    env = dict(os.environ if env is None else env)
    nb = nbformat.reads(nb_json, as_version=4)
    with tempfile.TemporaryDirectory(prefix="nnbook-box-") as workdir, Slot() as uid:
        os.chmod(workdir, 0o711)
        host_files = {}
        for name, data in (files or {}).items():
            safe = os.path.basename(name)
            Path(workdir, safe).write_bytes(data)
            os.chmod(Path(workdir, safe), 0o644)
            host_files[safe] = str(Path(workdir, safe))
        status, reason, findings = asyncio.run(
            _execute(nb, limits, uid, workdir, env, host_files, None if trusted is None else set(trusted))
        )
    return {
        "notebook": nbformat.writes(nb),
        "status": status,
        "reason": reason,
        "seconds": round(time.monotonic() - start, 2),
        "findings": findings,
    }


def limits_dict(limits: Limits) -> dict:
    return asdict(limits)
