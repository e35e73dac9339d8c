"""What the benchmark scripts (benchmarks/bench_*.py, `make bench`) share: common options, thread
settings, a header that names the machine, and a timer for training steps."""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import time
from collections.abc import Callable

from nnbook.runtime import banner, by_mode


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--iters", type=int, default=by_mode(3, 100, 100), help="timed iterations")
    p.add_argument("--warmup", type=int, default=by_mode(1, 5, 5), help="untimed iterations first")
    p.add_argument(
        "--threads", type=int, default=0, help="CPU threads for PyTorch and TensorFlow (0: the libraries' defaults)"
    )
    p.add_argument("--frameworks", nargs="*", default=["keras", "torch"], choices=["keras", "torch"])
    return p


def devices(threads: int = 0) -> tuple[list[str], bool]:
    """Set the thread counts; return the devices to time (cpu, and cuda when present) and whether
    TensorFlow sees a GPU."""
    import tensorflow as tf
    import torch

    if threads:
        torch.set_num_threads(threads)
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    return ["cpu"] + (["cuda"] if torch.cuda.is_available() else []), bool(tf.config.list_physical_devices("GPU"))


def header(name: str, title: str, iters: int, warmup: int) -> None:
    """Print the table's title and one line with versions, processor, cores, threads and GPU."""
    import torch

    with contextlib.redirect_stdout(io.StringIO()):
        versions = banner(name)
    gpu = f", GPU {torch.cuda.get_device_name(0)}" if torch.cuda.is_available() else ", no GPU"
    print(f"# {title}\n")
    print(
        f"{versions}; {platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores, "
        f"torch threads {torch.get_num_threads()}{gpu}; {iters} timed iterations after {warmup} warm-up\n"
    )


def seconds_per_100(step: Callable[[], object], iters: int, warmup: int, device: str = "cpu") -> float:
    """Run `step` warmup times untimed, then time `iters` runs; seconds per 100 steps."""
    sync = (lambda: __import__("torch").cuda.synchronize()) if device == "cuda" else (lambda: None)
    for _ in range(warmup):
        step()
    sync()
    t0 = time.perf_counter()
    for _ in range(iters):
        step()
    sync()
    return (time.perf_counter() - t0) * 100 / iters


def column(framework: str, device: str) -> str:
    return f"{'Keras' if framework == 'keras' else 'PyTorch'} {'CPU' if device == 'cpu' else 'GPU'}"
