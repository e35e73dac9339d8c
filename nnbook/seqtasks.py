"""Sequence tasks for chapter 5: sine curves of random frequency and phase, and the memory task.

Both are deterministic given a seed and need no network.

Sine curves
    ``s_t = sin(2 pi t / P + phi)`` for ``t = 0 .. length-1``, the period ``P`` (in samples) uniform in
    ``periods`` and the phase ``phi`` uniform in ``[0, 2 pi)``. `next_step_pairs` turns curves into
    network input and target, aligned so that output ``i`` predicts target ``i`` (target ``i`` is
    sample ``i + 1``).

The memory task
    Input: ``r_1 .. r_L`` (each uniform in ``0 .. symbols-1``), ``S`` blanks, the delimiter ``#``, then
    ``L`` blanks. Target: blanks up to and including the delimiter's step, then ``r_1 .. r_L``. With
    the default 9 symbols, ``BLANK = 9`` and ``DELIM = 10``; inputs have ``symbols + 2`` one-hot
    features, targets ``symbols + 1`` classes (the delimiter is never a target).
"""

from __future__ import annotations

import time

import numpy as np

from .tensors import count_parameters

SYMBOLS = 9  # r_i is uniform in 0..8
BLANK = SYMBOLS  # 9
DELIM = SYMBOLS + 1  # 10
N_IN = SYMBOLS + 2  # one-hot input size: symbols, blank, delimiter
N_OUT = SYMBOLS + 1  # output classes: symbols and blank
PERIODS = (10.0, 40.0)  # sine periods in samples


def sine_curves(
    n: int, length: int, seed: int = 0, periods: tuple[float, float] = PERIODS, return_params: bool = False
):
    """`n` sine curves of `length` samples, shape ``(n, length)``, float32.

    Sample ``t`` of curve ``k`` is ``sin(2 pi t / P_k + phi_k)``, ``P_k`` uniform in `periods`
    (samples per cycle), ``phi_k`` uniform in ``[0, 2 pi)``. With ``return_params`` also returns the
    periods and phases (float64 arrays of shape ``(n,)``).
    """
    if n < 0 or length < 1:
        raise ValueError(f"sine_curves: need n >= 0 and length >= 1, got n={n}, length={length}")
    lo, hi = periods
    if not 0 < lo <= hi:
        raise ValueError(f"sine_curves: periods must satisfy 0 < low <= high, got {periods}")
    rng = np.random.default_rng(seed)
    period = rng.uniform(lo, hi, size=n)
    phase = rng.uniform(0.0, 2 * np.pi, size=n)
    t = np.arange(length)
    curves = np.sin(2 * np.pi * t[None, :] / period[:, None] + phase[:, None]).astype(np.float32)
    return (curves, period, phase) if return_params else curves


def next_step_pairs(curves: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Network input and target from curves ``(n, T)``: ``x = s_0 .. s_{T-2}`` and ``y = s_1 .. s_{T-1}``,
    each of shape ``(n, T-1, 1)`` float32, so that output ``i`` predicts target ``i``."""
    curves = np.asarray(curves, dtype=np.float32)
    if curves.ndim != 2 or curves.shape[1] < 2:
        raise ValueError(f"next_step_pairs: expected curves of shape (n, T) with T >= 2, got {curves.shape}")
    return curves[:, :-1, None].copy(), curves[:, 1:, None].copy()


def memory_length(L: int, S: int) -> int:
    """Number of steps of one memory-task sequence: L symbols, S blanks, the delimiter, L blanks."""
    return 2 * L + S + 1


def memory_task(n: int, L: int, S: int, seed: int = 0, symbols: int = SYMBOLS) -> tuple[np.ndarray, np.ndarray]:
    """`n` sequences of the memory task as integer arrays ``x, y`` of shape ``(n, 2L + S + 1)``.

    ``x[:, :L]`` are ``r_1 .. r_L`` (uniform in ``0 .. symbols-1``), then ``S`` blanks (``symbols``),
    the delimiter (``symbols + 1``) at step ``L + S``, then ``L`` blanks. ``y`` is blank everywhere
    except its last ``L`` steps, which are ``r_1 .. r_L``.
    """
    if n < 0 or L < 1 or S < 0 or symbols < 1:
        raise ValueError(f"memory_task: need n >= 0, L >= 1, S >= 0, symbols >= 1; got {n}, {L}, {S}, {symbols}")
    blank, delim = symbols, symbols + 1
    rng = np.random.default_rng(seed)
    r = rng.integers(0, symbols, size=(n, L), dtype=np.int64)
    T = memory_length(L, S)
    x = np.full((n, T), blank, dtype=np.int64)
    y = np.full((n, T), blank, dtype=np.int64)
    x[:, :L] = r
    x[:, L + S] = delim
    y[:, T - L :] = r
    return x, y


def one_hot(x: np.ndarray, depth: int = N_IN) -> np.ndarray:
    """Integer array ``(...)`` -> float32 one-hot array ``(..., depth)``."""
    x = np.asarray(x)
    if x.size and (x.min() < 0 or x.max() >= depth):
        raise ValueError(f"one_hot: values must lie in 0..{depth - 1}, found {x.min()}..{x.max()}")
    return np.eye(depth, dtype=np.float32)[x]


def chance_recall(symbols: int = SYMBOLS) -> float:
    """Recall accuracy of a guess that ignores the input: ``1 / symbols``."""
    return 1.0 / symbols


# --------------------------------------------------------------------------- the chapter's runs
# How much each run mode trains (the notebook and tools/full_runs.py read the same numbers).
SETTINGS = {
    "test": dict(
        sine_curves=256,
        sine_length=12,
        sine_steps=10,
        tf_sine_steps=3,
        test_curves=16,
        memory_L=2,
        memory_gaps=[0, 4],
        memory_steps=10,
        lstm_units=8,
        batch=32,
        lr=1e-2,
    ),
    # quick: the book's mode, the whole chapter in under two minutes of one core; the chapter shows the
    # measured full-mode runs (nnbook/results/ch05-full-torch.json) beside these short ones
    "quick": dict(
        sine_curves=2000,
        sine_length=60,
        sine_steps=500,
        tf_sine_steps=150,
        test_curves=100,
        memory_L=2,
        memory_gaps=[0, 10, 20],
        memory_steps=700,
        lstm_units=24,
        batch=128,
        lr=1e-2,
    ),
    "full": dict(
        sine_curves=5000,
        sine_length=60,
        sine_steps=6000,
        tf_sine_steps=6000,
        test_curves=500,
        memory_L=5,
        memory_gaps=[0, 5, 10, 20, 40, 80],
        memory_steps=6000,
        lstm_units=64,
        batch=128,
        lr=1e-2,
    ),
}
WARMUP, TEST_LENGTH = 20, 100  # closed loop: warm up on 20 samples, generate the other 80


def settings(mode: str | None = None) -> dict:
    """The chapter's settings for `mode` (default: the current run mode, NNBOOK_MODE)."""
    from .runtime import mode as current_mode

    return dict(SETTINGS[mode or current_mode()])


def sine_batches(x: np.ndarray, y: np.ndarray, batch_size: int, seed: int = 0):
    """Endless random batches ``(x[idx], y[idx])`` of a training set, reproducible given `seed`."""
    rng = np.random.default_rng(seed)
    while True:
        idx = rng.integers(0, len(x), batch_size)
        yield x[idx], y[idx]


def memory_batches(batch_size: int, L: int, S: int, seed: int = 0):
    """Endless fresh batches of the memory task: one-hot inputs ``(B, T, N_IN)`` and targets ``(B, T)``."""
    step = 0
    while True:
        step += 1
        x, y = memory_task(batch_size, L, S, seed=1_000_003 * seed + step)
        yield one_hot(x), y


def train(step, batches, steps: int, desc: str | None = None) -> list[float]:
    """Call ``step(x, y)`` on `steps` batches drawn from `batches`; return the losses it reports (the
    first entry when it returns ``(loss, norm)``)."""
    from .runtime import progress

    losses = []
    for _ in progress(range(steps), desc=desc):
        x, y = next(batches)
        out = step(x, y)
        losses.append(float(out[0] if isinstance(out, (tuple, list)) else out))
    return losses


def closed_loop_mse(generated, curves, warmup: int = WARMUP) -> np.ndarray:
    """Mean squared error of generated continuations ``(B, T - warmup, 1)`` against ``curves[:, warmup:]``,
    one value per generated step (averaged over the batch)."""
    g = np.asarray(generated, dtype=np.float64).reshape(len(curves), -1)
    c = np.asarray(curves, dtype=np.float64).reshape(len(curves), -1)[:, warmup:]
    if g.shape != c.shape:
        raise ValueError(f"closed_loop_mse: generated {g.shape} does not match the curves' tail {c.shape}")
    return ((g - c) ** 2).mean(axis=0)


def _adam_step(train_step, cell, readout, loss_fn, lr: float, device, steps: int):
    """Wrap a student's ``torch_train_step`` with a fresh Adam optimiser whose learning rate decays from
    `lr` to 0 along a cosine over `steps` steps; the wrapped step takes NumPy batches."""
    import torch

    optimizer = torch.optim.Adam(list(cell.parameters()) + list(readout.parameters()), lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, max(1, steps))

    def step(x, y):
        out = train_step(
            cell, readout, optimizer, torch.tensor(x, device=device), torch.tensor(y, device=device), loss_fn, 5.0
        )
        schedule.step()
        return out

    return step


def run_sine(
    make_cell,
    make_readout,
    units: int,
    train_step,
    loss_fn,
    generate,
    cfg: dict,
    device="cpu",
    seed: int = 0,
    desc: str | None = None,
) -> dict:
    """GIVEN driver (PyTorch) for the chapter's sine experiment, built from the student's pieces: train
    ``make_cell(1, units)`` + ``make_readout(units, 1)`` with ``train_step`` (Adam from ``cfg["lr"]`` with a
    cosine decay to 0, batches of ``cfg["batch"]``) on ``cfg["sine_curves"]`` curves, then continue
    ``cfg["test_curves"]`` test curves in closed loop with ``generate``. Returns the model, the losses, the
    generated curves and the closed-loop MSE per generated step."""
    import torch

    torch.manual_seed(seed)
    cell, readout = make_cell(1, units).to(device), make_readout(units, 1).to(device)
    x, y = next_step_pairs(sine_curves(cfg["sine_curves"], cfg["sine_length"], seed=seed))
    start = time.perf_counter()
    losses = train(
        _adam_step(train_step, cell, readout, loss_fn, cfg["lr"], device, cfg["sine_steps"]),
        sine_batches(x, y, cfg["batch"], seed=seed),
        cfg["sine_steps"],
        desc=desc,
    )
    seconds = time.perf_counter() - start
    curves = sine_curves(cfg["test_curves"], TEST_LENGTH, seed=seed + 1)[..., None]
    with torch.no_grad():
        generated = generate(cell, readout, torch.tensor(curves, device=device), WARMUP).cpu().numpy()
    return dict(
        cell=cell,
        readout=readout,
        losses=losses,
        seconds=seconds,
        curves=curves,
        generated=generated,
        mse=closed_loop_mse(generated, curves),
        parameters=sum(count_parameters(m, trainable_only=False) for m in (cell, readout)),
    )


def run_memory(
    make_cell,
    make_readout,
    units: int,
    train_step,
    loss_fn,
    recall,
    L: int,
    S: int,
    cfg: dict,
    device="cpu",
    seed: int = 0,
    desc: str | None = None,
    n_test: int = 1000,
) -> dict:
    """GIVEN driver (PyTorch) for the memory task, built from the student's pieces: train a fresh cell and
    read-out on ``cfg["memory_steps"]`` fresh batches, then measure the loss and the recall accuracy on
    `n_test` test sequences (always the same ones for a given L and S)."""
    import torch

    torch.manual_seed(seed)
    cell, readout = make_cell(N_IN, units).to(device), make_readout(units, N_OUT).to(device)
    start = time.perf_counter()
    losses = train(
        _adam_step(train_step, cell, readout, loss_fn, cfg["lr"], device, cfg["memory_steps"]),
        memory_batches(cfg["batch"], L, S, seed=seed),
        cfg["memory_steps"],
        desc=desc,
    )
    seconds = time.perf_counter() - start
    x, y = memory_task(n_test, L, S, seed=123_456)
    with torch.no_grad():
        outputs, _ = cell(torch.tensor(one_hot(x), device=device), cell.zero_state(n_test))
        logits = readout(outputs)
        test_loss = float(loss_fn(logits, torch.tensor(y, device=device)))
    return dict(
        cell=cell,
        readout=readout,
        losses=losses,
        seconds=seconds,
        test_loss=test_loss,
        recall=float(recall(logits, y, L)),
        parameters=sum(count_parameters(m, trainable_only=False) for m in (cell, readout)),
    )
