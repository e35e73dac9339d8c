"""Chapter 4 benchmark: the chapter's NumPy LSTM layer (the model answer of exercise 3) against
torch.nn.LSTM, forward and backward, on the CPU in float64 with one thread each.

Both compute the same function: an LSTM over (T, batch, input) followed by a sigmoid read-out
[h_t, 1] W_y at every step (torch: nn.LSTM + nn.Linear + sigmoid), then the backward pass for a fixed
error tensor (torch: autograd, the parameters' gradients reset to None each iteration). The outputs
and gradients of both are compared once per size (column "max diff"). The timed iterations are split
into rounds that alternate between NumPy and PyTorch; the fastest round of each is reported. Prints a
markdown table whose last line is the worst ratio of the NumPy time to PyTorch's (below 1: NumPy is
faster).

    python benchmarks/bench_ch04.py                   # 100 timed iterations per size
    python benchmarks/bench_ch04.py --iters 20        # fewer
    NNBOOK_MODE=test python benchmarks/bench_ch04.py  # a few iterations, a smoke test
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # one thread for NumPy's BLAS, set before NumPy is imported

import numpy as np  # noqa: E402

from nnbook_grader import answers, bench  # noqa: E402

# (T, batch, input, hidden); the read-out has as many outputs as the input
ROUNDS = 5  # timed rounds per size, alternating NumPy and PyTorch
SIZES = [(50, 32, 32, 64), (50, 1, 32, 64), (100, 16, 16, 32), (50, 64, 64, 128), (25, 32, 128, 256)]


def torch_model(w, w_y):
    import torch

    n_in, n_h = w.shape[0] - w.shape[1] // 4 - 1, w.shape[1] // 4
    lstm = torch.nn.LSTM(n_in, n_h).double()
    head = torch.nn.Linear(n_h, w_y.shape[1]).double()
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.tensor(w[:n_in].T))
        lstm.weight_hh_l0.copy_(torch.tensor(w[n_in:-1].T))
        lstm.bias_ih_l0.copy_(torch.tensor(w[-1]))
        lstm.bias_hh_l0.zero_()
        head.weight.copy_(torch.tensor(w_y[:-1].T))
        head.bias.copy_(torch.tensor(w_y[-1]))
    return lstm, head


def measure(LSTM, size, iters, warmup):
    import torch

    T, batch, n_in, n_h = size
    rng = np.random.default_rng(0)
    x, e = rng.normal(size=(T, batch, n_in)), rng.normal(size=(T, batch, n_in))
    if batch == 1:  # the course's layout: time along the batch axis, no batch of sequences
        x, e = x[:, 0], e[:, 0]
    layer = LSTM(n_in, n_h, n_in, T)
    w = rng.normal(scale=1 / np.sqrt(n_in + n_h), size=(n_in + n_h + 1, 4 * n_h))
    w_y = rng.normal(scale=1 / np.sqrt(n_h), size=(n_h + 1, n_in))
    layer.set_weights(w)
    layer.output_weights = w_y

    lstm, head = torch_model(w, w_y)
    params = list(lstm.parameters()) + list(head.parameters())
    xt = torch.tensor(x if batch > 1 else x[:, None])
    et = torch.tensor(e if batch > 1 else e[:, None])

    def step_numpy():
        layer.forward(x)
        return layer.backward(e)

    def step_torch():
        for p in params:
            p.grad = None
        xt.grad = None
        xt.requires_grad_(True)
        out, _ = lstm(xt)
        torch.sigmoid(head(out)).backward(et)
        return xt.grad

    # both compute the same numbers
    y_np, dx_np = layer.forward(x), layer.backward(e)
    xt.requires_grad_(True)
    out, _ = lstm(xt)
    y_t = torch.sigmoid(head(out))
    y_t.backward(et)
    g_t = torch.cat([lstm.weight_ih_l0.grad.T, lstm.weight_hh_l0.grad.T, lstm.bias_ih_l0.grad[None]]).numpy()
    diff = max(
        np.abs(y_np - y_t.detach().numpy().reshape(y_np.shape)).max(),
        np.abs(dx_np - xt.grad.numpy().reshape(dx_np.shape)).max(),
        np.abs(layer.get_gradient_weights() - g_t).max(),
    )
    # rounds that alternate between the two, the fastest round of each counts: on a busy machine the
    # load then hits both alike, and the minimum is the time the work itself takes
    rounds = max(1, min(ROUNDS, iters))
    t_np = t_torch = float("inf")
    for r in range(rounds):
        n = iters // rounds + (r < iters % rounds)
        t_np = min(t_np, bench.seconds_per_100(step_numpy, n, warmup if r == 0 else 0))
        t_torch = min(t_torch, bench.seconds_per_100(step_torch, n, warmup if r == 0 else 0))
    return t_np * 10, t_torch * 10, diff  # ms per iteration


def main() -> None:
    import torch

    parser = bench.parser(__doc__.split("\n\n")[0])
    args = parser.parse_args()
    torch.set_num_threads(1)
    LSTM = answers.load("ch04-numpy-rnn", "ch04-lstm").LSTM
    bench.header(
        "ch04-bench",
        "ch04 benchmark: NumPy LSTM layer vs torch.nn.LSTM, forward + backward, float64, one CPU thread",
        args.iters,
        args.warmup,
    )
    print("| T | batch | input | hidden | NumPy (ms) | PyTorch (ms) | ratio NumPy / PyTorch | max diff |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    worst = 0.0
    for size in SIZES:
        t_np, t_torch, diff = measure(LSTM, size, args.iters, args.warmup)
        worst = max(worst, t_np / t_torch)
        print(
            f"| {' | '.join(map(str, size))} | {t_np:.2f} | {t_torch:.2f} | {t_np / t_torch:.2f} | {diff:.1e} |",
            flush=True,
        )
    print(f"\nworst ratio to torch: {worst:.2f}")


if __name__ == "__main__":
    main()
