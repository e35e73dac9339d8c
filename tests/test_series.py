"""Unit tests for chapter 7: nnbook.series (encodings, baseline, class weights) and the chapter's model
answers, loaded from the solution notebook (nnbook_grader.answers: the one copy of each answer)."""

from fractions import Fraction
from itertools import product

import numpy as np
import pytest

from nnbook import series
from nnbook_grader import answers


@pytest.fixture(scope="module")
def ch07():
    return answers.load("ch07-sequence-lstm")


def test_make_series_shapes_range_and_labels(ch07):
    X, y = ch07.make_series(10_000)
    assert X.shape == (10_000, 30) and y.shape == (10_000,)
    assert X.dtype.kind == "i" and y.dtype.kind == "i"
    assert X.min() == 0 and X.max() == 9
    np.testing.assert_array_equal(y, (X.sum(axis=1) >= 100).astype(int))
    # the boundary case sum == 100 occurs and is labelled 1
    assert np.any(X.sum(axis=1) == 100)
    assert np.all(y[X.sum(axis=1) == 100] == 1)


def test_make_series_deterministic_and_seeded(ch07):
    a, ya = ch07.make_series(50, seed=3)
    b, yb = ch07.make_series(50, seed=3)
    c, _ = ch07.make_series(50, seed=4)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ya, yb)
    assert not np.array_equal(a, c)


def test_make_series_digits_roughly_uniform(ch07):
    X, _ = ch07.make_series(2000, seed=1)
    freq = np.bincount(X.ravel(), minlength=10) / X.size
    assert np.allclose(freq, 0.1, atol=0.01)


def test_make_series_other_settings(ch07):
    X, y = ch07.make_series(7, length=4, threshold=5, seed=2)
    assert X.shape == (7, 4) and X.max() <= 9
    np.testing.assert_array_equal(y, (X.sum(1) >= 5).astype(int))


def test_split_sizes_and_order(ch07):
    X, y = ch07.make_series(10_000)
    Xtr, ytr, Xte, yte = ch07.split_series(X, y)
    assert (len(Xtr), len(ytr), len(Xte), len(yte)) == (8000, 8000, 2000, 2000)
    np.testing.assert_array_equal(np.concatenate([Xtr, Xte]), X)


def test_encodings():
    X = np.array([[0, 9, 4]])
    std = series.encode(X)
    assert std.shape == (1, 3, 1) and std.dtype == np.float32
    np.testing.assert_allclose(std[0, :, 0], (np.array([0, 9, 4]) - 4.5) / np.sqrt(8.25), rtol=1e-6)
    np.testing.assert_allclose(series.encode(X, "scaled")[0, :, 0], [0, 1, 4 / 9], rtol=1e-6)
    np.testing.assert_array_equal(series.encode(X, "raw")[0, :, 0], [0, 9, 4])
    oh = series.encode(X, "onehot")
    assert oh.shape == (1, 3, 10)
    np.testing.assert_array_equal(oh[0].argmax(-1), [0, 9, 4])
    np.testing.assert_array_equal(oh.sum(-1), 1)
    # standardised digits have mean 0 and variance 1 under the uniform distribution
    all_digits = series.encode(np.arange(10)[None])[0, :, 0]
    assert abs(all_digits.mean()) < 1e-6 and abs(all_digits.var() - 1) < 1e-5
    with pytest.raises(ValueError):
        series.encode(X, "binary")


def test_sum_counts_brute_force(ch07):
    for length, digits in [(1, 10), (3, 4), (4, 3)]:
        brute = np.zeros(length * (digits - 1) + 1, dtype=int)
        for combo in product(range(digits), repeat=length):
            brute[sum(combo)] += 1
        assert ch07.sum_counts(length, digits) == brute.tolist()


def test_label_zero_probability_exact(ch07):
    p0 = ch07.p_label_zero(30, 100)
    assert isinstance(p0, Fraction)
    assert p0 == Fraction(293739273930679041778453489, 25 * 10**27)
    assert abs(float(p0) - 0.011749570957) < 1e-12
    # sympy's polynomial expansion as an independent oracle
    sp = pytest.importorskip("sympy")
    x = sp.symbols("x")
    poly = sp.Poly(sum(x**d for d in range(10)), x) ** 30  # Poly power: dense, fast
    below = sum(poly.coeff_monomial(x**s) for s in range(100))
    assert p0 == Fraction(int(below), 10**30)
    assert ch07.p_label_zero(2, 0) == 0
    assert ch07.p_label_zero(2, 19) == 1
    assert ch07.p_label_zero(2, 18) == Fraction(99, 100)


def test_confusion_and_accuracies(ch07):
    t = np.array([0, 0, 0, 1, 1, 1, 1, 1])
    p = np.array([0, 1, 1, 1, 1, 1, 0, 1])
    cm = ch07.confusion_matrix(t, p)
    np.testing.assert_array_equal(cm, [[1, 2], [1, 4]])
    assert ch07.accuracy(t, p) == pytest.approx(5 / 8)
    assert ch07.balanced_accuracy(t, p) == pytest.approx((1 / 3 + 4 / 5) / 2)
    # a constant classifier scores 0.5 balanced accuracy however skewed the classes are
    maj = series.majority_predictions(t, len(t))
    np.testing.assert_array_equal(maj, 1)
    assert ch07.balanced_accuracy(t, maj) == pytest.approx(0.5)
    assert ch07.accuracy(t, maj) == pytest.approx(5 / 8)
    # only one class present: balanced accuracy is that class's recall
    assert ch07.balanced_accuracy([1, 1, 1], [1, 0, 1]) == pytest.approx(2 / 3)


def test_balanced_class_weight():
    w = series.balanced_class_weight([0, 1, 1, 1])
    assert w == {0: pytest.approx(2.0), 1: pytest.approx(2 / 3)}
    # each class carries half of the total weight
    assert 1 * w[0] == pytest.approx(3 * w[1])
    assert series.balanced_class_weight([1, 1])[0] == 0.0


def test_reference_models_agree_after_copy(ch07):
    import keras
    import torch

    keras.utils.set_random_seed(0)
    km = ch07.build_keras_model(units=7, input_size=3)
    rng = np.random.default_rng(0)
    km.set_weights([rng.normal(0, 0.5, size=w.shape).astype(np.float32) for w in km.get_weights()])
    tm = ch07.TorchLSTMClassifier(units=7, input_size=3)
    ch07.copy_keras_to_torch(km, tm)
    x = rng.normal(size=(4, 11, 3)).astype(np.float32)
    with torch.no_grad():
        p_torch = torch.sigmoid(tm(torch.as_tensor(x))).numpy()
    p_keras = np.asarray(km(x))
    assert p_keras.shape == p_torch.shape == (4, 1)
    np.testing.assert_allclose(p_torch, p_keras, rtol=1e-4, atol=1e-5)
    # parameter counts: Keras one bias per gate, PyTorch two
    h, n = 7, 3
    assert km.count_params() == 4 * (n * h + h * h + h) + h + 1
    assert sum(p.numel() for p in tm.parameters()) == 4 * (n * h + h * h + 2 * h) + h + 1


def test_settings_one_table_per_mode(monkeypatch):
    # full mode is the exercise sheet; the other modes train less, never more
    assert series.settings("full") == dict(n_train=8000, units=200, epochs=60, batch=50)
    for mode in ("test", "quick"):
        s = series.settings(mode)
        assert s.keys() == series.SETTINGS["full"].keys()
        assert s["n_train"] <= 8000 and s["units"] <= 200 and s["epochs"] < 60
    monkeypatch.setenv("NNBOOK_MODE", "test")
    assert series.settings() == series.SETTINGS["test"]
    series.settings()["epochs"] = 99  # a copy: the table stays as it is
    assert series.SETTINGS["test"]["epochs"] != 99
