"""Chapter 6 benchmark: training time per 100 iterations (batch 100) of the four MNIST models in
Keras 3 (TensorFlow) and PyTorch, on the CPU and, when one is present, on the GPU.

Prints a markdown table. Synthetic inputs (no MNIST needed): the cost of a step does not depend on
the pixel values. The steps are the chapter's own (nnbook.mnist_models): a compiled tf.function for
Keras, an eager step for PyTorch; the first steps (tracing, warm-up) are not timed.

    python benchmarks/bench_ch06.py                 # 100 timed iterations per model and framework
    python benchmarks/bench_ch06.py --iters 20      # fewer, scaled to 100
    NNBOOK_MODE=test python benchmarks/bench_ch06.py  # a few iterations, a smoke test
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import nnbook  # noqa: E402  (quiets TensorFlow, selects the Keras backend)
import numpy as np  # noqa: E402

from nnbook import mnist_models as mm  # noqa: E402


def time_torch(name: str, device: str, iters: int, warmup: int, x, y) -> float:
    import torch

    torch.manual_seed(0)
    model = mm.TORCH_BUILDERS[name]().to(device)
    opt = mm.torch_optimizer(mm.OPTIMIZER[name], model.parameters())
    xt, yt = torch.as_tensor(x, device=device), torch.as_tensor(y, device=device)
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    for _ in range(warmup):
        mm.torch_train_step(model, opt, xt, yt)
    sync()
    t0 = time.perf_counter()
    for _ in range(iters):
        mm.torch_train_step(model, opt, xt, yt)  # float(loss) synchronises every step, as in training
    sync()
    return (time.perf_counter() - t0) * 100 / iters


def time_keras(name: str, device: str, iters: int, warmup: int, x, y) -> float:
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    with tf.device("/GPU:0" if device == "cuda" else "/CPU:0"):
        model = mm.KERAS_BUILDERS[name]()
        step = mm.keras_train_step(model, mm.keras_optimizer(mm.OPTIMIZER[name]))
        xt, yt = tf.constant(x), tf.constant(y)
        for _ in range(warmup):
            float(step(xt, yt))
        t0 = time.perf_counter()
        for _ in range(iters):
            float(step(xt, yt))
        return (time.perf_counter() - t0) * 100 / iters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iters", type=int, default=nnbook.by_mode(3, 100, 100), help="timed iterations")
    parser.add_argument("--warmup", type=int, default=nnbook.by_mode(1, 5, 5), help="untimed iterations first")
    parser.add_argument("--models", nargs="*", default=list(mm.MODEL_NAMES), choices=mm.MODEL_NAMES)
    parser.add_argument("--threads", type=int, default=0,
                        help="CPU threads for PyTorch and TensorFlow (0: the libraries' defaults)")
    parser.add_argument("--frameworks", nargs="*", default=["keras", "torch"], choices=["keras", "torch"])
    args = parser.parse_args()

    import tensorflow as tf
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    keras_gpu = bool(tf.config.list_physical_devices("GPU"))
    rng = np.random.default_rng(0)
    x = rng.random((100, mm.N_INPUT), dtype=np.float32)
    y = rng.integers(0, mm.N_CLASSES, 100).astype(np.int64)

    print(f"# ch06 benchmark: seconds per 100 training iterations (batch 100)\n")
    with contextlib.redirect_stdout(io.StringIO()):
        versions = nnbook.banner("ch06-bench")
    print(f"{versions}; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPU cores, torch threads {torch.get_num_threads()}"
          + (f", GPU {torch.cuda.get_device_name(0)}" if "cuda" in devices else ", no GPU")
          + f"; {args.iters} timed iterations after {args.warmup} warm-up\n")
    columns = [(fw, dev) for dev in devices for fw in args.frameworks if not (fw == "keras" and dev == "cuda" and not keras_gpu)]
    print("| model | parameters | " + " | ".join(f"{'Keras' if fw == 'keras' else 'PyTorch'} {dev.upper() if dev == 'cpu' else 'GPU'}"
                                                 for fw, dev in columns) + " |")
    print("|---|---:|" + "---:|" * len(columns))
    for name in args.models:
        cells = []
        for fw, dev in columns:
            timer = time_keras if fw == "keras" else time_torch
            cells.append(f"{timer(name, dev, args.iters, args.warmup, x, y):.2f}")
        print(f"| {mm.LABELS[name]} | {mm.param_count(name):,} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
