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
OPTIMIZER = {"linear": "sgd", "mlp": "adam", "mlp_dropout": "adam", "cnn": "adam"}

# How much work each run mode does: the one table that the notebook, its benchmark and its full run
# (tools/full_runs.py) read. steps: training iterations per model (batch `batch`); the accuracy is logged
# every `eval_every` iterations on the first `eval_n` training and test images; `final_n` test images
# (None: all) give the final test accuracy; `limit_train`, `limit_test` images are loaded (None: all).
# full is the exercise sheet (10000 / 20000 iterations of batch 100); quick keeps a reader's run of the
# whole chapter under two minutes of one core and shows the shipped full run beside it; test grades.
SETTINGS = {
    "test": dict(
        steps={"linear": 6, "mlp": 4, "mlp_dropout": 4, "cnn": 4},
        batch=100,
        eval_every=2,
        eval_n=200,
        final_n=None,
        limit_train=2000,
        limit_test=500,
    ),
    "quick": dict(
        steps={"linear": 300, "mlp": 100, "mlp_dropout": 100, "cnn": 150},
        batch=100,
        eval_every=10,
        eval_n=300,
        final_n=1000,
        limit_train=None,
        limit_test=None,
    ),
    "full": dict(
        steps={"linear": 10_000, "mlp": 20_000, "mlp_dropout": 20_000, "cnn": 20_000},
        batch=100,
        eval_every=100,
        eval_n=10_000,
        final_n=None,
        limit_train=None,
        limit_test=None,
    ),
}


def settings(mode: str | None = None) -> dict:
    """The chapter's settings for `mode` (default: the current run mode, NNBOOK_MODE)."""
    from .runtime import mode as current_mode

    return dict(SETTINGS[mode or current_mode()])


def model_builders(answers) -> dict:
    """{framework: {model name: builder}} from the chapter's model answers or a student's:
    `answers` holds build_linear_keras, build_mlp_keras, build_cnn_keras and their _torch twins (a
    module, a namespace or a dict such as the notebook's globals()); the dropout MLP is the MLP with
    dropout 0.5."""
    get = answers.__getitem__ if isinstance(answers, dict) else lambda name: getattr(answers, name)
    out = {}
    for fw in ("keras", "torch"):
        mlp = get(f"build_mlp_{fw}")
        out[fw] = {
            "linear": get(f"build_linear_{fw}"),
            "mlp": mlp,
            "mlp_dropout": lambda mlp=mlp: mlp(dropout=0.5),
            "cnn": get(f"build_cnn_{fw}"),
        }
    return out


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


def run_model(
    framework: str,
    name: str,
    build: Callable,
    data,
    config: dict,
    *,
    step: Callable,
    accuracy: Callable,
    log: Callable,
    show_progress: bool = True,
):
    """One run of section 9 (and of the full run): seed 0, build the model `name` with `build`, train it
    with `train` and the budget of `config` (a `settings()` dict), and measure its final test accuracy
    on the first ``config["final_n"]`` test images (all if None). Returns ``(model, history)`` with
    ``history["final_test"]`` added."""
    from .runtime import seed_everything, torch_device

    seed_everything(0)
    model = build()
    if framework == "torch":
        model = model.to(torch_device())
    hist = train(
        framework,
        model,
        data,
        config["steps"][name],
        OPTIMIZER[name],
        step=step,
        accuracy=accuracy,
        log=log,
        batch=config["batch"],
        eval_every=config["eval_every"],
        eval_n=config["eval_n"],
        show_progress=show_progress,
        desc=f"{LABELS[name]} ({framework})",
    )
    n = config["final_n"]
    logits = torch_logits if framework == "torch" else keras_logits
    hist["final_test"] = float(accuracy(logits(model, data[2][:n]), data[3][:n]))
    return model, hist


def history_seconds_per_100(hist: dict) -> float:
    """Training seconds per 100 iterations from a `train` history (the warm-up step left out).
    (Not to be confused with `nnbook_grader.bench.seconds_per_100`, which times a step function itself.)"""
    steps = hist["step"][-1] if hist["step"] else 0
    return 100 * hist["seconds"] / max(steps - 1, 1)
