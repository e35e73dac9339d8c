"""Chapter 8 benchmark: the model answer's conv2d (forward + backward, NumPy) against PyTorch's
torch.nn.functional.conv2d on the CPU, for the two convolution layers of the chapter's MNIST CNN at
batch 64, float32, one thread each.

One step is the forward pass and both gradients (with respect to the input and the kernel): the
model answer's `h_conv2d` and `h_conv2d_grad`, loaded from the solution notebook's answer cells (the
one copy of the answer), against conv2d + backward in PyTorch. Each time is the best of `--iters`
runs, taken in turn with the other library's, in CPU time of this process (other work on a shared
machine, which takes the core away, does not count; with one thread each, CPU time is compute time).
A naive sliding window (a Python loop over the output pixels) is timed on the first layer for
comparison. The last line is the worst ratio of the model answer to PyTorch (target: at most 2).

    python benchmarks/bench_ch08.py                   # 20 timed runs per layer (quick, full)
    python benchmarks/bench_ch08.py --iters 50        # more runs
    NNBOOK_MODE=test python benchmarks/bench_ch08.py  # a few runs, a smoke test
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # one thread, before NumPy loads
    os.environ[_var] = "1"

import time  # noqa: E402
import types  # noqa: E402

import numpy as np  # noqa: E402

import nnbook  # noqa: E402,F401
from nnbook import by_mode  # noqa: E402
from nnbook_grader import answers, bench  # noqa: E402

CHAPTER = "ch08-autodiff-conv"
CELLS = ("ch08-conv-forward", "ch08-conv-grad")
LAYERS = [("conv 1", (1, 28, 28), (16, 1, 5, 5)), ("conv 2", (16, 12, 12), (32, 16, 5, 5))]


def model_answer() -> types.ModuleType:
    """The notebook's answer cells as a module (the one copy of the answer)."""
    return answers.load(CHAPTER, *CELLS)


def naive_forward_backward(x, w, g):
    """The first correct answer most people write: a loop over output pixels, a tensordot inside."""
    B, C, H, W = x.shape
    O, _, kh, kw = w.shape
    out = np.empty((B, O, H - kh + 1, W - kw + 1), dtype=x.dtype)
    grad_x, grad_w = np.zeros_like(x), np.zeros_like(w)
    for i in range(H - kh + 1):
        for j in range(W - kw + 1):
            out[:, :, i, j] = np.tensordot(x[:, :, i : i + kh, j : j + kw], w, axes=([1, 2, 3], [1, 2, 3]))
    for i in range(H - kh + 1):
        for j in range(W - kw + 1):
            grad_w += np.tensordot(g[:, :, i, j], x[:, :, i : i + kh, j : j + kw], axes=([0], [0]))
            grad_x[:, :, i : i + kh, j : j + kw] += np.tensordot(g[:, :, i, j], w, axes=([1], [0]))
    return out, grad_x, grad_w


def best_of(steps: dict, iters: int, warmup: int) -> dict[str, float]:
    """Best CPU time in seconds of each step, the steps run in turn."""
    for step in steps.values():
        for _ in range(warmup):
            step()
    best = {name: float("inf") for name in steps}
    for _ in range(iters):
        for name, step in steps.items():
            start = time.process_time()
            step()
            best[name] = min(best[name], time.process_time() - start)
    return best


def measure(answer, name: str, image: tuple, kernel: tuple, args) -> float:
    """Print the rows of one layer; return the model answer's ratio to PyTorch."""
    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng(0)
    ho, wo = image[1] - kernel[2] + 1, image[2] - kernel[3] + 1
    x = rng.normal(size=(args.batch, *image)).astype(np.float32)
    w = rng.normal(size=kernel).astype(np.float32)
    g = rng.normal(size=(args.batch, kernel[0], ho, wo)).astype(np.float32)
    tx, tw, tg = (torch.from_numpy(a).clone() for a in (x, w, g))
    tx.requires_grad_(True)
    tw.requires_grad_(True)

    def ours():
        return answer.h_conv2d(x, w), answer.h_conv2d_grad(x, w, g)

    def theirs():
        tx.grad = tw.grad = None
        F.conv2d(tx, tw).backward(tg)

    # the two agree before they are timed
    (out, (gx, gw)), _ = ours(), theirs()
    ref = F.conv2d(tx, tw).detach().numpy()
    for found, expected in ((out, ref), (gx, tx.grad.numpy()), (gw, tw.grad.numpy())):
        if np.abs(np.asarray(found) - expected).max() > 1e-4 * np.abs(expected).max():
            raise SystemExit(f"{name}: the model answer disagrees with PyTorch")
    best = best_of({"model answer": ours, "PyTorch": theirs}, args.iters, args.warmup)
    ratio = best["model answer"] / best["PyTorch"]
    shapes = f"| {name} | {x.shape} | {w.shape} |"
    print(f"{shapes} PyTorch conv2d | {1000 * best['PyTorch']:.2f} | 1.00 |")
    print(f"{shapes} model answer (im2col) | {1000 * best['model answer']:.2f} | {ratio:.2f} |", flush=True)
    if name == "conv 1" and not args.no_naive:
        naive = best_of({"naive": lambda: naive_forward_backward(x, w, g)}, max(1, args.iters // 10), 0)["naive"]
        print(f"{shapes} naive sliding window | {1000 * naive:.2f} | {naive / best['PyTorch']:.2f} |", flush=True)
    return ratio


def main() -> None:
    parser = bench.parser(__doc__.split("\n\n")[0])
    parser.set_defaults(iters=by_mode(2, 20, 20), warmup=by_mode(1, 2, 2))
    parser.add_argument("--batch", type=int, default=64, help="images per batch (the chapter: 64)")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive sliding window")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    answer = model_answer()
    bench.header(
        "ch08-bench",
        f"ch08 benchmark: conv2d forward + backward, batch {args.batch}, float32, one thread (best of {args.iters})",
        args.iters,
        args.warmup,
    )
    print("| layer | x | w | implementation | ms | ratio to PyTorch |")
    print("|---|---|---|---|---:|---:|")
    worst = max(measure(answer, name, image, kernel, args) for name, image, kernel in LAYERS)
    print(f"\nworst ratio to torch: {worst:.2f}")


if __name__ == "__main__":
    main()
