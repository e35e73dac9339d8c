"""Chapter 7 benchmark: training time per 100 iterations (batch 50, 30 steps, one input) of the
LSTM(200) + sigmoid classifier in Keras 3 (TensorFlow) and PyTorch, on the CPU and, when one is
present, on the GPU.

Prints a markdown table. One iteration is a forward pass, binary cross-entropy on the last step, the
backward pass and an Adam step (lr 1e-3, betas 0.9 / 0.999, eps 1e-8): a compiled tf.function for
Keras, an eager step for PyTorch. The models and the data generator are the chapter's model answers,
loaded from the solution notebook (nnbook_grader.answers); the first steps (tracing, warm-up) are not
timed.

    python benchmarks/bench_ch07.py                   # 100 timed iterations per framework and device
    python benchmarks/bench_ch07.py --iters 20        # fewer, scaled to 100
    python benchmarks/bench_ch07.py --units 64        # another LSTM size
    NNBOOK_MODE=test python benchmarks/bench_ch07.py  # a few iterations, a smoke test
"""

from __future__ import annotations

import numpy as np

import nnbook  # noqa: F401  (first: quiets TensorFlow, selects the Keras backend)
from nnbook import optim, series
from nnbook_grader import answers, bench

CH07 = answers.load("ch07-sequence-lstm", "ch07-data-make", "ch07-models")

SHEET = series.settings("full")  # the chapter's table: the exercise sheet's LSTM(200) and batch 50
BATCH = SHEET["batch"]


def time_torch(device: str, units: int, iters: int, warmup: int, x, y) -> float:
    import torch
    import torch.nn.functional as F

    torch.manual_seed(0)
    model = CH07.TorchLSTMClassifier(units).to(device)
    opt = optim.torch_adam(model.parameters())
    xt = torch.as_tensor(x, device=device)
    yt = torch.as_tensor(y, dtype=torch.float32, device=device)[:, None]

    def step():
        loss = F.binary_cross_entropy_with_logits(model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()  # synchronises every step, as a training loop that logs the loss does

    return bench.seconds_per_100(step, iters, warmup, device)


def time_keras(device: str, units: int, iters: int, warmup: int, x, y) -> float:
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    with tf.device("/GPU:0" if device == "cuda" else "/CPU:0"):
        model = CH07.build_keras_model(units)
        opt = optim.keras_adam()
        loss_fn = keras.losses.BinaryCrossentropy()

        @tf.function
        def step(xb, yb):
            with tf.GradientTape() as tape:
                loss = loss_fn(yb, model(xb, training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
            return loss

        xt, yt = tf.constant(x), tf.constant(y[:, None].astype(np.float32))
        return bench.seconds_per_100(lambda: float(step(xt, yt)), iters, warmup)


def main() -> None:
    parser = bench.parser(__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=SHEET["units"], help=f"LSTM cells (the sheet: {SHEET['units']})")
    args = parser.parse_args()
    devices, keras_gpu = bench.devices(args.threads)
    X_int, y = CH07.make_series(BATCH, seed=0)
    x = series.encode(X_int)

    h = args.units
    params = {"keras": 4 * (h + h * h + h) + h + 1, "torch": 4 * (h + h * h + 2 * h) + h + 1}
    bench.header(
        "ch07-bench",
        f"ch07 benchmark: seconds per 100 training iterations (LSTM({h}), batch {BATCH}, {series.LENGTH} steps)",
        args.iters,
        args.warmup,
    )
    print("| framework | device | parameters | s / 100 iterations | iterations / s |")
    print("|---|---|---:|---:|---:|")
    for dev in devices:
        for fw in args.frameworks:
            if fw == "keras" and dev == "cuda" and not keras_gpu:
                continue
            timer = time_keras if fw == "keras" else time_torch
            sec = timer(dev, h, args.iters, args.warmup, x, y)
            print(
                f"| {'Keras' if fw == 'keras' else 'PyTorch'} | {dev.upper() if dev == 'cpu' else 'GPU'} "
                f"| {params[fw]:,} | {sec:.2f} | {100 / sec:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
