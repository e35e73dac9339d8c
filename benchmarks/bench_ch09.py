"""Chapter 9 benchmark: seconds per 100 teacher-forced training iterations (batch 16, 40 steps, 16 x 16
grid) of the TCN and of DISTANA with the given and with the adapted prediction kernel, in PyTorch, on
the CPU and, when one is present, on the GPU.

Prints a markdown table. One iteration is a teacher-forced forward pass over the 40 steps (the TCN in
one parallel pass, DISTANA step by step through the chapter's `rollout`), the MSE, the backward pass
and an Adam step. DISTANA, `rollout` and the adapted PK are the chapter's model answers
(nnbook_grader.answers); the data are the chapter's simulated waves (nnbook.waves).

    python benchmarks/bench_ch09.py                   # 100 timed iterations per model and device
    python benchmarks/bench_ch09.py --iters 20        # fewer, scaled to 100
    NNBOOK_MODE=test python benchmarks/bench_ch09.py  # a few iterations, a smoke test
"""

from __future__ import annotations

import nnbook  # noqa: F401  (first: quiets TensorFlow)
from nnbook import waves
from nnbook.tensors import count_parameters
from nnbook_grader import answers, bench

BATCH = waves.SETTINGS["quick"]["batch"]  # the chapter's training batch (one table: nnbook.waves.SETTINGS)


def time_model(name: str, device: str, iters: int, warmup: int, frames) -> tuple[int, float]:
    import torch
    import torch.nn.functional as F

    ch09 = answers.load("ch09-waves", "ch09-rollout", "ch09-lateral", "ch09-distana", "ch09-pk")
    torch.manual_seed(0)
    if name == "TCN":
        model = waves.build_tcn()
    elif name == "DISTANA, given PK":
        model = ch09.Distana(waves.build_given_pk(1), 1)
    else:
        model = ch09.Distana(ch09.WavePK(1), 1)
    model.to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = (torch.as_tensor(a, device=device) for a in waves.inputs_targets(frames))

    def step():
        out = model(x) if name == "TCN" else ch09.rollout(model, x, x.shape[1])
        loss = F.mse_loss(out, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    return count_parameters(model), bench.seconds_per_100(step, iters, warmup, device)


def main() -> None:
    import torch

    parser = bench.parser(__doc__.split("\n\n")[0])
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    frames = waves.make_waves(BATCH, waves.TRAIN_STEPS, seed=0)
    bench.header(
        "ch09-bench",
        f"ch09 benchmark: seconds per 100 training iterations (batch {BATCH}, "
        f"{waves.TRAIN_STEPS} steps, {waves.SIZE} x {waves.SIZE})",
        args.iters,
        args.warmup,
    )
    print("| model | device | parameters | s / 100 iterations | iterations / s |")
    print("|---|---|---:|---:|---:|")
    for dev in devices:
        for name in ("TCN", "DISTANA, given PK", "DISTANA, adapted PK"):
            n_params, sec = time_model(name, dev, args.iters, args.warmup, frames)
            print(
                f"| {name} | {dev.upper() if dev == 'cpu' else 'GPU'} | {n_params:,} | {sec:.2f} | {100 / sec:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
