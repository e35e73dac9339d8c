"""Chapter 6 benchmark: training time per 100 iterations (batch 100) of the four MNIST models in
Keras 3 (TensorFlow) and PyTorch, on the CPU and, when one is present, on the GPU.

Prints a markdown table. Synthetic inputs (no MNIST needed): the cost of a step does not depend on
the pixel values. The models and the training steps are the chapter's model answers, loaded from the
solution notebook (nnbook_grader.answers): eager steps in both frameworks, as the notebook trains; the
first steps (warm-up) are not timed.

    python benchmarks/bench_ch06.py                 # 100 timed iterations per model and framework
    python benchmarks/bench_ch06.py --iters 20      # fewer, scaled to 100
    NNBOOK_MODE=test python benchmarks/bench_ch06.py  # a few iterations, a smoke test
"""

from __future__ import annotations

import numpy as np

import nnbook  # noqa: F401  (first: quiets TensorFlow, selects the Keras backend)
from nnbook import mnist_models as mm
from nnbook_grader import answers, bench

CH06 = answers.load("ch06-mnist", "ch06-linear", "ch06-mlp", "ch06-cnn", "ch06-step")
BUILDERS = mm.model_builders(CH06)  # the chapter's table of models (nnbook.mnist_models)


def time_torch(name: str, device: str, iters: int, warmup: int, x, y) -> float:
    import torch

    torch.manual_seed(0)
    model = BUILDERS["torch"][name]().to(device)
    opt = mm.torch_optimizer(mm.OPTIMIZER[name], model.parameters())
    xt, yt = torch.as_tensor(x, device=device), torch.as_tensor(y, device=device)
    # float(loss) inside the step synchronises every step, as in training
    return bench.seconds_per_100(lambda: CH06.train_step_torch(model, opt, xt, yt), iters, warmup, device)


def time_keras(name: str, device: str, iters: int, warmup: int, x, y) -> float:
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    with tf.device("/GPU:0" if device == "cuda" else "/CPU:0"):
        model = BUILDERS["keras"][name]()
        opt = mm.keras_optimizer(mm.OPTIMIZER[name])
        xt, yt = tf.constant(x), tf.constant(y)
        return bench.seconds_per_100(lambda: CH06.train_step_keras(model, opt, xt, yt), iters, warmup)


def main() -> None:
    parser = bench.parser(__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="*", default=list(mm.MODEL_NAMES), choices=mm.MODEL_NAMES)
    args = parser.parse_args()
    devices, keras_gpu = bench.devices(args.threads)
    rng = np.random.default_rng(0)
    batch = mm.settings("full")["batch"]  # the sheet's batch, from the chapter's table
    x = rng.random((batch, mm.N_INPUT), dtype=np.float32)
    y = rng.integers(0, mm.N_CLASSES, batch).astype(np.int64)

    bench.header(
        "ch06-bench", f"ch06 benchmark: seconds per 100 training iterations (batch {batch})", args.iters, args.warmup
    )
    columns = [
        (fw, dev)
        for dev in devices
        for fw in args.frameworks
        if not (fw == "keras" and dev == "cuda" and not keras_gpu)
    ]
    print("| model | parameters | " + " | ".join(bench.column(fw, dev) for fw, dev in columns) + " |")
    print("|---|---:|" + "---:|" * len(columns))
    for name in args.models:
        cells = []
        for fw, dev in columns:
            timer = time_keras if fw == "keras" else time_torch
            cells.append(f"{timer(name, dev, args.iters, args.warmup, x, y):.2f}")
        print(f"| {mm.LABELS[name]} | {mm.param_count(name):,} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
