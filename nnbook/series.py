"""Number series for chapter 7: the task's constants, the input encodings, the majority-class
baseline and the class weights of an imbalanced binary task.

The data generator, the exact class prior, the metrics and the models are exercises of the chapter:
their one copy is the model answer in the solution notebook (benchmarks and unit tests load it with
`nnbook_grader.answers.load`), never this module.
"""

from __future__ import annotations

import numpy as np

N_SERIES = 10_000  # series in the exercise sheet
N_TRAIN = 8_000  # the first 8000 train, the other 2000 test
LENGTH = 30  # digits per series
DIGITS = 10  # digits 0..9
THRESHOLD = 100  # label 1 when the sum is >= 100

# How much the chapter's own runs train in each run mode (NNBOOK_MODE): the one table that the notebook,
# benchmarks/bench_ch07.py and tools/full_runs.py read. Full mode is the exercise sheet: all 8000 training
# series, LSTM(200), 60 epochs of batch 50, Adam with learning rate 1e-3 (nnbook.optim).
SETTINGS = {
    "test": dict(n_train=1000, units=16, epochs=1, batch=50),
    "quick": dict(n_train=8000, units=64, epochs=5, batch=50),
    "full": dict(n_train=8000, units=200, epochs=60, batch=50),
}


def settings(mode: str | None = None) -> dict:
    """The chapter's settings for `mode` (default: the current run mode, NNBOOK_MODE)."""
    from .runtime import mode as current_mode

    return dict(SETTINGS[mode or current_mode()])


def digit_stats(digits: int = DIGITS) -> tuple[float, float]:
    """Mean and standard deviation of one uniform digit ``0..digits-1``."""
    mean = (digits - 1) / 2
    var = (digits**2 - 1) / 12
    return mean, float(np.sqrt(var))


def encode(X: np.ndarray, how: str = "standard", digits: int = DIGITS) -> np.ndarray:
    """Turn integer series ``(n, T)`` into float32 network input ``(n, T, features)``.

    * ``"standard"`` (the chapter's choice): one feature, ``(x - mean) / std`` of a uniform digit;
    * ``"scaled"``: one feature, ``x / (digits - 1)`` in [0, 1];
    * ``"raw"``: one feature, the digit itself;
    * ``"onehot"``: `digits` features, a one-hot vector per step.
    """
    X = np.asarray(X)
    if how == "standard":
        mean, std = digit_stats(digits)
        return ((X - mean) / std).astype(np.float32)[..., None]
    if how == "scaled":
        return (X / (digits - 1)).astype(np.float32)[..., None]
    if how == "raw":
        return X.astype(np.float32)[..., None]
    if how == "onehot":
        return np.eye(digits, dtype=np.float32)[X]
    raise ValueError(f"encode: unknown encoding {how!r}; use standard, scaled, raw or onehot")


def majority_predictions(y_train, n: int) -> np.ndarray:
    """The trivial classifier: predict the most frequent training label `n` times."""
    y_train = np.asarray(y_train).astype(np.int64)
    majority = int(np.bincount(y_train, minlength=2).argmax())
    return np.full(n, majority, dtype=np.int64)


def balanced_class_weight(y) -> dict[int, float]:
    """``w_c = n / (2 n_c)``: each class carries half of the total weight (absent classes get 0)."""
    counts = np.bincount(np.asarray(y).astype(np.int64).ravel(), minlength=2)
    n = counts.sum()
    return {c: (float(n / (2 * counts[c])) if counts[c] else 0.0) for c in (0, 1)}
