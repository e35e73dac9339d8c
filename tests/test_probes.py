"""Unit tests for nnbook.probes (black-box checks of architectures, chapter 10)."""

import numpy as np
import pytest
import torch

from nnbook import probes
from nnbook.checks import GradingError


class Tagger(torch.nn.Module):
    def __init__(self, bidirectional):
        super().__init__()
        torch.manual_seed(0)
        self.emb = torch.nn.Embedding(7, 4)
        self.rnn = torch.nn.GRU(4, 5, batch_first=True, bidirectional=bidirectional)
        self.out = torch.nn.Linear(10 if bidirectional else 5, 3)

    def forward(self, x):
        return self.out(self.rnn(self.emb(x))[0])


class TwoHeads(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.shared = torch.nn.Linear(3, 4)
        self.a = torch.nn.Linear(4, 2)
        self.b = torch.nn.Linear(4, 2)

    def forward(self, x):
        h = self.shared(x)
        return self.a(h), self.b(h)


def test_attempt_turns_crashes_into_grading_errors():
    assert probes.attempt(lambda: 3, "three") == 3

    def stub():
        raise NotImplementedError

    with pytest.raises(GradingError, match="not implemented"):
        probes.attempt(stub, "building")
    with pytest.raises(GradingError, match="building failed with ZeroDivisionError"):
        probes.attempt(lambda: 1 / 0, "building")


def test_predict_runs_torch_in_eval_mode_and_returns_numpy():
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Dropout(0.9))
    x = np.ones((4, 3))
    a, b = probes.predict(model, x), probes.predict(model, x)
    assert a.shape == (4, 2) and a.dtype == np.float64
    np.testing.assert_array_equal(a, b)  # dropout is off
    assert model.training  # the mode is restored
    with pytest.raises(GradingError, match="calling the model failed"):
        probes.predict(model, np.ones((4, 5)))
    heads = TwoHeads()
    np.testing.assert_allclose(
        probes.predict(heads, np.ones((2, 3)), method="shared"), probes.predict(heads.shared, np.ones((2, 3)))
    )
    with pytest.raises(GradingError, match="encode failed with AttributeError"):
        probes.predict(heads, np.ones((2, 3)), method="encode", what="encode")


def test_predict_runs_keras():
    keras = pytest.importorskip("keras")
    inp = keras.Input(shape=(None,), dtype="int32")
    model = keras.Model(inp, keras.layers.Dense(2)(keras.layers.Embedding(5, 3)(inp)))
    out = probes.predict(model, np.zeros((2, 6), dtype=int))
    assert out.shape == (2, 6, 2)


def test_dependence_tells_causal_from_bidirectional():
    x = np.random.default_rng(0).integers(0, 7, size=(3, 9))
    for bidirectional in (False, True):
        model = Tagger(bidirectional)
        dep = probes.dependence(lambda z, model=model: probes.predict(model, z), x, 5, 7)
        assert dep.shape == (9,)
        assert np.all(dep[5:] > 1e-6)
        assert np.all(dep[:5] > 1e-6) == bidirectional
        assert np.all(dep[:5] == 0) != bidirectional


def test_parameters_feeding_finds_shared_and_private_parts():
    model = TwoHeads()
    x = np.ones((2, 3), dtype=np.float32)
    a = probes.parameters_feeding(model, [x], lambda out: out[0])
    b = probes.parameters_feeding(model, [x], lambda out: out[1])
    assert a & b == {"shared.weight", "shared.bias"}
    assert a - b == {"a.weight", "a.bias"} and b - a == {"b.weight", "b.bias"}
    assert all(p.grad is None for p in model.parameters())


def test_count_parameters():
    assert probes.count_parameters(torch.nn.Linear(3, 4)) == 16
    keras = pytest.importorskip("keras")
    layer = keras.layers.Dense(4)
    layer.build((None, 3))
    model = keras.Sequential([keras.Input((3,)), layer])
    assert probes.count_parameters(model) == 16


def test_check_feature_maps_decides_on_shapes_not_on_values():
    """A CNN whose 'valid' layers shrink a 32 x 32 image to nothing is rejected by its traced shapes (the
    values TensorFlow computes on an empty map differ from machine to machine), the same CNN with
    'same' padding passes, and a PyTorch model is judged by running it."""
    keras = pytest.importorskip("keras")

    def cnn(padding):
        images = keras.Input(shape=(None, None, 3))
        x = images
        for channels in (4, 4, 4):
            x = keras.layers.MaxPooling2D(2)(keras.layers.Conv2D(channels, 3, padding=padding)(x))
        x = keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(4, 3, padding=padding)(x))
        return keras.Model(images, keras.layers.Dense(1, activation="sigmoid")(x))

    probes.check_feature_maps(cnn("same"), (2, 32, 32, 3))
    with pytest.raises(GradingError, match="32 x 32|shape mismatch|empty"):
        probes.check_feature_maps(cnn("valid"), (2, 32, 32, 3), "the classifier on images of 32 x 32")
    probes.check_feature_maps(cnn("valid"), (1, 64, 64, 3))
    conv = torch.nn.Sequential(torch.nn.Conv2d(3, 2, 5), torch.nn.Flatten())
    probes.check_feature_maps(conv, (1, 3, 8, 8))
    with pytest.raises(GradingError):
        probes.check_feature_maps(conv, (1, 3, 3, 3))


def test_check_repeatable_rejects_dropout_at_inference():
    model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Dropout(0.5))
    x = np.ones((4, 3))
    probes.check_repeatable(lambda z: probes.predict(model, z), x, "eval mode")
    with pytest.raises(GradingError, match="dropout"):
        probes.check_repeatable(lambda z: probes.to_numpy(model.train()(torch.as_tensor(z).float())), x, "train")


def test_scrambled_weights_show_the_last_activation_and_are_put_back():
    """Scaled weights of both signs: a sigmoid output reaches both ends of [0, 1] and stays inside, a tanh
    goes negative, a ReLU above 1; batch-norm statistics stay as they were; the weights come back."""
    x = np.random.default_rng(0).random((6, 5))
    for last, inside in [(torch.nn.Sigmoid(), True), (torch.nn.Tanh(), False), (torch.nn.ReLU(), False)]:
        torch.manual_seed(0)
        model = torch.nn.Sequential(
            torch.nn.Linear(5, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(), torch.nn.Linear(8, 20), last
        )
        before = {k: v.clone() for k, v in model.state_dict().items()}
        with probes.scrambled_weights(model, seed=1):
            out = probes.predict(model, x)
            assert torch.equal(model[1].running_var, before["1.running_var"])
        assert ((out >= 0) & (out <= 1)).all() == inside
        if inside:
            assert out.min() < 0.1 and out.max() > 0.9
        assert all(torch.equal(v, before[k]) for k, v in model.state_dict().items())
    keras = pytest.importorskip("keras")
    for activation, inside in [("sigmoid", True), ("tanh", False)]:
        keras.utils.set_random_seed(0)
        model = keras.Sequential(
            [
                keras.Input((5,)),
                keras.layers.Dense(8, activation="relu"),
                keras.layers.BatchNormalization(),
                keras.layers.Dense(20, activation=activation),
            ]
        )
        before = [w.copy() for w in model.get_weights()]
        with probes.scrambled_weights(model, seed=1):
            out = probes.predict(model, x)
        assert ((out >= 0) & (out <= 1)).all() == inside
        assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), before))
