"""Chapter 6: the settings of the four MNIST models (linear, MLP, MLP + dropout, CNN), oracles for the
truncated normal (its standard deviation by quadrature, its CDF, a Kolmogorov-Smirnov distance), the
listing of a model's weighted layers, evaluation in batches, and the training loop of the chapter,
which is given the student's (or the model answer's) training step, accuracy and logging.

The models, the weight copy, the accuracy, the training steps and the logging of the accuracy are
exercises of the chapter: their one copy is the model answer in the solution notebook (the benchmark
and the unit tests load it with `nnbook_grader.answers.load`), never this module.

Keras and TensorFlow are imported lazily, so that a PyTorch-only user never pays for them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from .optim import keras_adam, torch_adam

N_INPUT, N_CLASSES = 784, 10
IMAGE = (28, 28)
HIDDEN = (1500, 1500, 1500)
INIT_SD = 0.01  # sd parameter of the truncated normal for weights
TRUNCATE = 2.0  # values beyond TRUNCATE * INIT_SD are redrawn
# Biases start at +0.1, the "slightly positive bias to avoid dead neurons" of the TensorFlow tutorial that
# the exercise sheet follows; in the sheet's threshold notation h = W x - theta that is theta = -0.1.
# A bias of -0.1 switches off every ReLU unit of the second and later layers at the start (their inputs
# are tiny), so no gradient reaches any hidden weight and the MLP and the CNN never train.
BIAS_INIT = 0.1
CONV = ((5, 32), (5, 64))  # (kernel size, feature maps) of the two convolution layers
MODEL_NAMES = ("linear", "mlp", "mlp_dropout", "cnn")
LABELS = {"linear": "linear", "mlp": "MLP 3x1500", "mlp_dropout": "MLP 3x1500 + dropout", "cnn": "CNN"}
SGD_LR = 0.5


# ----------------------------------------------------------------------------- truncated normal
def truncated_normal_sd(sd: float = 1.0, k: float = TRUNCATE, points: int = 200_001) -> float:
    """Standard deviation of N(0, sd^2) restricted to [-k sd, k sd], by numerical quadrature (the
    trapezoidal rule on `points` points): an oracle for tests, about 0.8796 sd for k = 2."""
    x = np.linspace(-k * sd, k * sd, points)
    density = np.exp(-x * x / (2 * sd * sd))
    return float(np.sqrt(np.trapezoid(x * x * density, x) / np.trapezoid(density, x)))


def truncated_normal_cdf(x, sd: float = 1.0, k: float = TRUNCATE) -> np.ndarray:
    """CDF of N(0, sd^2) truncated to [-k sd, k sd] (for goodness-of-fit tests)."""
    z = np.clip(np.asarray(x, dtype=np.float64) / sd, -k, k)
    erf = np.vectorize(math.erf, otypes=[float])
    return (erf(z / math.sqrt(2)) + math.erf(k / math.sqrt(2))) / (2 * math.erf(k / math.sqrt(2)))


def ks_statistic(samples, cdf: Callable[[np.ndarray], np.ndarray]) -> float:
    """Kolmogorov-Smirnov distance between the empirical CDF of `samples` and `cdf`."""
    x = np.sort(np.asarray(samples, dtype=np.float64).ravel())
    n = len(x)
    c = cdf(x)
    return float(max(np.max(np.arange(1, n + 1) / n - c), np.max(c - np.arange(n) / n)))


OPTIMIZER = {"linear": "sgd", "mlp": "adam", "mlp_dropout": "adam", "cnn": "adam"}


def dense_params(sizes) -> int:
    """Weights and biases of a chain of dense layers with the given widths: sum (n_in + 1) n_out."""
    return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))


def param_count(name: str) -> int:
    """Parameter count of a named model from its shape, by formula (not by building it)."""
    if name == "linear":
        return dense_params([N_INPUT, N_CLASSES])
    if name in ("mlp", "mlp_dropout"):
        return dense_params([N_INPUT, *HIDDEN, N_CLASSES])
    if name == "cnn":
        (k1, c1), (k2, c2) = CONV
        flat = c2 * (IMAGE[0] // 4) * (IMAGE[1] // 4)
        return (k1 * k1 * 1 + 1) * c1 + (k2 * k2 * c1 + 1) * c2 + (flat + 1) * N_CLASSES
    raise ValueError(f"unknown model {name!r}; use one of {MODEL_NAMES}")


# ----------------------------------------------------------------------------- across frameworks
def keras_weighted_layers(kmodel):
    import keras

    return [l for l in kmodel.layers if isinstance(l, (keras.layers.Dense, keras.layers.Conv2D))]


def torch_weighted_layers(tmodel):
    import torch

    return [m for m in tmodel.modules() if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d))]


# ----------------------------------------------------------------------------- training
def keras_optimizer(kind: str):
    """The sheet's optimiser for a model: ``"sgd"`` (learning rate 0.5) or ``"adam"`` (nnbook.optim)."""
    import keras

    if kind == "sgd":
        return keras.optimizers.SGD(learning_rate=SGD_LR)
    return keras_adam()


def torch_optimizer(kind: str, params):
    """The sheet's optimiser for the parameters `params`: ``"sgd"`` or ``"adam"`` (nnbook.optim)."""
    import torch

    if kind == "sgd":
        return torch.optim.SGD(params, lr=SGD_LR)
    return torch_adam(params)


def torch_logits(model, x, batch: int = 2000) -> np.ndarray:
    import torch

    model.eval()
    device = next(model.parameters()).device
    with torch.no_grad():
        out = [model(torch.as_tensor(x[i : i + batch], device=device)).cpu().numpy() for i in range(0, len(x), batch)]
    return np.concatenate(out)


def keras_logits(model, x, batch: int = 2000) -> np.ndarray:
    return np.concatenate([np.asarray(model(x[i : i + batch], training=False)) for i in range(0, len(x), batch)])


def minibatches(n: int, batch: int, steps: int, seed: int = 0):
    """`steps` index arrays of size `batch`: a fresh permutation of range(n) each epoch, so every
    example is seen once per epoch (the same sequence for both frameworks given the seed)."""
    rng = np.random.default_rng(seed)
    order, pos = rng.permutation(n), 0
    for _ in range(steps):
        if pos + batch > n:
            order, pos = rng.permutation(n), 0
        yield order[pos : pos + batch]
        pos += batch


def train(
    framework: str,
    model,
    data,
    steps: int,
    optimizer: str,
    *,
    step: Callable,
    accuracy: Callable,
    log: Callable,
    batch: int = 100,
    eval_every: int = 100,
    eval_n: int | None = None,
    seed: int = 0,
    show_progress: bool = True,
    desc: str = "",
) -> dict:
    """Train `model` ("keras" or "torch") on ``data = (x_train, y_train, x_test, y_test)`` with the
    sheet's `optimizer` ("sgd" or "adam"), in mini-batches of `batch` (a fresh shuffle every epoch).

    The loop is given the chapter's exercises: the training step ``step(model, optimizer, x, y) ->
    loss`` (torch tensors on the model's device, or NumPy arrays for Keras), the accuracy
    ``accuracy(logits, labels) -> float``, and the logging ``log(run_step, logits, steps, eval_data,
    accuracy, every) -> {"step": [...], "train": [...], "test": [...]}``, which calls ``run_step()``
    (the next training iteration; it returns that iteration's loss) `steps` times and measures the
    accuracy on ``eval_data``, the first `eval_n` training and test examples (all if None), every
    `eval_every` iterations.

    Returns the logged dict with ``loss`` added (the mean training loss of the iterations since the
    previous logged one), ``seconds`` (training time of iterations 2, 3, ..., evaluation excluded) and
    ``first_seconds`` (iteration 1: warm-up).
    """
    from .runtime import progress

    x_train, y_train, x_test, y_test = data
    eval_data = (x_train[:eval_n], y_train[:eval_n], x_test[:eval_n], y_test[:eval_n])
    if framework == "torch":
        import torch

        device = next(model.parameters()).device
        opt = torch_optimizer(optimizer, model.parameters())
        xt = torch.as_tensor(x_train, device=device)
        yt = torch.as_tensor(y_train, device=device)
        run = lambda idx: float(step(model, opt, xt[idx], yt[idx]))
        logits = lambda x: torch_logits(model, x)
    elif framework == "keras":
        opt = keras_optimizer(optimizer)
        run = lambda idx: float(step(model, opt, x_train[idx], y_train[idx]))
        logits = lambda x: keras_logits(model, x)
    else:
        raise ValueError(f"framework must be 'keras' or 'torch', not {framework!r}")
    batches = minibatches(len(x_train), batch, steps, seed)
    losses: list[float] = []
    times: list[float] = []
    bar = progress(total=steps, desc=desc or framework, **({} if show_progress else {"disable": True}))

    def run_step() -> float:
        idx = next(batches, None)
        if idx is None:
            raise RuntimeError(f"run_step() was called more than steps={steps} times")
        t0 = time.perf_counter()
        losses.append(run(idx))
        times.append(time.perf_counter() - t0)
        bar.update(1)
        return losses[-1]

    try:
        logged = log(run_step, logits, steps, eval_data, accuracy, eval_every)
    finally:
        bar.close()
    hist = {
        "step": [int(s) for s in logged["step"]],
        "train": [float(v) for v in logged["train"]],
        "test": [float(v) for v in logged["test"]],
    }
    bounds = [0, *hist["step"]]
    hist["loss"] = [float(np.mean(losses[a:b])) if b > a else float("nan") for a, b in zip(bounds, bounds[1:])]
    hist["first_seconds"] = times[0] if times else 0.0
    hist["seconds"] = float(sum(times[1:]))
    return hist


def history_seconds_per_100(hist: dict) -> float:
    """Training seconds per 100 iterations from a `train` history (the warm-up step left out).
    (Not to be confused with `nnbook_grader.bench.seconds_per_100`, which times a step function itself.)"""
    steps = hist["step"][-1] if hist["step"] else 0
    return 100 * hist["seconds"] / max(steps - 1, 1)
