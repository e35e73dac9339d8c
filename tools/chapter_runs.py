"""What each chapter's full run is, in one shape (tools/full_runs.py runs them all the same way).

A chapter's full run has the settings it records (its row of the chapter's settings table, for the run
mode), a list of runs named by keys (an interrupted run resumes at the first key not yet in its JSON
file) and a function that makes one run and returns its numbers. The code comes from the chapter's model
answers (nnbook_grader.answers loads them from the solution notebook: one copy, in the notebook), the
budgets from the chapter's table (nnbook.<topic>.SETTINGS).
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import nnbook

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class FullRun:
    frameworks: tuple[str, ...]  # the first is the default
    settings: Callable[[str], dict]  # run mode -> the settings the runs use (recorded with them)
    keys: Callable[[dict], list[str]]  # settings -> the runs, by name
    run: Callable[[str, dict, str], dict]  # (framework, settings, key) -> one run's numbers
    # independent runs that spend their time in Python loops over small cells: a pool of one-thread
    # CPU processes does them faster than a GPU
    processes: bool = False


def _answers(*grade_ids: str):
    from nnbook_grader import answers

    return answers.load(*grade_ids)


def _curve(values, every: int = 50) -> list[float]:
    """A long loss curve as means over `every` steps (what the chapters plot)."""
    return [float(np.mean(values[i : i + every])) for i in range(0, len(values), every)]


# --------------------------------------------------------------------------- chapter 5
CH05_CELLS = (
    "ch05-cells-by-hand",
    "ch05-rnn-torch",
    "ch05-lstm-torch",
    "ch05-readout",
    "ch05-sine-loss",
    "ch05-train-step",
    "ch05-generate",
    "ch05-params",
    "ch05-memory-metrics",
)


def _ch05_settings(mode: str) -> dict:
    from nnbook import seqtasks

    return seqtasks.settings(mode)


def _ch05_keys(cfg: dict) -> list[str]:
    keys = [f"sine {name}" for name in ("RNN", "LSTM")]
    return keys + [f"memory {name} S={S}" for S in cfg["memory_gaps"] for name in ("RNN", "LSTM")]


def _ch05_run(framework: str, cfg: dict, key: str) -> dict:
    """The sine runs and the memory task at each gap, with the hand-written PyTorch cells."""
    import torch

    from nnbook import seqtasks

    torch.set_num_threads(1)
    _stand_in_for_tensorflow()
    ch = _answers(*CH05_CELLS)
    kind, name, *gap = key.split()
    make = {"RNN": ch.TorchBasicRNNCell, "LSTM": ch.TorchMyLSTMCell}[name]
    n_in, n_out = (1, 1) if kind == "sine" else (seqtasks.N_IN, seqtasks.N_OUT)
    units = cfg["lstm_units"] if name == "LSTM" else ch.rnn_units_matching(cfg["lstm_units"], n_in, n_out)
    if kind == "sine":
        run = seqtasks.run_sine(
            make, ch.TorchReadout, units, ch.torch_train_step, ch.sine_loss_torch, ch.generate_torch, cfg
        )
        out = {
            "closed_loop_mse": run["mse"].tolist(),
            "mse_first_20": float(run["mse"][:20].mean()),
            "mse_all": float(run["mse"].mean()),
            "examples": run["generated"][:3, :, 0].tolist(),
        }
    else:
        S = int(gap[0].removeprefix("S="))
        run = seqtasks.run_memory(
            make, ch.TorchReadout, units, ch.torch_train_step, ch.memory_loss_torch, ch.recall_accuracy,
            cfg["memory_L"], S, cfg,
        )  # fmt: skip
        out = {"test_loss": run["test_loss"], "recall": run["recall"]}
    return out | {
        "units": units,
        "parameters": run["parameters"],
        "wall_seconds": run["seconds"],
        "losses": _curve(run["losses"]),
    }


def _stand_in_for_tensorflow() -> None:
    """Where TensorFlow is not installed (the GPU machine), let the answer cells' TensorFlow halves be
    defined, never run: `import tensorflow` / `import keras` give a stand-in whose every attribute is
    another stand-in (and a base class that is `object`)."""
    import importlib.util
    import types

    class StandIn:
        def __getattr__(self, name):
            return StandIn()

        def __call__(self, *args, **kwargs):
            return StandIn()

        def __mro_entries__(self, bases):
            return (object,)

    for name in ("tensorflow", "keras"):
        if importlib.util.find_spec(name) is None and name not in sys.modules:
            module = types.ModuleType(name)
            module.__getattr__ = lambda attr: StandIn()
            sys.modules[name] = module


# --------------------------------------------------------------------------- chapter 6
def _ch06_settings(mode: str) -> dict:
    from nnbook import mnist_models as mm

    return mm.settings(mode)


def _ch06_keys(cfg: dict) -> list[str]:
    from nnbook import mnist_models as mm

    return list(mm.MODEL_NAMES)


@functools.cache
def _ch06_chapter():
    ch = _answers("ch06-mnist", "ch06-accuracy", "ch06-linear", "ch06-mlp", "ch06-cnn", "ch06-step", "ch06-logging")
    from nnbook.mnist import load_mnist_float

    return ch, load_mnist_float()


def _ch06_run(framework: str, cfg: dict, name: str) -> dict:
    """One of the sheet's models, trained for its steps with the chapter's step and logging."""
    from nnbook import mnist_models as mm

    ch, data = _ch06_chapter()
    start = time.perf_counter()
    model, hist = mm.run_model(
        framework,
        name,
        mm.model_builders(ch)[framework][name],
        data,
        cfg,
        step=ch.train_step_torch if framework == "torch" else ch.train_step_keras,
        accuracy=ch.accuracy,
        log=ch.train_and_log,
    )
    logits = mm.torch_logits if framework == "torch" else mm.keras_logits
    x_train, y_train = data[:2]
    hist["final_train_all"] = float(ch.accuracy(logits(model, x_train), y_train))
    return hist | {"wall_seconds": time.perf_counter() - start}


# --------------------------------------------------------------------------- chapter 7
@functools.cache
def _ch07_chapter(n_train: int):
    from nnbook import series

    ch = _answers("ch07-sequence-lstm", "ch07-data-make", "ch07-metrics", "ch07-models", "ch07-train")
    X_int, y = ch.make_series(series.N_SERIES, seed=0)
    X_train_int, y_train, X_test_int, y_test = ch.split_series(X_int, y)
    X_train_int, y_train = X_train_int[:n_train], y_train[:n_train]
    return ch, (series.encode(X_train_int), y_train, series.encode(X_test_int), y_test)


def _ch07_settings(mode: str) -> dict:
    from nnbook import optim, series

    cfg = series.settings(mode)
    _, (_, y_train, _, y_test) = _ch07_chapter(cfg["n_train"])
    return cfg | {"adam": optim.adam_settings(), "n_train": len(y_train), "n_test": len(y_test)}


def _ch07_run(framework: str, cfg: dict, weighting: str) -> dict:
    """The sheet's LSTM(200) with or without balanced class weights."""
    from nnbook import series

    ch, (X_train, y_train, X_test, y_test) = _ch07_chapter(cfg["n_train"])
    nnbook.seed_everything(0)
    weights = series.balanced_class_weight(y_train) if weighting == "weighted" else None
    start = time.perf_counter()
    train = _ch07_torch if framework == "torch" else _ch07_keras
    losses, prob = train(ch, cfg, X_train, y_train, X_test, weights)
    run = {"losses": [float(v) for v in losses], "wall_seconds": time.perf_counter() - start}
    for part, pred_prob, labels in (("train", prob[0], y_train), ("test", prob[1], y_test)):
        pred = (pred_prob > 0.5).astype(int)
        run[part] = {
            "accuracy": float(ch.accuracy(labels, pred)),
            "balanced_accuracy": float(ch.balanced_accuracy(labels, pred)),
            "confusion": np.asarray(ch.confusion_matrix(labels, pred)).tolist(),
        }
    return run


def _ch07_torch(ch, cfg, X_train, y_train, X_test, class_weight):
    import torch

    from nnbook import optim

    device = nnbook.torch_device()
    model = ch.TorchLSTMClassifier(cfg["units"]).to(device)
    epochs, batch = cfg["epochs"], cfg["batch"]
    losses = ch.train_torch(model, X_train, y_train, epochs, batch, optim.ADAM["lr"], class_weight, seed=0)
    model.eval()
    with torch.no_grad():
        logits = [model(torch.as_tensor(x, device=device)) for x in (X_train, X_test)]
    return losses, [torch.sigmoid(z).cpu().numpy().ravel() for z in logits]


def _ch07_keras(ch, cfg, X_train, y_train, X_test, class_weight):
    from nnbook import optim

    model = ch.build_keras_model(cfg["units"])
    model.compile(optimizer=optim.keras_adam(), loss="binary_crossentropy")
    fit = model.fit(
        X_train,
        y_train.astype(np.float32),
        epochs=cfg["epochs"],
        batch_size=cfg["batch"],
        shuffle=True,
        class_weight=class_weight,
        verbose=2,
    )
    prob = [np.asarray(model.predict(x, batch_size=500, verbose=0)).ravel() for x in (X_train, X_test)]
    return fit.history["loss"], prob


# --------------------------------------------------------------------------- chapter 8
def _ch08_settings(mode: str) -> dict:
    from nnbook import autodiff as ad

    return ad.settings(mode) | {"optimizer": "Adam lr 1e-3", "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS")}


def _ch08_run(framework: str, cfg: dict, key: str) -> dict:
    """The chapter's CNN in nnbook.autodiff, trained as the notebook trains it: Adam 1e-3, a fresh order
    every epoch."""
    from nnbook import autodiff as ad
    from nnbook.mnist import load_mnist_float

    chapter = _answers("ch08-autodiff-conv")
    x_train, y_train, x_test, y_test = load_mnist_float(limit_train=cfg["limit_train"], limit_test=cfg["limit_test"])
    x_train, x_test = x_train.reshape(-1, 1, 28, 28), x_test.reshape(-1, 1, 28, 28)
    steps, batch = cfg["steps"], cfg["batch"]
    nnbook.seed_everything(0)
    model = chapter.CNN()
    optimizer = ad.Adam(model.parameters(), lr=1e-3)
    order_rng, order, losses = np.random.default_rng(0), np.array([], dtype=np.int64), []
    start = time.perf_counter()
    for _ in nnbook.progress(range(steps), desc="CNN in nnbook.autodiff", disable=False):
        if len(order) < batch:
            order = np.concatenate([order, order_rng.permutation(len(x_train))])
        idx, order = order[:batch], order[batch:]
        losses.append(chapter.train_step(model, optimizer, x_train[idx], y_train[idx]))
    seconds = time.perf_counter() - start

    def accuracy(x, y):
        with ad.no_grad():
            pred = np.concatenate([model(x[i : i + 500]).data.argmax(axis=1) for i in range(0, len(x), 500)])
        return float(np.mean(pred == y))

    return {
        "model": "conv 5x5x16, relu, pool, conv 5x5x32, relu, pool, dense 10",
        "parameters": int(sum(p.data.size for p in model.parameters())),
        "loss_per_50_steps": _curve(losses),
        "final_test": accuracy(x_test, y_test),
        "final_train_all": accuracy(x_train, y_train),
        "wall_seconds": seconds,
    }


# --------------------------------------------------------------------------- chapter 9
def _ch09_settings(mode: str) -> dict:
    from nnbook import waves

    threads = os.environ.get("OMP_NUM_THREADS", "torch's default (one per core)")
    return waves.settings(mode) | {"mode": mode, "torch_threads": threads}


def _ch09_run(framework: str, cfg: dict, key: str) -> dict:
    """The chapter runs its models in the notebook itself (TCN, three DISTANAs, the 40 x 40 test): the
    solution notebook executed in the run's mode; its results cell writes the table's numbers."""
    notebook = ROOT / "solutions" / "ch09-waves" / "ch09-waves.ipynb"
    with tempfile.TemporaryDirectory() as tmp:
        numbers = Path(tmp) / "ch09.json"
        env = os.environ | {"NNBOOK_MODE": cfg["mode"], "NNBOOK_RESULTS": str(numbers)}
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", str(notebook)]
            + ["--ExecutePreprocessor.timeout=-1", "--output-dir", tmp],
            env=env,
            check=True,
        )
        return json.loads(numbers.read_text()) | {"wall_seconds": time.perf_counter() - start}


CHAPTERS = {
    "ch05": FullRun(("torch",), _ch05_settings, _ch05_keys, _ch05_run, processes=True),
    "ch06": FullRun(("torch", "keras"), _ch06_settings, _ch06_keys, _ch06_run),
    "ch07": FullRun(("torch", "keras"), _ch07_settings, lambda cfg: ["plain", "weighted"], _ch07_run),
    "ch08": FullRun(("numpy",), _ch08_settings, lambda cfg: ["CNN"], _ch08_run),
    "ch09": FullRun(("torch",), _ch09_settings, lambda cfg: ["notebook"], _ch09_run),
}
