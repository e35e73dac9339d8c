"""Number series for chapter 7: series of uniform random digits labelled by whether their sum
reaches a threshold, the exact distribution of that sum, input encodings, and the metrics that an
imbalanced binary task needs (confusion matrix, accuracy, balanced accuracy).

Everything is deterministic given a seed and needs no network.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

N_SERIES = 10_000   # series in the exercise sheet
N_TRAIN = 8_000     # the first 8000 train, the other 2000 test
LENGTH = 30         # digits per series
DIGITS = 10         # digits 0..9
THRESHOLD = 100     # label 1 when the sum is >= 100


def make_series(n: int = N_SERIES, length: int = LENGTH, threshold: int = THRESHOLD, seed: int = 0,
                digits: int = DIGITS) -> tuple[np.ndarray, np.ndarray]:
    """`n` series of `length` independent uniform integers ``0..digits-1`` and their labels.

    Returns ``X`` (int64, shape ``(n, length)``) and ``y`` (int64, shape ``(n,)``) with
    ``y = 1`` exactly when ``X.sum(axis=1) >= threshold``.
    """
    if n < 0 or length < 1 or digits < 1:
        raise ValueError(f"make_series: need n >= 0, length >= 1, digits >= 1; got {n}, {length}, {digits}")
    rng = np.random.default_rng(seed)
    X = rng.integers(0, digits, size=(n, length), dtype=np.int64)
    y = (X.sum(axis=1) >= threshold).astype(np.int64)
    return X, y


def split(X: np.ndarray, y: np.ndarray, n_train: int = N_TRAIN):
    """The first `n_train` series for training, the rest for testing (the series are i.i.d., so no
    shuffle is needed). Returns ``X_train, y_train, X_test, y_test``."""
    if not 0 <= n_train <= len(X):
        raise ValueError(f"split: n_train={n_train} is not between 0 and the {len(X)} series")
    if len(X) != len(y):
        raise ValueError(f"split: {len(X)} series but {len(y)} labels")
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def digit_stats(digits: int = DIGITS) -> tuple[float, float]:
    """Mean and standard deviation of one uniform digit ``0..digits-1``."""
    mean = (digits - 1) / 2
    var = (digits ** 2 - 1) / 12
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


def sum_counts(length: int = LENGTH, digits: int = DIGITS) -> list[int]:
    """Exact counts ``c[s]`` of the ``digits**length`` series whose sum is ``s``.

    They are the coefficients of the generating function ``(1 + x + ... + x**(digits-1))**length``,
    computed by repeated convolution in Python integers (no rounding).
    """
    counts = [1]
    for _ in range(length):
        new = [0] * (len(counts) + digits - 1)
        for s, c in enumerate(counts):
            for d in range(digits):
                new[s + d] += c
        counts = new
    return counts


def label_zero_probability(length: int = LENGTH, threshold: int = THRESHOLD, digits: int = DIGITS) -> Fraction:
    """Exact ``P(sum < threshold)``, the share of label 0, as a Fraction."""
    counts = sum_counts(length, digits)
    below = sum(counts[:max(0, min(threshold, len(counts)))])
    return Fraction(below, digits ** length)


def confusion_matrix(y_true, y_pred) -> np.ndarray:
    """2 x 2 counts, rows the true class, columns the predicted class: ``[[TN, FP], [FN, TP]]``."""
    t = np.asarray(y_true).astype(np.int64).ravel()
    p = np.asarray(y_pred).astype(np.int64).ravel()
    if t.shape != p.shape:
        raise ValueError(f"confusion_matrix: {t.size} labels but {p.size} predictions")
    if not (np.isin(t, (0, 1)).all() and np.isin(p, (0, 1)).all()):
        raise ValueError("confusion_matrix: labels and predictions must be 0 or 1")
    return np.bincount(2 * t + p, minlength=4).reshape(2, 2)


def accuracy(y_true, y_pred) -> float:
    """Share of correct predictions."""
    cm = confusion_matrix(y_true, y_pred)
    return float(np.trace(cm) / cm.sum()) if cm.sum() else float("nan")


def balanced_accuracy(y_true, y_pred) -> float:
    """Mean of the per-class recalls (TNR and TPR) over the classes present in `y_true`.

    A constant classifier scores 0.5 whatever the class balance.
    """
    cm = confusion_matrix(y_true, y_pred)
    support = cm.sum(axis=1)
    present = support > 0
    if not present.any():
        return float("nan")
    return float(np.mean(np.diag(cm)[present] / support[present]))


def majority_predictions(y_train, n: int) -> np.ndarray:
    """The trivial classifier: predict the most frequent training label `n` times."""
    y_train = np.asarray(y_train).astype(np.int64)
    majority = int(np.bincount(y_train, minlength=2).argmax())
    return np.full(n, majority, dtype=np.int64)


# ----- reference models (the benchmark and other chapters reuse them) -----------------------------

def build_keras_lstm(units: int = 200, input_size: int = 1):
    """Keras 3: LSTM(units) read at the last step, then one sigmoid unit; input ``(batch, T, input_size)``."""
    import keras

    return keras.Sequential([
        keras.Input((None, input_size)),
        keras.layers.LSTM(units),                     # return_sequences=False: h_T only
        keras.layers.Dense(1, activation="sigmoid"),
    ])


def build_torch_lstm(units: int = 200, input_size: int = 1):
    """PyTorch: the same network; returns the logit ``(batch, 1)`` (the sigmoid sits in the loss)."""
    import torch

    class LSTMClassifier(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = torch.nn.LSTM(input_size, units, batch_first=True)
            self.head = torch.nn.Linear(units, 1)

        def forward(self, x):
            outputs, _ = self.lstm(x)          # (batch, T, units)
            return self.head(outputs[:, -1])   # the last step only

    return LSTMClassifier()


def copy_keras_lstm_to_torch(keras_model, torch_model) -> None:
    """Copy the weights of `build_keras_lstm` into `build_torch_lstm` (same sizes).

    Both frameworks order the gates i, f, g (cell candidate), o. Keras stores ``x @ W`` kernels
    ``(in, 4h)`` and one bias; torch stores ``W @ x`` weights ``(4h, in)`` and two biases that add up.
    """
    import keras
    import torch

    lstm = next(l for l in keras_model.layers if isinstance(l, keras.layers.LSTM))
    dense = next(l for l in keras_model.layers if isinstance(l, keras.layers.Dense))
    kernel, recurrent, bias = (np.asarray(w) for w in lstm.get_weights())
    w_out, b_out = (np.asarray(w) for w in dense.get_weights())
    as_t = lambda a: torch.as_tensor(np.ascontiguousarray(a), dtype=torch.float32)  # noqa: E731
    with torch.no_grad():
        torch_model.lstm.weight_ih_l0.copy_(as_t(kernel.T))
        torch_model.lstm.weight_hh_l0.copy_(as_t(recurrent.T))
        torch_model.lstm.bias_ih_l0.copy_(as_t(bias))
        torch_model.lstm.bias_hh_l0.zero_()
        torch_model.head.weight.copy_(as_t(w_out.T))
        torch_model.head.bias.copy_(as_t(b_out))


def balanced_class_weight(y) -> dict[int, float]:
    """``w_c = n / (2 n_c)``: each class carries half of the total weight (absent classes get 0)."""
    counts = np.bincount(np.asarray(y).astype(np.int64).ravel(), minlength=2)
    n = counts.sum()
    return {c: (float(n / (2 * counts[c])) if counts[c] else 0.0) for c in (0, 1)}


def adam_settings() -> dict:
    """The exercise sheet's Adam (as in chapter 6): learning rate 1e-3, betas 0.9 / 0.999, epsilon 1e-8."""
    from .mnist_models import ADAM

    return dict(ADAM)
