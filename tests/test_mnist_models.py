"""Unit tests for chapter 6: nnbook.mnist_models (settings, truncated-normal oracles, the training loop)
and the chapter's model answers, loaded from the solution notebook (nnbook_grader.answers: the one copy
of each answer). Small and CPU-only; MNIST itself is not needed."""

import math
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest

torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")

from nnbook import mnist_models as mm  # noqa: E402
from nnbook_grader import answers  # noqa: E402


@pytest.fixture(scope="module")
def ch06():
    return answers.load(
        "ch06-mnist",
        "ch06-accuracy",
        "ch06-linear",
        "ch06-truncsample",
        "ch06-mlp",
        "ch06-cnn",
        "ch06-copy",
        "ch06-step",
        "ch06-logging",
    )


def builders(ch06, framework):
    return mm.model_builders(ch06)[framework]


def test_settings_one_table_with_the_sheets_full_run():
    full = mm.settings("full")
    assert full["steps"] == {"linear": 10_000, "mlp": 20_000, "mlp_dropout": 20_000, "cnn": 20_000}
    assert (full["batch"], full["eval_every"], full["eval_n"]) == (100, 100, 10_000)
    for mode in ("test", "quick", "full"):
        config = mm.settings(mode)
        assert set(config) == set(full) and set(config["steps"]) == set(mm.MODEL_NAMES)
        assert all(config["eval_every"] <= n for n in config["steps"].values())


def test_model_builders_take_a_dict_or_a_namespace(ch06):
    from_module = mm.model_builders(ch06)
    from_dict = mm.model_builders(vars(ch06))
    assert from_module["torch"]["cnn"] is from_dict["torch"]["cnn"] is ch06.build_cnn_torch
    dropout = from_module["torch"]["mlp_dropout"]()
    assert [m.p for m in dropout.modules() if isinstance(m, torch.nn.Dropout)] == [0.5] * 3


def _randomise(kmodel, seed=0, scale=0.1):
    rng = np.random.default_rng(seed)
    kmodel.set_weights([rng.normal(0, scale, w.shape).astype(np.float32) for w in kmodel.get_weights()])


def test_truncated_sd_by_quadrature_against_the_closed_form():
    k = 2.0
    phi = math.exp(-k * k / 2) / math.sqrt(2 * math.pi)
    closed = math.sqrt(1 - 2 * k * phi / math.erf(k / math.sqrt(2)))
    assert mm.truncated_normal_sd(1.0) == pytest.approx(closed, rel=1e-7)
    assert mm.truncated_normal_sd(0.01) == pytest.approx(0.0087963, rel=1e-4)
    assert mm.truncated_normal_sd(1.0, k=50, points=2_000_001) == pytest.approx(1.0, rel=1e-6)


def test_the_answers_sampler_respects_bounds_and_distribution(ch06):
    s = np.asarray(ch06.truncated_normal((200_000,), 0.01, np.random.default_rng(1)))
    assert np.abs(s).max() <= 0.02
    assert s.std() == pytest.approx(mm.truncated_normal_sd(0.01), rel=0.01)
    assert mm.ks_statistic(s, lambda v: mm.truncated_normal_cdf(v, 0.01)) < 0.005
    clipped = np.clip(np.random.default_rng(1).normal(0, 0.01, 200_000), -0.02, 0.02)
    assert mm.ks_statistic(clipped, lambda v: mm.truncated_normal_cdf(v, 0.01)) > 0.01


@pytest.mark.parametrize("framework", ["torch", "keras"])
def test_the_answers_initialisers_truncate_and_have_the_derived_sd(ch06, framework):
    if framework == "torch":
        torch.manual_seed(0)
        layers = mm.torch_weighted_layers(ch06.build_mlp_torch())
        w = np.concatenate([l.weight.detach().numpy().ravel() for l in layers])
    else:
        keras.utils.set_random_seed(3)
        w = np.concatenate([l.get_weights()[0].ravel() for l in mm.keras_weighted_layers(ch06.build_mlp_keras())])
    assert np.abs(w).max() <= 2 * mm.INIT_SD + 1e-7
    assert w.std() == pytest.approx(mm.truncated_normal_sd(mm.INIT_SD), rel=0.01)
    assert mm.ks_statistic(w[:300_000], lambda v: mm.truncated_normal_cdf(v, mm.INIT_SD)) < 0.005


@pytest.mark.parametrize("name", mm.MODEL_NAMES)
def test_param_counts_match_both_frameworks(ch06, name):
    k, t = builders(ch06, "keras")[name](), builders(ch06, "torch")[name]()
    assert k.count_params() == mm.param_count(name)
    assert sum(p.numel() for p in t.parameters()) == mm.param_count(name)


def test_param_count_values():
    assert mm.param_count("linear") == 7850
    assert mm.param_count("mlp") == 785 * 1500 + 2 * 1501 * 1500 + 1501 * 10
    assert mm.param_count("cnn") == 26 * 32 + (800 + 1) * 64 + 3137 * 10


@pytest.mark.parametrize("name", mm.MODEL_NAMES)
def test_copy_weights_gives_the_same_logits(ch06, name):
    k, t = builders(ch06, "keras")[name](), builders(ch06, "torch")[name]()
    _randomise(k, scale=0.05)
    ch06.copy_weights(k, t)
    x = np.random.default_rng(2).random((7, 784), dtype=np.float32)
    np.testing.assert_allclose(mm.torch_logits(t, x), mm.keras_logits(k, x), rtol=1e-4, atol=1e-4)


def test_flatten_order_matters_for_the_cnn(ch06):
    k, t = ch06.build_cnn_keras(), ch06.build_cnn_torch()
    _randomise(k)
    ch06.copy_weights(k, t)
    kernel = k.layers[-1].get_weights()[0]
    with torch.no_grad():
        t[-1].weight.copy_(torch.from_numpy(np.ascontiguousarray(kernel.T)))  # naive copy
    x = np.random.default_rng(3).random((4, 784), dtype=np.float32)
    assert np.abs(mm.torch_logits(t, x) - mm.keras_logits(k, x)).max() > 1e-2


def test_initial_values(ch06):
    k, t = ch06.build_linear_keras(), ch06.build_linear_torch()
    assert all(np.all(w == 0) for w in k.get_weights())
    assert all(torch.all(p == 0) for p in t.parameters())
    for model in (ch06.build_mlp_torch(hidden=(50, 40)), ch06.build_cnn_torch()):
        for layer in mm.torch_weighted_layers(model):
            assert torch.all(layer.bias == mm.BIAS_INIT)
            assert layer.weight.abs().max() <= 2 * mm.INIT_SD
    for model in (ch06.build_mlp_keras(hidden=(50, 40)), ch06.build_cnn_keras()):
        for layer in mm.keras_weighted_layers(model):
            kernel, bias = layer.get_weights()
            assert np.allclose(bias, mm.BIAS_INIT) and np.abs(kernel).max() <= 2 * mm.INIT_SD + 1e-7


def test_dropout_layers(ch06):
    t = ch06.build_mlp_torch(hidden=(20, 20, 20), dropout=0.5)
    assert [m.p for m in t if isinstance(m, torch.nn.Dropout)] == [0.5] * 3
    k = ch06.build_mlp_keras(hidden=(20, 20, 20), dropout=0.5)
    assert [l.rate for l in k.layers if isinstance(l, keras.layers.Dropout)] == [0.5] * 3


def test_accuracy(ch06):
    logits = np.array([[0.1, 0.9], [2.0, -1.0], [0.0, 1.0]])
    assert ch06.accuracy(logits, np.array([1, 0, 0])) == pytest.approx(2 / 3)
    assert ch06.accuracy(torch.tensor(logits), torch.tensor([1, 1, 1])) == pytest.approx(2 / 3)


def test_minibatches_cover_each_epoch_once():
    batches = list(mm.minibatches(10, 3, 6, seed=0))
    assert all(len(b) == 3 for b in batches)
    assert sorted(np.concatenate(batches[:3])) == sorted(set(np.concatenate(batches[:3])))
    assert [list(b) for b in batches] == [list(b) for b in mm.minibatches(10, 3, 6, seed=0)]


@pytest.mark.parametrize("framework", ["torch", "keras"])
def test_training_lowers_loss_and_logs(ch06, framework):
    rng = np.random.default_rng(0)
    x = rng.random((300, 784), dtype=np.float32)
    y = (x[:, :10].argmax(1)).astype(np.int64)
    model = builders(ch06, framework)["linear"]()
    step = ch06.train_step_torch if framework == "torch" else ch06.train_step_keras
    hist = mm.train(
        framework,
        model,
        (x, y, x[:100], y[:100]),
        steps=30,
        optimizer="adam",
        step=step,
        accuracy=ch06.accuracy,
        log=ch06.train_and_log,
        batch=50,
        eval_every=10,
        show_progress=False,
    )
    assert hist["step"] == [10, 20, 30] and len(hist["loss"]) == len(hist["train"]) == len(hist["test"]) == 3
    assert hist["loss"][-1] < hist["loss"][0] and hist["train"][-1] > 0.2
    assert hist["seconds"] > 0 and mm.history_seconds_per_100(hist) > 0


def test_run_model_trains_with_the_settings_budget(ch06):
    rng = np.random.default_rng(0)
    x = rng.random((300, 784), dtype=np.float32)
    y = (x[:, :10].argmax(1)).astype(np.int64)
    config = dict(mm.settings("test"), eval_every=3, eval_n=50, final_n=40)
    model, hist = mm.run_model(
        "torch",
        "linear",
        ch06.build_linear_torch,
        (x, y, x[:100], y[:100]),
        config,
        step=ch06.train_step_torch,
        accuracy=ch06.accuracy,
        log=ch06.train_and_log,
        show_progress=False,
    )
    assert hist["step"] == [3, 6] and isinstance(model, torch.nn.Module)
    assert hist["final_test"] == ch06.accuracy(mm.torch_logits(model, x[:40]), y[:40])


def test_first_sgd_step_of_the_linear_model_is_the_same_in_both_frameworks(ch06):
    rng = np.random.default_rng(1)
    x = rng.random((100, 784), dtype=np.float32)
    y = rng.integers(0, 10, 100)
    t = ch06.build_linear_torch()
    ch06.train_step_torch(t, mm.torch_optimizer("sgd", t.parameters()), torch.from_numpy(x), torch.from_numpy(y))
    k = ch06.build_linear_keras()
    ch06.train_step_keras(k, mm.keras_optimizer("sgd"), x, y)
    # analytic: from zeros the softmax is uniform, dL/dW = x^T (1/10 - onehot) / B
    expected = -mm.SGD_LR * x.T @ (0.1 - np.eye(10)[y]) / 100
    np.testing.assert_allclose(k.get_weights()[0], expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(mm.torch_weighted_layers(t)[0].weight.detach().numpy().T, expected, rtol=1e-4, atol=1e-6)
