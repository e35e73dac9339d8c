"""Full-mode measurements for the results page and the chapters' "full mode" plots: the exercise
sheets' exact settings (chapter 6: 10000 / 20000 iterations of batch 100; chapter 7: 60 epochs of
batch 50), one framework at a time, each run written to a small JSON file with its provenance
(machine, GPU, versions, date, wall time) under nnbook/results/ (read by nnbook.measured).

    python tools/full_runs.py ch06 --framework torch      # on a GPU: about a minute per model
    python tools/full_runs.py ch07 --framework torch
    python tools/full_runs.py ch05                         # a pool of CPU processes: minutes on 16 cores
    NNBOOK_MODE=quick python tools/full_runs.py ch05 --out nnbook/results/ch05-quick-torch.json
    python tools/full_runs.py ch06 --framework keras      # Keras on the CPU: a background job
    python tools/full_runs.py ch08 --framework numpy      # chapter 8's own framework: CPU, a few minutes
    python tools/full_runs.py ch09                         # executes the chapter notebook in full mode

A run that is interrupted resumes: finished models are kept in the JSON file and skipped.
The chapters plot these files next to their own (quick-mode) curves.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("NNBOOK_MODE", "full")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import nnbook  # noqa: E402  (first: quiets TensorFlow, selects the Keras backend)

RESULTS = ROOT / "nnbook" / "results"
SMOKE = False  # --smoke: a few steps of everything, to check the script (not for the results page)


def provenance(framework: str) -> dict:
    import torch

    info = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mode": "full",
        "framework": framework,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
        "cpu": platform.processor() or platform.machine(),
        "cpu_cores": os.cpu_count(),
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }
    if framework == "keras":
        import keras
        import tensorflow as tf

        info.update(
            keras=keras.__version__,
            tensorflow=tf.__version__,
            gpu=(tf.config.list_physical_devices("GPU") or [None])[0] and info["gpu"],
        )
    return info


def load(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def save(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    tmp.replace(path)  # atomic: an interrupted run never leaves a broken file


def ch06(framework: str, out: Path) -> None:
    from nnbook import mnist_models as mm
    from nnbook.mnist import load_mnist_float
    from nnbook_grader import answers

    # the chapter's own answers (models, steps, accuracy, logging): one copy, in the notebook
    ch = answers.load("ch06-mnist", "ch06-accuracy", "ch06-linear", "ch06-mlp", "ch06-cnn", "ch06-step", "ch06-logging")
    builders = mm.model_builders(ch)
    config = mm.settings("full")  # the chapter's table: the sheet's settings
    if SMOKE:
        config.update(steps={k: 20 for k in config["steps"]}, eval_every=10)
    data = load_mnist_float()
    x_train, y_train, x_test, y_test = data
    result = load(out) or {
        "provenance": provenance(framework),
        "settings": {
            "batch": config["batch"],
            "steps": config["steps"],
            "eval_every": config["eval_every"],
            "eval_n": config["eval_n"],
            "note": f"accuracy logged on the first {config['eval_n']} training and test images every "
            f"{config['eval_every']} iterations",
        },
        "runs": {},
    }
    for name in mm.MODEL_NAMES:
        if name in result["runs"]:
            print(f"{name}: done before, kept")
            continue
        start = time.perf_counter()
        model, hist = mm.run_model(
            framework,
            name,
            builders[framework][name],
            data,
            config,
            step=ch.train_step_torch if framework == "torch" else ch.train_step_keras,
            accuracy=ch.accuracy,
            log=ch.train_and_log,
        )
        logits = mm.torch_logits if framework == "torch" else mm.keras_logits
        hist["final_train_all"] = float(ch.accuracy(logits(model, x_train), y_train))
        hist["wall_seconds"] = time.perf_counter() - start
        result["runs"][name] = hist
        save(out, result)
        print(
            f"{name}: train (all 60000) {hist['final_train_all']:.4f}, test {hist['final_test']:.4f}, "
            f"{hist['wall_seconds']:.0f} s",
            flush=True,
        )


def ch07(framework: str, out: Path) -> None:
    from nnbook import optim, series
    from nnbook_grader import answers

    # the chapter's own answers (data, metrics, models, training loop): one copy, in the notebook
    ch = answers.load("ch07-sequence-lstm", "ch07-data-make", "ch07-metrics", "ch07-models", "ch07-train")
    run_settings = series.settings("full")  # the chapter's table: the sheet's settings
    if SMOKE:
        run_settings["epochs"] = 1
    X_int, y = ch.make_series(series.N_SERIES, seed=0)
    X_train_int, y_train, X_test_int, y_test = ch.split_series(X_int, y)
    X_train, X_test = series.encode(X_train_int), series.encode(X_test_int)
    result = load(out) or {
        "provenance": provenance(framework),
        "settings": {
            "units": run_settings["units"],
            "epochs": run_settings["epochs"],
            "batch": run_settings["batch"],
            "adam": optim.adam_settings(),
            "n_train": len(y_train),
            "n_test": len(y_test),
        },
        "runs": {},
    }
    cw = series.balanced_class_weight(y_train)
    for weighting in ("plain", "weighted"):
        if weighting in result["runs"]:
            print(f"{weighting}: done before, kept")
            continue
        nnbook.seed_everything(0)
        start = time.perf_counter()
        weights = cw if weighting == "weighted" else None
        if framework == "torch":
            losses, prob = _ch07_torch(ch, run_settings, X_train, y_train, X_test, weights)
        else:
            losses, prob = _ch07_keras(ch, run_settings, X_train, y_train, X_test, weights)
        run = {"losses": [float(v) for v in losses], "wall_seconds": time.perf_counter() - start}
        for part, pred_prob, labels in (("train", prob[0], y_train), ("test", prob[1], y_test)):
            pred = (pred_prob > 0.5).astype(int)
            run[part] = {
                "accuracy": float(ch.accuracy(labels, pred)),
                "balanced_accuracy": float(ch.balanced_accuracy(labels, pred)),
                "confusion": np.asarray(ch.confusion_matrix(labels, pred)).tolist(),
            }
        result["runs"][weighting] = run
        save(out, result)
        print(f"{weighting}: train {run['train']}, test {run['test']}, {run['wall_seconds']:.0f} s", flush=True)


def _ch07_torch(ch, run_settings, X_train, y_train, X_test, class_weight):
    import torch

    from nnbook import optim

    device = nnbook.torch_device()
    model = ch.TorchLSTMClassifier(run_settings["units"]).to(device)
    epochs, batch = run_settings["epochs"], run_settings["batch"]
    losses = ch.train_torch(model, X_train, y_train, epochs, batch, optim.ADAM["lr"], class_weight, seed=0)
    model.eval()
    with torch.no_grad():
        prob = [
            torch.sigmoid(model(torch.as_tensor(x, device=device))).cpu().numpy().ravel() for x in (X_train, X_test)
        ]
    return losses, prob


def _ch07_keras(ch, run_settings, X_train, y_train, X_test, class_weight):
    from nnbook import optim

    model = ch.build_keras_model(run_settings["units"])
    model.compile(optimizer=optim.keras_adam(), loss="binary_crossentropy")
    fit = model.fit(
        X_train,
        y_train.astype(np.float32),
        epochs=run_settings["epochs"],
        batch_size=run_settings["batch"],
        shuffle=True,
        class_weight=class_weight,
        verbose=2,
    )
    prob = [np.asarray(model.predict(x, batch_size=500, verbose=0)).ravel() for x in (X_train, X_test)]
    return fit.history["loss"], prob


CH05_ANSWERS = (
    "ch05-rnn-torch",
    "ch05-lstm-torch",
    "ch05-readout",
    "ch05-sine-loss",
    "ch05-train-step",
    "ch05-generate",
    "ch05-params",
    "ch05-memory-metrics",
)


def ch05(framework: str, out: Path) -> None:
    """Chapter 5 with the hand-written PyTorch cells: the sine runs and the memory task at every gap, the
    settings of nnbook.seqtasks (full mode). Every run is independent and spends its time in the
    Python loop over the steps of a small cell, which a GPU does not speed up, so the runs go to a pool
    of CPU processes (one thread each) instead."""
    import multiprocessing

    if framework != "torch":
        raise SystemExit("ch05: the full runs use the PyTorch cells (--framework torch)")
    cfg = _ch05_settings(SMOKE)
    # NNBOOK_MODE=quick gives the book's quick-mode numbers the same way (default: full)
    result = load(out) or {"provenance": provenance(framework) | {"mode": nnbook.mode()}, "settings": cfg, "runs": {}}
    jobs = [("sine", name, None) for name in ("RNN", "LSTM")]
    jobs += [("memory", name, S) for S in cfg["memory_gaps"] for name in ("RNN", "LSTM")]
    todo = [job for job in jobs if _ch05_key(job) not in result["runs"]]
    print(
        f"ch05 ({nnbook.mode()} mode): {len(jobs) - len(todo)} runs done before, {len(todo)} to go; "
        f"L = {cfg['memory_L']}, gaps {cfg['memory_gaps']}, LSTM({cfg['lstm_units']})",
        flush=True,
    )
    workers = max(1, min(len(todo), (os.cpu_count() or 2) - 1))
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        for job, run in pool.imap_unordered(_ch05_job, [(job, SMOKE) for job in todo]):
            result["runs"][_ch05_key(job)] = run
            save(out, result)
            print(
                f"{_ch05_key(job)}: " + ", ".join(f"{k} {v:.4g}" for k, v in run.items() if isinstance(v, float | int)),
                flush=True,
            )


def _ch05_settings(smoke: bool = False) -> dict:
    from nnbook import seqtasks

    cfg = seqtasks.settings()
    if smoke:
        cfg.update(sine_steps=3, memory_steps=3, sine_curves=64, test_curves=8)
    return cfg


def _ch05_key(job) -> str:
    kind, name, S = job
    return f"sine {name}" if kind == "sine" else f"memory {name} S={S}"


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


def _ch05_job(args):
    """One run in a worker process: (job, result)."""
    job, smoke = args
    import torch

    from nnbook import seqtasks
    from nnbook_grader import answers

    torch.set_num_threads(1)
    _stand_in_for_tensorflow()
    ch = answers.load("ch05-cells-by-hand", *CH05_ANSWERS)
    cfg = _ch05_settings(smoke)
    kind, name, S = job
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
        run = seqtasks.run_memory(
            make,
            ch.TorchReadout,
            units,
            ch.torch_train_step,
            ch.memory_loss_torch,
            ch.recall_accuracy,
            cfg["memory_L"],
            S,
            cfg,
        )
        out = {"test_loss": run["test_loss"], "recall": run["recall"]}
    out.update(
        units=units,
        parameters=run["parameters"],
        wall_seconds=run["seconds"],
        losses=[float(np.mean(run["losses"][i : i + 50])) for i in range(0, len(run["losses"]), 50)],
    )
    return job, out


def ch08(framework: str, out: Path) -> None:
    """The chapter's CNN in nnbook.autodiff (the model answers, loaded from the notebook), trained as
    the notebook trains it: Adam 1e-3, a fresh order every epoch, the full mode's steps and batch of the
    chapter's one table (nnbook.autodiff.SETTINGS: 5000 steps of 64)."""
    from nnbook import autodiff as ad
    from nnbook.mnist import load_mnist_float
    from nnbook_grader import answers

    chapter = answers.load("ch08-autodiff-conv")
    x_train, y_train, x_test, y_test = load_mnist_float()
    x_train, x_test = x_train.reshape(-1, 1, 28, 28), x_test.reshape(-1, 1, 28, 28)
    run = ad.settings("full")
    steps, batch = (20 if SMOKE else run["steps"]), run["batch"]
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

    result = {
        "provenance": provenance("torch")
        | {"framework": "numpy (nnbook.autodiff)", "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS")},
        "settings": {
            "batch": batch,
            "steps": steps,
            "optimizer": "Adam lr 1e-3",
            "model": "conv 5x5x16, relu, pool, conv 5x5x32, relu, pool, dense 10",
        },
        "parameters": int(sum(p.data.size for p in model.parameters())),
        "loss_per_50_steps": [float(np.mean(losses[i : i + 50])) for i in range(0, len(losses), 50)],
        "final_test": accuracy(x_test, y_test),
        "final_train_all": accuracy(x_train, y_train),
        "wall_seconds": seconds,
    }
    save(out, result)
    print(
        f"ch08 CNN: train (all 60000) {result['final_train_all']:.4f}, test {result['final_test']:.4f}, "
        f"{seconds:.0f} s ({1000 * seconds / steps:.0f} ms per step)",
        flush=True,
    )


def ch09(framework: str, out: Path) -> None:
    """Chapter 9 runs its models in the notebook itself (TCN, three DISTANAs, the 40 x 40 test), so the full
    run executes the solution notebook in full mode; its results cell writes the table's numbers, which
    are shipped with this run's provenance. One run, about an hour and a half on one CPU core."""
    import subprocess
    import tempfile

    if framework != "torch":
        raise SystemExit("ch09: the chapter's models are PyTorch (--framework torch)")
    notebook = ROOT / "solutions" / "ch09-waves" / "ch09-waves.ipynb"
    mode = "test" if SMOKE else nnbook.mode()
    threads = os.environ.get("OMP_NUM_THREADS", "torch's default (one per core)")
    from nnbook import waves

    # the notebook reads its budgets from the chapter's one table; the run records the ones it used
    info = provenance(framework) | {"mode": mode, "torch_threads": threads, "settings": waves.settings(mode)}
    with tempfile.TemporaryDirectory() as tmp:
        numbers = Path(tmp) / "ch09.json"
        env = os.environ | {"NNBOOK_MODE": mode, "NNBOOK_RESULTS": str(numbers)}
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", str(notebook)]
            + ["--ExecutePreprocessor.timeout=-1", "--output-dir", tmp],
            env=env,
            check=True,
        )
        result = json.loads(numbers.read_text())
    save(out, {"provenance": info, "wall_seconds": time.perf_counter() - start} | result)
    print(f"ch09: {len(result['models'])} models measured, {time.perf_counter() - start:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapter", choices=["ch05", "ch06", "ch07", "ch08", "ch09"])
    parser.add_argument("--framework", choices=["torch", "keras", "numpy"], default="torch")
    parser.add_argument("--out", type=Path, default=None, help="JSON file (default nnbook/results/<ch>-full-<fw>.json)")
    parser.add_argument("--smoke", action="store_true", help="a few steps only: checks the script")
    args = parser.parse_args()
    global SMOKE
    SMOKE = args.smoke
    out = args.out or RESULTS / f"{args.chapter}-full-{args.framework}.json"
    print(f"{args.chapter} {nnbook.mode()} mode, {args.framework} -> {out}", flush=True)
    {"ch05": ch05, "ch06": ch06, "ch07": ch07, "ch08": ch08, "ch09": ch09}[args.chapter](args.framework, out)


if __name__ == "__main__":
    main()
